/** Spawns the real kubeshark-mcp and talks to it over stdio, as an MCP client would. */
import { mainCommand } from "./spawn.ts";

/** How long a wait for a message may take before the test fails saying what it waited for. */
export const WAIT_MS = 20_000;

/** One JSON-RPC message as received. */
// deno-lint-ignore no-explicit-any
export type Message = Record<string, any>;

/** A running server process with a line-based JSON-RPC client attached. */
export class McpProcess {
  readonly child: Deno.ChildProcess;
  /** Every message received, in order. */
  readonly received: Message[] = [];
  /** Everything written to stderr, as text. */
  stderr = "";
  /** Raw stdout lines that were not JSON (must stay empty). */
  readonly garbage: string[] = [];
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #waiters: { match: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  #nextId = 1;
  #done: Promise<void>;
  #stderrDone: Promise<void>;

  constructor(
    args: string[],
    options: { env?: Record<string, string>; cwd?: string; runtimeFlags?: string[] } = {},
  ) {
    this.child = mainCommand(args, { ...options, stdin: "piped" }).spawn();
    this.#writer = this.child.stdin.getWriter();
    this.#done = this.#readStdout();
    this.#stderrDone = this.#readStderr();
  }

  /** Sends a raw line (a newline is added). */
  async sendLine(line: string): Promise<void> {
    await this.#writer.write(new TextEncoder().encode(line + "\n"));
  }

  /** Sends text as is, without a newline. */
  async sendRaw(text: string): Promise<void> {
    await this.#writer.write(new TextEncoder().encode(text));
  }

  /** Sends a message object. */
  async send(message: Message): Promise<void> {
    await this.sendLine(JSON.stringify(message));
  }

  /** Sends a request and waits for its response. */
  async request(method: string, params?: unknown, id: number | string = this.#nextId++) {
    const response = this.waitFor(
      (m) => m.id === id && !("method" in m),
      `the response to ${method} (id ${JSON.stringify(id)})`,
    );
    await this.send({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) });
    return await response;
  }

  /** Sends a notification. */
  async notify(method: string, params?: unknown): Promise<void> {
    await this.send({ jsonrpc: "2.0", method, ...(params === undefined ? {} : { params }) });
  }

  /** initialize + notifications/initialized; returns the initialize result. */
  async initialize(protocolVersion = "2025-06-18") {
    const response = await this.request("initialize", {
      protocolVersion,
      capabilities: {},
      clientInfo: { name: "test", version: "1" },
    });
    await this.notify("notifications/initialized");
    return response.result;
  }

  /** Calls a tool and returns the result (throws on a JSON-RPC error). */
  async callTool(name: string, args?: unknown, meta?: unknown) {
    const response = await this.request("tools/call", {
      name,
      ...(args === undefined ? {} : { arguments: args }),
      ...(meta === undefined ? {} : { _meta: meta }),
    });
    if (response.error) throw new Error(`tools/call ${name}: ${JSON.stringify(response.error)}`);
    return response.result;
  }

  /**
   * Resolves with the first message (already received or future) that matches; rejects after
   * `timeoutMs`, naming `what` and the last messages, so a regression fails instead of hanging.
   */
  waitFor(
    match: (m: Message) => boolean,
    what = "a message",
    timeoutMs = WAIT_MS,
  ): Promise<Message> {
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (message: Message) => {
          clearTimeout(timer);
          resolve(message);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        const last = this.received.slice(-3).map((m) => JSON.stringify(m).slice(0, 200));
        reject(
          new Error(
            `Timed out after ${timeoutMs} ms waiting for ${what}; last messages: ${
              last.join(" | ") || "none"
            }; stderr: ${this.stderr.slice(-500)}`,
          ),
        );
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** A fresh id for hand-built requests. */
  nextId(): number {
    return this.#nextId++;
  }

  /** Closes stdin and waits for the exit status. */
  async close(): Promise<Deno.CommandStatus> {
    await this.#writer.close().catch(() => {});
    const status = await this.child.status;
    await this.#done;
    await this.#stderrDone;
    return status;
  }

  /** Kills the process (for tests that leave it hanging) and waits for it. */
  async kill(): Promise<void> {
    try {
      this.child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await this.close();
  }

  async #readStdout(): Promise<void> {
    const lines = this.child.stdout.pipeThrough(new TextDecoderStream());
    let buffer = "";
    for await (const chunk of lines) {
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf("\n")) !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        this.#accept(line);
      }
    }
    if (buffer) this.#accept(buffer);
  }

  #accept(line: string): void {
    let message: Message;
    try {
      message = JSON.parse(line);
    } catch {
      this.garbage.push(line);
      return;
    }
    for (const item of Array.isArray(message) ? [message, ...message] : [message]) {
      this.received.push(item);
      this.#waiters = this.#waiters.filter((waiter) => {
        if (!waiter.match(item)) return true;
        waiter.resolve(item);
        return false;
      });
    }
  }

  async #readStderr(): Promise<void> {
    for await (const chunk of this.child.stderr.pipeThrough(new TextDecoderStream())) {
      this.stderr += chunk;
    }
  }
}
