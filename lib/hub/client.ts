/**
 * The Hub client. It knows a base URL and a transport (a fetch-like function), never how the Hub
 * was reached: URL mode, a port-forward and the in-process demo all plug in here.
 */
import { ActionableError, describeError } from "../errors.ts";
import { deadline, unrefTimeout } from "../timers.ts";
import { load } from "../lazy.ts";
import type { HubInfo } from "./schemas.ts";

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
  /** Bound on one API request, body included. Kubeshark uses 30 s; Infinity arms no timer. */
  timeoutMs?: number;
  /** Bound on one answer's body (not a file's); a larger one is abandoned. Default 32 MiB. */
  maxBodyBytes?: number;
}

/**
 * What went wrong talking to the Hub; each kind has its own next step:
 *
 * | kind            | when                                              | next step                  |
 * |-----------------|---------------------------------------------------|----------------------------|
 * | not_kubeshark   | discovery is not a Hub's MCP document (HTML, 404) | check the URL              |
 * | auth            | 401, 403, or a redirect to a login page           | a token or license         |
 * | not_found       | 404: no such tool, snapshot, call…                | the list tools / tools/list|
 * | bad_request     | 400, 422: the Hub refused the arguments           | fix the arguments          |
 * | not_implemented | 501: this Hub version lacks it                    | upgrade, or another tool   |
 * | server_error    | other 5xx                                         | retry, the Hub's logs      |
 * | http            | any other error status                            | the Hub's text             |
 * | bad_response    | a JSON answer that does not parse (cut off)       | retry                      |
 * | too_large       | an answer over --max-hub-bytes                    | narrow the query           |
 * | timeout         | no answer within --hub-timeout                    | narrow, or raise it        |
 * | unreachable     | no connection                                     | is Kubeshark running?      |
 * | aborted         | the client cancelled                              | —                          |
 * | bad_path        | a file path outside the Hub's /api                | the path a tool returned   |
 */
export type HubErrorKind =
  | "not_kubeshark"
  | "auth"
  | "not_found"
  | "bad_request"
  | "not_implemented"
  | "server_error"
  | "http"
  | "bad_response"
  | "too_large"
  | "timeout"
  | "unreachable"
  | "aborted"
  | "bad_path";

/** A Hub failure whose message names the URL, what happened, and what to try next. */
export class HubError extends ActionableError {
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

// What the client sends: a method, and for a tool call its JSON body.
interface HubRequestInit {
  method: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
}

/** Kubeshark's Hub API timeout. */
export const HUB_TIMEOUT_MS = 30_000;

/** The default bound on one Hub answer's body. */
export const MAX_HUB_BYTES = 32 * 1024 * 1024;

// A Hub error body can be a whole HTML page; the model needs the gist, not 1 MB.
const MAX_ERROR_BODY_CHARS = 500;

/** Talks to one Hub at one base URL. */
export class HubClient {
  readonly baseUrl: string;
  #transport?: HubTransport;
  #credentials?: HubCredentials;
  #timeoutMs: number;
  #maxBodyBytes: number;
  // Responses to requests that carried a token: a 401 then means the token was rejected.
  #sentToken = new WeakSet<Response>();

