/**
 * JSON-RPC 2.0 and MCP shapes: the schemas that guard the stdin edge, and protocol versions.
 * zod is loaded by loadSchemas(), not at start-up: importing it costs ~40 ms, more than the rest
 * of start-up, and `initialize` is answered with a hand check of its few fields instead.
 */
import type { z as Zod } from "zod";
import { LOG_LEVELS } from "./log.ts";

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

/** Protocol versions we speak, newest first. */
export const SUPPORTED_PROTOCOL_VERSIONS = [
  "2025-11-25",
  "2025-06-18",
  "2025-03-26",
  "2024-11-05",
] as const;

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
): { id: RequestId; protocolVersion: string } | undefined {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return undefined;
  const { jsonrpc, id, method, params } = raw as Record<string, unknown>;
  if (jsonrpc !== "2.0" || method !== "initialize") return undefined;
  if (typeof id !== "string" && (typeof id !== "number" || !Number.isFinite(id))) return undefined;
  if (params === null || typeof params !== "object" || Array.isArray(params)) return undefined;
  const { protocolVersion } = params as Record<string, unknown>;
  return typeof protocolVersion === "string" ? { id, protocolVersion } : undefined;
}

/** A request id: JSON-RPC allows strings and numbers; MCP forbids null. */
export type RequestId = string | number;
const requestId = () => z.union([z.string(), z.number()]);

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

/** What a tool call returns. */
export interface CallToolResult {
  content: TextContent[];
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
  annotations?: ToolAnnotations;
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
