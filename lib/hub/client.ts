/**
 * The Hub client. It knows a base URL and a transport (a fetch-like function), never how the Hub
 * was reached: URL mode, a port-forward and the in-process demo all plug in here.
 */
import { unrefTimeout } from "../timers.ts";
import { type HubInfo, parseHubDocument } from "./schemas.ts";

/** Sends one HTTP request to the Hub. Defaults to the global fetch. */
export type HubTransport = (request: Request) => Promise<Response>;

/** Credentials: a token (static, or minted on demand) and a license fallback. */
export interface HubCredentials {
  token?: () => string | undefined | Promise<string | undefined>;
  license?: string;
  /** What to tell the user when the Hub asks for authentication (mode- and state-specific). */
  advice: string | (() => string);
  /** Called when the Hub rejects a token that was sent (so a minted one can be replaced). */
  rejected?: () => void;
}

/** Options for {@linkcode HubClient}. */
export interface HubClientOptions {
  transport?: HubTransport;
  credentials?: HubCredentials;
  /** Bound on one API request, body included. Kubeshark uses 30 s. */
  timeoutMs?: number;
}

/** What went wrong talking to the Hub; each kind has its own next step. */
export type HubErrorKind =
  | "unreachable"
  | "timeout"
  | "auth"
  | "http"
  | "bad_response"
  | "aborted"
  | "bad_path";

/** A Hub failure whose message names the URL, what happened, and what to try next. */
export class HubError extends Error {
  readonly kind: HubErrorKind;
  readonly status?: number;

  constructor(kind: HubErrorKind, message: string, options: { status?: number } = {}) {
    super(message);
    this.name = "HubError";
    this.kind = kind;
    this.status = options.status;
  }
}

/** A Hub tool call's answer: its body as text, and parsed when it is JSON. */
export interface HubToolResult {
  text: string;
  json?: unknown;
}

/** Kubeshark's Hub API timeout. */
export const HUB_TIMEOUT_MS = 30_000;

// A Hub error body can be a whole HTML page; the model needs the gist, not 1 MB.
const MAX_ERROR_BODY_CHARS = 2_000;

/** Talks to one Hub at one base URL. */
export class HubClient {
  readonly baseUrl: string;
  #transport: HubTransport;
  #credentials?: HubCredentials;
  #timeoutMs: number;
  // Responses to requests that carried a token: a 401 then means the token was rejected.
  #sentToken = new WeakSet<Response>();

  constructor(baseUrl: string, options: HubClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.#transport = options.transport ?? ((request) => fetch(request));
    this.#credentials = options.credentials;
    this.#timeoutMs = options.timeoutMs ?? HUB_TIMEOUT_MS;
  }

  /** The discovery URL. */
  get discoveryUrl(): string {
    return `${this.baseUrl}/api/mcp`;
  }

  /**
   * The download URL of a relative path a Hub tool returned (`/snapshots/x/data.pcap`). The
   * result always lies under `{base}/api/`: the Hub token goes with the request, and a path that
   * climbed out (`/../../etc/passwd`) would hand it to whatever else the host serves.
   */
  fileUrl(path: string): string {
    return confineFilePath(this.baseUrl, path);
  }

