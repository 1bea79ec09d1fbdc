/**
 * A scripted investigation per demo prompt, as an assistant would run it: the official SDK client
 * drives the real process (`main.ts --demo`) over stdio, reads the prompt, and follows its steps to
 * the finding the demo planted, in at most 5 tool calls, each answer at most 64 KiB of text.
 */
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { childEnv } from "./support/env.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const MAX_CALLS = 5;
const BUDGET = 64 * 1024;

/** One investigation: the prompt, then tool calls counted and size-checked. */
class Investigation {
  calls = 0;
  readonly #client: Client;
  readonly #prompt: string;

  constructor(client: Client, prompt: string) {
    this.#client = client;
    this.#prompt = prompt;
  }

  /** Calls a tool; the answer's text must fit the budget and parse as JSON. */
  async call(name: string, args: Record<string, unknown> = {}): Promise<Json> {
    this.calls++;
    assert.ok(this.calls <= MAX_CALLS, `${this.#prompt}: more than ${MAX_CALLS} calls`);
    const result = await this.#client.callTool({ name, arguments: args });
    const content = result.content as { type: string; text: string }[];
    assert.notEqual(result.isError, true, `${name}: ${content[0]?.text}`);
    const text = content[0].text;
    const size = new TextEncoder().encode(text).length;
    assert.ok(size <= BUDGET, `${this.#prompt}: ${name} answered ${size} bytes`);
    return JSON.parse(text);
  }
}

async function withDemo(body: (client: Client) => Promise<void>): Promise<void> {
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: ["run", "--allow-all", "--quiet", MAIN, "--demo"],
    // The whole environment: the spawned deno needs its cache and certificate settings.
    env: { ...Deno.env.toObject(), ...childEnv() },
    stderr: "pipe",
  });
  const client = new Client({ name: "investigation-test", version: "1.0.0" });
  try {
    await client.connect(transport);
    await body(client);
  } finally {
    await client.close();
  }
}

/** The prompt's text, which must name each tool the script then calls. */
async function prompt(
  client: Client,
  name: string,
  args: Record<string, string>,
  tools: string[],
): Promise<Investigation> {
  const { messages } = await client.getPrompt({ name, arguments: args });
  const content = messages[0].content;
  const text = content.type === "text" ? content.text : "";
  assert.match(text, new RegExp(`^Task: ${name}`));
  for (const tool of tools) assert.match(text, new RegExp(`\\b${tool}\\b`), `${name}: ${tool}`);
  return new Investigation(client, name);
}

const byKey = (groups: Json[], pattern: RegExp) => groups.find((g: Json) => pattern.test(g.key));

