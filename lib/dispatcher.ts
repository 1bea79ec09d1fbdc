/**
 * The dispatcher: one parsed JSON-RPC message in, at most one response out through `send`.
 * Requests run concurrently; each has an AbortController that `notifications/cancelled` fires,
 * after which the request gets no response. Every error kind becomes a reply here, and only here.
 */
import type { z } from "zod";
import { ActionableError, describeError, JSON_RPC_CODES, McpError } from "./errors.ts";
import { instructionsFor } from "./instructions.ts";
import { load } from "./lazy.ts";
import type { Logger } from "./log.ts";
import { promptMessages, renderHubPrompt, USAGE_PROMPT, usagePromptMessages } from "./prompts.ts";
import {
  CallToolParams,
  type CallToolResult,
  CancelledParams,
  formatIssues,
  GetPromptParams,
  IncomingMessage,
  InitializeParams,
  ListParams,
  loadSchemas,
  negotiateProtocolVersion,
  plainInitialize,
  ReadResourceParams,
  type RequestId,
  schemasLoaded,
  SetLevelParams,
  supportsStructuredContent,
} from "./protocol.ts";
import { findResource, listResources, listResourcesFor, readViewResource } from "./resources.ts";
import type { Session } from "./session.ts";
import { delay, unrefTimeout } from "./timers.ts";
import type { ToolTable } from "./tools/mod.ts";
import type { ToolContext } from "./tools/types.ts";
import { SERVER_NAME, VERSION } from "./version.ts";

/** Writes one message (or a batch) to the client. */
export type Send = (message: unknown) => void;

/** How long `tools/list` and `prompts/*` wait for a Hub discovery before answering without it. */
export const DISCOVERY_WAIT_MS = 3_000;

type Handler = (params: unknown, request: RequestState) => Promise<unknown>;

interface RequestState {
  id: RequestId;
  controller: AbortController;
}

/** Routes MCP methods to handlers. */
export class Dispatcher {
  #session: Session;
  #send: Send;
  #table?: Promise<ToolTable>;
  #inFlight = new Map<RequestId, AbortController>();
  #pending = new Set<Promise<void>>();
  #initialized = false;
  #postponeWarm?: () => void;
  #handlers: Record<string, Handler>;
  // views hook (#15): the client declared the MCP Apps extension (io.modelcontextprotocol/ui).
  #views = false;

