/**
 * The dispatcher: one parsed JSON-RPC message in, at most one response out through `send`.
 * Requests run concurrently; each has an AbortController that `notifications/cancelled` fires,
 * after which the request gets no response. Every error kind becomes a reply here, and only here.
 *
 * Two eras share it. A request whose `_meta` names a protocol version is modern (2026-07-28): it
 * needs no `initialize`, carries its client's capabilities itself, and its result gets
 * `resultType`, our identity in `_meta` and, for lists, `ttlMs`/`cacheScope`. Anything else is
 * served as the 2025 revision `initialize` negotiated, exactly as before. Era state lives in each
 * request; the dispatcher itself holds only what the stdio process shares (the legacy handshake,
 * open subscriptions, requests we sent the client), so another transport can run one per session.
 */
import type { z } from "zod";
import {
  ActionableError,
  describeError,
  JSON_RPC_CODES,
  McpError,
  redactQuoting,
} from "./errors.ts";
import { DISCOVERY_TTL_MS } from "./hub/catalog.ts";
import { instructionsFor } from "./instructions.ts";
import { load } from "./lazy.ts";
import { clientSupportsViews } from "./views/extension.ts";
import type { Logger } from "./log.ts";
import { promptMessages, renderHubPrompt, USAGE_PROMPT, usagePromptMessages } from "./prompts.ts";
import {
  ALL_PROTOCOL_VERSIONS,
  CallToolParams,
  type CallToolResult,
  CancelledParams,
  ElicitResult,
  formatIssues,
  GetPromptParams,
  type Incoming,
  IncomingMessage,
  InitializeParams,
  InputRetryParams,
  isModernProtocolVersion,
  ListParams,
  loadSchemas,
  META,
  metaProtocolVersion,
  type ModernMeta,
  ModernRequestMeta,
  negotiateProtocolVersion,
  plainDiscover,
  plainInitialize,
  plainListParams,
  plainMessage,
  plainModernMeta,
  ReadResourceParams,
  type RequestId,
  schemasLoaded,
  SERVER_CAPABILITIES,
  SetLevelParams,
  SubscriptionsListenParams,
  supportsStructuredContent,
  TaskIdParams,
  TASKS_EXTENSION,
  type ToolDescriptor,
} from "./protocol.ts";
import { sealState, verifyState } from "./request_state.ts";
import { findResource, listResources, listResourcesFor, readViewResource } from "./resources.ts";
import type { Session } from "./session.ts";
import type { Task } from "./tasks.ts";
import { bounded, lightTimeout } from "./timers.ts";
import type { ToolTable } from "./tools/mod.ts";
import {
  type Confirmation,
  type ConfirmOutcome,
  errorResult,
  type ToolContext,
  type ToolErrorResult,
} from "./tools/types.ts";
import { SERVER_NAME, VERSION } from "./version.ts";
import { isRecord } from "./json.ts";

/** Writes one message (or a batch) to the client. */
export type Send = (message: unknown) => void;

/** How long `tools/list` and `prompts/*` wait for a Hub discovery before answering without it. */
export const DISCOVERY_WAIT_MS = 3_000;

/** How long discovery and the static resources may be cached by a modern client. */
const STATIC_TTL_MS = 60 * 60_000;

/** Methods the 2026-07-28 revision removed: -32601 for a modern request. */
const LEGACY_ONLY = new Set([
  "initialize",
  "ping",
  "logging/setLevel",
  "tasks/result",
  "tasks/list",
]);
/** Methods only the modern era has. */
const MODERN_ONLY = new Set(["server/discover", "subscriptions/listen", "tasks/update"]);

/** Who we are, in `initialize` and in every modern result's `_meta`. */
const SERVER_INFO = { name: SERVER_NAME, title: "Kubeshark", version: VERSION };

/** How long the server waits, with nothing under way, before it loads zod (see #prepareWhenIdle). */
const SCHEMAS_IDLE_MS = 20;

/**
 * How long nothing must be under way before the first-call warm-up runs (see #warmFirstCall):
 * its ~0.3 s of work would hold up a client's burst of list requests after initialize, and a
 * model takes seconds to choose its first call.
 */
const WARM_IDLE_MS = 500;

/** The key of our one input request: the person's confirmation. */
const CONFIRM_KEY = "confirm";

type Handler = (params: unknown, request: RequestState) => Promise<Result>;
// deno-lint-ignore no-explicit-any
type Result = Record<string, any>;

interface RequestState {
  id: RequestId;
  method: string;
  controller: AbortController;
  /** Present for a modern request; absent means the 2025 revision of the handshake. */
  modern?: ModernMeta;
}

/** Thrown by `confirm` in the modern era: answer `input_required`, the client comes back. */
class InputRequired {
  constructor(readonly result: Result) {}
}

/** How long shutdown waits for aborted requests' own cleanup (see {@link Dispatcher.abortAll}). */
export const ABORT_SETTLE_MS = 300;

