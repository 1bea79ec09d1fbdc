/**
 * Logging. stdout belongs to JSON-RPC, so every line here goes to stderr, and, once the client
 * has initialized, to the client as `notifications/message` at or above the level it chose.
 */

/** MCP (syslog) severities, lowest first. */
export const LOG_LEVELS = [
  "debug",
  "info",
  "notice",
  "warning",
  "error",
  "critical",
  "alert",
  "emergency",
] as const;

/** One MCP log severity. */
export type LogLevel = typeof LOG_LEVELS[number];

/** Receives log records destined for the MCP client. */
export type ClientLogSink = (level: LogLevel, message: string) => void;

const encoder = new TextEncoder();

function rank(level: LogLevel): number {
  return LOG_LEVELS.indexOf(level);
}

/** A logger writing to stderr and, when connected, to the MCP client. */
export class Logger {
  #stderrLevel: LogLevel = "info";
  #clientLevel: LogLevel = "warning";
  #clientSink?: ClientLogSink;
  #requestSinks = new Set<{ level: LogLevel; sink: ClientLogSink }>();
  #redact: (text: string) => string = (text) => text;

  /** Sets the lowest level written to stderr (`--debug` lowers it to debug). */
  setStderrLevel(level: LogLevel): void {
    this.#stderrLevel = level;
  }

  /** Sets the lowest level forwarded to the client (`logging/setLevel`). */
  setClientLevel(level: LogLevel): void {
    this.#clientLevel = level;
  }

  /** Starts (or, with undefined, stops) forwarding records to the client. */
  connectClient(sink: ClientLogSink | undefined): void {
    this.#clientSink = sink;
  }

  /**
   * Forwards records at or above `level` to `sink` until the returned function is called: the
   * modern era's per-request `io.modelcontextprotocol/logLevel`, which lasts as long as the request.
   */
  addRequestSink(level: LogLevel, sink: ClientLogSink): () => void {
    const entry = { level, sink };
    this.#requestSinks.add(entry);
    return () => this.#requestSinks.delete(entry);
  }

  /** Masks secrets in every record from now on (the redactor, once loaded). */
  redactWith(redact: (text: string) => string): void {
    this.#redact = redact;
  }

  /** Writes one record. Never throws: a broken stderr must not take a request down. */
  log(level: LogLevel, record: string): void {
    const message = this.#redact(record);
    if (rank(level) >= rank(this.#stderrLevel)) {
      try {
        Deno.stderr.writeSync(encoder.encode(`[kubeshark-mcp] ${level}: ${message}\n`));
      } catch {
        // stderr closed: nothing useful left to do with the record.
      }
    }
    if (this.#clientSink && rank(level) >= rank(this.#clientLevel)) {
      this.#clientSink(level, message);
    }
    for (const { level: threshold, sink } of this.#requestSinks) {
      if (rank(level) >= rank(threshold)) sink(level, message);
    }
  }

  /** Logs at debug level. */
  debug(message: string): void {
    this.log("debug", message);
  }

  /** Logs at info level. */
  info(message: string): void {
    this.log("info", message);
  }

  /** Logs at warning level. */
  warn(message: string): void {
    this.log("warning", message);
  }

  /** Logs at error level. */
  error(message: string): void {
    this.log("error", message);
  }
}
