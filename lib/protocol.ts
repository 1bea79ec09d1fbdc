/**
 * JSON-RPC 2.0 and MCP shapes: the schemas that guard the stdin edge, and protocol versions.
 * zod is loaded by loadSchemas(), not at start-up: importing it costs ~40 ms, more than the rest
 * of start-up, and `initialize` is answered with a hand check of its few fields instead.
 */
import type { z as Zod } from "zod";
import { LOG_LEVELS, type LogLevel } from "./log.ts";
import { isRecord } from "./json.ts";

// zod, once loadSchemas() has run; every schema below is built on first use after that.
let z: typeof Zod;
let loading: Promise<void> | undefined;

/** Loads zod for the schemas (once). Every message but a first plain `initialize` waits for it. */
export function loadSchemas(): Promise<void> {
  return loading ??= import("zod").then((module) => {
    z = module.z;
  });
}

/** Whether loadSchemas() has finished. */
export function schemasLoaded(): boolean {
  return z !== undefined;
}

/**
 * What this server offers in every era and transport (`initialize`, `server/discover`, the HTTP
 * server card); each adds its own extras (tasks).
 */
export const SERVER_CAPABILITIES = {
  tools: { listChanged: true },
  prompts: { listChanged: true },
  resources: {},
  logging: {},
};

/** Protocol versions we speak, newest first. */
export const SUPPORTED_PROTOCOL_VERSIONS = [
  "2025-11-25",
  "2025-06-18",
  "2025-03-26",
  "2024-11-05",
] as const;

/**
 * Modern-era revisions (no `initialize`: version, capabilities and client info ride in each
 * request's `_meta`). A request whose `_meta` names a protocol version is served in this era.
 */
export const MODERN_PROTOCOL_VERSIONS = ["2026-07-28"] as const;

/** Every revision we serve, newest first: `server/discover`'s list and -32022's `data.supported`. */
export const ALL_PROTOCOL_VERSIONS: readonly string[] = [
  ...MODERN_PROTOCOL_VERSIONS,
  ...SUPPORTED_PROTOCOL_VERSIONS,
];

/** Whether a version is one we serve in the modern era. */
export function isModernProtocolVersion(version: string): boolean {
  return (MODERN_PROTOCOL_VERSIONS as readonly string[]).includes(version);
}

/** Reserved `_meta` keys (2026-07-28 `basic/index`, "_meta"). */
export const META = {
  protocolVersion: "io.modelcontextprotocol/protocolVersion",
  clientInfo: "io.modelcontextprotocol/clientInfo",
  clientCapabilities: "io.modelcontextprotocol/clientCapabilities",
  logLevel: "io.modelcontextprotocol/logLevel",
  serverInfo: "io.modelcontextprotocol/serverInfo",
  subscriptionId: "io.modelcontextprotocol/subscriptionId",
  /** 2025-11-25 experimental tasks: ties a message to its task. */
  relatedTask: "io.modelcontextprotocol/related-task",
} as const;

/** The tasks extension's identifier (SEP-2663), under `capabilities.extensions`. */
export const TASKS_EXTENSION = "io.modelcontextprotocol/tasks";

/** The version we answer when the client asks for one we do not know. */
export const LATEST_PROTOCOL_VERSION = SUPPORTED_PROTOCOL_VERSIONS[0];

/** Picks the client's version when we support it, else our latest (the client may then leave). */
export function negotiateProtocolVersion(requested: string): string {
  return (SUPPORTED_PROTOCOL_VERSIONS as readonly string[]).includes(requested)
    ? requested
    : LATEST_PROTOCOL_VERSION;
}

/** Whether a negotiated version carries `structuredContent` in tool results (2025-06-18 on). */
export function supportsStructuredContent(version: string): boolean {
  return version >= "2025-06-18";
}

/**
 * Defers building a schema to its first use. Constructing zod schemas costs start-up time, and
 * MCP clients spawn us on every launch; most schemas are never needed before `initialize`.
 */
export function lazySchema<T extends Zod.ZodType>(build: () => T): () => T {
  let schema: T | undefined;
  return () => schema ??= build();
}

/**
 * A first `initialize` checked by hand (zod not loaded yet): its protocol version when the message
 * is exactly a well-formed initialize request, else undefined (then the schemas judge it).
 */
export function plainInitialize(
  raw: unknown,
): { id: RequestId; protocolVersion: string; capabilities: Record<string, unknown> } | undefined {
  const message = plainMessage(raw);
  if (message?.method !== "initialize" || message.id === undefined) return undefined;
  if (!isRecord(message.params)) return undefined;
  const { protocolVersion, capabilities } = message.params;
  if (typeof protocolVersion !== "string") return undefined;
  // What the client can do (elicitation, tasks) decides how we ask and run later.
  return {
    id: message.id,
    protocolVersion,
    capabilities: isRecord(capabilities) ? capabilities : {},
  };
}

