/**
 * The demo Hub's discovery document and default answers: discovery is cheap (no traffic, no CEL,
 * no RE2), every argument is described, default answers are compact, get_api_stats' time buckets.
 */
import assert from "node:assert/strict";
import { createDemoHub } from "../lib/demo/hub.ts";
import { demoData } from "../lib/demo/mod.ts";
import { HubClient } from "../lib/hub/client.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const HUB = new URL("../lib/demo/hub.ts", import.meta.url).href;

function hub(options: Parameters<typeof createDemoHub>[0] = {}) {
  const client = new HubClient("http://kubeshark-demo.invalid", {
    transport: createDemoHub(options),
  });
  return {
    client,
    call: async (name: string, args: Record<string, unknown> = {}) =>
      (await client.callTool(name, args)).json as Json,
  };
}

Deno.test("the demo Hub's static imports leave out the traffic, CEL, RE2 and the PCAP writer", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", HUB],
    stdout: "piped",
    stderr: "null",
  }).output();
  assert.equal(output.code, 0);
  const graph = JSON.parse(new TextDecoder().decode(output.stdout));
  const modules = new Map<string, Json>(graph.modules.map((m: Json) => [m.specifier, m]));
  const reached = new Set<string>();
  const visit = (specifier: string) => {
    const resolved = graph.redirects?.[specifier] ?? specifier;
    if (reached.has(resolved)) return;
    reached.add(resolved);
    for (const dependency of modules.get(resolved)?.dependencies ?? []) {
      if (!dependency.isDynamic && dependency.code?.specifier) visit(dependency.code.specifier);
    }
  };
  visit(HUB);
  const lazy = [...reached].filter((s) =>
    /demo\/(kfl|pcap|traffic|mod|tools\/\w+)\.ts$|re2js|cel-js/.test(s)
  );
  assert.deepEqual(lazy, [], "loaded with discovery, though only tool calls need them");
  assert.ok([...reached].some((s) => s.endsWith("demo/discovery.json")));
});

Deno.test("the stored discovery.json is the tools' zod schemas as JSON Schema", async () => {
  const { toolDescriptors } = await import("../lib/demo/tools/mod.ts");
  const stored = new URL("../lib/demo/discovery.json", import.meta.url);
  if (Deno.env.get("UPDATE_GOLDEN") === "1") {
    await Deno.writeTextFile(stored, JSON.stringify(toolDescriptors(), null, 2) + "\n");
  }
  assert.deepEqual(
    JSON.parse(await Deno.readTextFile(stored)),
    toolDescriptors(),
    "lib/demo/discovery.json is stale: run UPDATE_GOLDEN=1 deno test -A tests/demo_discovery_test.ts",
  );
});

Deno.test("discovery generates no traffic; the first tool call does, once", async () => {
  let loads = 0;
  const { client, call } = hub({ onLoad: () => loads++ });
  await client.discover();
  assert.equal(loads, 0);
  await call("list_api_calls", { limit: 1 });
  await call("get_api_stats");
  assert.equal(loads, 1);
});