  /** `GET {base}/api/mcp`: the Hub's tools and prompts. */
  async discover(signal?: AbortSignal): Promise<HubInfo> {
    const url = this.discoveryUrl;
    const text = await this.#exchange(url, { method: "GET" }, signal);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new HubError(
        "bad_response",
        `The Hub at ${url} did not answer with JSON (${snippet(text)}). ` +
          "Check that the URL points at Kubeshark's front end (the address you open in a browser).",
      );
    }
    try {
      return parseHubDocument(body);
    } catch (error) {
      throw new HubError(
        "bad_response",
        `The answer from ${url} is ${(error as Error).message}. ` +
          "Check that the URL points at Kubeshark's front end and that the Hub is recent enough to have MCP.",
      );
    }
  }

  /** Discovery, timed: what a status check reports (round trip in ms, one decimal). */
  async probe(signal?: AbortSignal): Promise<{ info: HubInfo; roundTripMs: number }> {
    const started = performance.now();
    const info = await this.discover(signal);
    return { info, roundTripMs: Math.round((performance.now() - started) * 10) / 10 };
  }

  /** `POST {base}/api/mcp/tools/call` with `{name, arguments}` (the field is `name`). */
  async callTool(
    name: string,
    args: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<HubToolResult> {
    const url = `${this.baseUrl}/api/mcp/tools/call`;
    const text = await this.#exchange(
      url,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name, arguments: args }),
      },
      signal,
      { toolName: name },
    );
    try {
      return { text, json: JSON.parse(text) };
    } catch {
      return { text };
    }
  }

  /**
   * GET a file under `{base}/api`, returning the response with its body unread. The 30 s bound
   * covers the headers only: a multi-gigabyte PCAP may take longer to stream.
   */
  async openFile(path: string, signal?: AbortSignal): Promise<Response> {
    const url = this.fileUrl(path);
    // The bound covers the wait for headers only; the body then streams under the caller's signal.
    const headers = new AbortController();
    const cancelTimer = unrefTimeout(() => headers.abort(), this.#timeoutMs);
    try {
      const combined = signal ? AbortSignal.any([signal, headers.signal]) : headers.signal;
      const response = await this.#send(url, { method: "GET" }, combined);
      // An error status's body is read under the same bound: it must not hang the call.
      await this.#throwUnlessOk(url, response);
      if (!response.body) {
        throw new HubError(
          "bad_response",
          `${url} answered HTTP ${response.status} with no file.`,
          {
            status: response.status,
          },
        );
      }
      return response;
    } catch (error) {
      throw this.#classify(error, url, signal, headers.signal);
    } finally {
      cancelTimer();
    }
  }

  async #exchange(
    url: string,
    init: RequestInit,
    signal: AbortSignal | undefined,
    context: { toolName?: string } = {},
  ): Promise<string> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const response = await this.#send(url, init, combined);
      await this.#throwUnlessOk(url, response, context);
      return await response.text();
    } catch (error) {
      throw this.#classify(error, url, signal, timeout);
    }
  }

  async #send(url: string, init: RequestInit, signal?: AbortSignal): Promise<Response> {
    const headers = new Headers(init.headers);
    const token = await this.#credentials?.token?.();
    if (token) headers.set("X-Kubeshark-Authorization", token);
    else if (this.#credentials?.license) headers.set("License-Key", this.#credentials.license);
    // Redirects are not followed: a 302/303 from a gated Hub leads to an SSO login page.
    const response = await this.#transport(
      new Request(url, { ...init, headers, redirect: "manual", signal }),
    );
    if (token) this.#sentToken.add(response);
    return response;
  }

  async #throwUnlessOk(
    url: string,
    response: Response,
    context: { toolName?: string } = {},
  ): Promise<void> {
    const status = response.status;
    if (status === 401 || status === 302 || status === 303) {
      await response.body?.cancel();
      const tokenSent = this.#sentToken.has(response);
      if (tokenSent) this.#credentials?.rejected?.();
      const sent = tokenSent
        ? "rejected the token that was sent"
        : "no accepted credential was presented";
      const advice = this.#credentials?.advice;
      const what = status === 401 ? "HTTP 401" : `HTTP ${status}, a redirect to a login page`;
      throw new HubError(
        "auth",
        `The Hub at ${url} requires authentication (${what}); ${sent}. ${
          typeof advice === "function" ? advice() : advice ?? ""
        }`.trim(),
        { status },
      );
    }
    if (status >= 400) {
      const body = snippet(await response.text(), MAX_ERROR_BODY_CHARS);
      const hint = status === 404 && context.toolName
        ? `\nThe Hub has no tool named "${context.toolName}"; call tools/list to see the tools it offers.`
        : status >= 500
        ? "\nThe Hub failed while answering; retry, or narrow the query (a KFL filter, a smaller limit)."
        : "";
      throw new HubError("http", `Hub API error (${status}): ${body}${hint}`, { status });
    }
    if (status >= 300) {
      await response.body?.cancel();
      throw new HubError(
        "bad_response",
        `The Hub at ${url} answered with a redirect (HTTP ${status}) to ${
          response.headers.get("location") ?? "nowhere"
        }. Point the URL at that address instead.`,
        { status },
      );
    }
  }

  #classify(
    error: unknown,
    url: string,
    callerSignal?: AbortSignal,
    timeout?: AbortSignal,
  ): HubError {
    if (error instanceof HubError) return error;
    if (callerSignal?.aborted) {
      return new HubError("aborted", `The request to ${url} was cancelled.`);
    }
    if (timeout?.aborted) {
      return new HubError(
        "timeout",
        `The Hub at ${url} did not answer within ${this.#timeoutMs / 1000} s. ` +
          "It may be overloaded: narrow the query (a KFL filter, a smaller limit), or raise --hub-timeout.",
      );
    }
    const cause = error instanceof Error ? rootMessage(error) : String(error);
    return new HubError(
      "unreachable",
      `Cannot reach the Hub at ${url}: ${cause}. ` +
        "Check that Kubeshark is running and that the address is right (check_kubeshark_status tells more).",
    );
  }
}

/**
 * `{base}/api/{path}`, refusing any path that is not plainly below `{base}/api/`: encoded dots,
 * slashes and backslashes (servers decode them differently), backslashes, control characters,
 * URLs, and dot segments that climb out once resolved.
 */
export function confineFilePath(baseUrl: string, path: string): string {
  const refuse = (why: string) =>
    new HubError(
      "bad_path",
      `The file path "${snippet(path, 120)}" ${why}; pass the relative path a Hub tool returned ` +
        "(e.g. /snapshots/abc/data.pcap).",
    );
  // deno-lint-ignore no-control-regex
  if (/[\\\x00-\x1f\x7f]/.test(path)) throw refuse("contains a backslash or a control character");
  if (/%(2e|2f|5c|00)/i.test(path)) throw refuse("contains an encoded dot, slash or backslash");
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith("//")) throw refuse("is a URL");
  const root = new URL(`${baseUrl.replace(/\/+$/, "")}/api/`);
  const relative = path.replace(/^\/+/, "");
  let url: URL;
  try {
    url = new URL(relative, root);
  } catch {
    throw refuse("is not a valid URL path");
  }
  if (
    url.origin !== root.origin || !url.pathname.startsWith(root.pathname) ||
    url.pathname === root.pathname
  ) {
    throw refuse(`leaves the Hub's file area (${root.pathname})`);
  }
  return url.href;
}

function rootMessage(error: Error): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

function snippet(text: string, max = 200): string {
  const flat = text.trim();
  return flat.length > max ? `${flat.slice(0, max)}… (${flat.length} characters)` : flat;
}
