/**
 * MCP 2026-07-28 ("modern era") on the raw wire, beside the 2025 revisions on the same process.
 *
 * The shapes these tests pin (from the 2026-07-28 specification and what
 * `@modelcontextprotocol/client` 2.4.0 sends and validates):
 * - A modern request carries, in `params._meta`, `io.modelcontextprotocol/protocolVersion`
 *   ("2026-07-28") and `io.modelcontextprotocol/clientCapabilities` (both required: -32602 when
 *   the capabilities are missing), `io.modelcontextprotocol/clientInfo` ({name, version}) and
 *   optionally `io.modelcontextprotocol/logLevel`. No `initialize` comes first.
 * - `server/discover` → `{resultType: "complete", supportedVersions, capabilities, instructions,
 *   ttlMs, cacheScope, _meta: {"io.modelcontextprotocol/serverInfo": {name, version}}}`.
 * - An unknown version → -32022 `{data: {supported, requested}}`; the client picks a modern
 *   version from `supported` and retries.
 * - Every modern result carries `resultType` and the serverInfo `_meta`; `tools/list`,
 *   `prompts/list`, `resources/list`, `resources/templates/list`, `resources/read` carry `ttlMs`
 *   (integer ≥ 0) and `cacheScope` ("public" | "private").
 * - `ping` and `logging/setLevel` do not exist in the modern era (-32601); an unknown resource is
 *   -32602 there and stays -32002 for 2025 clients.
 * - `subscriptions/listen {notifications: {toolsListChanged, promptsListChanged, …}}` is answered
 *   by `notifications/subscriptions/acknowledged {_meta: {subscriptionId: <the request id>},
 *   notifications: <what we honour>}` and then change notifications carrying the same
 *   subscriptionId; `notifications/cancelled` for the listen id ends it with no response.
 */
import assert from "node:assert/strict";
import { HUB_DOCUMENT, HubDouble } from "./support/hub_double.ts";
import { freePort, withHubAndServer, withServer } from "./support/harness.ts";
import { McpProcess, type Message } from "./support/mcp_process.ts";

const MODERN = "2026-07-28";

/** The `_meta` envelope of a modern request. */
function modernMeta(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientCapabilities": {},
    "io.modelcontextprotocol/clientInfo": { name: "wire-test", version: "1.0.0" },
    ...extra,
  };
}