/** Routes MCP methods to handlers. */
export class Dispatcher {
  #session: Session;
  #send: Send;
  #table?: Promise<ToolTable>;
  #inFlight = new Map<RequestId, AbortController>();
  #pending = new Set<Promise<void>>();
  #initialized = false;
  #warmed = false;
  #firstCallWarmed = false;
  /** The 2025 handshake: what the client declared and which revision it took. */
  #legacy: { version: string; capabilities: Record<string, unknown> } = {
    version: "",
    capabilities: {},
  };
  /** Open `subscriptions/listen` requests, by id: what each wants, and how to end it. */
  #subscriptions = new Map<RequestId, { wants: Set<string>; end: () => void }>();
  /** Requests we sent the client (2025 elicitation), by id. */
  #outgoing = new Map<string, (response: Result) => void>();
  #outgoingIds = 0;
  #postponeWarm?: () => void;
  #schemasTimer?: () => void;
  #warmTimer?: () => void;
  #handlers: Record<string, Handler>;

  constructor(session: Session, send: Send) {
    this.#session = session;
    this.#send = send;
    this.#handlers = {
      "initialize": (params) => this.#initialize(params),
      "ping": () => Promise.resolve({}),
      "server/discover": (_params, request) => this.#discover(request),
      "subscriptions/listen": (params, request) => this.#listen(params, request),
      "tools/list": (params, request) => this.#listTools(params, request),
      "tools/call": (params, request) => this.#callTool(params, request),
      "prompts/list": (params, request) => this.#listPrompts(params, request),
      "prompts/get": (params) => this.#getPrompt(params),
      "resources/list": (params, request) => this.#listResources(params, request),
      "resources/templates/list": (_params, request) =>
        Promise.resolve(cacheable(request, { resourceTemplates: [] }, STATIC_TTL_MS, "public")),
      "resources/read": (params, request) => this.#readResource(params, request),
      "logging/setLevel": (params) => this.#setLevel(params),
      "tasks/get": (params, request) => this.#getTask(params, request),
      "tasks/cancel": (params, request) => this.#cancelTask(params, request),
      "tasks/result": (params, request) => this.#taskResult(params, request),
      "tasks/list": () =>
        Promise.resolve({ tasks: this.#session.tasks.list().map((t) => legacyTask(t)) }),
      "tasks/update": (params) => this.#updateTask(params),
    };
    session.setNotifier((method, params) => {
      if (this.#initialized) this.#send({ jsonrpc: "2.0", method, ...(params ? { params } : {}) });
      for (const [id, subscription] of this.#subscriptions) {
        if (!subscription.wants.has(method)) continue;
        this.#send({
          jsonrpc: "2.0",
          method,
          params: { ...params, _meta: { [META.subscriptionId]: id } },
        });
      }
    });
  }

  /**
   * Ends every open subscription with its graceful empty result (2026-07-28: the server that
   * ends one SHOULD answer it), so that shutdown need not wait for them.
   */
  endSubscriptions(): void {
    for (const subscription of [...this.#subscriptions.values()]) subscription.end();
  }

  /** Handles one parsed JSON value: a message, or a batch (an array of them). */
  receive(message: unknown): void {
    this.#postponeWarm?.();
    if (Array.isArray(message)) {
      if (message.length === 0) {
        this.#send(errorResponse(null, "invalid_request", "Invalid Request: empty batch"));
        return;
      }
      const replies: unknown[] = [];
      const all = Promise.all(message.map((item) => this.#handle(item, (r) => replies.push(r))));
      this.#track(all.then(() => {
        if (replies.length) this.#send(replies);
      }));
      return;
    }
    this.#track(this.#handle(message, this.#send));
  }

  /** Resolves once every request under way has been answered, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    await bounded(Promise.allSettled([...this.#pending]), timeoutMs);
  }

  /**
   * Aborts every request and task under way; none of the requests will be answered. Resolves once
   * their own cleanup is done (a download removes its partial file), or after
   * {@link ABORT_SETTLE_MS}.
   */
  async abortAll(): Promise<void> {
    for (const controller of this.#inFlight.values()) controller.abort();
    // Tasks too: a download run as a task cleans up like one run as a request.
    const tasks = this.#session.tasks.abortAll();
    await bounded(Promise.allSettled([...this.#pending, tasks]), ABORT_SETTLE_MS);
  }

  // Loaded on first use: the tools' modules and schemas are start-up time initialize never needs.
  #tools(): Promise<ToolTable> {
    return this.#table ??= load.tools().then((tools) => new tools.ToolTable(this.#session.config));
  }

  #track(work: Promise<void>): void {
    this.#pending.add(work);
    work.finally(() => {
      this.#pending.delete(work);
      if (this.#pending.size === 0) this.#prepareWhenIdle();
    });
  }

  /**
   * zod (~35 ms to load) is not needed by a client's first messages (`initialize`, `tools/list`):
   * it loads when a message needs it, or once nothing has been under way for a moment, so that
   * loading it does not hold up those first answers. After a longer quiet, the first-call warm-up.
   */
  #prepareWhenIdle(): void {
    if (!schemasLoaded() && !this.#schemasTimer) {
      this.#schemasTimer = lightTimeout(() => {
        this.#schemasTimer = undefined;
        // Still busy: the next time nothing is under way arms this again.
        if (this.#pending.size === 0) void loadSchemas();
      }, SCHEMAS_IDLE_MS);
    }
    if (!this.#firstCallWarmed) {
      // Each request that ends restarts the wait: the warm-up runs after a quiet half second.
      this.#warmTimer?.();
      this.#warmTimer = lightTimeout(() => {
        this.#warmTimer = undefined;
        if (this.#pending.size === 0) this.#warmFirstCall();
      }, WARM_IDLE_MS);
    }
  }

  /**
   * Once the client has been quiet for {@link WARM_IDLE_MS}: what a first tool call would wait
   * for — zod, the tools' module, Ajv for the Hub's argument schemas, the redactor, the demo's
   * traffic (a first demo call took ~0.4 s, ~0.1 s after this) — while the model is still choosing
   * its call. Failures here are the first call's to report.
   */
  #warmFirstCall(): void {
    if (this.#firstCallWarmed) return;
    this.#firstCallWarmed = true;
    void loadSchemas()
      .then(() => this.#tools())
      .then((table) =>
        Promise.all([table.warm(), this.#session.redactor(), this.#session.hub.warm?.()])
      )
      .catch(() => {});
  }

  async #handle(raw: unknown, reply: Send): Promise<void> {
    if (isClientResponse(raw)) {
      // An answer to a request we sent (an elicitation); a stray one needs no answer.
      const response = raw as Result;
      const settle = this.#outgoing.get(response.id);
      if (settle) {
        this.#outgoing.delete(response.id);
        settle(response);
      }
      return;
    }
    if (!schemasLoaded()) {
      const initialize = plainInitialize(raw);
      if (initialize) {
        // The first answer does not wait for zod; the schemas load once the server is idle.
        const result = this.#initializeResult(initialize.protocolVersion, initialize.capabilities);
        reply({ jsonrpc: "2.0", id: initialize.id, result });
        this.#markReady();
        return;
      }
      const discover = plainDiscover(raw);
      if (discover) {
        // The same for a modern client's probe.
        const request: RequestState = {
          id: discover.id,
          method: "server/discover",
          controller: new AbortController(),
          modern: { version: discover.version, capabilities: discover.capabilities },
        };
        const result = this.#finish(this.#discoverResult(request), request);
        reply({ jsonrpc: "2.0", id: discover.id, result });
        this.#warm();
        return;
      }
    }
    let message = plainMessage(raw);
    if (!message) {
      await loadSchemas();
      const parsed = IncomingMessage().safeParse(raw);
      if (!parsed.success) {
        const id = validIdOf(raw);
        reply(
          errorResponse(id, "invalid_request", "Invalid Request", {
            detail: formatIssues(parsed.error),
          }),
        );
        return;
      }
      message = parsed.data;
    }
    if (!schemasLoaded() && !answeredWithoutSchemas(message)) await loadSchemas();
    if (message.id === undefined) {
      this.#notification(message.method, message.params);
      return;
    }
    const era = this.#era(message.method, message.params);
    if ("error" in era) {
      reply(errorResponse(message.id, era.error.kind, era.error.message, era.error.data));
      return;
    }
    const handler = Object.hasOwn(this.#handlers, message.method)
      ? this.#handlers[message.method]
      : undefined;
    if (!handler) {
      reply(
        errorResponse(message.id, "method_not_found", `Method not found: ${message.method}`, {
          method: message.method,
        }),
      );
      return;
    }
    const controller = new AbortController();
    const request: RequestState = {
      id: message.id,
      method: message.method,
      controller,
      modern: era.modern,
    };
    this.#inFlight.set(message.id, controller);
    const stopLogs = this.#requestLogs(request);
    let response: unknown;
    try {
      const result = await handler(message.params, request);
      response = { jsonrpc: "2.0", id: message.id, result: this.#finish(result, request) };
    } catch (error) {
      response = this.#errorReply(message.id, message.method, error, request);
    } finally {
      stopLogs();
      if (this.#inFlight.get(message.id) === controller) this.#inFlight.delete(message.id);
    }
    // MCP: a cancelled request gets no response.
    if (controller.signal.aborted) return;
    reply(response);
    // Notifications may flow once the client knows what we are. Most clients also send
    // notifications/initialized, but list_changed must not hinge on one that doesn't.
    if (message.method === "initialize" && !("error" in (response as object))) this.#markReady();
    // A modern client has no handshake: its first answered request is the moment to warm up.
    if (era.modern) this.#warm();
  }

  /**
   * Which era a request belongs to, from its `_meta`: a version we serve in the modern era, a
   * version we do not serve (-32022 with ours), or none (the 2025 revisions). Each era's removed
   * methods are unknown to the other.
   */
  #era(
    method: string,
    params: unknown,
  ): { modern?: ModernMeta } | { error: McpError } {
    const version = metaProtocolVersion(params);
    if (version === undefined) {
      if (method === "server/discover") {
        return {
          error: new McpError(
            "invalid_params",
            `server/discover needs _meta["${META.protocolVersion}"] (one of ` +
              `${ALL_PROTOCOL_VERSIONS.join(", ")}) and _meta["${META.clientCapabilities}"]`,
          ),
        };
      }
      if (MODERN_ONLY.has(method)) return { error: notInEra(method, "2025") };
      return {};
    }
    if (!isModernProtocolVersion(version)) {
      return {
        error: new McpError(
          "unsupported_protocol_version",
          `Unsupported protocol version: "${version}"; this server supports ` +
            `${ALL_PROTOCOL_VERSIONS.join(", ")} (the 2025 ones through initialize)`,
          { data: { supported: ALL_PROTOCOL_VERSIONS, requested: version } },
        ),
      };
    }
    const raw = (params as { _meta: unknown })._meta;
    let modern = plainModernMeta(raw);
    if (!modern) {
      const meta = ModernRequestMeta().safeParse(raw);
      if (!meta.success) {
        return {
          error: new McpError(
            "invalid_params",
            `Invalid request _meta for protocol ${version}: ${formatIssues(meta.error, "_meta")}`,
          ),
        };
      }
      modern = {
        version,
        capabilities: meta.data[META.clientCapabilities],
        clientInfo: meta.data[META.clientInfo],
        logLevel: meta.data[META.logLevel],
      };
    }
    if (LEGACY_ONLY.has(method)) return { error: notInEra(method, version) };
    return { modern };
  }

  /**
   * views hook (#15): whether the request's client declared the MCP Apps extension
   * (io.modelcontextprotocol/ui) — in its own `_meta` (modern), else at `initialize`.
   */
  #views(request: RequestState): boolean {
    return clientSupportsViews(request.modern?.capabilities ?? this.#legacy.capabilities);
  }

  /** A modern request's own `logLevel`: records at or above it reach the client meanwhile. */
  #requestLogs(request: RequestState): () => void {
    const modern = request.modern;
    if (!modern) return () => {};
    const stop = modern.logLevel
      ? this.#session.log.addRequestSink(modern.logLevel, (level, data) =>
        this.#send({
          jsonrpc: "2.0",
          method: "notifications/message",
          params: { level, logger: SERVER_NAME, data },
        }))
      : () => {};
    const client = modern.clientInfo;
    this.#session.log.debug(
      `${request.method} (${modern.version}${client ? `, ${client.name} ${client.version}` : ""})`,
    );
    return stop;
  }

  /** Completes a result for its era: the modern one's `resultType` and server identity. */
  #finish(result: Result, request: RequestState): Result {
    if (!request.modern) return result;
    return {
      ...result,
      resultType: result.resultType ?? "complete",
      _meta: {
        ...result._meta,
        [META.serverInfo]: SERVER_INFO,
      },
    };
  }

  #markReady(): void {
    if (this.#initialized) return;
    this.#initialized = true;
    this.#warm();
    this.#session.log.connectClient((level, data) =>
      this.#send({
        jsonrpc: "2.0",
        method: "notifications/message",
        params: { level, logger: SERVER_NAME, data },
      })
    );
  }

  #warm(): void {
    if (this.#warmed) return;
    this.#warmed = true;
    // Discovery starts once the client's first request is answered, not before: it must not
    // delay that answer, and the tools/list that follows joins it (or, in proxy mode, once the
    // client goes quiet).
    const idleMs = this.#session.hub.warmWhenIdleMs;
    if (idleMs === undefined) {
      this.#session.catalog.warm();
    } else {
      let cancel = () => {};
      const arm = () => {
        cancel();
        cancel = lightTimeout(() => {
          this.#postponeWarm = undefined;
          this.#session.catalog.warm();
        }, idleMs);
      };
      this.#postponeWarm = arm;
      arm();
    }
  }

  #notification(method: string, params: unknown): void {
    switch (method) {
      case "notifications/initialized":
      case "initialized": // The pre-2025 name; some clients still send it.
        this.#markReady();
        return;
      case "notifications/cancelled": {
        const cancel = CancelledParams().safeParse(params);
        if (!cancel.success) return;
        this.#inFlight.get(cancel.data.requestId)?.abort(cancel.data.reason ?? "cancelled");
        this.#session.log.debug(`Request ${cancel.data.requestId} cancelled by the client`);
        return;
      }
      default:
        // Unknown notifications are ignored, as JSON-RPC requires (a notification has no reply).
        this.#session.log.debug(`Ignoring notification ${method}`);
    }
  }

  #errorReply(id: RequestId, method: string, error: unknown, request?: RequestState) {
    if (error instanceof McpError) {
      // 2026-07-28 renumbered a missing resource to -32602; 2025 clients keep -32002.
      const kind = error.kind === "resource_not_found" && request?.modern
        ? "invalid_params"
        : error.kind;
      return errorResponse(id, kind, error.message, error.data);
    }
    this.#session.log.error(
      `${method} failed: ${error instanceof Error ? error.stack ?? error.message : error}`,
    );
    return errorResponse(id, "internal", `Internal error while handling ${method}`, {
      detail: describeError(error),
    });
  }

  // --- lifecycle -------------------------------------------------------------------------------

  #initialize(params: unknown): Promise<Result> {
    const { protocolVersion, capabilities } = parseParams(InitializeParams(), params);
    return Promise.resolve(this.#initializeResult(protocolVersion, capabilities ?? {}));
  }

  #initializeResult(requested: string, capabilities: Record<string, unknown>): Result {
    const version = negotiateProtocolVersion(requested);
    this.#session.protocolVersion = version;
    this.#legacy = { version, capabilities };
    return {
      protocolVersion: version,
      capabilities: {
        ...SERVER_CAPABILITIES,
        // 2025-11-25's experimental tasks: tools/call may be run as a task.
        ...(version >= "2025-11-25"
          ? { tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } }
          : {}),
      },
      serverInfo: SERVER_INFO,
      instructions: instructionsFor(this.#session.config),
    };
  }

  #setLevel(params: unknown): Promise<Result> {
    const { level } = parseParams(SetLevelParams(), params);
    this.#session.log.setClientLevel(level);
    return Promise.resolve({});
  }

  #discover(request: RequestState): Promise<Result> {
    return Promise.resolve(this.#discoverResult(request));
  }

  #discoverResult(request: RequestState): Result {
    const result = {
      supportedVersions: ALL_PROTOCOL_VERSIONS,
      capabilities: {
        ...SERVER_CAPABILITIES,
        extensions: { [TASKS_EXTENSION]: {} },
      },
      instructions: instructionsFor(this.#session.config),
    };
    return cacheable(request, result, STATIC_TTL_MS, "private");
  }

  /**
   * `subscriptions/listen`: acknowledged at once with what we honour (tool and prompt list
   * changes; our resources never change), then open until the client cancels it (no answer) or
   * we shut down (the empty result).
   */
  #listen(params: unknown, request: RequestState): Promise<Result> {
    const { notifications } = parseParams(SubscriptionsListenParams(), params);
    const honoured: Record<string, boolean> = {};
    const wants = new Set<string>();
    if (notifications.toolsListChanged) {
      honoured.toolsListChanged = true;
      wants.add("notifications/tools/list_changed");
    }
    if (notifications.promptsListChanged) {
      honoured.promptsListChanged = true;
      wants.add("notifications/prompts/list_changed");
    }
    const id = request.id;
    return new Promise((resolve) => {
      const end = () => {
        this.#subscriptions.delete(id);
        resolve({ _meta: { [META.subscriptionId]: id } });
      };
      request.controller.signal.addEventListener("abort", end, { once: true });
      this.#send({
        jsonrpc: "2.0",
        method: "notifications/subscriptions/acknowledged",
        params: { _meta: { [META.subscriptionId]: id }, notifications: honoured },
      });
      this.#subscriptions.set(id, { wants, end });
    });
  }

  // --- tools -----------------------------------------------------------------------------------

  async #listTools(params: unknown, request: RequestState): Promise<Result> {
    if (!plainListParams(params)) parseParams(ListParams(), params);
    // The stored descriptors and the offer rule: listing loads no tool module and no zod.
    const [listing, info] = await Promise.all([
      load.toolListing(),
      this.#session.catalog.current(this.#discoveryWaitMs()),
    ]);
    let tools = listing.offeredTools(this.#session.config, info)
      .map((tool) => this.#toolForEra(tool, request));
    if (request.modern) {
      // 2026-07-28: a deterministic order (clients cache lists): ours first, as always, then
      // the Hub's by name, whatever order its discovery document had.
      // (toSorted is stable: our tools keep their order.)
      const hubRank = (tool: ToolDescriptor) => listing.isLocalTool(tool.name) ? 0 : 1;
      tools = tools.toSorted((a, b) =>
        hubRank(a) - hubRank(b) ||
        (hubRank(a) === 0 ? 0 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
      );
    }
    if (this.#views(request)) {
      // views hook (#15): tools with a view point at it.
      const { viewUriForTool } = await load.views();
      tools = tools.map((tool) => {
        const resourceUri = viewUriForTool(tool.name);
        return resourceUri ? { ...tool, _meta: { ui: { resourceUri } } } : tool;
      });
    }
    // The Hub's catalog TTL is how long the list stays right; without the Hub, it is stale at once.
    return cacheable(request, { tools }, info ? DISCOVERY_TTL_MS : 0, "private");
  }

  /** A tool's descriptor with only the fields its client's revision has. */
  #toolForEra(tool: ToolDescriptor, request: RequestState): ToolDescriptor {
    const version = request.modern?.version ?? this.#legacy.version;
    const { execution, outputSchema, ...rest } = tool;
    return {
      ...rest,
      // structuredContent, and so outputSchema, came with 2025-06-18.
      ...(outputSchema && supportsStructuredContent(version) ? { outputSchema } : {}),
      // 2025-11-25's experimental tasks; the modern era moved tasks to an extension.
      ...(execution && !request.modern && version >= "2025-11-25" ? { execution } : {}),
    };
  }

  async #callTool(params: unknown, request: RequestState): Promise<Result> {
    const parsed = parseParams(CallToolParams(), params);
    const { name, _meta } = parsed;
    const args = parsed.arguments ?? {};
    const signal = request.controller.signal;
    const ctx: ToolContext = {
      session: this.#session,
      signal,
      progress: progressSender(_meta?.progressToken, signal, this.#send),
      confirm: (question) => this.#confirm(question, request, params, { name, args }),
    };
    const version = request.modern?.version ?? this.#session.protocolVersion;
    let result: CallToolResult;
    try {
      const table = await this.#tools();
      // A Hub tool's schema comes from the catalog: wait for a discovery under way, as tools/list.
      const info = table.isLocal(name)
        ? undefined
        : await this.#session.catalog.current(this.#discoveryWaitMs());
      const prepared = await table.prepare(name, args, ctx, info);
      if ("result" in prepared) {
        result = prepared.result;
      } else {
        const task = prepared.task ? this.#taskRequested(params, request) : undefined;
        if (task) {
          const created = this.#startTask(name, prepared.run, task.ttlMs, _meta?.progressToken);
          return request.modern
            ? { resultType: "task", ...modernTask(created, version) }
            : { task: legacyTask(created) };
        }
        result = await prepared.run(ctx);
      }
    } catch (error) {
      if (error instanceof InputRequired) return error.result;
      result = await this.#failure(name, error);
    }
    // views hook (#15): a tool with a view sends it the view's compact data instead.
    if (this.#views(request) && result.structuredContent && !result.isError) {
      const { viewContentForTool } = await load.views();
      const content = viewContentForTool(name, result.structuredContent, args);
      if (content) result.structuredContent = content as unknown as Record<string, unknown>;
    }
    return resultForVersion(result, version);
  }

  /**
   * Whether this call runs as a task: the modern client declared the tasks extension, or a
   * 2025-11-25 client asked with `task` and declared task-augmented tools/call.
   */
  #taskRequested(params: unknown, request: RequestState): { ttlMs?: number } | undefined {
    if (request.modern) {
      const extensions = request.modern.capabilities.extensions;
      const declared = isRecord(extensions) && isRecord(extensions[TASKS_EXTENSION]);
      return declared ? {} : undefined;
    }
    const task = isRecord(params) ? params.task : undefined;
    if (!isRecord(task) || this.#legacy.version < "2025-11-25") return undefined;
    const tasks = this.#legacy.capabilities.tasks;
    const toolsCall = isRecord(tasks) && isRecord(tasks.requests) &&
      isRecord(tasks.requests.tools) && isRecord(tasks.requests.tools.call);
    if (!toolsCall) return undefined;
    return { ttlMs: typeof task.ttl === "number" && task.ttl > 0 ? task.ttl : undefined };
  }

  /**
   * A failed call's result. Its text passes the redactor's rules for Hub answers: an error page
   * may echo the request it refused, headers and all (unless --no-redact, as for results).
   */
  async #failure(name: string, error: unknown): Promise<CallToolResult> {
    const failure = toolFailure(name, error, this.#session.log);
    const redactor = await this.#session.redactor();
    return {
      ...failure,
      content: failure.content.map((item) => ({
        ...item,
        text: redactQuoting(item.text, error, redactor),
      })),
    };
  }

  /** Runs prepared work as a task: its own signal (tasks/cancel), progress into its status. */
  #startTask(
    name: string,
    run: (ctx: ToolContext) => Promise<CallToolResult>,
    ttlMs: number | undefined,
    progressToken: RequestId | undefined,
  ): Task {
    return this.#session.tasks.create(async ({ signal, report }) => {
      // The request that created the task is answered; a 2025 client's token still gets progress.
      const notify = progressSender(progressToken, signal, this.#send);
      const ctx: ToolContext = {
        session: this.#session,
        signal,
        progress: (progress, total, message) => {
          notify(progress, total, message);
          const share = total ? ` (${Math.round((100 * progress) / total)}%)` : "";
          report(`${message ?? "working"}${share}`);
        },
        // Confirmation was asked before the task was created (MRTR before the handle).
        confirm: () => Promise.resolve("accepted"),
      };
      try {
        return await run(ctx);
      } catch (error) {
        if (signal.aborted) throw error;
        return await this.#failure(name, error);
      }
    }, {
      ttlMs,
      fail: (error) =>
        error instanceof McpError
          ? { code: JSON_RPC_CODES[error.kind], message: error.message }
          : { code: JSON_RPC_CODES.internal, message: describeError(error) },
    });
  }

  /**
   * Asks the person to confirm, as the request's era allows. 2025: a form elicitation, when the
   * client declared it (2025-06-18 on). Modern: an `input_required` result, or the answer the
   * client came back with (its sealed `requestState` must be ours and for this very call).
   * Any answer but an explicit yes is a no; a client that cannot ask is "unavailable".
   */
  async #confirm(
    question: Confirmation,
    request: RequestState,
    params: unknown,
    call: { name: string; args: Record<string, unknown> },
  ): Promise<ConfirmOutcome> {
    const elicitation = {
      message: question.message,
      requestedSchema: {
        type: "object",
        properties: {
          confirm: {
            type: "boolean",
            title: question.title,
            description: "Check to go ahead; leave unchecked (or decline) to change nothing.",
            default: false,
          },
        },
        required: ["confirm"],
      },
    };
    if (request.modern) {
      const subject = { method: "tools/call", ...call };
      const retry = parseParams(InputRetryParams(), params);
      const answer = retry.inputResponses?.[CONFIRM_KEY];
      if (answer !== undefined) {
        if (!retry.requestState || !(await verifyState(retry.requestState, subject))) {
          throw new McpError(
            "invalid_params",
            "The confirmation's requestState is not one this server issued for this call (or it " +
              "expired); call the tool again without inputResponses to be asked anew.",
          );
        }
        return isYes(answer) ? "accepted" : "declined";
      }
      if (!supportsFormElicitation(request.modern.capabilities.elicitation)) return "unavailable";
      throw new InputRequired({
        resultType: "input_required",
        inputRequests: {
          [CONFIRM_KEY]: {
            method: "elicitation/create",
            params: { mode: "form", ...elicitation },
          },
        },
        requestState: await sealState(subject),
      });
    }
    const version = this.#legacy.version;
    if (version < "2025-06-18" || !supportsFormElicitation(this.#legacy.capabilities.elicitation)) {
      return "unavailable";
    }
    try {
      const answer = await this.#requestClient(
        "elicitation/create",
        version >= "2025-11-25" ? { mode: "form", ...elicitation } : elicitation,
        request.controller.signal,
      );
      return isYes(answer) ? "accepted" : "declined";
    } catch (error) {
      if (request.controller.signal.aborted) throw error;
      // The client could not show it: nothing is done without a yes.
      this.#session.log.warn(`The confirmation could not be asked: ${describeError(error)}`);
      return "declined";
    }
  }

  /** Sends the client a request (2025 era) and resolves with its result. */
  #requestClient(method: string, params: Result, signal: AbortSignal): Promise<unknown> {
    const id = `kubeshark-mcp-${++this.#outgoingIds}`;
    return new Promise((resolve, reject) => {
      const abort = () => {
        this.#outgoing.delete(id);
        reject(signal.reason);
      };
      signal.addEventListener("abort", abort, { once: true });
      this.#outgoing.set(id, (response) => {
        signal.removeEventListener("abort", abort);
        if ("error" in response) reject(new Error(String(response.error?.message)));
        else resolve(response.result);
      });
      this.#send({ jsonrpc: "2.0", id, method, params });
    });
  }

  // --- tasks -----------------------------------------------------------------------------------

  #task(params: unknown): Task {
    const { taskId } = parseParams(TaskIdParams(), params);
    const task = this.#session.tasks.get(taskId);
    if (!task) {
      throw new McpError(
        "invalid_params",
        `Unknown task "${taskId}": it never existed here or its TTL ran out`,
        { data: { taskId } },
      );
    }
    return task;
  }

  #getTask(params: unknown, request: RequestState): Promise<Result> {
    const task = this.#task(params);
    if (!request.modern) return Promise.resolve(legacyTask(task));
    return Promise.resolve(modernTask(task, request.modern.version));
  }

  #cancelTask(params: unknown, request: RequestState): Promise<Result> {
    const task = this.#session.tasks.cancel(this.#task(params).taskId)!;
    return Promise.resolve(request.modern ? {} : legacyTask(task));
  }

  #updateTask(params: unknown): Promise<Result> {
    this.#task(params);
    // We never ask for input mid-task (confirmation comes before the task): nothing to take.
    return Promise.resolve({});
  }

  /** 2025-11-25 `tasks/result`: waits for the end, then answers what tools/call would have. */
  async #taskResult(params: unknown, request: RequestState): Promise<Result> {
    const task = await this.#session.tasks.settled(
      this.#task(params).taskId,
      request.controller.signal,
    );
    const related = { _meta: { [META.relatedTask]: { taskId: task!.taskId } } };
    if (task!.status === "completed") {
      return { ...resultForVersion(task!.result!, this.#legacy.version), ...related };
    }
    if (task!.error) {
      throw new McpError("internal", task!.error.message, { data: { taskId: task!.taskId } });
    }
    throw new McpError("invalid_params", `Task "${task!.taskId}" was cancelled; it has no result`, {
      data: { taskId: task!.taskId },
    });
  }

  #discoveryWaitMs(): number {
    return this.#session.hub.discoveryWaitMs ?? DISCOVERY_WAIT_MS;
  }

  // --- resources -------------------------------------------------------------------------------

  async #listResources(params: unknown, request: RequestState): Promise<Result> {
    parseParams(ListParams(), params);
    // views hook (#15)
    const resources = await listResourcesFor({ views: this.#views(request) });
    return cacheable(request, { resources }, STATIC_TTL_MS, "public");
  }

  async #readResource(params: unknown, request: RequestState): Promise<Result> {
    const { uri } = parseParams(ReadResourceParams(), params);
    const view = await readViewResource(uri); // views hook (#15)
    if (view) return cacheable(request, { contents: [view] }, STATIC_TTL_MS, "public");
    const resource = findResource(uri);
    if (!resource) {
      throw new McpError(
        "resource_not_found",
        `Resource not found: "${uri}"; resources/list names the ones there are`,
        { data: { uri, available: listResources().map((r) => r.uri) } },
      );
    }
    const contents = [{ uri, mimeType: resource.mimeType, text: await resource.text() }];
    return cacheable(request, { contents }, STATIC_TTL_MS, "public");
  }

  // --- prompts ---------------------------------------------------------------------------------

  async #listPrompts(params: unknown, request: RequestState): Promise<Result> {
    parseParams(ListParams(), params);
    const info = await this.#session.catalog.current(this.#discoveryWaitMs());
    const hubPrompts = (info?.prompts ?? []).filter((prompt) => prompt.name !== USAGE_PROMPT.name);
    const prompts = [USAGE_PROMPT, ...hubPrompts];
    return cacheable(request, { prompts }, info ? DISCOVERY_TTL_MS : 0, "private");
  }

  async #getPrompt(params: unknown): Promise<Result> {
    const { name, arguments: values } = parseParams(GetPromptParams(), params);
    if (name === USAGE_PROMPT.name) {
      return { description: USAGE_PROMPT.description, messages: usagePromptMessages() };
    }
    const info = await this.#session.catalog.current(DISCOVERY_WAIT_MS);
    const prompt = info?.prompts.find((candidate) => candidate.name === name);
    if (!prompt) {
      const available = [USAGE_PROMPT.name, ...(info?.prompts ?? []).map((p) => p.name)];
      const hubProblem = info
        ? ""
        : ` (the Hub's prompts are unavailable: ${
          this.#session.catalog.lastError?.message ?? "not loaded yet"
        })`;
      throw new McpError(
        "invalid_params",
        `Unknown prompt: "${name}"; available: ${available.join(", ")}${hubProblem}`,
        { data: { name, available } },
      );
    }
    const missing = (prompt.arguments ?? [])
      .filter((arg) => arg.required && (values?.[arg.name] ?? "") === "")
      .map((arg) => arg.name);
    if (missing.length) {
      throw new McpError(
        "invalid_params",
        `Prompt "${name}" needs the argument(s) ${missing.join(", ")}`,
        { data: { name, missing } },
      );
    }
    return {
      description: prompt.description,
      messages: promptMessages(renderHubPrompt(prompt, values ?? {})),
    };
  }
}

