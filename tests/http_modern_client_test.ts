/**
 * The official dual-era client (`@modelcontextprotocol/client` 2.4.0) pinned to 2026-07-28 over
 * HTTP: discovery without initialize or sessions, lists, a Hub call, and list_changed on its
 * `subscriptions/listen` stream; and the same client in auto mode.
 */
import assert from "node:assert/strict";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { HUB_DOCUMENT, HubDouble } from "./support/hub_double.ts";
import { freePort } from "./support/harness.ts";
import { withHttpServer } from "./support/http_process.ts";

const MODERN = "2026-07-28";

async function until(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

Deno.test("the 2.4.0 client pinned to 2026-07-28 over HTTP discovers, lists, calls and gets list_changed on its listen stream", async () => {
  const port = freePort();
  let hub: HubDouble | undefined;
  await withHttpServer(["--url", `http://127.0.0.1:${port}`], async (server) => {
    let changes = 0;
    const client = new Client({ name: "sdk2-http-modern", version: "2.4.0" }, {
      versionNegotiation: { mode: { pin: MODERN } },
      listChanged: { tools: { onChanged: () => changes++ } },
    });
    const transport = new StreamableHTTPClientTransport(new URL(server.endpoint));
    await client.connect(transport);
    try {
      assert.equal(client.getNegotiatedProtocolVersion(), MODERN);
      assert.equal(client.getServerVersion()?.name, "kubeshark-mcp");
      assert.equal(transport.sessionId, undefined, "no session in 2026-07-28");
      const before = await client.listTools();
      assert.deepEqual(before.tools.map((t: { name: string }) => t.name), [
        "check_kubeshark_status",
        "get_file_url",
        "download_file",
      ]);
      hub = new HubDouble(port);
      await until(() => changes > 0, "list_changed on the subscriptions/listen stream");
      const after = await client.listTools();
      assert.equal(after.tools.length, 3 + HUB_DOCUMENT.tools.length);
      const call = await client.callTool({
        name: "list_workloads",
        arguments: { namespace: "shop" },
      });
      assert.equal(call.isError, undefined);
      assert.match(JSON.stringify(call.content), /list_workloads/);
    } finally {
      await client.close();
      await hub?.close();
    }
  });
});

Deno.test("the 2.4.0 client in auto mode settles on 2026-07-28 over HTTP", async () => {
  await withHttpServer(["--demo"], async (server) => {
    const client = new Client({ name: "sdk2-http-auto", version: "2.4.0" }, {
      versionNegotiation: { mode: "auto" },
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.endpoint)));
    try {
      assert.equal(client.getNegotiatedProtocolVersion(), MODERN);
      const prompts = await client.listPrompts();
      assert.ok(prompts.prompts.some((p: { name: string }) => p.name === "kubeshark_usage"));
    } finally {
      await client.close();
    }
  });
});