  constructor(session: Session, send: Send) {
    this.#session = session;
    this.#send = send;
    this.#handlers = {
      "initialize": (params) => this.#initialize(params),
      "ping": () => Promise.resolve({}),
      "tools/list": (params) => this.#listTools(params),
      "tools/call": (params, request) => this.#callTool(params, request),
      "prompts/list": (params) => this.#listPrompts(params),
      "prompts/get": (params) => this.#getPrompt(params),
      "resources/list": (params) => this.#listResources(params),
      "resources/templates/list": () => Promise.resolve({ resourceTemplates: [] }),
      "resources/read": (params) => this.#readResource(params),
      "logging/setLevel": (params) => this.#setLevel(params),
    };
    session.setNotifier((method, params) => {
      if (this.#initialized) this.#send({ jsonrpc: "2.0", method, ...(params ? { params } : {}) });
    });
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
    const wait = delay(timeoutMs);
    await Promise.race([Promise.allSettled([...this.#pending]), wait.promise]);
    wait.cancel();
  }

  /** Aborts every request under way; none of them will be answered. */
  abortAll(): void {
    for (const controller of this.#inFlight.values()) controller.abort();
  }

  // Loaded on first use: the tools' modules and schemas are start-up time initialize never needs.
  #tools(): Promise<ToolTable> {
    return this.#table ??= load.tools().then((tools) => new tools.ToolTable(this.#session.config));
  }

  #track(work: Promise<void>): void {
    this.#pending.add(work);
    work.finally(() => this.#pending.delete(work));
  }

  async #handle(raw: unknown, reply: Send): Promise<void> {
    if (!schemasLoaded()) {
      const initialize = plainInitialize(raw);
      if (initialize) {
        // The first answer does not wait for zod; the schemas load right after it.
        // views hook (#15): the fast path reads the capabilities too (a plain, defensive read).
        this.#views = clientDeclaresViews(
          (raw as { params?: { capabilities?: unknown } }).params?.capabilities,
        );
        const result = this.#initializeResult(initialize.protocolVersion);
        reply({ jsonrpc: "2.0", id: initialize.id, result });
        this.#markReady();
        void loadSchemas();
        return;
      }
      await loadSchemas();
    }
    const parsed = IncomingMessage().safeParse(raw);
    if (!parsed.success) {
      if (isClientResponse(raw)) return; // We send no requests; a stray response needs no answer.
      const id = validIdOf(raw);
      reply(
        errorResponse(id, "invalid_request", "Invalid Request", {
          detail: formatIssues(parsed.error),
        }),
      );
      return;
    }
    const message = parsed.data;
    if (message.id === undefined) {
      this.#notification(message.method, message.params);
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
    const request = { id: message.id, controller };
    this.#inFlight.set(message.id, controller);
    let response: unknown;
    try {
      const result = await handler(message.params, request);
      response = { jsonrpc: "2.0", id: message.id, result };
    } catch (error) {
      response = this.#errorReply(message.id, message.method, error);
    } finally {
      if (this.#inFlight.get(message.id) === controller) this.#inFlight.delete(message.id);
    }
    // MCP: a cancelled request gets no response.
    if (controller.signal.aborted) return;
    reply(response);
    // Notifications may flow once the client knows what we are. Most clients also send
    // notifications/initialized, but list_changed must not hinge on one that doesn't.
    if (message.method === "initialize" && !("error" in (response as object))) this.#markReady();
  }

  #markReady(): void {
    if (this.#initialized) return;
    this.#initialized = true;
    // Discovery starts once initialize is answered, not before: it must not delay that answer,
    // and the tools/list that follows joins it (or, in proxy mode, once the client goes quiet).
    const idleMs = this.#session.hub.warmWhenIdleMs;
    if (idleMs === undefined) {
      this.#session.catalog.warm();
    } else {
      let cancel = () => {};
      const arm = () => {
        cancel();
        cancel = unrefTimeout(() => {
          this.#postponeWarm = undefined;
          this.#session.catalog.warm();
        }, idleMs);
      };
      this.#postponeWarm = arm;
      arm();
    }
    this.#session.log.connectClient((level, data) =>
      this.#send({
        jsonrpc: "2.0",
        method: "notifications/message",
        params: { level, logger: SERVER_NAME, data },
      })
    );
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

  #errorReply(id: RequestId, method: string, error: unknown) {
    if (error instanceof McpError) return errorResponse(id, error.kind, error.message, error.data);
    this.#session.log.error(
      `${method} failed: ${error instanceof Error ? error.stack ?? error.message : error}`,
    );
    return errorResponse(id, "internal", `Internal error while handling ${method}`, {
      detail: describeError(error),
    });
  }

  // --- lifecycle -------------------------------------------------------------------------------

  #initialize(params: unknown) {
    const { protocolVersion, capabilities } = parseParams(InitializeParams(), params);
    this.#views = clientDeclaresViews(capabilities); // views hook (#15)
    return Promise.resolve(this.#initializeResult(protocolVersion));
  }

  #initializeResult(requested: string) {
    const version = negotiateProtocolVersion(requested);
    this.#session.protocolVersion = version;
    return {
      protocolVersion: version,
      capabilities: {
        tools: { listChanged: true },
        prompts: { listChanged: true },
        resources: {},
        logging: {},
      },
      serverInfo: { name: SERVER_NAME, title: "Kubeshark", version: VERSION },
      instructions: instructionsFor(this.#session.config),
    };
  }