function parseParams<S extends z.ZodType>(schema: S, params: unknown): z.output<S> {
  const parsed = schema.safeParse(params);
  if (!parsed.success) {
    throw new McpError("invalid_params", `Invalid params: ${formatIssues(parsed.error, "params")}`);
  }
  return parsed.data;
}

/**
 * A tool's progress reporter for one request: a no-op without a progressToken; otherwise it sends
 * notifications/progress, dropping any report that does not increase (MCP: progress must increase
 * with each notification) and any after the request was cancelled.
 */
export function progressSender(
  token: RequestId | undefined,
  signal: AbortSignal,
  send: Send,
): ToolContext["progress"] {
  if (token === undefined) return () => {};
  let last = -Infinity;
  return (progress, total, message) => {
    if (signal.aborted || progress <= last) return;
    last = progress;
    send({
      jsonrpc: "2.0",
      method: "notifications/progress",
      params: {
        progressToken: token,
        progress,
        ...(total !== undefined ? { total } : {}),
        ...(message ? { message } : {}),
      },
    });
  };
}

/**
 * The one funnel from a failed tool call to its `isError` result. Library errors carry messages
 * written for the model; anything else is a bug: its detail goes to stderr, a short text to the
 * client. Protocol errors (McpError) are rethrown for a JSON-RPC error reply.
 */
