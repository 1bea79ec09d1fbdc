/** The real server process serving MCP over HTTP on 127.0.0.1:0, for tests and benchmarks. */
import { childEnv } from "./env.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const START_DEADLINE_MS = 30_000;

/** A spawned `kubeshark-mcp --http 127.0.0.1:0 …`. */
export class HttpProcess {
  /** The base address, e.g. http://127.0.0.1:41234 (MCP is at `${url}/mcp`). */
  readonly url: string;
  #child: Deno.ChildProcess;
  #stderr: string[];
  #pump: Promise<void>;

  private constructor(
    child: Deno.ChildProcess,
    url: string,
    stderr: string[],
    pump: Promise<void>,
  ) {
    this.#child = child;
    this.url = url;
    this.#stderr = stderr;
    this.#pump = pump;
  }

  /** The MCP endpoint. */
  get endpoint(): string {
    return `${this.url}/mcp`;
  }

  /** Everything written to stderr so far. */
  get stderr(): string {
    return this.#stderr.join("");
  }

  /** Spawns the server and waits until it says where it listens. */
  static async start(
    args: string[],
    options: { env?: Record<string, string> } = {},
  ): Promise<HttpProcess> {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", "--quiet", MAIN, "--http", "127.0.0.1:0", ...args],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      env: childEnv(options.env),
    }).spawn();
    const stderr: string[] = [];
    let found: (url: string) => void = () => {};
    const listening = new Promise<string>((resolve) => found = resolve);
    const pump = (async () => {
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
        stderr.push(chunk);
        const match = /Serving MCP over HTTP at (\S+)\/mcp/.exec(stderr.join(""));
        if (match) found(match[1]);
      }
    })();
    let timer = 0;
    const deadline = new Promise<never>((_, reject) => {
      timer = Number(setTimeout(
        () => reject(new Error(`the server did not listen in time:\n${stderr.join("")}`)),
        START_DEADLINE_MS,
      ));
    });
    const exited = child.status.then((status) => {
      throw new Error(`the server exited (${status.code}) before listening:\n${stderr.join("")}`);
    });
    try {
      const url = await Promise.race([listening, deadline, exited]);
      return new HttpProcess(child, url, stderr, pump);
    } catch (error) {
      try {
        child.kill();
      } catch { /* already gone */ }
      await pump.catch(() => {});
      throw error;
    } finally {
      clearTimeout(timer);
      exited.catch(() => {});
    }
  }

  /** Stops the server (SIGTERM) and waits for it. */
  async kill(): Promise<Deno.CommandStatus> {
    try {
      this.#child.kill("SIGTERM");
    } catch { /* already gone */ }
    const timer = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch { /* gone */ }
    }, 5_000);
    const status = await this.#child.status;
    clearTimeout(timer);
    await this.#pump.catch(() => {});
    return status;
  }
}

/** Runs `body` against a fresh server process, always stopping it. */
export async function withHttpServer(
  args: string[],
  body: (server: HttpProcess) => Promise<void>,
  options: { env?: Record<string, string> } = {},
): Promise<void> {
  const server = await HttpProcess.start(args, options);
  try {
    await body(server);
  } finally {
    await server.kill();
  }
}

/** Headers of a raw MCP POST. */
export const POST_HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
};

/** An initialize request body. */
export function initializeBody(id: number | string = 1, version = "2025-11-25") {
  return {
    jsonrpc: "2.0",
    id,
    method: "initialize",
    params: {
      protocolVersion: version,
      capabilities: {},
      clientInfo: { name: "raw", version: "1" },
    },
  };
}
