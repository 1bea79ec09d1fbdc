/**
 * A client's first answers come before anything loads Deno's Node timers layer: the first
 * setTimeout() of a process costs ~11 ms (issue #9), so `initialize` in every mode, and the first
 * `tools/list` where it needs no network (demo, proxy before discovery), are written first.
 */
import assert from "node:assert/strict";
import { waitUntil } from "./support/spawn.ts";
import { McpProcess } from "./support/mcp_process.ts";
import { HubDouble } from "./support/hub_double.ts";

const PROBE = new URL("./support/timer_probe.ts", import.meta.url).pathname;

/** The probe's events, in the order the server did them, after its first answers. */
async function firstEvents(args: string[]): Promise<string[]> {
  const server = new McpProcess(args, { runtimeFlags: ["--preload", PROBE] });
  try {
    await server.send({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "t", version: "1" },
      },
    });
    await server.notify("notifications/initialized");
    const list = await server.request("tools/list", undefined, 2);
    assert.ok(Array.isArray(list.result?.tools), JSON.stringify(list).slice(0, 200));
    await waitUntil(() => server.stderr.includes("probe: answer 2"), "the probe's report");
    return server.stderr.split("\n").filter((line) => line.startsWith("probe: "))
      .map((line) => line.slice(7));
  } finally {
    await server.kill();
  }
}

const before = (events: string[], a: string, b: string) =>
  events.indexOf(b) === -1 || events.indexOf(a) < events.indexOf(b);

Deno.test("--demo: initialize and the first tools/list are written before any setTimeout", async () => {
  const events = await firstEvents(["--demo"]);
  assert.ok(before(events, "answer 1", "setTimeout"), events.join(", "));
  assert.ok(before(events, "answer 2", "setTimeout"), events.join(", "));
});

Deno.test("proxy mode: initialize and the first tools/list are written before any setTimeout", async () => {
  const kubeconfig = await Deno.makeTempFile();
  await Deno.writeTextFile(
    kubeconfig,
    "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:9'}}]\n" +
      "users: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n" +
      "current-context: x\n",
  );
  try {
    const events = await firstEvents(["--kubeconfig", kubeconfig]);
    assert.ok(before(events, "answer 1", "setTimeout"), events.join(", "));
    assert.ok(before(events, "answer 2", "setTimeout"), events.join(", "));
  } finally {
    await Deno.remove(kubeconfig);
  }
});

Deno.test("URL mode: initialize is written before any setTimeout (discovery's deadline comes after)", async () => {
  const hub = new HubDouble();
  try {
    const events = await firstEvents(["--url", hub.url]);
    assert.ok(before(events, "answer 1", "setTimeout"), events.join(", "));
  } finally {
    await hub.close();
  }
});