export function toolFailure(name: string, error: unknown, log: Logger): ToolErrorResult {
  if (error instanceof ActionableError) return errorResult(error.message);
  if (error instanceof McpError) throw error;
  log.error(`${name} failed unexpectedly: ${error instanceof Error ? error.stack : String(error)}`);
  return errorResult(
    `${name} failed unexpectedly (${describeError(error)}). The server's log (stderr) has the ` +
      "details; retry, and report it if it persists.",
  );
}

function notInEra(method: string, version: string): McpError {
  return new McpError(
    "method_not_found",
    `Method not found: ${method} is not part of protocol ${version}`,
    { data: { method } },
  );
}

/** A modern list or read result gets its cache hints (2026-07-28 CacheableResult). */
function cacheable(
  request: RequestState,
  result: Result,
  ttlMs: number,
  cacheScope: "public" | "private",
): Result {
  return request.modern ? { ...result, ttlMs, cacheScope } : result;
}

/** A tool result with only what the revision has: structuredContent and resource links 2025-06-18 on. */
function resultForVersion(result: CallToolResult, version: string): CallToolResult {
  if (supportsStructuredContent(version)) return result;
  const { structuredContent: _, ...rest } = result;
  return { ...rest, content: rest.content.filter((item) => item.type === "text") };
}