Deno.test("every argument of every demo Hub tool is described, with no MCP annotations", async () => {
  // The raw document, as the Hub serves it (our client may add annotations of its own).
  const response = await createDemoHub()(new Request("http://kubeshark-demo.invalid/api/mcp"));
  const info = await response.json() as {
    tools: { name: string; description: string; inputSchema: Json }[];
  };
  assert.equal(info.tools.length, 22);
  for (const tool of info.tools) {
    assert.ok(tool.description.length > 20, tool.name);
    assert.equal((tool as Json).annotations, undefined, `${tool.name} sends annotations`);
    const properties = (tool.inputSchema.properties ?? {}) as Record<string, Json>;
    const required = (tool.inputSchema.required ?? []) as string[];
    for (const [name, schema] of Object.entries(properties)) {
      const where = `${tool.name}.${name}`;
      assert.ok(typeof schema.description === "string" && schema.description.length > 15, where);
      if (required.includes(name)) {
        assert.match(schema.description, /^Required/, where);
        assert.doesNotMatch(schema.description, /Omit/, where);
      } else if (schema.default === undefined) {
        assert.match(schema.description, /Optional|Default|default/, where);
      } else {
        assert.match(schema.description, /default/i, `${where} names its default`);
      }
      if (/^(start|end|start_time|end_time)$/.test(name)) {
        assert.match(schema.description, /Unix milliseconds/, where);
      }
      if (name === "kfl") assert.match(schema.description, /KFL2/, where);
      if (name === "format") assert.equal(schema.default, "compact", where);
    }
  }
  const byName = new Map(info.tools.map((t) => [t.name, t]));
  const props = (name: string) => byName.get(name)!.inputSchema.properties as Json;
  assert.match(props("export_snapshot_pcap").bpf_filter.description, /host A\.B\.C\.D.*port N/);
  assert.ok(props("list_l4_flows").format, "list_l4_flows has a compact format");
  assert.match(byName.get("get_api_stats")!.description, /HTTP 5xx.*client_errors.*HTTP 4xx/);
  assert.match(byName.get("list_l4_flows")!.description, /EITHER side/);
});

Deno.test("default list_api_calls, list_l4_flows and get_api_stats answers are at most 16 KiB", async () => {
  const { call } = hub();
  for (const name of ["list_api_calls", "list_l4_flows", "get_api_stats"]) {
    const answer = await call(name);
    const size = new TextEncoder().encode(JSON.stringify(answer)).length;
    assert.ok(size <= 16 * 1024, `${name}: ${size} bytes`);
    assert.ok(size > 1024, `${name} is not empty`);
  }
});

Deno.test("format=full stays complete: peers as objects, headers, bodies, flow counts", async () => {
  const { call } = hub();
  const calls = await call("list_api_calls", { format: "full", kfl: "http", limit: 20 });
  for (const entry of calls.calls) {
    assert.equal(typeof entry.src, "object");
    assert.ok(entry.src.ip && entry.dst.port && entry.req_headers && "resp_body" in entry);
  }
  const flows = await call("list_l4_flows", { format: "full", limit: 20 });
  for (const flow of flows.flows) assert.ok(flow.client.ip && flow.client_stats && flow.totals);
  const compact = await call("list_l4_flows", { limit: 20 });
  for (const flow of compact.flows) assert.match(flow.client, /:\d+$/);
});

Deno.test("get_api_stats with bucket_seconds gives each group a time series and the deploy marker", async () => {
  const { call } = hub();
  const data = demoData();
  const stats = await call("get_api_stats", {
    kfl: 'dst.service.name == "checkout"',
    group_by: "service",
    bucket_seconds: 300,
  });
  assert.equal(stats.bucket_seconds, 300);
  const [group] = stats.groups;
  assert.equal(group.buckets.reduce((sum: number, b: Json) => sum + b.calls, 0), group.calls);
  for (const bucket of group.buckets) {
    assert.equal((bucket.start - data.startTs) % 300_000, 0);
    assert.ok(bucket.p50_ms <= bucket.p90_ms && bucket.p90_ms <= bucket.p99_ms);
    assert.ok(bucket.errors <= bucket.calls);
  }
  assert.equal(stats.markers.length, 1);
  assert.match(stats.markers[0].label, /deploy/);
  const deploy = stats.markers[0].ts;
  const mean = (buckets: Json[]) =>
    buckets.reduce((sum, b) => sum + b.p50_ms, 0) / Math.max(1, buckets.length);
  const before = group.buckets.filter((b: Json) => b.start + 300_000 <= deploy);
  const after = group.buckets.filter((b: Json) => b.start >= deploy);
  assert.ok(mean(after) > mean(before), "checkout is slower after the deploy");
  assert.equal((await call("get_api_stats")).markers, undefined, "markers come with buckets");
  for (const bad of [5, 3601, 60.5]) {
    await assert.rejects(call("get_api_stats", { bucket_seconds: bad }), /bucket_seconds/);
  }
});
