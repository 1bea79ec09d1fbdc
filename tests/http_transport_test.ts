/**
 * MCP Streamable HTTP (`--http`), 2025 revisions, driven by the official clients and on the raw
 * wire against the real process: sessions, JSON and SSE answers, the GET stream, DELETE.
 */
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import {
  Client as Client2,
  StreamableHTTPClientTransport as Transport2,
} from "@modelcontextprotocol/client";
import { createModeAccess } from "../lib/access.ts";
import { parseCommandLine } from "../lib/cli.ts";
import { startHttpServer } from "../lib/http/mod.ts";
import { Logger } from "../lib/log.ts";
import { Session } from "../lib/session.ts";
import { downloadStarted, endlessFile, HUB_DOCUMENT, HubDouble } from "./support/hub_double.ts";
import { freePort } from "./support/harness.ts";
import {
  HttpProcess,
  initializeBody,
  POST_HEADERS,
  withHttpServer,
} from "./support/http_process.ts";

const LOCAL_TOOLS = ["check_kubeshark_status", "get_file_url", "download_file"];

async function connectSdk(endpoint: string) {
  const client = new Client({ name: "sdk1-http", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(endpoint));
  await client.connect(transport);
  return { client, transport };
}

/** Waits for `condition`, failing after `ms`. */
async function until(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

Deno.test("the 1.x SDK over HTTP initializes, lists, calls a Hub tool, and sees list_changed when the Hub appears", async () => {
  const port = freePort();
  let hub: HubDouble | undefined;
  await withHttpServer(["--url", `http://127.0.0.1:${port}`], async (server) => {
    const { client, transport } = await connectSdk(server.endpoint);
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changed++;
    });
    try {
      assert.equal(client.getServerVersion()?.name, "kubeshark-mcp");
      assert.ok(transport.sessionId, "the server named a session");
      const before = await client.listTools();
      assert.deepEqual(before.tools.map((t: { name: string }) => t.name), LOCAL_TOOLS);

      hub = new HubDouble(port);
      await until(() => changed > 0, "list_changed on the GET stream");
      const after = await client.listTools();
      assert.equal(after.tools.length, LOCAL_TOOLS.length + HUB_DOCUMENT.tools.length);

      const call = await client.callTool({
        name: "list_workloads",
        arguments: { namespace: "shop" },
      });
      assert.equal(call.isError, undefined);
      assert.deepEqual(call.structuredContent, {
        tool: "list_workloads",
        arguments: { namespace: "shop" },
        items: [1, 2, 3],
      });
      await client.ping();
    } finally {
      await client.close();
      await hub?.close();
    }
  });
});

Deno.test("the 2.4.0 client (legacy negotiation) over HTTP lists, calls and receives list_changed", async () => {
  const port = freePort();
  let hub: HubDouble | undefined;
  await withHttpServer(["--url", `http://127.0.0.1:${port}`], async (server) => {
    let changes = 0;
    const client = new Client2({ name: "sdk2-http", version: "2.4.0" }, {
      listChanged: { tools: { onChanged: () => changes++ } },
    });
    await client.connect(new Transport2(new URL(server.endpoint)));
    try {
      assert.equal(client.getServerVersion()?.name, "kubeshark-mcp");
      const before = await client.listTools();
      assert.deepEqual(before.tools.map((t: { name: string }) => t.name), LOCAL_TOOLS);
      hub = new HubDouble(port);
      await until(() => changes > 0, "list_changed");
      const call = await client.callTool({ name: "list_api_calls", arguments: { limit: 2 } });
      assert.equal(call.isError, undefined);
      assert.match(JSON.stringify(call.content), /list_api_calls/);
    } finally {
      await client.close();
      await hub?.close();
    }
  });
});