/** A task as the tasks extension shows it (tasks/get, CreateTaskResult). */
function modernTask(task: Task, version: string): Result {
  return {
    taskId: task.taskId,
    status: task.status,
    ...(task.statusMessage ? { statusMessage: task.statusMessage } : {}),
    createdAt: task.createdAt,
    lastUpdatedAt: task.lastUpdatedAt,
    ttlMs: task.ttlMs,
    pollIntervalMs: task.pollIntervalMs,
    ...(task.status === "completed" && task.result
      ? { result: { ...resultForVersion(task.result, version), resultType: "complete" } }
      : {}),
    ...(task.status === "failed" && task.error ? { error: task.error } : {}),
  };
}

/** A task as 2025-11-25 shows it; a tool's isError result counts as failed there. */
function legacyTask(task: Task): Result {
  const status = task.status === "completed" && task.result?.isError ? "failed" : task.status;
  return {
    taskId: task.taskId,
    status,
    ...(task.statusMessage ? { statusMessage: task.statusMessage } : {}),
    createdAt: task.createdAt,
    lastUpdatedAt: task.lastUpdatedAt,
    ttl: task.ttlMs,
    pollInterval: task.pollIntervalMs,
  };
}

/** Whether an elicitation answer is an explicit yes: accepted, with the box checked. */
function isYes(answer: unknown): boolean {
  const parsed = ElicitResult().safeParse(answer);
  return parsed.success && parsed.data.action === "accept" &&
    parsed.data.content?.confirm === true;
}

