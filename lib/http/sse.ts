/** A server-sent-events response body carrying JSON-RPC messages, one `message` event each. */

/** How often an idle stream carries a comment, so proxies and load balancers keep it open. */
export const KEEPALIVE_MS = 15_000;

const encoder = new TextEncoder();

/** One SSE stream: `send` messages, `close` when done; `closed` resolves when either side ends it. */
export class SseStream {
  readonly body: ReadableStream<Uint8Array>;
  readonly closed: Promise<void>;
  #controller?: ReadableStreamDefaultController<Uint8Array>;
  #open = true;
  #keepalive?: number;
  #onClosed = () => {};

  #mask: (text: string) => string;

  constructor(options: { keepalive?: boolean; mask?: (text: string) => string } = {}) {
    this.#mask = options.mask ?? ((text) => text);
    this.closed = new Promise((resolve) => this.#onClosed = resolve);
    this.body = new ReadableStream({
      start: (controller) => {
        this.#controller = controller;
        // An early comment flushes the headers, so the client knows the stream is up.
        controller.enqueue(encoder.encode(": stream open\n\n"));
      },
      cancel: () => this.#finish(),
    });
    if (options.keepalive) {
      const id = Number(setInterval(() => this.#write(": keepalive\n\n"), KEEPALIVE_MS));
      Deno.unrefTimer(id);
      this.#keepalive = id;
    }
  }

  /** Whether messages can still be written. */
  get open(): boolean {
    return this.#open;
  }

  /** Writes one JSON-RPC message as an event; false when the stream has ended. */
  send(message: unknown): boolean {
    return this.#write(`event: message\ndata: ${this.#mask(JSON.stringify(message))}\n\n`);
  }

  /** Ends the stream from our side. */
  close(): void {
    if (!this.#open) return;
    try {
      this.#controller?.close();
    } catch {
      // Already closed by the client.
    }
    this.#finish();
  }

  #write(text: string): boolean {
    if (!this.#open) return false;
    try {
      this.#controller?.enqueue(encoder.encode(text));
      return true;
    } catch {
      this.#finish();
      return false;
    }
  }

  #finish(): void {
    if (!this.#open) return;
    this.#open = false;
    if (this.#keepalive !== undefined) clearInterval(this.#keepalive);
    this.#onClosed();
  }
}

/** A JSON response whose text went through `mask` (known secrets never leave the process). */
export function maskedJson(
  body: unknown,
  mask: (text: string) => string,
  init: { status?: number; headers?: Record<string, string> } = {},
): Response {
  return new Response(mask(JSON.stringify(body)), {
    status: init.status ?? 200,
    headers: { "content-type": "application/json", ...init.headers },
  });
}

/** Headers of an SSE response. */
export const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  // nginx (and ingress-nginx) would otherwise buffer the stream.
  "x-accel-buffering": "no",
};
