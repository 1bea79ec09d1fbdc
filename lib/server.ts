/**
 * The stdio transport: newline-delimited JSON-RPC on stdin, responses on stdout. This module owns
 * stdout; nothing else writes there while serving.
 */
import { Dispatcher, errorResponse } from "./dispatcher.ts";
import type { Session } from "./session.ts";
import { bounded } from "./timers.ts";

/** Longest line accepted; a longer one is answered with an error and skipped, never fatal. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * How long requests under way may finish after stdin closes (a client that pipes a request and
 * closes stdin still gets its answer); then they are aborted. Signals abort at once.
 */
export const EOF_GRACE_MS = 500;

/** Bound on writing out answers already queued when shutting down (a client may not be reading). */
export const FLUSH_TIMEOUT_MS = 400;

const NEWLINE = 0x0a;

// As large as Deno's own reads from stdin.
const READ_BUFFER_BYTES = 64 * 1024;

/** Why the server stops. */
type StopReason = "eof" | StopSignal | "stdout closed";

/** The signals that stop the server (SIGHUP: the terminal it ran in closed). */
type StopSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

/** Exit codes for a second signal while shutting down: 128 + the signal's number, as shells do. */
const SIGNAL_EXIT_CODES: Record<StopSignal, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/** Streams the server reads and writes; stdin and stdout unless a test gives others. */
export interface ServeOptions {
  input?: ReadableStream<Uint8Array>;
  output?: { write(bytes: Uint8Array): Promise<number> };
}

/**
 * Serves MCP until stdin closes, a signal arrives or stdout breaks; returns the exit code (0).
 * Shutdown: requests under way are aborted (after {@link EOF_GRACE_MS} at stdin EOF, at once on a
 * signal) and given a moment to clean up (Dispatcher.abortAll) while queued answers are written
 * (within {@link FLUSH_TIMEOUT_MS}), then the session closes its port-forward and background work.
 * A second signal exits the process at once.
 */
export async function serve(session: Session, options: ServeOptions = {}): Promise<number> {
  const input = options.input ?? Deno.stdin.readable;
  const writer = new LineWriter(options.output ?? Deno.stdout, () => session.redactor());
  const dispatcher = new Dispatcher(session, (message) => writer.write(message));
  const reader = new ChunkReader(input);
  let reason: StopReason | undefined;
  const stop = (why: StopReason) => {
    reason ??= why;
    // Pending reads resolve as done; the read loop below then ends.
    void reader.cancel().catch(() => {});
  };
  const removeSignals = listenForSignals((signal) => {
    if (reason !== undefined && reason !== "eof") {
      // Asked twice: whatever the first shutdown still waits for, stop now.
      session.log.warn(`${signal} again: exiting at once`);
      Deno.exit(SIGNAL_EXIT_CODES[signal]);
    }
    if (reason === "eof") reason = signal; // Shutting down already: skip the rest of the grace.
    session.log.info(`${signal}: shutting down (send it again to exit at once)`);
    dispatcher.endSubscriptions();
    void dispatcher.abortAll();
    stop(signal);
  });
  writer.onClosed = () => stop("stdout closed");

  if (!options.input && Deno.stdin.isTerminal()) {
    // Someone ran us by hand: say what we are waiting for instead of sitting silent.
    session.log.info(
      "Waiting for MCP JSON-RPC on stdin; MCP clients start this server themselves (see README). " +
        'Try: {"jsonrpc":"2.0","id":1,"method":"tools/list"}',
    );
  }
  const decoder = new TextDecoder();
  const lines = new LineSplitter(MAX_LINE_BYTES, (line) => {
    const text = decoder.decode(line).trim();
    if (text === "") return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (error) {
      writer.write(errorResponse(null, "parse_error", "Parse error", {
        detail: (error as Error).message,
      }));
      return;
    }
    dispatcher.receive(message);
  }, (bytes) => {
    writer.write(errorResponse(null, "invalid_request", "Request too large", {
      detail: `The line has more than ${MAX_LINE_BYTES} bytes (${bytes} read before giving up).`,
      limitBytes: MAX_LINE_BYTES,
    }));
  });

  try {
    while (reason === undefined) {
      const chunk = await reader.read();
      if (!chunk) break;
      lines.push(chunk);
    }
  } catch {
    // stdin failed: shut down the same way as at EOF.
  }
  if (reason === undefined) {
    reason = "eof";
    lines.end();
    // Open subscriptions/listen requests end with their graceful empty result, not the grace.
    dispatcher.endSubscriptions();
    // Answers to the last requests are still wanted; a hung one must not hold the exit.
    await dispatcher.drain(EOF_GRACE_MS);
  }
  // Aborted requests clean up (a download removes its partial file) while answers are written.
  await Promise.all([dispatcher.abortAll(), bounded(writer.flush(), FLUSH_TIMEOUT_MS)]);
  writer.close();
  session.close();
  removeSignals();
  return 0;
}

// An answer to initialize: server info, capabilities, instructions (no secret can be in them).
function isInitializeAnswer(message: unknown): boolean {
  const result = (message as { result?: Record<string, unknown> })?.result;
  return typeof result?.protocolVersion === "string" && typeof result?.serverInfo === "object";
}

/**
 * Reads a byte stream into one buffer reused for every read, where the stream allows it (Deno's
 * stdin does). A default reader hands out each read in a fresh 64 KiB buffer: one per request, kept
 * until V8 gets round to collecting it, which showed as tens of MB of RSS over 10,000 calls. The
 * chunk returned is valid until the next read (LineSplitter copies what it keeps).
 */
