/**
 * Fault injection, one test per way a Hub fails: the real server in URL mode over stdio, a Hub
 * double (or a raw TCP double) that misbehaves. Each fault must become an `isError` tool result
 * naming the class of failure and a next step, and the next call, once the fault is gone, must
 * succeed. Class words are matched loosely so the tests survive rewording.
 */
import assert from "node:assert/strict";
import { freePort, textOf, withHubAndServer } from "./support/harness.ts";
import { HUB_DOCUMENT, HubDouble, type Route } from "./support/hub_double.ts";
import { McpProcess } from "./support/mcp_process.ts";

// deno-lint-ignore no-explicit-any
type Result = any;

/** Calls the Hub's list_workloads; returns the tool result (never a JSON-RPC error). */
async function callHub(server: McpProcess): Promise<Result> {
  return await server.callTool("list_workloads", { namespace: "shop" });
}

/** Asserts an isError result whose text matches the failure class and names a next step. */
function assertFailure(result: Result, kind: RegExp, nextStep: RegExp): string {
  assert.equal(result.isError, true, `expected isError, got ${JSON.stringify(result)}`);
  const text = textOf(result);
  assert.match(text, kind, "the message names the class of failure");
  assert.match(text, nextStep, "the message names a next step");
  return text;
}

/** Asserts an ordinary Hub answer came through. */
function assertRecovered(result: Result): void {
  assert.notEqual(result.isError, true, `expected a result, got ${JSON.stringify(result)}`);
  assert.match(textOf(result), /list_workloads/);
}

/** Runs `body` with a route installed on the Hub; `clear()` removes it (the fault is gone). */
async function withFault(
  route: Route,
  body: (server: McpProcess, clear: () => void) => Promise<void>,
  args: string[] = [],
): Promise<void> {
  await withHubAndServer(async (server, hub) => {
    const fault: Route = (request, url) =>
      url.pathname === "/api/mcp/tools/call" ? route(request, url) : undefined;
    hub.routes.push(fault);
    await server.initialize();
    await body(server, () => hub.routes.splice(hub.routes.indexOf(fault), 1));
  }, { args });
}

const CUT_OFF_JSON = '{"workloads": [{"namespace": "default", "pod": "frontend-1", "serv';

Deno.test("a refused connection is 'cannot reach', and calls work once the Hub is up", async () => {
  const port = freePort();
  const server = new McpProcess(["--url", `http://127.0.0.1:${port}`]);
  let hub: HubDouble | undefined;
  try {
    await server.initialize();
    assertFailure(
      await callHub(server),
      /cannot reach|unreachable|refused/i,
      /running|check|--url|address/i,
    );
    hub = new HubDouble(port);
    assertRecovered(await callHub(server));
  } finally {
    await server.kill();
    await hub?.close();
  }
});

Deno.test("a Hub that hangs is a timeout after --hub-timeout, and the next call works", async () => {
  let hub: HubDouble | undefined;
  await withHubAndServer(async (server, double) => {
    hub = double;
    const fault: Route = (_request, url) =>
      url.pathname === "/api/mcp/tools/call" ? hub!.hang() : undefined;
    hub.routes.push(fault);
    await server.initialize();
    assertFailure(
      await callHub(server),
      /timeout|did not answer|timed out/i,
      /--hub-timeout|narrow|retry/i,
    );
    hub.routes.splice(hub.routes.indexOf(fault), 1);
    assertRecovered(await callHub(server));
  }, { args: ["--hub-timeout", "1"] });
});

const ERROR_PAGE = "<!DOCTYPE html><html><head><title>500 Internal Server Error</title>" +
  "<style>body{font:14px sans-serif}</style></head><body><h1>Internal Server Error</h1>" +
  `<p>${"The server encountered an internal error. ".repeat(40)}</p></body></html>`;

function errorPage(): Response {
  return new Response(ERROR_PAGE, { status: 500, headers: { "content-type": "text/html" } });
}

Deno.test("a 500 with an HTML page is a server error, and the next call works", async () => {
  await withFault(errorPage, async (server, clear) => {
    assertFailure(await callHub(server), /500|server error|failed/i, /retry|narrow|logs/i);
    clear();
    assertRecovered(await callHub(server));
  });
});

Deno.test({
  name: "a 500's HTML page reaches the model as its text, not its markup",
  fn: async () => {
    await withFault(errorPage, async (server) => {
      const text = assertFailure(await callHub(server), /500|server error/i, /retry|logs/i);
      assert.doesNotMatch(text, /<html|<head|<style|<body/i, "HTML markup reached the model");
      assert.match(text, /Internal Server Error/);
    });
  },
});

Deno.test("a 200 with cut-off JSON under a JSON content type is an error, not a result", async () => {
  await withFault(
    () => new Response(CUT_OFF_JSON, { headers: { "content-type": "application/json" } }),
    async (server, clear) => {
      assertFailure(
        await callHub(server),
        /cut off|not (valid )?JSON|invalid JSON|incomplete/i,
        /retry|narrow|again/i,
      );
      clear();
      assertRecovered(await callHub(server));
    },
  );
});