Deno.test("two clients at once get separate sessions over one shared Hub catalog", async () => {
  const hub = new HubDouble();
  try {
    await withHttpServer(["--url", hub.url], async (server) => {
      const [a, b] = await Promise.all([connectSdk(server.endpoint), connectSdk(server.endpoint)]);
      try {
        assert.notEqual(a.transport.sessionId, b.transport.sessionId);
        const [listA, listB] = await Promise.all([a.client.listTools(), b.client.listTools()]);
        assert.deepEqual(listA.tools, listB.tools);
        const calls = await Promise.all(
          [a, b, a, b].map(({ client }, i) =>
            client.callTool({ name: "list_workloads", arguments: { namespace: `ns${i}` } })
          ),
        );
        calls.forEach((call: { structuredContent?: unknown }, i: number) =>
          assert.equal(
            (call.structuredContent as { arguments: { namespace: string } })
              .arguments.namespace,
            `ns${i}`,
          )
        );
        // One catalog for the process: the Hub was asked for its tools once, not per session.
        assert.equal(hub.requests.filter((r) => r.path === "/api/mcp").length, 1);
      } finally {
        await a.client.close();
        await b.client.close();
      }
    });
  } finally {
    await hub.close();
  }
});

Deno.test("DELETE ends a session: its id is then unknown (404)", async () => {
  await withHttpServer(["--demo"], async (server) => {
    const init = await fetch(server.endpoint, {
      method: "POST",
      headers: POST_HEADERS,
      body: JSON.stringify(initializeBody()),
    });
    assert.equal(init.status, 200);
    const session = init.headers.get("mcp-session-id");
    assert.ok(session);
    assert.equal((await init.json()).result.serverInfo.name, "kubeshark-mcp");
    const headers = { ...POST_HEADERS, "mcp-session-id": session };
    const list = await fetch(server.endpoint, {
      method: "POST",
      headers,
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    });
    assert.equal(list.status, 200);
    assert.ok((await list.json()).result.tools.length > 0);

    const ended = await fetch(server.endpoint, { method: "DELETE", headers });
    await ended.body?.cancel();
    assert.equal(ended.status, 200);
    const after = await fetch(server.endpoint, {
      method: "POST",
      headers,
      body: JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/list" }),
    });
    assert.equal(after.status, 404);
    assert.equal((await after.json()).error.code, -32001);
  });
});

Deno.test("a 2025 request without a session id is refused with 400, and notifications get 202", async () => {
  await withHttpServer(["--demo"], async (server) => {
    const orphan = await fetch(server.endpoint, {
      method: "POST",
      headers: POST_HEADERS,
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    assert.equal(orphan.status, 400);
    assert.match((await orphan.json()).error.message, /Mcp-Session-Id/);

    const init = await fetch(server.endpoint, {
      method: "POST",
      headers: POST_HEADERS,
      body: JSON.stringify(initializeBody()),
    });
    const session = init.headers.get("mcp-session-id")!;
    await init.body?.cancel();
    const note = await fetch(server.endpoint, {
      method: "POST",
      headers: { ...POST_HEADERS, "mcp-session-id": session },
      body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
    });
    await note.body?.cancel();
    assert.equal(note.status, 202);
  });
});

Deno.test("a tool call is answered as an SSE stream when the client accepts one, as JSON otherwise", async () => {
  await withHttpServer(["--demo"], async (server) => {
    const init = await fetch(server.endpoint, {
      method: "POST",
      headers: POST_HEADERS,
      body: JSON.stringify(initializeBody()),
    });
    const session = init.headers.get("mcp-session-id")!;
    await init.body?.cancel();
    const call = { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "get_api_stats" } };
    const streamed = await fetch(server.endpoint, {
      method: "POST",
      headers: { ...POST_HEADERS, "mcp-session-id": session },
      body: JSON.stringify(call),
    });
    assert.equal(streamed.headers.get("content-type"), "text/event-stream");
    const text = await streamed.text();
    const data = text.split("\n").filter((line) => line.startsWith("data: "));
    assert.equal(JSON.parse(data.at(-1)!.slice(6)).id, 7);

    const plain = await fetch(server.endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        "mcp-session-id": session,
      },
      body: JSON.stringify({ ...call, id: 8 }),
    });
    assert.match(plain.headers.get("content-type") ?? "", /application\/json/);
    assert.equal((await plain.json()).id, 8);
  });
});

