/**
 * Revision 2026-07-28 over Streamable HTTP: no sessions. Every POST carries one request whose
 * `_meta` names the version, client info and capabilities, so any replica can answer it. The
 * headers that mirror the body (`MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`) are checked
 * against it; `subscriptions/listen` is answered with a stream that stays open for change
 * notifications; closing a response stream cancels its request.
 *
 * One dispatcher serves every modern request of the process. Request ids (and progress tokens)
 * are replaced by our own on the way in and restored on the way out, so two clients using the
 * same ids never meet.
 */
import { Dispatcher, errorResponse } from "../dispatcher.ts";
import { Logger } from "../log.ts";
import { META, MODERN_PROTOCOL_VERSIONS, type RequestId } from "../protocol.ts";
import type { Session } from "../session.ts";
import { maskedJson, SSE_HEADERS, SseStream } from "./sse.ts";

/** Modern revisions: served without sessions. */
export const MODERN_VERSIONS: readonly string[] = MODERN_PROTOCOL_VERSIONS;
const META_PROTOCOL_VERSION = META.protocolVersion;
const META_SUBSCRIPTION_ID = META.subscriptionId;

/** JSON-RPC codes of the modern transport. */
export const HEADER_MISMATCH = -32020;
/** A capability the request needs was not declared in its `_meta` (2026-07-28). */
const MISSING_CAPABILITY = -32021;
/** The code of an unsupported protocol version (2026-07-28). */
export const UNSUPPORTED_VERSION = -32022;

/** Methods whose `Mcp-Name` header mirrors `params.name` or `params.uri`. */
const NAMED = new Set(["tools/call", "prompts/get", "resources/read"]);

/** The protocol version a request's `_meta` names, if any. */
export function modernVersionOf(message: unknown): string | undefined {
  const params = (message as { params?: unknown } | null)?.params;
  if (params === null || typeof params !== "object" || Array.isArray(params)) return undefined;
  const meta = (params as { _meta?: unknown })._meta;
  if (meta === null || typeof meta !== "object") return undefined;
  const version = (meta as Record<string, unknown>)[META_PROTOCOL_VERSION];
  return typeof version === "string" ? version : undefined;
}