/**
 * A first `server/discover` checked by hand, like {@linkcode plainInitialize}: a modern client's
 * probe is answered as fast as a 2025 client's handshake. Anything unusual (another version, a
 * log level, an odd client info) returns undefined and goes through the schemas.
 */
export function plainDiscover(
  raw: unknown,
): { id: RequestId; version: string; capabilities: Record<string, unknown> } | undefined {
  const message = plainMessage(raw);
  if (message?.method !== "server/discover" || message.id === undefined) return undefined;
  if (!isRecord(message.params)) return undefined;
  const modern = plainModernMeta(message.params._meta);
  if (!modern || modern.logLevel) return undefined;
  return { id: message.id, version: modern.version, capabilities: modern.capabilities };
}

/** What a modern request says about itself in `_meta`. */
export interface ModernMeta {
  version: string;
  capabilities: Record<string, unknown>;
  clientInfo?: { name: string; version: string };
  logLevel?: LogLevel;
}

/**
 * A modern request's `_meta` checked by hand, by {@linkcode ModernRequestMeta}'s rule, for a
 * version we serve; anything else returns undefined and goes through the schema, which words the
 * error. Lets a modern client's first `tools/list` be answered before zod loads.
 */
export function plainModernMeta(meta: unknown): ModernMeta | undefined {
  if (!isRecord(meta)) return undefined;
  const version = meta[META.protocolVersion];
  const capabilities = meta[META.clientCapabilities];
  const client = meta[META.clientInfo];
  const level = meta[META.logLevel];
  const token = meta.progressToken;
  if (typeof version !== "string" || !isModernProtocolVersion(version)) return undefined;
  if (!isRecord(capabilities)) return undefined;
  if (
    client !== undefined &&
    !(isRecord(client) && typeof client.name === "string" &&
      typeof client.version === "string")
  ) return undefined;
  if (level !== undefined && !(LOG_LEVELS as readonly unknown[]).includes(level)) return undefined;
  if (token !== undefined && !isRequestId(token)) return undefined;
  return {
    version,
    capabilities,
    ...(client === undefined ? {} : { clientInfo: client as ModernMeta["clientInfo"] }),
    ...(level === undefined ? {} : { logLevel: level as LogLevel }),
  };
}

/** A request id: JSON-RPC allows strings and numbers; MCP forbids null. */
export type RequestId = string | number;
const requestId = () => z.union([z.string(), z.number()]);

/** {@linkcode requestId}'s rule by hand (JSON has no NaN or Infinity; zod refuses them too). */
function isRequestId(value: unknown): value is RequestId {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}

/** A request or notification as it arrives; `id` present makes it a request. */
export const IncomingMessage = lazySchema(() =>
  z.object({
    jsonrpc: z.literal("2.0"),
    id: requestId().optional(),
    method: z.string().min(1),
    // Some clients send `"params": null` for methods without params; treat it as absent.
    params: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).nullish()
      .transform((params) => params ?? undefined),
  })
);

/**
 * The per-request envelope of a modern request. Only the version decides the era; the rest is
 * checked once the version is known to be ours (a wrong version is -32022, not -32602).
 */
export const ModernRequestMeta = lazySchema(() =>
  z.looseObject({
    [META.protocolVersion]: z.string(),
    [META.clientCapabilities]: z.looseObject({}),
    [META.clientInfo]: z.looseObject({ name: z.string(), version: z.string() }).optional(),
    [META.logLevel]: z.enum(LOG_LEVELS).optional(),
    progressToken: requestId().optional(),
  })
);

/** The protocol version a request's `_meta` names, if it names one (a modern request). */
export function metaProtocolVersion(params: unknown): string | undefined {
  if (params === null || typeof params !== "object" || Array.isArray(params)) return undefined;
  const meta = (params as { _meta?: unknown })._meta;
  if (meta === null || typeof meta !== "object" || Array.isArray(meta)) return undefined;
  const version = (meta as Record<string, unknown>)[META.protocolVersion];
  return typeof version === "string" ? version : undefined;
}

/** A message as {@linkcode IncomingMessage} leaves it. */
export type Incoming = {
  jsonrpc: "2.0";
  id?: RequestId;
  method: string;
  params?: Record<string, unknown> | unknown[];
};

/**
 * A well-formed request or notification checked by hand, by {@linkcode IncomingMessage}'s rule:
 * nearly every message is one, and checking it needs no zod. Anything else returns undefined and
 * goes through the schema, which words the error.
 */
export function plainMessage(raw: unknown): Incoming | undefined {
  if (!isRecord(raw)) return undefined;
  const { jsonrpc, id, method, params } = raw;
  if (jsonrpc !== "2.0" || typeof method !== "string" || method === "") return undefined;
  if (id !== undefined && !isRequestId(id)) return undefined;
  if (params !== undefined && params !== null && typeof params !== "object") return undefined;
  return {
    jsonrpc,
    ...(id === undefined ? {} : { id }),
    method,
    ...(params == null ? {} : { params: params as Record<string, unknown> | unknown[] }),
  };
}

