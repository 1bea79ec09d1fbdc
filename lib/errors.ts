/**
 * Errors, in two families. Protocol errors (McpError, a closed set of kinds) become JSON-RPC error
 * replies. Library errors (ActionableError's subclasses: HubError, KubeError, FileError,
 * ArgumentError) fail one tool call: the dispatcher turns them into `isError` results. Only the
 * dispatcher turns either into a reply.
 */

/** The protocol-level error kinds. */
export type ErrorKind =
  | "parse_error"
  | "invalid_request"
  | "method_not_found"
  | "invalid_params"
  | "resource_not_found"
  | "unsupported_protocol_version"
  | "internal";

/** JSON-RPC 2.0 codes for the kinds that are protocol errors. */
export const JSON_RPC_CODES = {
  parse_error: -32700,
  invalid_request: -32600,
  method_not_found: -32601,
  invalid_params: -32602,
  // MCP's code for resources/read of an unknown URI, up to 2025-11-25; the modern era uses -32602.
  resource_not_found: -32002,
  // 2026-07-28 UnsupportedProtocolVersionError; `data.supported` lists ours.
  unsupported_protocol_version: -32022,
  internal: -32603,
} as const;

/** An error that carries its kind and, optionally, structured data for the client. */
export class McpError extends Error {
  readonly kind: ErrorKind;
  readonly data?: unknown;

  constructor(kind: ErrorKind, message: string, options: { data?: unknown; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "McpError";
    this.kind = kind;
    this.data = options.data;
  }
}

/**
 * A failure of one tool call whose message is written for the model: what failed, the value
 * involved, and what to do next. Each library has its own subclass with its own kinds.
 */
export abstract class ActionableError extends Error {
  /** The library's own classification (HubError's "timeout", KubeError's "forbidden", …). */
  abstract readonly kind: string;
  /**
   * Text the message quotes from elsewhere (a Hub's error page), as it stands in the message: the
   * redactor reads it on its own, its first line a line's start (`password: x` after our prefix
   * would read as the middle of a line).
   */
  quoted?: string;
}

/** `text` with `error`'s quoted part passed through the redactor on its own, then the whole. */
export function redactQuoting(
  text: string,
  error: unknown,
  redactor: { text(text: string): string },
): string {
  const quoted = error instanceof ActionableError ? error.quoted : undefined;
  const inner = quoted ? text.replace(quoted, () => redactor.text(quoted)) : text;
  return redactor.text(inner);
}

/** A short, single-line description of any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}