  constructor(baseUrl: string, options: HubClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.#transport = options.transport;
    this.#credentials = options.credentials;
    this.#timeoutMs = options.timeoutMs ?? HUB_TIMEOUT_MS;
    this.#maxBodyBytes = options.maxBodyBytes ?? MAX_HUB_BYTES;
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
    let answer: { text: string; json?: unknown };
    try {
      answer = await this.#exchange(url, { method: "GET" }, signal);
    } catch (error) {
      // No MCP route at all: another application, or a Hub too old to have MCP.
      if (error instanceof HubError && error.kind === "not_found") {
        throw new HubError(
          "not_kubeshark",
          `${url} does not exist (HTTP 404): this is not Kubeshark's front end, or its Hub is ` +
            "too old to have MCP. Check --url (the address you open in a browser) and the Hub's " +
            "version.",
          { status: 404 },
        );
      }
      throw error;
    }
    if (answer.json === undefined) {
      throw new HubError(
        "not_kubeshark",
        `The Hub at ${url} did not answer with JSON (${snippet(answer.text, 120)}): this is not ` +
          "Kubeshark's front end. Check that the URL points at it (the address you open in a " +
          "browser).",
      );
    }
    try {
      return (await load.hubSchemas()).parseHubDocument(answer.json);
    } catch (error) {
      throw new HubError(
        "not_kubeshark",
        `The answer from ${url} is ${describeError(error)}. Check that the URL points at ` +
          "Kubeshark's front end and that the Hub is recent enough to have MCP.",
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
    const answer = await this.#exchange(
      url,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name, arguments: args }),
      },
      signal,
      { toolName: name },
    );
    return answer;
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
      throw this.#classify(error, url, signal, headers.signal.aborted);
    } finally {
      cancelTimer();
    }
  }

  /**
   * One request and its whole answer, bounded in time and size. A JSON content type must parse
   * (else the answer was cut off); any other content type passes as text, parsed when it is JSON.
   */
  async #exchange(
    url: string,
    init: HubRequestInit,
    signal: AbortSignal | undefined,
    context: { toolName?: string } = {},
  ): Promise<HubToolResult> {
    // Timer and listener end with the call (see deadline()).
    const bound = deadline(signal, this.#timeoutMs);
    const combined = bound.signal;
    try {
      const response = await this.#send(url, init, combined);
      await this.#throwUnlessOk(url, response, context);
      let text: string;
      try {
        text = await this.#readBounded(url, response);
      } catch (error) {
        if (error instanceof HubError || combined.aborted) throw error;
        // The Hub answered, then the connection broke: a cut-off answer, not an absent Hub.
        throw new HubError(
          "bad_response",
          `The Hub's answer from ${url} was cut off: the connection dropped while it was being ` +
            `read (${rootMessage(error as Error)}). Retry; if it repeats, narrow the query.`,
        );
      }
      // No content (a 204, or an empty 200 whatever its type): the call succeeded, with nothing
      // to say. Not a cut-off answer: the model must not be told to retry a state change.
      if (text.trim() === "") return { text: "" };
      const type = response.headers.get("content-type") ?? "";
      try {
        return { text, json: JSON.parse(text) };
      } catch {
        // application/json and +json types; not application/json-seq (several texts) and kin.
        if (/[/+]json\s*(;|$)/i.test(type)) {
          throw new HubError(
            "bad_response",
            `The Hub's answer was cut off or is not JSON (${text.length} characters, ` +
              `${type}): ${snippet(text, 120)}. Retry; if it repeats, check the Hub's logs.`,
          );
        }
        return { text };
      }
    } catch (error) {
      throw this.#classify(error, url, signal, bound.timedOut());
    } finally {
      bound.dispose();
    }
  }

  // Reads a body up to the limit; a larger one is abandoned, not buffered.
  async #readBounded(url: string, response: Response): Promise<string> {
    const tooLarge = (seen: number) =>
      new HubError(
        "too_large",
        `The Hub's answer from ${url} is larger than ${this.#maxBodyBytes} bytes (${seen} bytes ` +
          "or more); it was abandoned. Narrow the query (a KFL filter, a time range, a smaller " +
          "limit) or raise --max-hub-bytes.",
      );
    const declared = Number(response.headers.get("content-length"));
    if (declared > this.#maxBodyBytes) {
      await response.body?.cancel();
      throw tooLarge(declared);
    }
    if (!response.body) return "";
    // A declared length within the limit is read at once: the HTTP client ends the body there.
    // Answers without one (chunked), and compressed ones — fetch decompresses, and the length is
    // the compressed one — are read chunk by chunk and abandoned at the limit.
    const encoding = response.headers.get("content-encoding");
    if (
      Number.isSafeInteger(declared) && response.headers.has("content-length") &&
      (!encoding || encoding.toLowerCase() === "identity")
    ) {
      return await response.text();
    }
    const decoder = new TextDecoder();
    let text = "";
    let bytes = 0;
    for await (const chunk of bodyChunks(response.body)) {
      bytes += chunk.length;
      if (bytes > this.#maxBodyBytes) throw tooLarge(bytes); // Leaving the loop cancels the body.
      text += decoder.decode(chunk, { stream: true });
    }
    return text + decoder.decode();
  }

  async #send(url: string, init: HubRequestInit, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    const token = await this.#credentials?.token?.();
    if (token) headers["X-Kubeshark-Authorization"] = token;
    else if (this.#credentials?.license) headers["License-Key"] = this.#credentials.license;
    // Redirects are not followed: a 302/303 from a gated Hub leads to an SSO login page.
    const request: RequestInit = { ...init, headers, redirect: "manual", signal };
    // fetch(url, init) builds one Request; fetch(new Request(...)) builds two.
    const response =
      await (this.#transport ? this.#transport(new Request(url, request)) : fetch(url, request));
    if (token) this.#sentToken.add(response);
    return response;
  }

  async #throwUnlessOk(
    url: string,
    response: Response,
    context: { toolName?: string } = {},
  ): Promise<void> {
    const status = response.status;
    if (status === 401 || status === 403 || status === 302 || status === 303) {
      await response.body?.cancel();
      const tokenSent = this.#sentToken.has(response);
      if (tokenSent) this.#credentials?.rejected?.();
      const sent = tokenSent
        ? "rejected the token that was sent"
        : "no accepted credential was presented";
      const advice = this.#credentials?.advice;
      const what = status === 401 || status === 403
        ? `HTTP ${status}`
        : `HTTP ${status}, a redirect to a login page`;
      throw new HubError(
        "auth",
        `The Hub at ${url} requires authentication (${what}); ${sent}. ${
          typeof advice === "function" ? advice() : advice ?? ""
        }`.trim(),
        { status },
      );
    }
    if (status >= 400) {
      const body = snippet(plainText(await readErrorBody(response)), MAX_ERROR_BODY_CHARS);
      const [kind, hint] = httpFailure(status, body, context.toolName);
      const error = new HubError(
        kind,
        `Hub API error (${status}): ${body}${hint ? `\n${hint}` : ""}`,
        { status },
      );
      error.quoted = body;
      throw error;
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
    callerSignal: AbortSignal | undefined,
    timedOut: boolean,
  ): HubError {
    if (error instanceof HubError) return error;
    if (callerSignal?.aborted) {
      return new HubError("aborted", `The request to ${url} was cancelled.`);
    }
    if (timedOut) {
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

// An HTML error page as the text a person would read: its title and words, no markup.
function plainText(body: string): string {
  if (!/^\s*<(!doctype|html|head|body)\b/i.test(body)) return body;
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1]?.trim();
  const words = withoutScripts(body)
    // A header shown as a table row or a definition reads as "Name: value" (a header's name only:
    // other rows stay words, so that "Session | 42" is not taken for a credential).
    .replace(
      /<(t[dh]|dt)\b[^<>]{0,200}>\s*([A-Za-z][A-Za-z0-9]*-[A-Za-z0-9-]+|authorization|cookie)\s*<\/(t[dh]|dt)\s*>\s*<(t[dh]|dd)\b[^<>]{0,200}>/gi,
      "\n$2: ",
    )
    .replace(
      /<(br|\/(p|div|li|tr|h[1-6]|pre|table|ul|ol|dt|dd|section|article))\b[^<>]{0,200}>/gi,
      "\n",
    )
    // Bounded: a page of "<" without ">" must not be scanned to its end from each one.
    .replace(/<[^<>]{0,1024}>/g, " ")
    .replace(/&#(\d{1,6});/g, (_, code) => charOf(Number(code)))
    .replace(/&#x([0-9a-f]{1,6});/gi, (_, code) => charOf(parseInt(code, 16)))
    .replace(/&nbsp;/g, " ")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&colon;/g, ":")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    // Lines kept: a page that echoes request headers has one a line, which the redactor reads so.
    .replace(/[^\S\n]+/g, " ")
    .replace(/ ?\n[\s]*/g, "\n")
    .trim();
  return title && !words.startsWith(title) ? `${title}: ${words}` : words;
}

// A page without its scripts, styles and head: what a person reads. A scan per element, linear
// even when the closing tags never come (the rest of the page is then dropped).
function withoutScripts(page: string): string {
  const lower = page.toLowerCase();
  let out = "";
  let last = 0;
  const open = /<(script|style|head)\b/gi;
  for (let found = open.exec(page); found; found = open.exec(page)) {
    if (found.index < last) continue;
    const close = lower.indexOf(`</${found[1].toLowerCase()}`, found.index);
    out += page.slice(last, found.index) + " ";
    if (close === -1) return out;
    const end = lower.indexOf(">", close);
    last = end === -1 ? page.length : end + 1;
    open.lastIndex = last;
  }
  return out + page.slice(last);
}

// A numeric character reference's character ("&#58;" is ":"); an invalid one reads as a space.
function charOf(code: number): string {
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : " ";
}

// The start of an error body: enough for the gist; the rest is not read.
async function readErrorBody(response: Response): Promise<string> {
  if (!response.body) return "";
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of bodyChunks(response.body)) {
    text += decoder.decode(chunk, { stream: true });
    if (text.length >= 64 * 1024) return text; // Leaving the loop cancels the body.
  }
  return text + decoder.decode();
}

// As large as Deno's own reads of a body.
const READ_BUFFER_BYTES = 64 * 1024;

// The read buffer kept between answers. A default reader gets each read of a fetch body in a fresh
// 64 KiB buffer, one or more per call, kept until V8 gets round to collecting it (external memory):
// over 10,000 calls that showed as tens of MB of RSS. Sequential calls reuse this one; a call made
// while another reads takes its own.
let spareBuffer: ArrayBuffer | undefined;

/**
 * A body's chunks, read into a reused buffer where the stream allows it (a fetch body does; a
 * Response made from a string does not). A chunk is valid until the next is asked for. Leaving the
 * loop early cancels the body.
 */
async function* bodyChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  let byob: ReadableStreamBYOBReader;
  try {
    byob = body.getReader({ mode: "byob" });
  } catch {
    // Not a byte stream: its chunks are its own.
    const reader = body.getReader();
    let finished = false;
    try {
      while (true) {
        const { done, value } = await reader.read();
        if (done) break;
        yield value;
      }
      finished = true;
    } finally {
      if (!finished) await reader.cancel().catch(() => {});
    }
    return;
  }
  let buffer = spareBuffer ?? new ArrayBuffer(READ_BUFFER_BYTES);
  spareBuffer = undefined;
  let finished = false;
  try {
    while (true) {
      const { done, value } = await byob.read(new Uint8Array(buffer));
      // The same memory comes back (transferred) with the data.
      if (value) buffer = value.buffer;
      if (done) break;
      yield value;
    }
    finished = true;
  } finally {
    if (!finished) await byob.cancel().catch(() => {});
    // A read that failed keeps the buffer (it is detached then, 0 bytes long).
    if (buffer.byteLength === READ_BUFFER_BYTES) spareBuffer = buffer;
  }
}

// Which failure an error status is, and what to do about it.
function httpFailure(status: number, body: string, toolName?: string): [HubErrorKind, string] {
  if (status === 404) {
    // The "no such tool" advice only when the Hub says so about the tool itself, not when it
    // could not find a snapshot or a call the tool was asked for.
    const aboutTool = toolName !== undefined && body.includes(toolName) &&
      /tool|unknown|not (found|supported|registered)/i.test(body) &&
      !/snapshot|call|flow|job|dissection|workload/i.test(body.replace(toolName, ""));
    return aboutTool
      ? [
        "not_found",
        `The Hub has no tool named "${toolName}"; call tools/list to see the tools it offers.`,
      ]
      : [
        "not_found",
        "The Hub found no such item: check the id or name (the list_* tools show what exists).",
      ];
  }
  if (status === 400 || status === 422) {
    return [
      "bad_request",
      "The Hub refused the arguments: fix them as it says (tools/list has each tool's schema).",
    ];
  }
  if (status === 501) {
    return [
      "not_implemented",
      "This Hub version does not support that; check_kubeshark_status shows its version (upgrading Kubeshark may add it).",
    ];
  }
  if (status === 503 || status === 502 || status === 504) {
    return [
      "server_error",
      "The Hub is unavailable or overloaded right now: retry in a moment; check_kubeshark_status tells whether it is up.",
    ];
  }
  if (status >= 500) {
    return [
      "server_error",
      "The Hub failed while answering: retry; if it repeats, the Hub's logs say why (a narrower query may avoid it).",
    ];
  }
  return ["http", ""];
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
  // %25 (an encoded "%"): %252e%252e is ".." to anything in front of the Hub that decodes twice;
  // %3b (";"): "..%3b/" is "..;/" to one that decodes once (see below).
  if (/%(2e|2f|5c|00|25|3b)/i.test(path)) {
    throw refuse("contains an encoded dot, slash, backslash, semicolon or percent sign");
  }
  // "..;/" is a parent directory to servers that strip path parameters (Tomcat and kin).
  if (path.split(/[?#]/, 1)[0].includes(";")) throw refuse("contains a semicolon");
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