/** Decodes a header value that may use the `=?base64?…?=` sentinel. */
export function decodeHeaderValue(value: string): string | undefined {
  const match = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/.exec(value);
  if (!match) return value;
  try {
    const bytes = Uint8Array.from(atob(match[1]), (c) => c.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Why the mirrored headers do not match the body, or undefined when they do. */
export function headerMismatch(
  headers: Headers,
  message: Record<string, unknown>,
): string | undefined {
  const version = modernVersionOf(message);
  const headerVersion = headers.get("mcp-protocol-version");
  if (headerVersion === null) return "the MCP-Protocol-Version header is missing";
  // A body without a version is an invalid envelope (-32602), reported by the caller.
  if (version !== undefined && headerVersion !== version) {
    return `MCP-Protocol-Version header value '${headerVersion}' does not match body value '${version}'`;
  }
  const method = headers.get("mcp-method");
  if (method === null) return "the Mcp-Method header is missing";
  if (method !== message.method) {
    return `Mcp-Method header value '${method}' does not match body value '${message.method}'`;
  }
  if (NAMED.has(String(message.method))) {
    const params = message.params as Record<string, unknown> | undefined;
    const expected = message.method === "resources/read" ? params?.uri : params?.name;
    const raw = headers.get("mcp-name");
    if (raw === null) return "the Mcp-Name header is missing";
    const name = decodeHeaderValue(raw);
    if (name === undefined) return `Mcp-Name header value '${raw}' is not valid base64 UTF-8`;
    if (name !== expected) {
      return `Mcp-Name header value '${name}' does not match body value '${String(expected)}'`;
    }
  }
  return undefined;
}

interface Exchange {
  id: RequestId;
  token?: RequestId;
  stream?: SseStream;
  resolve(reply: unknown): void;
}

/** The process's one stateless endpoint for modern requests. */
export class StatelessEndpoint {
  #dispatcher: Dispatcher;
  #session: Session;
  #exchanges = new Map<string, Exchange>();
  #tokens = new Map<string, Exchange>();
  #counter = 0;

  #mask: (text: string) => string;

  constructor(root: Session, mask: (text: string) => string = (text) => text) {
    this.#mask = mask;
    const log = new Logger();
    if (root.config.debug) log.setStderrLevel("debug");
    this.#session = root.connection(log);
    this.#dispatcher = new Dispatcher(this.#session, (message) => this.#route(message));
    void this.#session.redactor().catch(() => {});
  }

  /**
   * Ends open listen streams and requests under way (shutdown); resolves once the aborted
   * requests' cleanup is done, or after a short bound.
   */
  close(): Promise<void> {
    this.#dispatcher.endSubscriptions();
    const settled = this.#dispatcher.abortAll();
    for (const exchange of this.#exchanges.values()) exchange.stream?.close();
    this.#exchanges.clear();
    return settled;
  }

  /** Passes a process-wide change (list_changed) to the open `subscriptions/listen` streams. */
  notify(method: string, params?: Record<string, unknown>): void {
    this.#session.notify(method, params);
  }

  /**
   * Answers one modern request (already checked against its headers). `signal` fires when the
   * client goes away, which cancels the request.
   */
  handle(message: Record<string, unknown>, sse: boolean, signal: AbortSignal): Promise<Response> {
    const internal = `h${++this.#counter}`;
    const original = message.id as RequestId;
    const params = { ...(message.params as Record<string, unknown> | undefined) };
    const meta = { ...(params._meta as Record<string, unknown> | undefined) };
    const token = meta.progressToken as RequestId | undefined;
    if (token !== undefined) {
      meta.progressToken = `${internal}-progress`;
      params._meta = meta;
    }
    const listen = message.method === "subscriptions/listen";
    const stream = sse || listen
      ? new SseStream({ keepalive: listen, mask: this.#mask })
      : undefined;
    let settle: (reply: unknown) => void = () => {};
    const answered = new Promise<unknown>((resolve) => settle = resolve);
    const exchange: Exchange = { id: original, token, stream, resolve: settle };
    this.#exchanges.set(internal, exchange);
    if (token !== undefined) this.#tokens.set(`${internal}-progress`, exchange);
    const forget = () => {
      this.#exchanges.delete(internal);
      this.#tokens.delete(`${internal}-progress`);
    };
    const cancel = () => {
      if (!this.#exchanges.has(internal)) return;
      forget();
      // Closing the response stream is the cancellation signal of this revision.
      this.#dispatcher.receive({
        jsonrpc: "2.0",
        method: "notifications/cancelled",
        params: { requestId: internal, reason: "the client closed the connection" },
      });
      stream?.close();
    };
    signal.addEventListener("abort", cancel, { once: true });
    stream?.closed.then(cancel);
    this.#dispatcher.receive({ ...message, id: internal, params });
    if (stream) {
      answered.then((reply) => {
        forget();
        stream.send(reply);
        stream.close();
      });
      return Promise.resolve(new Response(stream.body, { headers: SSE_HEADERS }));
    }
    return answered.then((reply) => {
      forget();
      signal.removeEventListener("abort", cancel);
      return maskedJson(reply, this.#mask, { status: statusFor(reply) });
    });
  }

  #route(message: unknown): void {
    const record = message as Record<string, unknown>;
    if (record.id !== undefined && !("method" in record)) {
      const exchange = this.#exchanges.get(String(record.id));
      exchange?.resolve({ ...record, id: exchange.id });
      return;
    }
    const params = record.params as Record<string, unknown> | undefined;
    if (record.method === "notifications/progress") {
      const exchange = this.#tokens.get(String(params?.progressToken));
      exchange?.stream?.send({ ...record, params: { ...params, progressToken: exchange.token } });
      return;
    }
    const meta = params?._meta as Record<string, unknown> | undefined;
    const subscription = meta?.[META_SUBSCRIPTION_ID];
    if (subscription !== undefined) {
      const exchange = this.#exchanges.get(String(subscription));
      exchange?.stream?.send({
        ...record,
        params: { ...params, _meta: { ...meta, [META_SUBSCRIPTION_ID]: exchange.id } },
      });
    }
    // Anything else belongs to no request of this revision: dropped.
  }
}

/** The HTTP status of a modern answer: 404 for an unknown method, 400 for protocol refusals. */
function statusFor(reply: unknown): number {
  const code = (reply as { error?: { code?: number } }).error?.code;
  if (code === -32601) return 404;
  if (code === UNSUPPORTED_VERSION || code === HEADER_MISMATCH || code === MISSING_CAPABILITY) {
    return 400;
  }
  return 200;
}

/** A 400 HeaderMismatch answer. */
export function headerMismatchResponse(id: RequestId | null, detail: string): Response {
  return Response.json(
    { jsonrpc: "2.0", id, error: { code: HEADER_MISMATCH, message: `Header mismatch: ${detail}` } },
    { status: 400 },
  );
}

/** A 400 answer for a protocol version we do not serve. */
export function unsupportedVersionResponse(
  id: RequestId | null,
  version: string,
  supported: readonly string[],
): Response {
  return Response.json({
    jsonrpc: "2.0",
    id,
    error: {
      code: UNSUPPORTED_VERSION,
      message: `Unsupported protocol version: ${version}`,
      data: { supported, requested: version },
    },
  }, { status: 400 });
}

/** Why a modern request's `_meta` envelope is incomplete, if it is. */
export function envelopeProblem(message: Record<string, unknown>): string | undefined {
  const params = message.params as Record<string, unknown> | undefined;
  const meta = params?._meta as Record<string, unknown> | undefined;
  if (meta === undefined || meta === null || typeof meta !== "object") {
    return "params._meta is required in 2026-07-28 (protocol version and client capabilities)";
  }
  if (typeof meta[META_PROTOCOL_VERSION] !== "string") {
    return `params._meta["${META_PROTOCOL_VERSION}"] is required`;
  }
  const capabilities = meta[META.clientCapabilities];
  if (capabilities === null || typeof capabilities !== "object" || Array.isArray(capabilities)) {
    return `params._meta["${META.clientCapabilities}"] is required (an object)`;
  }
  return undefined;
}

/** A 400 invalid-params answer for an incomplete envelope. */
export function invalidEnvelopeResponse(id: RequestId | null, detail: string): Response {
  return Response.json(errorResponse(id, "invalid_params", `Invalid params: ${detail}`), {
    status: 400,
  });
}

/** An invalid-request answer (a modern POST must hold exactly one request). */
export function invalidModernRequest(detail: string): Response {
  return Response.json(errorResponse(null, "invalid_request", `Invalid Request: ${detail}`), {
    status: 400,
  });
}