Deno.test("an answer over --max-hub-bytes is 'too large', naming the limit, and the next call works", async () => {
  const big = JSON.stringify({ items: "x".repeat(300_000) });
  await withFault(
    () => new Response(big, { headers: { "content-type": "application/json" } }),
    async (server, clear) => {
      assertFailure(
        await callHub(server),
        /too large|exceed|over the limit|larger than/i,
        /--max-hub-bytes|narrow|smaller|limit/i,
      );
      clear();
      assertRecovered(await callHub(server));
    },
    ["--max-hub-bytes", "64KiB"],
  );
});

Deno.test("a slow drip is a timeout after --hub-timeout, and the next call works", async () => {
  const drip = () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"items": ['));
        const tick = () => {
          try {
            controller.enqueue(new TextEncoder().encode("1,"));
            timer = setTimeout(tick, 200);
          } catch {
            // The client went away.
          }
        };
        timer = setTimeout(tick, 200);
      },
      cancel() {
        clearTimeout(timer);
      },
    });
    return new Response(body, { headers: { "content-type": "application/json" } });
  };
  await withFault(drip, async (server, clear) => {
    assertFailure(
      await callHub(server),
      /timeout|did not answer|timed out|too slow/i,
      /--hub-timeout|narrow|retry/i,
    );
    clear();
    assertRecovered(await callHub(server));
  }, ["--hub-timeout", "1"]);
});

Deno.test("a 401 asks for credentials, and the next call works once the Hub lets us in", async () => {
  await withFault(
    () => new Response("unauthorized", { status: 401 }),
    async (server, clear) => {
      assertFailure(
        await callHub(server),
        /auth|401|credential|token/i,
        /--token|KUBESHARK_HUB_TOKEN|license/i,
      );
      clear();
      assertRecovered(await callHub(server));
    },
  );
});

Deno.test("an unresolvable host is 'cannot reach' naming the address; the server keeps serving", async () => {
  const server = new McpProcess(["--url", "http://kubeshark-hub.invalid", "--hub-timeout", "5"]);
  try {
    await server.initialize();
    const text = assertFailure(
      await callHub(server),
      /cannot reach|unreachable|resolve|dns|not known/i,
      /--url|address|check/i,
    );
    assert.match(text, /kubeshark-hub\.invalid/);
    // Nothing to recover to with a fixed URL; the process must stay healthy and say it again.
    assert.deepEqual((await server.request("ping")).result, {});
    assertFailure(await callHub(server), /cannot reach|unreachable|resolve|dns|not known/i, /./);
  } finally {
    await server.kill();
  }
});

/**
 * A Hub on raw TCP, for faults HTTP servers will not produce: tool calls get a Content-Length
 * larger than the body and the connection dropped mid-body, until `healthy` is set.
 */
class RawHub {
  healthy = false;
  #listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  #served: Promise<void>;

  constructor() {
    this.#served = this.#serve();
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#listener.addr as Deno.NetAddr).port}`;
  }

  async close(): Promise<void> {
    this.#listener.close();
    await this.#served;
  }

  async #serve(): Promise<void> {
    try {
      for await (const conn of this.#listener) void this.#answer(conn);
    } catch {
      // Closed.
    }
  }

  async #answer(conn: Deno.Conn): Promise<void> {
    try {
      const head = await readHead(conn);
      const path = head.split(" ")[1] ?? "";
      const encoder = new TextEncoder();
      const respond = async (body: string, declared = encoder.encode(body).length) => {
        await writeAll(
          conn,
          encoder.encode(
            `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${declared}\r\n` +
              `connection: close\r\n\r\n${body}`,
          ),
        );
      };
      if (path === "/api/mcp") {
        await respond(JSON.stringify(HUB_DOCUMENT));
      } else if (!this.healthy) {
        // Half of what was promised, then the connection goes away.
        await respond('{"tool": "list_workloads", "items": [1, 2, ', 10_000);
      } else {
        await respond(JSON.stringify({ tool: "list_workloads", items: [1, 2, 3] }));
      }
    } catch {
      // The client went away first.
    } finally {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    }
  }
}

async function readHead(conn: Deno.Conn): Promise<string> {
  const buffer = new Uint8Array(64 * 1024);
  let text = "";
  while (!text.includes("\r\n\r\n")) {
    const n = await conn.read(buffer);
    if (n === null) break;
    text += new TextDecoder().decode(buffer.subarray(0, n));
  }
  return text;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}

Deno.test("a connection dropped mid-body is 'cut off', and the next call works", async () => {
  const hub = new RawHub();
  const server = new McpProcess(["--url", hub.url, "--hub-timeout", "5"]);
  try {
    await server.initialize();
    assertFailure(
      await callHub(server),
      /cut off|closed|reset|incomplete|interrupted|connection/i,
      /retry|again|check|narrow/i,
    );
    hub.healthy = true;
    assertRecovered(await callHub(server));
  } finally {
    await server.kill();
    await hub.close();
  }
});

Deno.test({
  name: "a connection dropped mid-body is named as a cut-off answer, not an unreachable Hub",
  fn: async () => {
    const hub = new RawHub();
    const server = new McpProcess(["--url", hub.url, "--hub-timeout", "5"]);
    try {
      await server.initialize();
      const text = assertFailure(
        await callHub(server),
        /cut off|reset|incomplete|interrupted/i,
        /retry|again/i,
      );
      assert.doesNotMatch(text, /cannot reach|is running/i);
    } finally {
      await server.kill();
      await hub.close();
    }
  },
});
