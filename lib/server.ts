/**
 * The stdio transport: newline-delimited JSON-RPC on stdin, responses on stdout. This module owns
 * stdout; nothing else writes there while serving.
 */
import { Dispatcher, errorResponse } from "./dispatcher.ts";
import type { Session } from "./session.ts";

/** Longest line accepted; a longer one is answered with an error and skipped, never fatal. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/** How long requests under way may finish after stdin closes. */
const SHUTDOWN_GRACE_MS = 2_000;

const NEWLINE = 0x0a;

/** Streams the server reads and writes; stdin and stdout unless a test gives others. */
export interface ServeOptions {
  input?: ReadableStream<Uint8Array>;
  output?: { write(bytes: Uint8Array): Promise<number> };
}

/** Serves MCP until stdin closes (or a signal arrives); returns the exit code. */
export async function serve(session: Session, options: ServeOptions = {}): Promise<number> {
  const input = options.input ?? Deno.stdin.readable;
  const writer = new LineWriter(options.output ?? Deno.stdout);
  const dispatcher = new Dispatcher(session, (message) => writer.write(message));
  const reader = input.getReader();
  const stop = () => void reader.cancel().catch(() => {});
  const signals = listenForSignals(stop);
  writer.onClosed = stop;

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
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      lines.push(value);
    }
  } catch {
    // stdin failed or was cancelled by a signal: shut down the same way as at EOF.
  }
  lines.end();
  dispatcher.endSubscriptions();
  await dispatcher.drain(SHUTDOWN_GRACE_MS);
  dispatcher.abortAll();
  await writer.flush();
  session.close();
  signals();
  return 0;
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
  #queue: Promise<void> = Promise.resolve();
  #encoder = new TextEncoder();
  #closed = false;
  onClosed: () => void = () => {};

  constructor(output: { write(bytes: Uint8Array): Promise<number> }) {
    this.#output = output;
  }

  write(message: unknown): void {
    if (this.#closed) return;
    const bytes = this.#encoder.encode(JSON.stringify(message) + "\n");
    this.#queue = this.#queue.then(async () => {
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

  flush(): Promise<void> {
    return this.#queue;
  }
}

function listenForSignals(onSignal: () => void): () => void {
  const installed: Deno.Signal[] = [];
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(signal, onSignal);
      installed.push(signal);
    } catch {
      // SIGTERM cannot be listened for on Windows.
    }
  }
  return () => installed.forEach((signal) => Deno.removeSignalListener(signal, onSignal));
}