Deno.test("an unsupported MCP-Protocol-Version header is refused with 400", async () => {
  await withHttpServer(["--demo"], async (server) => {
    const response = await fetch(server.endpoint, {
      method: "POST",
      headers: { ...POST_HEADERS, "mcp-protocol-version": "1999-01-01" },
      body: JSON.stringify(initializeBody()),
    });
    assert.equal(response.status, 400);
    assert.match((await response.json()).error.message, /1999-01-01/);
  });
});

Deno.test("an idle session expires: its id is then unknown (404)", async () => {
  const { config } = await parseCommandLine(["--demo"], new Map());
  const log = new Logger();
  log.setStderrLevel("error");
  const root = new Session(config, log, createModeAccess(config, log));
  const server = await startHttpServer(root, {
    hostname: "127.0.0.1",
    port: 0,
    sessionIdleMs: 1_000,
  });
  const endpoint = `${server.url}/mcp`;
  try {
    const init = await fetch(endpoint, {
      method: "POST",
      headers: POST_HEADERS,
      body: JSON.stringify(initializeBody()),
    });
    const headers = { ...POST_HEADERS, "mcp-session-id": init.headers.get("mcp-session-id")! };
    await init.body?.cancel();
    const list = () =>
      fetch(endpoint, {
        method: "POST",
        headers,
        body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
      });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const expired = await list();
    await expired.body?.cancel();
    assert.equal(expired.status, 404);
  } finally {
    await server.shutdown();
  }
});

Deno.test("answers over HTTP never carry a secret the server holds (the Hub token is masked)", async () => {
  const hub = new HubDouble();
  const secret = "hub-token-0123456789abcdef";
  try {
    await withHttpServer(["--url", hub.url, "--token", secret], async (server) => {
      const { client } = await connectSdk(server.endpoint);
      try {
        // The Hub double echoes the arguments: the token comes back in its answer.
        const call = await client.callTool({
          name: "list_workloads",
          arguments: { namespace: secret },
        });
        assert.ok(!JSON.stringify(call).includes(secret), JSON.stringify(call));
        // A local tool's answer passes the transport's mask too.
        const url = await client.callTool({
          name: "get_file_url",
          arguments: { path: `/snapshots/${secret}/data.pcap` },
        });
        assert.ok(!JSON.stringify(url).includes(secret), JSON.stringify(url));
      } finally {
        await client.close();
      }
    });
  } finally {
    await hub.close();
  }
});

Deno.test("SIGTERM during a download over HTTP ends the server with 0 and leaves no partial file", async () => {
  const hub = new HubDouble();
  hub.routes.push((_request, url) =>
    url.pathname.endsWith("/data.pcap") ? endlessFile() : undefined
  );
  const dir = await Deno.makeTempDir();
  try {
    // Three rounds: without waiting for the aborted download's cleanup, the process usually
    // exits before it removes its file, not always.
    for (let round = 0; round < 3; round++) {
      const server = await HttpProcess.start(["--url", hub.url, "--download-dir", dir]);
      let status: Deno.CommandStatus | undefined;
      try {
        const init = await fetch(`${server.url}/mcp`, {
          method: "POST",
          headers: POST_HEADERS,
          body: JSON.stringify(initializeBody()),
        });
        await init.body?.cancel();
        const headers = {
          ...POST_HEADERS,
          "mcp-session-id": init.headers.get("mcp-session-id")!,
          "mcp-protocol-version": "2025-11-25",
        };
        const call = fetch(`${server.url}/mcp`, {
          method: "POST",
          headers,
          body: JSON.stringify({
            jsonrpc: "2.0",
            id: 2,
            method: "tools/call",
            params: { name: "download_file", arguments: { path: "/snapshots/s1/data.pcap" } },
          }),
        }).then((response) => response.text()).catch(() => "");
        await downloadStarted(dir);
        status = await server.kill();
        await call;
      } finally {
        status ??= await server.kill();
      }
      assert.equal(status.code, 0);
      assert.deepEqual([...Deno.readDirSync(dir)].map((entry) => entry.name), []);
    }
  } finally {
    await hub.close();
    await Deno.remove(dir, { recursive: true });
  }
});
