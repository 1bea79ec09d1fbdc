/** The official MCP TypeScript SDK drives the real server over stdio, as Claude Desktop would. */
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { HUB_DOCUMENT, HubDouble } from "./support/hub_double.ts";
import { freePort } from "./support/harness.ts";
import { childEnv } from "./support/env.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

Deno.test("the SDK client initializes, lists, calls a Hub tool, gets a prompt and sees list_changed", async () => {
  const port = freePort();
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: ["run", "--allow-all", "--quiet", MAIN, "--url", `http://127.0.0.1:${port}`],
    // The whole environment: the spawned deno needs its cache and certificate settings.
    env: { ...Deno.env.toObject(), ...childEnv() },
    stderr: "pipe",
  });
  const client = new Client({ name: "sdk-test", version: "1.0.0" });
  let changed = 0;
  let notified = () => {};
  const listChanged = new Promise<void>((resolve) => notified = resolve);
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    changed++;
    notified();
  });
  let hub: HubDouble | undefined;
  try {
    await client.connect(transport);
    assert.equal(client.getServerVersion()?.name, "kubeshark-mcp");
    assert.ok(client.getServerCapabilities()?.tools?.listChanged);
    assert.match(client.getInstructions() ?? "", /check_kubeshark_status/);

    const before = await client.listTools();
    assert.deepEqual(before.tools.map((t: { name: string }) => t.name), [
      "check_kubeshark_status",
      "get_file_url",
      "download_file",
    ]);

    // The Hub appears after the server started: its tools arrive with list_changed.
    hub = new HubDouble(port);
    await listChanged;
    assert.ok(changed >= 1);
    const after = await client.listTools();
    assert.equal(after.tools.length, 3 + HUB_DOCUMENT.tools.length);

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

    const prompts = await client.listPrompts();
    assert.deepEqual(prompts.prompts.map((p: { name: string }) => p.name), [
      "kubeshark_usage",
      "find_errors",
      "trace_request",
    ]);
    const prompt = await client.getPrompt({
      name: "find_errors",
      arguments: { namespace: "shop" },
    });
    const content = prompt.messages[0].content;
    assert.equal(content.type, "text");
    assert.match(content.type === "text" ? content.text : "", /^Task: find_errors/);

    await client.ping();
  } finally {
    await client.close();
    await hub?.close();
  }
});