class ChunkReader {
  #byob?: ReadableStreamBYOBReader;
  #plain?: ReadableStreamDefaultReader<Uint8Array>;
  #buffer = new ArrayBuffer(READ_BUFFER_BYTES);

  constructor(input: ReadableStream<Uint8Array>) {
    try {
      this.#byob = input.getReader({ mode: "byob" });
    } catch {
      this.#plain = input.getReader(); // Not a byte stream: no reading into our own buffer.
    }
  }

  /** The next chunk, or undefined at the end. */
  async read(): Promise<Uint8Array | undefined> {
    if (!this.#byob) {
      const { done, value } = await this.#plain!.read();
      return done ? undefined : value;
    }
    const { done, value } = await this.#byob.read(new Uint8Array(this.#buffer));
    if (done || !value) return undefined;
    this.#buffer = value.buffer; // The same memory, handed back (transferred) with the data.
    return value;
  }

  /** Ends the stream; a pending read resolves as the end. */
  cancel(): Promise<void> {
    return (this.#byob ?? this.#plain)!.cancel();
  }
}

/** Splits a byte stream into lines, bounding how much one line may buffer. */
export class LineSplitter {
  #parts: Uint8Array[] = [];
  #size = 0;
  #discarding = false;
  #max: number;
  #onLine: (line: Uint8Array) => void;
  #onOversize: (bytes: number) => void;

  constructor(
    max: number,
    onLine: (line: Uint8Array) => void,
    onOversize: (bytes: number) => void,
  ) {
    this.#max = max;
    this.#onLine = onLine;
    this.#onOversize = onOversize;
  }

  /** Feeds a chunk; calls back for each complete line in it. */
  push(chunk: Uint8Array): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      this.#append(chunk.subarray(start, end));
      if (newline === -1) return;
      this.#finishLine();
      start = newline + 1;
    }
  }

  /** Flushes a last line that had no newline. */
  end(): void {
    if (this.#size > 0 || this.#discarding) this.#finishLine();
  }

  #append(piece: Uint8Array): void {
    if (piece.length === 0) return;
    this.#size += piece.length;
    if (this.#discarding) return;
    if (this.#size > this.#max) {
      this.#discarding = true;
      this.#parts = [];
      return;
    }
    this.#parts.push(piece.slice());
  }

  #finishLine(): void {
    if (this.#discarding) {
      this.#onOversize(this.#size);
    } else if (this.#parts.length === 1) {
      this.#onLine(this.#parts[0]);
    } else if (this.#parts.length > 1) {
      const line = new Uint8Array(this.#size);
      let offset = 0;
      for (const part of this.#parts) {
        line.set(part, offset);
        offset += part.length;
      }
      this.#onLine(line);
    }
    this.#parts = [];
    this.#size = 0;
    this.#discarding = false;
  }
}

/** Writes JSON messages one per line, in order, never interleaved. */
class LineWriter {
  #output: { write(bytes: Uint8Array): Promise<number> };
  #redactor: () => Promise<{ secrets(text: string): string }>;
  #queue: Promise<void> = Promise.resolve();
  #encoder = new TextEncoder();
  #closed = false;
  onClosed: () => void = () => {};

  constructor(
    output: { write(bytes: Uint8Array): Promise<number> },
    redactor: () => Promise<{ secrets(text: string): string }>,
  ) {
    this.#output = output;
    this.#redactor = redactor;
  }

  /**
   * Queues one message. Every line passes the redactor (known secrets masked), except the answer
   * to initialize, which carries none and must not wait for the redactor to load.
   */
  write(message: unknown): void {
    if (this.#closed) return;
    const line = JSON.stringify(message);
    const plain = isInitializeAnswer(message);
    this.#queue = this.#queue.then(async () => {
      if (this.#closed) return;
      const text = plain ? line : await this.#redacted(line, message);
      if (plain) void this.#redactor().catch(() => {}); // Loaded while the client reads the answer.
      const bytes = this.#encoder.encode(text + "\n");
      if (this.#closed) return;
      try {
        let written = 0;
        while (written < bytes.length) {
          written += await this.#output.write(bytes.subarray(written));
        }
      } catch {
        // The client went away (broken pipe): stop writing and shut down.
        this.#closed = true;
        this.onClosed();
      }
    });
  }

  // Fails closed: without a redactor nothing but an error answer goes out.
  async #redacted(line: string, message: unknown): Promise<string> {
    try {
      return (await this.#redactor()).secrets(line);
    } catch (error) {
      const id = (message as { id?: unknown })?.id;
      return JSON.stringify({
        jsonrpc: "2.0",
        id: typeof id === "string" || typeof id === "number" ? id : null,
        error: { code: -32603, message: `Internal error: the redactor failed to load (${error})` },
      });
    }
  }

  /** Resolves once everything written so far is out (or the output failed). */
  flush(): Promise<void> {
    return this.#queue;
  }

  /** Drops anything still queued and writes nothing more. */
  close(): void {
    this.#closed = true;
  }
}

function listenForSignals(onSignal: (signal: StopSignal) => void): () => void {
  const installed: [Deno.Signal, () => void][] = [];
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const listener = () => onSignal(signal);
    try {
      Deno.addSignalListener(signal, listener);
      installed.push([signal, listener]);
    } catch {
      // SIGTERM and SIGHUP cannot be listened for on Windows.
    }
  }
  return () =>
    installed.forEach(([signal, listener]) => Deno.removeSignalListener(signal, listener));
}