Deno.test("each demo prompt leads to its planted finding in at most 5 calls", async (t) => {
  await withDemo(async (client) => {
    await t.step(
      "analyze_traffic: a service outside the cluster, refused connections",
      async () => {
        const run = await prompt(client, "analyze_traffic", {}, [
          "get_api_stats",
          "get_l4_flow_summary",
        ]);
        const services = await run.call("get_api_stats", { group_by: "service" });
        assert.ok(byKey(services.groups, /pool\.minexmr\.com/), "the mining pool is a 'service'");
        const summary = await run.call("get_l4_flow_summary");
        assert.ok(summary.refused_flows > 0);
        assert.match(summary.refused_connections[0].server, /redis-cache:6380/);
      },
    );

    await t.step("find_errors: payment 503s, 404s, a duplicate key, an NXDOMAIN", async () => {
      const run = await prompt(client, "find_errors", {}, ["get_api_stats", "list_api_calls"]);
      const statuses = await run.call("get_api_stats", { group_by: "status" });
      assert.ok(byKey(statuses.groups, /^http 503$/).errors > 5);
      assert.ok(byKey(statuses.groups, /^http 404$/).client_errors > 5);
      const server = await run.call("list_api_calls", { kfl: "http && status_code >= 500" });
      assert.ok(server.calls.some((c: Json) => /payment/.test(c.dst) && c.status === 503));
      const other = await run.call("list_api_calls", {
        kfl: "(postgresql && !postgresql_success) || (dns && status_code != 0)",
        format: "full",
      });
      assert.ok(other.calls.some((c: Json) => c.postgresql?.errorCode === "23505"));
      assert.ok(other.calls.some((c: Json) => c.dns?.questions[0].startsWith("payments-v2.")));
    });

    await t.step("trace_request: req-7f3a9c2e fails at payment", async () => {
      const run = await prompt(client, "trace_request", { request_id: "req-7f3a9c2e" }, [
        "list_api_calls",
        "get_api_call",
      ]);
      const hops = await run.call("list_api_calls", {
        kfl: 'map_get(request.headers, "x-request-id", "") == "req-7f3a9c2e"',
        format: "full",
        limit: 100,
      });
      const services = new Set(hops.calls.map((c: Json) => c.dst.svc));
      for (const svc of ["api-gateway", "checkout", "inventory", "payment"]) {
        assert.ok(services.has(svc), svc);
      }
      // The cause is the failing hop that ended first; its callers passed the failure up.
      const failed = hops.calls.filter((c: Json) => c.status >= 500)
        .sort((a: Json, b: Json) => a.ts + a.latency_ms - (b.ts + b.latency_ms))[0];
      const detail = await run.call("get_api_call", { id: failed.id });
      assert.equal(detail.entry.dst.svc, "payment");
      assert.equal(detail.entry.status, 503);
      assert.equal(detail.l4_flow.client.port, detail.entry.src.port);
    });

    await t.step("show_topology: frontend → shop → payments, across namespaces", async () => {
      const run = await prompt(client, "show_topology", {}, [
        "list_workloads",
        "get_l4_flow_summary",
      ]);
      const services = await run.call("list_workloads", { type: "service" });
      assert.ok(services.total >= 15);
      const summary = await run.call("get_l4_flow_summary");
      const edges = new Set(summary.cross_namespace.map((c: Json) => `${c.src_ns}→${c.dst_ns}`));
      for (const edge of ["frontend→shop", "shop→payments", "payments→data"]) {
        assert.ok(edges.has(edge), edge);
      }
    });

    await t.step("latency_analysis: recommendations is the slow endpoint", async () => {
      const run = await prompt(client, "latency_analysis", { threshold_ms: "500" }, [
        "get_api_stats",
        "list_api_calls",
      ]);
      const endpoints = await run.call("get_api_stats", {
        group_by: "endpoint",
        kfl: "http",
        limit: 50,
      });
      const slowest = [...endpoints.groups].sort((a: Json, b: Json) =>
        b.latency_ms.p50 - a.latency_ms.p50
      )[0];
      assert.match(slowest.key, /recommendations/);
      const slow = await run.call("list_api_calls", { kfl: "http && elapsed_time > 500000" });
      assert.ok(slow.calls.length > 0);
      assert.ok(slow.calls.every((c: Json) => c.latency_ms > 500));
    });

    await t.step("security_audit: Basic credentials, IMDS, a mining pool", async () => {
      const run = await prompt(client, "security_audit", {}, ["list_api_calls", "list_ips"]);
      const credentials = await run.call("list_api_calls", {
        kfl: 'http && "authorization" in request.headers',
        format: "full",
        limit: 10,
      });
      assert.ok(credentials.calls.some((c: Json) => /^Basic /.test(c.req_headers.authorization)));
      const outside = await run.call("list_api_calls", {
        kfl: 'dst.namespace == ""',
        format: "full",
        limit: 20,
      });
      assert.ok(outside.calls.some((c: Json) => c.dst.ip === "169.254.169.254"));
      const miner = outside.calls.find((c: Json) => c.dst.dns === "pool.minexmr.com");
      assert.match(miner.req_headers["user-agent"], /xmrig/);
      const ips = await run.call("list_ips", { ip: miner.dst.ip });
      assert.equal(ips.ips[0].records[0].kind, "external");
    });

    await t.step("compare_traffic: checkout slower and failing more after the deploy", async () => {
      const run = await prompt(client, "compare_traffic", {}, [
        "list_snapshots",
        "start_snapshot_dissection",
        "get_api_stats",
      ]);
      const { snapshots } = await run.call("list_snapshots");
      const after = snapshots.find((s: Json) => !s.dissections.length);
      const before = snapshots.find((s: Json) => s.dissections.length);
      await run.call("start_snapshot_dissection", { snapshot_id: after.id });
      const query = { group_by: "service" };
      const a = await run.call("get_api_stats", { ...query, snapshot_id: before.id });
      const b = await run.call("get_api_stats", { ...query, snapshot_id: after.id });
      const checkout = (stats: Json) => byKey(stats.groups, /^shop\/checkout$/);
      assert.ok(checkout(b).latency_ms.p50 > checkout(a).latency_ms.p50);
      assert.ok(checkout(b).errors > checkout(a).errors);
    });

    await t.step("debug_connection: cart → redis-cache is refused on 6380", async () => {
      const run = await prompt(client, "debug_connection", {
        source: "cart",
        destination: "redis-cache",
      }, ["list_l4_flows", "list_workloads"]);
      const flows = await run.call("list_l4_flows", { pod: "cart", svc: "redis-cache" });
      assert.ok(flows.total > 0);
      assert.ok(flows.flows.every((f: Json) => f.state === "refused" && /:6380$/.test(f.server)));
      const services = await run.call("list_workloads", {
        type: "service",
        name_regex: "redis-cache",
      });
      const [cache] = services.workloads;
      assert.equal(cache.port, 6380);
      assert.deepEqual(cache.pods, [], "no pod behind redis-cache");
    });
  });
});