/** Whether declared elicitation capabilities include forms (`{}` means forms, per 2025-11-25). */
function supportsFormElicitation(elicitation: unknown): boolean {
  if (!isRecord(elicitation)) return false;
  return "form" in elicitation || !("url" in elicitation);
}

/** A JSON-RPC error response for a protocol-level error kind. */
export function errorResponse(
  id: RequestId | null,
  kind: keyof typeof JSON_RPC_CODES,
  message: string,
  data?: unknown,
) {
  return {
    jsonrpc: "2.0",
    id,
    error: { code: JSON_RPC_CODES[kind], message, ...(data !== undefined ? { data } : {}) },
  };
}

function isClientResponse(raw: unknown): boolean {
  return raw !== null && typeof raw === "object" && !("method" in raw) &&
    ("result" in raw || "error" in raw) && "id" in raw;
}

function validIdOf(raw: unknown): RequestId | null {
  if (raw === null || typeof raw !== "object" || !("id" in raw)) return null;
  const id = (raw as { id: unknown }).id;
  return typeof id === "string" || typeof id === "number" ? id : null;
}

/**
 * Whether a message can be handled before zod has loaded: the 2025 handshake's notification and
 * a plain `tools/list` of either era, which every client sends first. The rest waits for zod.
 */
function answeredWithoutSchemas(message: Incoming): boolean {
  if (message.id === undefined) {
    return message.method === "notifications/initialized" || message.method === "initialized";
  }
  if (message.method !== "tools/list" || !plainListParams(message.params)) return false;
  // A 2025 request, or a modern one whose _meta passes the hand check.
  return metaProtocolVersion(message.params) === undefined ||
    plainModernMeta((message.params as { _meta?: unknown })._meta) !== undefined;
}
