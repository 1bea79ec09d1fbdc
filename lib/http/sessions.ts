/**
 * The 2025 revisions over Streamable HTTP: one MCP session per `initialize`, named by
 * `Mcp-Session-Id`. Each session has its own dispatcher (negotiated version, log level,
 * initialized state) over the process's shared Hub access and catalog. A POST's requests are
 * answered on that POST, as JSON or as an SSE stream that also carries their progress; messages
 * tied to no request (list_changed, logs) go to the session's GET stream.
 */
import { Dispatcher, errorResponse } from "../dispatcher.ts";
import { Logger } from "../log.ts";
import type { RequestId } from "../protocol.ts";
import type { Session } from "../session.ts";
import { maskedJson, SSE_HEADERS, SseStream } from "./sse.ts";

/** How long a session answers after its last request before it is forgotten. */
export const SESSION_IDLE_MS = 30 * 60_000;

/** One POST's requests waiting for answers, delivered as one JSON body or on an SSE stream. */
class Exchange {
  readonly stream?: SseStream;
  readonly done: Promise<unknown[]>;
  #waiting: Set<RequestId>;
  #replies: unknown[] = [];
  #resolve = (_: unknown[]) => {};

  constructor(ids: RequestId[], stream?: SseStream) {
    this.#waiting = new Set(ids);
    this.stream = stream;
    this.done = new Promise((resolve) => this.#resolve = resolve);
  }

  waitsFor(id: RequestId): boolean {
    return this.#waiting.has(id);
  }

  /** Takes the answer to `id` (undefined: the request was cancelled and gets none). */
  settle(id: RequestId, reply: unknown): void {
    if (!this.#waiting.delete(id)) return;
    if (reply !== undefined) {
      if (this.stream) this.stream.send(reply);
      else this.#replies.push(reply);
    }
    if (this.#waiting.size === 0) this.finish();
  }

  /** Ends the exchange, answered or not (the session closed). */
  finish(): void {
    this.#waiting.clear();
    this.stream?.close();
    this.#resolve(this.#replies);
  }
}

/** A JSON-RPC message as the transport sorts it. */
type Kind =
  | { kind: "request"; id: RequestId; method: string; progressToken?: RequestId }
  | { kind: "notification"; method: string; cancels?: RequestId }
  | { kind: "response" }
  | { kind: "invalid"; id: RequestId | null };

/** Sorts one incoming message without validating its params (the dispatcher does that). */
export function classify(message: unknown): Kind {
  if (message === null || typeof message !== "object" || Array.isArray(message)) {
    return { kind: "invalid", id: null };
  }
  const record = message as Record<string, unknown>;
  const id = typeof record.id === "string" || typeof record.id === "number" ? record.id : undefined;
  if (typeof record.method === "string") {
    const params = record.params as Record<string, unknown> | undefined;
    if (id !== undefined) {
      const meta = params?._meta as Record<string, unknown> | undefined;
      const token = meta?.progressToken;
      return {
        kind: "request",
        id,
        method: record.method,
        progressToken: typeof token === "string" || typeof token === "number" ? token : undefined,
      };
    }
    if (record.id !== undefined) return { kind: "invalid", id: null };
    const cancelled = record.method === "notifications/cancelled" ? params?.requestId : undefined;
    return {
      kind: "notification",
      method: record.method,
      cancels: typeof cancelled === "string" || typeof cancelled === "number"
        ? cancelled
        : undefined,
    };
  }
  if (id !== undefined && ("result" in record || "error" in record)) return { kind: "response" };
  return { kind: "invalid", id: id ?? null };
}

/** One 2025-era MCP session. */
export class HttpSession {
  readonly id = crypto.randomUUID();
  /** Who opened it: later requests must come from the same caller. */
  readonly owner?: string;
  lastActive = Date.now();
  #session: Session;
  #dispatcher: Dispatcher;
  #exchanges = new Set<Exchange>();
  #standalone?: SseStream;
  #closed = false;
  #mask: (text: string) => string;

  constructor(
    root: Session,
    options: { owner?: string; mask?: (text: string) => string } = {},
  ) {
    this.owner = options.owner;
    this.#mask = options.mask ?? ((text) => text);
    const log = new Logger();
    if (root.config.debug) log.setStderrLevel("debug");
    this.#session = root.connection(log);
    this.#dispatcher = new Dispatcher(this.#session, (message) => this.#route(message));
    // Its log lines are masked too, once the redactor is loaded.
    void this.#session.redactor().catch(() => {});
  }

  /** Forwards a notification that concerns every session (list_changed). */
  notify(method: string, params?: Record<string, unknown>): void {
    this.#session.notify(method, params);
  }

  /** Whether the session may be forgotten: idle past `idleMs` with nothing open. */
  expired(now: number, idleMs: number): boolean {
    return now - this.lastActive > idleMs && this.#exchanges.size === 0 &&
      !this.#standalone?.open;
  }

  /**
   * Handles one POST's messages. Requests are answered in the response: a JSON object (or array
   * for a batch), or an SSE stream when `sse` is set. Without requests the answer is 202.
   */
  post(messages: unknown[], batch: boolean, sse: boolean): Response | Promise<Response> {
    this.lastActive = Date.now();
    const immediate: unknown[] = [];
    const requests: { id: RequestId; message: unknown; progressToken?: RequestId }[] = [];
    const others: unknown[] = [];
    for (const message of messages) {
      const sorted = classify(message);
      if (sorted.kind === "invalid") {
        immediate.push(errorResponse(sorted.id, "invalid_request", "Invalid Request"));
      } else if (sorted.kind === "request") {
        if (this.#waitingExchange(sorted.id) || requests.some((r) => r.id === sorted.id)) {
          immediate.push(errorResponse(
            sorted.id,
            "invalid_request",
            `Request id ${JSON.stringify(sorted.id)} is already in use in this session`,
          ));
        } else {
          requests.push({ id: sorted.id, message, progressToken: sorted.progressToken });
        }
      } else {
        if (sorted.kind === "notification" && sorted.cancels !== undefined) {
          // A cancelled request gets no answer: its POST must not wait for one.
          this.#waitingExchange(sorted.cancels)?.settle(sorted.cancels, undefined);
        }
        others.push(message);
      }
    }
    for (const message of others) this.#dispatcher.receive(message);
    if (requests.length === 0) {
      if (immediate.length === 0) return new Response(null, { status: 202 });
      return maskedJson(batch ? immediate : immediate[0], this.#mask);
    }
    const exchange = new Exchange(
      requests.map((r) => r.id),
      sse ? new SseStream({ mask: this.#mask }) : undefined,
    );
    this.#exchanges.add(exchange);
    exchange.done.then(() => {
      this.#exchanges.delete(exchange);
      // Idle time counts from the last answer: a slow call does not age its session.
      this.lastActive = Date.now();
    });
    const tokens = new Map(
      requests.flatMap((r) =>
        r.progressToken === undefined ? [] : [[r.progressToken, exchange] as const]
      ),
    );
    this.#progress.push(tokens);
    exchange.done.then(() => this.#progress.splice(this.#progress.indexOf(tokens), 1));
    for (const request of requests) this.#dispatcher.receive(request.message);
    if (exchange.stream) {
      for (const reply of immediate) exchange.stream.send(reply);
      return new Response(exchange.stream.body, { headers: SSE_HEADERS });
    }
    return exchange.done.then((replies) => {
      const all = [...immediate, ...replies];
      if (all.length === 0) return new Response(null, { status: 202 });
      return maskedJson(batch ? all : all[0], this.#mask);
    });
  }

  /** Opens the standalone GET stream (one at a time), for messages tied to no request. */
  openStream(): Response {
    this.lastActive = Date.now();
    if (this.#standalone?.open) {
      return Response.json(
        errorResponse(null, "invalid_request", "Conflict: this session already has a GET stream"),
        { status: 409 },
      );
    }
    const stream = new SseStream({ keepalive: true, mask: this.#mask });
    this.#standalone = stream;
    stream.closed.then(() => this.lastActive = Date.now());
    return new Response(stream.body, { headers: SSE_HEADERS });
  }

  /**
   * Ends the session: open streams close, requests under way are aborted. Resolves once their
   * cleanup is done (a download removes its partial file), or after a short bound.
   */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    const settled = this.#dispatcher.abortAll();
    for (const exchange of this.#exchanges) exchange.finish();
    this.#standalone?.close();
    this.#session.log.connectClient(undefined);
    return settled;
  }

  #progress: Map<RequestId, Exchange>[] = [];

  #waitingExchange(id: RequestId): Exchange | undefined {
    for (const exchange of this.#exchanges) if (exchange.waitsFor(id)) return exchange;
    return undefined;
  }

  /** Delivers what the dispatcher sends to where the client will read it. */
  #route(message: unknown): void {
    if (this.#closed) return;
    const record = message as Record<string, unknown>;
    const id = record.id as RequestId | undefined;
    if (id !== undefined && id !== null && !("method" in record)) {
      this.#waitingExchange(id)?.settle(id, message);
      return;
    }
    if (record.method === "notifications/progress") {
      const token = (record.params as Record<string, unknown> | undefined)?.progressToken;
      for (const tokens of this.#progress) {
        const exchange = tokens.get(token as RequestId);
        if (exchange) {
          exchange.stream?.send(message);
          return;
        }
      }
      return;
    }
    const streams = [...this.#exchanges].filter((exchange) => exchange.stream?.open);
    // A request of ours (elicitation) belongs to a call under way: its SSE answer first.
    if (id !== undefined && streams.at(-1)?.stream?.send(message)) return;
    if (this.#standalone?.send(message)) return;
    // No GET stream: an open SSE answer is the only way left to the client.
    streams.at(-1)?.stream?.send(message);
  }
}

/** The live sessions, and their expiry. */
export class SessionStore {
  #sessions = new Map<string, HttpSession>();
  #idleMs: number;
  #max: number;
  #sweeper: number;

  constructor(options: { idleMs?: number; max?: number } = {}) {
    this.#idleMs = options.idleMs ?? SESSION_IDLE_MS;
    this.#max = options.max ?? 10_000;
    this.#sweeper = Number(setInterval(() => this.sweep(), Math.min(60_000, this.#idleMs)));
    Deno.unrefTimer(this.#sweeper);
  }

  /** How many sessions are live. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Whether another session may be opened. */
  get full(): boolean {
    return this.#sessions.size >= this.#max;
  }

  /** Every live session. */
  all(): IterableIterator<HttpSession> {
    return this.#sessions.values();
  }

  add(session: HttpSession): void {
    this.#sessions.set(session.id, session);
  }

  /** The session with this id, unless it expired (then it is closed and forgotten). */
  get(id: string): HttpSession | undefined {
    const session = this.#sessions.get(id);
    if (session?.expired(Date.now(), this.#idleMs)) {
      this.delete(id);
      return undefined;
    }
    return session;
  }

  delete(id: string): boolean {
    const session = this.#sessions.get(id);
    if (!session) return false;
    this.#sessions.delete(id);
    void session.close();
    return true;
  }

  /** Forgets sessions idle too long. */
  sweep(): void {
    const now = Date.now();
    for (const [id, session] of this.#sessions) {
      if (session.expired(now, this.#idleMs)) this.delete(id);
    }
  }

  /** Closes every session and stops the sweeper; resolves once their aborted work settled. */
  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.all(sessions.map((session) => session.close()));
  }
}