  #setLevel(params: unknown) {
    const { level } = parseParams(SetLevelParams(), params);
    this.#session.log.setClientLevel(level);
    return Promise.resolve({});
  }

  // --- tools -----------------------------------------------------------------------------------

  async #listTools(params: unknown) {
    parseParams(ListParams(), params);
    const [table, info] = await Promise.all([
      this.#tools(),
      this.#session.catalog.current(this.#discoveryWaitMs()),
    ]);
    const tools = table.list(info);
    if (!this.#views) return { tools };
    // views hook (#15): tools with a view point at it.
    const { viewUriForTool } = await import("./views/mod.ts");
    return {
      tools: tools.map((tool) => {
        const resourceUri = viewUriForTool(tool.name);
        return resourceUri ? { ...tool, _meta: { ui: { resourceUri } } } : tool;
      }),
    };
  }

  async #callTool(params: unknown, request: RequestState): Promise<CallToolResult> {
    const { name, arguments: args, _meta } = parseParams(CallToolParams(), params);
    const signal = request.controller.signal;
    const ctx: ToolContext = {
      session: this.#session,
      signal,
      progress: progressSender(_meta?.progressToken, signal, this.#send),
    };
    let result: CallToolResult;
    try {
      const table = await this.#tools();
      // A Hub tool's schema comes from the catalog: wait for a discovery under way, as tools/list.
      const info = table.isLocal(name)
        ? undefined
        : await this.#session.catalog.current(this.#discoveryWaitMs());
      result = await table.call(name, args ?? {}, ctx, info);
    } catch (error) {
      result = toolFailure(name, error, this.#session.log);
    }
    // views hook (#15): a tool with a view sends it the view's compact data instead.
    if (this.#views && result.structuredContent && !result.isError) {
      const { viewContentForTool } = await import("./views/mod.ts");
      const content = viewContentForTool(name, result.structuredContent, args ?? {});
      if (content) result.structuredContent = content as unknown as Record<string, unknown>;
    }
    if (result.structuredContent && !supportsStructuredContent(this.#session.protocolVersion)) {
      const { structuredContent: _, ...rest } = result;
      return rest;
    }
    return result;
  }

  #discoveryWaitMs(): number {
    return this.#session.hub.discoveryWaitMs ?? DISCOVERY_WAIT_MS;
  }

  // --- resources -------------------------------------------------------------------------------

  async #listResources(params: unknown) {
    parseParams(ListParams(), params);
    return { resources: await listResourcesFor({ views: this.#views }) }; // views hook (#15)
  }

  async #readResource(params: unknown) {
    const { uri } = parseParams(ReadResourceParams(), params);
    const view = await readViewResource(uri); // views hook (#15)
    if (view) return { contents: [view] };
    const resource = findResource(uri);
    if (!resource) {
      throw new McpError(
        "resource_not_found",
        `Resource not found: "${uri}"; resources/list names the ones there are`,
        { data: { uri, available: listResources().map((r) => r.uri) } },
      );
    }
    return { contents: [{ uri, mimeType: resource.mimeType, text: await resource.text() }] };
  }

  // --- prompts ---------------------------------------------------------------------------------

  async #listPrompts(params: unknown) {
    parseParams(ListParams(), params);
    const info = await this.#session.catalog.current(this.#discoveryWaitMs());
    const hubPrompts = (info?.prompts ?? []).filter((prompt) => prompt.name !== USAGE_PROMPT.name);
    return { prompts: [USAGE_PROMPT, ...hubPrompts] };
  }

  async #getPrompt(params: unknown) {
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

// views hook (#15): MCP Apps clients list "io.modelcontextprotocol/ui" under capabilities.extensions
// (kept here rather than imported so initialize loads nothing of lib/views/).
function clientDeclaresViews(capabilities: unknown): boolean {
  const extensions = (capabilities as { extensions?: Record<string, unknown> } | undefined)
    ?.extensions;
  const ui = extensions?.["io.modelcontextprotocol/ui"];
  if (ui === null || typeof ui !== "object") return false;
  const mimeTypes = (ui as { mimeTypes?: unknown }).mimeTypes;
  return !Array.isArray(mimeTypes) || mimeTypes.includes("text/html;profile=mcp-app");
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
export function toolFailure(name: string, error: unknown, log: Logger): CallToolResult {
  if (error instanceof ActionableError) return toolError(error.message);
  if (error instanceof McpError) throw error;
  log.error(`${name} failed unexpectedly: ${error instanceof Error ? error.stack : String(error)}`);
  return toolError(
    `${name} failed unexpectedly (${describeError(error)}). The server's log (stderr) has the ` +
      "details; retry, and report it if it persists.",
  );
}

function toolError(text: string): CallToolResult {
  return { content: [{ type: "text", text }], isError: true };
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