/** Whether list params are plainly fine (absent, or an object whose cursor, if any, is text). */
export function plainListParams(params: unknown): boolean {
  if (params === undefined) return true;
  return isRecord(params) &&
    (params.cursor === undefined || typeof params.cursor === "string");
}

/** `subscriptions/listen` params: which change notifications the client wants. */
export const SubscriptionsListenParams = lazySchema(() =>
  z.looseObject({
    notifications: z.looseObject({
      toolsListChanged: z.boolean().optional(),
      promptsListChanged: z.boolean().optional(),
      resourcesListChanged: z.boolean().optional(),
      resourceSubscriptions: z.array(z.string()).optional(),
      taskIds: z.array(z.string()).optional(),
    }),
  })
);

/** One answer to an elicitation (a form the person filled in, declined or dismissed). */
export const ElicitResult = lazySchema(() =>
  z.looseObject({
    action: z.enum(["accept", "decline", "cancel"]),
    content: z.record(z.string(), z.unknown()).optional(),
  })
);

/** The retry channel of a multi round-trip request (2026-07-28 `basic/patterns/mrtr`). */
export const InputRetryParams = lazySchema(() =>
  z.looseObject({
    inputResponses: z.record(z.string(), z.unknown()).optional(),
    requestState: z.string().optional(),
  })
);

/** `tasks/get`, `tasks/result`, `tasks/cancel`, `tasks/update` params. */
export const TaskIdParams = lazySchema(() => z.looseObject({ taskId: z.string().min(1) }));

/** `initialize` params; lenient beyond the version, as clients add fields over time. */
export const InitializeParams = lazySchema(() =>
  z.looseObject({
    protocolVersion: z.string(),
    capabilities: z.looseObject({}).optional(),
    clientInfo: z.looseObject({ name: z.string().optional(), version: z.string().optional() })
      .optional(),
  })
);

/** `tools/call` params. Null or absent arguments mean "no arguments" (some clients send null). */
export const CallToolParams = lazySchema(() =>
  z.looseObject({
    name: z.string().min(1),
    arguments: z.record(z.string(), z.unknown()).nullish(),
    _meta: z.looseObject({ progressToken: requestId().optional() }).optional(),
  })
);

/** `prompts/get` params. */
export const GetPromptParams = lazySchema(() =>
  z.looseObject({
    name: z.string().min(1),
    arguments: z.record(z.string(), z.unknown()).nullish(),
  })
);

/** `resources/read` params. */
export const ReadResourceParams = lazySchema(() => z.looseObject({ uri: z.string().min(1) }));

/** `logging/setLevel` params. */
export const SetLevelParams = lazySchema(() => z.looseObject({ level: z.enum(LOG_LEVELS) }));

/** `notifications/cancelled` params. */
export const CancelledParams = lazySchema(() =>
  z.looseObject({
    requestId: requestId(),
    reason: z.string().optional(),
  })
);

/** Params of list methods: we return everything at once, so the cursor is ignored. */
export const ListParams = lazySchema(() =>
  z.looseObject({ cursor: z.string().optional() }).optional()
);

/** One content item of a tool result or prompt message. */
export interface TextContent {
  type: "text";
  text: string;
}

/** A link to a resource the client may fetch or show (2025-06-18 on). */
export interface ResourceLinkContent {
  type: "resource_link";
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  size?: number;
}

/** An icon a client may show beside a tool or the server (2025-11-25 on). */
export interface Icon {
  src: string;
  mimeType?: string;
  sizes?: string[];
  theme?: "light" | "dark";
}

/** What a tool call returns. */
export interface CallToolResult {
  content: (TextContent | ResourceLinkContent)[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** Tool behaviour hints (MCP 2025-03-26 on). */
export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
  [key: string]: unknown;
}

/** The four behaviour hints, every one stated: clients assume the worst for a missing one. */
export type ToolHints = Required<
  Pick<ToolAnnotations, "readOnlyHint" | "destructiveHint" | "idempotentHint" | "openWorldHint">
>;

/** A tool as listed by `tools/list`. */
export interface ToolDescriptor {
  name: string;
  title?: string;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  icons?: Icon[];
  annotations?: ToolAnnotations;
  /** 2025-11-25 experimental tasks: whether the tool may run as a task. */
  execution?: { taskSupport?: "forbidden" | "optional" | "required" };
}

/** One prompt argument as listed by `prompts/list`. */
export interface PromptArgument {
  name: string;
  description?: string;
  required?: boolean;
}

/** A prompt as listed by `prompts/list`. */
export interface PromptDescriptor {
  name: string;
  description?: string;
  arguments?: PromptArgument[];
}

/** A resource as listed by `resources/list`. */
export interface ResourceDescriptor {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}

/** Formats zod issues as one line a model can act on: `path: problem; path: problem`. */
export function formatIssues(error: Zod.ZodError, root = ""): string {
  return error.issues.map((issue) => {
    const path = [root, ...issue.path.map(String)].filter(Boolean).join(".");
    return path ? `${path}: ${issue.message}` : issue.message;
  }).join("; ");
}