/** Resolves as `promise` does, or fails naming `what` after `ms` (every wait has a deadline). */
async function within<T>(promise: Promise<T>, what: string, ms = 20_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function modern(
  server: McpProcess,
  method: string,
  params: Record<string, unknown> = {},
  meta: Record<string, unknown> = {},
): Promise<Message> {
  return server.request(method, { ...params, _meta: modernMeta(meta) });
}

Deno.test("server/discover answers our versions, capabilities, identity and cache hints without initialize", async () => {
  await withServer(["--demo"], async (server) => {
    const { result } = await modern(server, "server/discover");
    assert.equal(result.resultType, "complete");
    assert.deepEqual(result.supportedVersions, [
      "2026-07-28",
      "2025-11-25",
      "2025-06-18",
      "2025-03-26",
      "2024-11-05",
    ]);
    assert.deepEqual(result.capabilities.tools, { listChanged: true });
    assert.deepEqual(result.capabilities.prompts, { listChanged: true });
    assert.ok(result.capabilities.resources);
    assert.deepEqual(result.capabilities.extensions, { "io.modelcontextprotocol/tasks": {} });
    assert.equal(result._meta["io.modelcontextprotocol/serverInfo"].name, "kubeshark-mcp");
    assert.match(result.instructions, /check_kubeshark_status/);
    assert.ok(Number.isInteger(result.ttlMs) && result.ttlMs >= 0);
    assert.ok(["public", "private"].includes(result.cacheScope));
  });
});

Deno.test("a request naming a version we do not serve answers -32022 with our supported list", async () => {
  await withServer(["--demo"], async (server) => {
    const response = await modern(server, "server/discover", {}, {
      "io.modelcontextprotocol/protocolVersion": "1900-01-01",
    });
    assert.equal(response.error.code, -32022);
    assert.deepEqual(response.error.data.supported.slice(0, 2), ["2026-07-28", "2025-11-25"]);
    assert.equal(response.error.data.requested, "1900-01-01");
    // Any method, not only discovery.
    const list = await modern(server, "tools/list", {}, {
      "io.modelcontextprotocol/protocolVersion": "2099-01-01",
    });
    assert.equal(list.error.code, -32022);
  });
});

Deno.test("a modern request without client capabilities in _meta answers -32602 naming the key", async () => {
  await withServer(["--demo"], async (server) => {
    const response = await server.request("tools/list", {
      _meta: { "io.modelcontextprotocol/protocolVersion": MODERN },
    });
    assert.equal(response.error.code, -32602);
    assert.match(response.error.message, /clientCapabilities/);
  });
});

Deno.test("modern lists carry resultType, ttlMs and cacheScope; tools come in a stable order", async () => {
  await withServer(["--demo"], async (server) => {
    const first = await modern(server, "tools/list");
    const second = await modern(server, "tools/list");
    for (const { result } of [first, second]) {
      assert.equal(result.resultType, "complete");
      assert.ok(Number.isInteger(result.ttlMs) && result.ttlMs > 0, "the demo catalog is known");
      assert.equal(result.cacheScope, "private");
      assert.equal(result._meta["io.modelcontextprotocol/serverInfo"].name, "kubeshark-mcp");
    }
    const names = first.result.tools.map((tool: { name: string }) => tool.name);
    assert.deepEqual(second.result.tools.map((tool: { name: string }) => tool.name), names);
    assert.deepEqual(names.slice(0, 3), [
      "check_kubeshark_status",
      "get_file_url",
      "download_file",
    ]);
    const hub = names.slice(3);
    assert.deepEqual(hub, [...hub].sort(), "the Hub's tools follow the local ones by name");

    for (const method of ["prompts/list", "resources/list", "resources/templates/list"]) {
      const { result } = await modern(server, method);
      assert.equal(result.resultType, "complete", method);
      assert.ok(Number.isInteger(result.ttlMs), method);
      assert.ok(["public", "private"].includes(result.cacheScope), method);
    }
    const read = await modern(server, "resources/read", { uri: "kubeshark://docs/kfl2" });
    assert.equal(read.result.resultType, "complete");
    assert.equal(read.result.cacheScope, "public");
    assert.match(read.result.contents[0].text, /KFL2/);
  });
});

Deno.test("a modern tools/call needs no initialize and carries resultType", async () => {
  await withHubAndServer(async (server) => {
    const { result } = await modern(server, "tools/call", {
      name: "list_workloads",
      arguments: { namespace: "shop" },
    });
    assert.equal(result.resultType, "complete");
    assert.equal(result.isError, undefined);
    assert.deepEqual(result.structuredContent.arguments, { namespace: "shop" });
  });
});

Deno.test("ping and logging/setLevel are legacy-only: -32601 for a modern request, answered for 2025", async () => {
  await withServer(["--demo"], async (server) => {
    const ping = await modern(server, "ping");
    assert.equal(ping.error.code, -32601);
    const level = await modern(server, "logging/setLevel", { level: "debug" });
    assert.equal(level.error.code, -32601);
    await server.initialize("2025-11-25");
    const legacyPing = await server.request("ping");
    assert.deepEqual(legacyPing.result, {});
  });
});

Deno.test("an unknown resource is -32602 for a modern request and -32002 for a 2025 one", async () => {
  await withServer(["--demo"], async (server) => {
    const modernRead = await modern(server, "resources/read", { uri: "kubeshark://nope" });
    assert.equal(modernRead.error.code, -32602);
    assert.match(modernRead.error.message, /kubeshark:\/\/nope/);
    await server.initialize("2025-11-25");
    const legacyRead = await server.request("resources/read", { uri: "kubeshark://nope" });
    assert.equal(legacyRead.error.code, -32002);
  });
});

Deno.test("initialize still negotiates the 2025 revisions exactly, beside the modern era", async () => {
  await withServer(["--demo"], async (server) => {
    await modern(server, "server/discover");
    const result = await server.initialize("2025-06-18");
    assert.equal(result.protocolVersion, "2025-06-18");
    assert.equal(result.resultType, undefined, "2025 results carry no resultType");
    const { result: tools } = await server.request("tools/list");
    assert.equal(tools.resultType, undefined);
    assert.equal(tools.ttlMs, undefined);
  });
});

Deno.test("subscriptions/listen acknowledges with its id, then delivers list_changed tagged with it", async () => {
  const port = freePort();
  let hub: HubDouble | undefined;
  await withServer(["--url", `http://127.0.0.1:${port}`], async (server) => {
    const id = "listen-1";
    const ack = server.waitFor((m) => m.method === "notifications/subscriptions/acknowledged");
    await server.send({
      jsonrpc: "2.0",
      id,
      method: "subscriptions/listen",
      params: {
        _meta: modernMeta(),
        notifications: {
          toolsListChanged: true,
          promptsListChanged: true,
          resourceSubscriptions: ["kubeshark://docs/kfl2"],
        },
      },
    });
    const acknowledged = await within(ack, "the acknowledgement");
    assert.equal(acknowledged.params._meta["io.modelcontextprotocol/subscriptionId"], id);
    assert.deepEqual(acknowledged.params.notifications, {
      toolsListChanged: true,
      promptsListChanged: true,
    });
    const before = await modern(server, "tools/list");
    assert.equal(before.result.tools.length, 3);
    assert.equal(before.result.ttlMs, 0, "without the Hub the list is stale at once");

    const changed = server.waitFor((m) => m.method === "notifications/tools/list_changed");
    hub = new HubDouble(port);
    const notification = await within(changed, "list_changed");
    assert.equal(notification.params._meta["io.modelcontextprotocol/subscriptionId"], id);
    const after = await modern(server, "tools/list");
    assert.equal(after.result.tools.length, 3 + HUB_DOCUMENT.tools.length);

    await server.notify("notifications/cancelled", { requestId: id });
    const ping = await modern(server, "server/discover");
    assert.ok(ping.result);
    assert.equal(server.received.filter((m) => m.id === id).length, 0, "no response after cancel");
  });
  await hub?.close();
});

Deno.test("a modern request with a logLevel gets that request's log records, others get none", async () => {
  await withServer(["--demo"], async (server) => {
    await modern(server, "tools/list", {}, { "io.modelcontextprotocol/logLevel": "debug" });
    const withLevel = server.received.filter((m) => m.method === "notifications/message");
    assert.ok(withLevel.length > 0, "debug records reach the client during the request");
    const count = withLevel.length;
    await modern(server, "tools/list");
    await modern(server, "prompts/list");
    assert.equal(
      server.received.filter((m) => m.method === "notifications/message").length,
      count,
      "no records for requests without a logLevel",
    );
  });
});

Deno.test("at stdin EOF an open subscription gets its graceful empty result, and the server exits 0", async () => {
  const server = new McpProcess(["--demo"]);
  try {
    const ack = server.waitFor((m) => m.method === "notifications/subscriptions/acknowledged");
    await server.send({
      jsonrpc: "2.0",
      id: "listen-eof",
      method: "subscriptions/listen",
      params: { _meta: modernMeta(), notifications: { toolsListChanged: true } },
    });
    await within(ack, "the acknowledgement");
    const status = await within(server.close(), "the exit");
    assert.equal(status.code, 0);
    const end = server.received.find((m) => m.id === "listen-eof");
    assert.deepEqual(end?.result?._meta?.["io.modelcontextprotocol/subscriptionId"], "listen-eof");
    assert.equal(end?.result?.resultType, "complete");
  } finally {
    await server.kill();
  }
});
