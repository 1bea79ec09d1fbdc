/**
 * The demo Hub's tools through our Hub client, twice: in-process (the --demo transport) and over
 * HTTP on 127.0.0.1:0 (what demo-hub serves). Every case runs against both.
 */
import assert from "node:assert/strict";
import { createDemoHub } from "../lib/demo/hub.ts";
import { demoData } from "../lib/demo/mod.ts";

const DEMO_START_TS = demoData().startTs;
import { TRACED_REQUEST_ID } from "../lib/demo/traffic.ts";
import { HubClient, HubError } from "../lib/hub/client.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

interface Fixture {
  call(name: string, args?: Record<string, unknown>): Promise<Json>;
  fail(name: string, args?: Record<string, unknown>): Promise<HubError>;
  client: HubClient;
}

const TRANSPORTS: Record<string, () => Promise<{ client: HubClient; close: () => Promise<void> }>> =
  {
    "in-process": () => {
      const handler = createDemoHub();
      return Promise.resolve({
        client: new HubClient("http://kubeshark-demo.invalid", { transport: handler }),
        close: () => Promise.resolve(),
      });
    },
    "over HTTP": () => {
      const server = Deno.serve(
        { hostname: "127.0.0.1", port: 0, onListen: () => {} },
        createDemoHub(),
      );
      return Promise.resolve({
        client: new HubClient(`http://127.0.0.1:${server.addr.port}`),
        close: () => server.shutdown(),
      });
    },
  };

function demoTest(name: string, body: (hub: Fixture) => Promise<void>): void {
  for (const [transport, open] of Object.entries(TRANSPORTS)) {
    Deno.test(`demo Hub (${transport}): ${name}`, async () => {
      const { client, close } = await open();
      const fixture: Fixture = {
        client,
        call: async (tool, args = {}) => (await client.callTool(tool, args)).json,
        fail: async (tool, args = {}) => {
          try {
            await client.callTool(tool, args);
          } catch (error) {
            assert.ok(error instanceof HubError);
            return error;
          }
          assert.fail(`${tool} ${JSON.stringify(args)} should have failed`);
        },
      };
      try {
        await body(fixture);
      } finally {
        await close();
      }
    });
  }
}

const KUBESHARK_HUB_TOOLS = [
  "list_workloads",
  "list_api_calls",
  "get_api_call",
  "get_api_stats",
  "list_l4_flows",
  "get_l4_flow_summary",
  "list_ips",
  "get_data_boundaries",
  "get_l7_data_boundaries",
  "list_snapshots",
  "create_snapshot",
  "get_snapshot",
  "export_snapshot_pcap",
  "start_snapshot_dissection",
  "get_snapshot_dissection_status",
  "list_snapshot_dissections",
  "get_dissection_status",
  "enable_dissection",
  "disable_dissection",
];
const PROMPTS = [
  "analyze_traffic",
  "find_errors",
  "trace_request",
  "show_topology",
  "latency_analysis",
  "security_audit",
  "compare_traffic",
  "debug_connection",
];

demoTest("discovery offers the newest Hub's tools and the eight prompts", async ({ client }) => {
  const info = await client.discover();
  const names = info.tools.map((t) => t.name);
  for (const tool of KUBESHARK_HUB_TOOLS) assert.ok(names.includes(tool), `missing ${tool}`);
  assert.ok(names.some((n) => n.includes("cloud")));
  assert.deepEqual(info.prompts.map((p) => p.name), PROMPTS);
  for (const tool of info.tools) assert.equal(tool.inputSchema.type, "object", tool.name);
  const calls = info.tools.find((t) => t.name === "list_api_calls")!;
  const properties = calls.inputSchema.properties as Json;
  assert.ok(properties.kfl && properties.limit && properties.start && properties.snapshot_id);
  assert.equal(properties.limit.maximum, 1000);
});

demoTest(
  "list_api_calls pages newest first with a default of 50 and a maximum of 1000",
  async (hub) => {
    const first = await hub.call("list_api_calls");
    assert.equal(first.calls.length, 50);
    assert.ok(first.total > 1900 && first.total < 2400, `total ${first.total}`);
    assert.equal(first.truncated, true);
    assert.equal(first.next_offset, 50);
    assert.ok(first.calls[0].ts >= first.calls[49].ts, "newest first");
    const second = await hub.call("list_api_calls", { offset: 50, limit: 5 });
    assert.ok(second.calls[0].ts <= first.calls[49].ts);
    const all = await hub.call("list_api_calls", { limit: 1000 });
    assert.equal(all.calls.length, 1000);
    const last = await hub.call("list_api_calls", { offset: first.total - 2, limit: 10 });
    assert.equal(last.calls.length, 2);
    assert.equal(last.truncated, false);
    assert.equal(last.next_offset, undefined);
    for (const bad of [{ limit: 0 }, { limit: 1001 }, { offset: -1 }, { limit: "ten" }]) {
      const error = await hub.fail("list_api_calls", bad);
      assert.equal(error.status, 400, JSON.stringify(bad));
      assert.match(error.message, /limit|offset/);
    }
  },
);

demoTest(
  "list_api_calls compact entries carry Kubeshark's fields; format=full adds headers",
  async (hub) => {
    const [call] = (await hub.call("list_api_calls", { limit: 1 })).calls;
    for (
      const field of ["id", "ts", "src", "dst", "proto", "method", "path", "status", "latency_ms"]
    ) {
      assert.ok(field in call, `missing ${field}`);
    }
    const [full] =
      (await hub.call("list_api_calls", { limit: 1, format: "full", kfl: "http" })).calls;
    assert.ok(full.req_headers && full.resp_headers && "req_body" in full);
  },
);

demoTest("a filter that matches nothing is an empty page, not an error", async (hub) => {
  const empty = await hub.call("list_api_calls", { kfl: 'path == "/nothing-here"' });
  assert.deepEqual(empty.calls, []);
  assert.equal(empty.total, 0);
  assert.equal(empty.truncated, false);
});

demoTest("start and end select a time window in Unix ms", async (hub) => {
  const start = DEMO_START_TS + 10 * 60_000;
  const end = DEMO_START_TS + 11 * 60_000;
  const { calls, total } = await hub.call("list_api_calls", { start, end, limit: 1000 });
  assert.ok(total > 0);
  for (const call of calls) assert.ok(call.ts >= start && call.ts < end);
});

demoTest(
  "an invalid KFL filter is a 400 giving the position and what was expected",
  async (hub) => {
    const error = await hub.fail("list_api_calls", { kfl: "http && (status_code >= 500" });
    assert.equal(error.status, 400);
    assert.match(error.message, /invalid KFL filter: Expected RPAREN, got EOF at position 27/);
    const unknown = await hub.fail("list_api_calls", { kfl: "http && statuscode == 500" });
    assert.match(unknown.message, /unknown field `statuscode`.*did you mean `status_code`/);
    // A long filter is echoed once, shortened to 200 characters.
    const long = `statuscode == 500 && ${'path != "/x" && '.repeat(300)}http`;
    const echoed = await hub.fail("list_api_calls", { kfl: long });
    // The client may add a hint on a line of its own after the Hub's body.
    const body = JSON.parse(echoed.message.split("\n")[0].replace(/^.*?(\{)/, "$1"));
    assert.equal(body.kfl.length, 200);
    assert.ok(!body.error.includes('path != "/x"'), "the error text does not repeat the filter");
  },
);

demoTest("legacy KFL1 filters work and the answer says how they were translated", async (hub) => {
  const legacy = await hub.call("list_api_calls", { kfl: "http and response.status == 404" });
  const current = await hub.call("list_api_calls", { kfl: "http && status_code == 404" });
  assert.equal(legacy.total, current.total);
  assert.ok(legacy.total > 0);
  assert.equal(legacy.kfl_translated.from, "http and response.status == 404");
  assert.equal(legacy.kfl_translated.to, "http && status_code == 404");
  assert.match(legacy.kfl_translated.note, /KFL2/);
});

demoTest(
  "get_api_call returns one call with its flow; a missing or unknown id is an error",
  async (hub) => {
    const [listed] = (await hub.call("list_api_calls", { kfl: "http", limit: 1 })).calls;
    const { entry, l4_flow } = await hub.call("get_api_call", { id: listed.id });
    assert.equal(entry.id, listed.id);
    assert.ok(entry.req_headers);
    assert.ok(l4_flow.id > 0);
    const missing = await hub.fail("get_api_call", {});
    assert.equal(missing.status, 400);
    assert.match(missing.message, /^Hub API error \(400\): \{"error":"id is required"\}/);
    const unknown = await hub.fail("get_api_call", { id: "node/0/0" });
    assert.equal(unknown.status, 404);
    const noPayload = await hub.call("get_api_call", { id: listed.id, include_payload: false });
    assert.equal(noPayload.entry.req_body, undefined);
  },
);

demoTest("get_api_stats groups calls and finds the slow endpoint", async (hub) => {
  const stats = await hub.call("get_api_stats", { kfl: "http", group_by: "endpoint", limit: 200 });
  assert.ok(stats.calls > 1000);
  const slowest = [...stats.groups].sort((a: Json, b: Json) =>
    b.latency_ms.p50 - a.latency_ms.p50
  )[0];
  assert.match(slowest.key, /recommendations/);
  assert.ok(slowest.latency_ms.p50 > 300, `p50 ${slowest.latency_ms.p50}`);
  const bad = await hub.fail("get_api_stats", { group_by: "planet" });
  assert.equal(bad.status, 400);
});

demoTest("find_errors: 5xx, 404s and a failed SQL insert are there to find", async (hub) => {
  assert.ok((await hub.call("list_api_calls", { kfl: "http && status_code >= 500" })).total >= 10);
  assert.ok((await hub.call("list_api_calls", { kfl: "http && status_code == 404" })).total >= 2);
  const sql = await hub.call("list_api_calls", {
    kfl: "postgresql && !postgresql_success",
    format: "full",
  });
  assert.ok(sql.total >= 1);
  assert.equal(sql.calls[0].postgresql.errorCode, "23505");
});

demoTest(
  "trace_request: one request id crosses gateway, checkout, inventory (gRPC) and payment",
  async (hub) => {
    const { calls } = await hub.call("list_api_calls", {
      kfl: `map_get(request.headers, "x-request-id", "") == "${TRACED_REQUEST_ID}"`,
      format: "full",
    });
    const services = new Set(calls.map((c: Json) => c.dst.svc));
    for (const svc of ["api-gateway", "checkout", "inventory", "payment"]) {
      assert.ok(
        services.has(svc),
        svc,
      );
    }
    assert.ok(calls.some((c: Json) => c.proto === "grpc"));
    assert.ok(calls.some((c: Json) => c.status === 503));
  },
);

demoTest("show_topology: services in at least three namespaces", async (hub) => {
  const namespaces = await hub.call("list_workloads", { type: "namespace" });
  assert.ok(namespaces.total >= 3);
  const services = await hub.call("list_workloads", { type: "service" });
  assert.ok(services.total >= 8);
  const summary = await hub.call("get_l4_flow_summary");
  assert.ok(summary.cross_namespace.length >= 3);
});

demoTest(
  "security_audit: plaintext credentials, IMDS and a mining pool are visible",
  async (hub) => {
    const basic = await hub.call("list_api_calls", {
      kfl: 'http && map_get(request.headers, "authorization", "").startsWith("Basic ")',
    });
    assert.ok(basic.total > 0);
    assert.ok(
      (await hub.call("list_api_calls", { kfl: 'dst.ip == "169.254.169.254"' })).total >= 1,
    );
    const mining = await hub.call("list_api_calls", {
      kfl: 'dns && dns_questions.exists(q, q.contains("minexmr"))',
    });
    assert.ok(mining.total > 0);
    const ips = await hub.call("list_ips", { ip: "203.0.113.66" });
    assert.equal(ips.ips[0].records[0].kind, "external");
  },
);

demoTest("debug_connection: cart's connections to redis-cache are refused", async (hub) => {
  const refused = await hub.call("list_l4_flows", {
    state: "refused",
    svc: "redis-cache",
    limit: 5,
    format: "full",
  });
  assert.ok(refused.total > 0);
  assert.equal(refused.flows[0].client.svc, "cart");
  assert.equal(refused.flows[0].server.port, 6380);
  assert.ok((await hub.call("get_l4_flow_summary")).refused_flows > 0);
  assert.ok((await hub.call("list_api_calls", { kfl: "dns && status_code == 3" })).total > 0);
});

demoTest("compare_traffic: checkout is slower and fails more after the deploy", async (hub) => {
  await hub.call("start_snapshot_dissection", { snapshot_id: "snap-after-deploy" });
  const query = { kfl: 'http && dst.service.name == "checkout"', group_by: "service" };
  const before = await hub.call("get_api_stats", { ...query, snapshot_id: "snap-before-deploy" });
  const after = await hub.call("get_api_stats", { ...query, snapshot_id: "snap-after-deploy" });
  assert.ok(after.latency_ms.p50 > before.latency_ms.p50);
  assert.ok(after.errors > before.errors);
});

demoTest("list_workloads: filters, a single lookup, unknown names and bad regexes", async (hub) => {
  const pods = await hub.call("list_workloads");
  assert.ok(pods.total >= 15);
  const shop = await hub.call("list_workloads", { namespaces: ["shop"] });
  assert.ok(shop.workloads.every((w: Json) => w.namespace === "shop"));
  const byLabel = await hub.call("list_workloads", { labels: { app: "payment" } });
  assert.equal(byLabel.total, 1);
  const one = await hub.call("list_workloads", {
    name: byLabel.workloads[0].name,
    namespace: "payments",
  });
  assert.equal(one.total, 1);
  assert.equal(
    (await hub.fail("list_workloads", { name: "ghost", namespace: "shop" })).status,
    404,
  );
  assert.equal((await hub.fail("list_workloads", { name_regex: "(" })).status, 400);
  const paged = await hub.call("list_workloads", { limit: 2, offset: 1 });
  assert.equal(paged.workloads.length, 2);
  assert.equal(paged.next_offset, 3);
});

demoTest(
  "list_ips resolves pods, services and outside hosts; an unseen IP has no records",
  async (hub) => {
    const all = await hub.call("list_ips");
    assert.ok(all.total > 20);
    const unseen = await hub.call("list_ips", { ip: "192.0.2.1" });
    assert.deepEqual(unseen.ips, [{ ip: "192.0.2.1", records: [] }]);
  },
);

demoTest("list_l4_flows filters by protocol and pages", async (hub) => {
  const udp = await hub.call("list_l4_flows", { l4proto: "udp", limit: 3 });
  assert.ok(udp.flows.every((f: Json) => f.proto === "udp"));
  assert.equal(udp.flows.length, 3);
  assert.equal((await hub.fail("list_l4_flows", { limit: 5000 })).status, 400);
});

demoTest(
  "data boundaries cover the hour; disabling dissection empties live queries",
  async (hub) => {
    const raw = await hub.call("get_data_boundaries");
    assert.equal(raw.cluster.oldest_ts, DEMO_START_TS);
    assert.equal(raw.cluster.newest_ts, DEMO_START_TS + 3_600_000);
    assert.equal(raw.nodes.length, 3);
    assert.equal((await hub.call("get_l7_data_boundaries")).dissection_enabled, true);
    assert.deepEqual(await hub.call("disable_dissection"), { success: true, enabled: false });
    assert.equal((await hub.call("get_dissection_status")).enabled, false);
    const live = await hub.call("list_api_calls");
    assert.equal(live.total, 0);
    assert.match(live.note, /enable_dissection/);
    const snapshot = await hub.call("list_api_calls", {
      snapshot_id: "snap-before-deploy",
      limit: 1,
    });
    assert.ok(snapshot.total > 0, "snapshots stay queryable");
    await hub.call("enable_dissection");
    assert.ok((await hub.call("list_api_calls")).total > 0);
  },
);

demoTest("snapshots: list, get, create, dissect; unknown ids are 404", async (hub) => {
  const { snapshots } = await hub.call("list_snapshots");
  assert.deepEqual(snapshots.map((s: Json) => s.id), ["snap-before-deploy", "snap-after-deploy"]);
  assert.equal(
    (await hub.call("get_snapshot", { snapshot_id: "snap-before-deploy" })).status,
    "completed",
  );
  assert.equal((await hub.fail("get_snapshot", { snapshot_id: "nope" })).status, 404);
  const created = await hub.call("create_snapshot", {
    name: "incident",
    start_time: DEMO_START_TS + 40 * 60_000,
    end_time: DEMO_START_TS + 45 * 60_000,
  });
  assert.equal(created.status, "completed");
  assert.equal((await hub.call("list_snapshots")).snapshots.length, 3);
  const undissected = await hub.fail("list_api_calls", { snapshot_id: created.id });
  assert.equal(undissected.status, 400);
  assert.match(undissected.message, /start_snapshot_dissection/);
  assert.equal(
    (await hub.call("get_snapshot_dissection_status", { snapshot_id: created.id })).status,
    "not_started",
  );
  const dissection = await hub.call("start_snapshot_dissection", { snapshot_id: created.id });
  assert.equal(dissection.progress, 100);
  const inside = await hub.call("list_api_calls", { snapshot_id: created.id, limit: 1000 });
  assert.ok(inside.total > 0);
  for (const call of inside.calls) {
    assert.ok(call.ts >= DEMO_START_TS + 40 * 60_000 && call.ts < DEMO_START_TS + 45 * 60_000);
  }
  assert.equal((await hub.call("list_snapshot_dissections")).dissections.length, 2);
  assert.equal((await hub.fail("create_snapshot", { start_time: 1, end_time: 2 })).status, 400);
  assert.equal((await hub.fail("create_snapshot", { nodes: ["nowhere"] })).status, 400);
  assert.equal((await hub.fail("start_snapshot_dissection", { snapshot_id: "nope" })).status, 404);
});

demoTest("export_snapshot_pcap returns a relative path that serves a PCAP", async (hub) => {
  const exported = await hub.call("export_snapshot_pcap", {
    snapshot_id: "snap-before-deploy",
    bpf_filter: "udp and port 53",
  });
  assert.match(exported.path, /^\/snapshots\/snap-before-deploy\/data\.pcap\?/);
  const response = await hub.client.openFile(exported.path);
  assert.equal(response.headers.get("content-type"), "application/vnd.tcpdump.pcap");
  const bytes = new Uint8Array(await response.arrayBuffer());
  assert.equal(bytes.length, exported.size_bytes);
  assert.deepEqual([...bytes.subarray(0, 4)], [0xd4, 0xc3, 0xb2, 0xa1]);
  assert.equal(
    (await hub.fail("export_snapshot_pcap", {
      snapshot_id: "snap-before-deploy",
      bpf_filter: "net 10.0.0.0/8",
    })).status,
    400,
  );
  assert.equal((await hub.fail("export_snapshot_pcap", { snapshot_id: "nope" })).status, 404);
  assert.equal((await hub.fail("export_snapshot_pcap", {})).status, 400);
});

demoTest("cloud storage is reported as not configured", async (hub) => {
  assert.equal((await hub.call("get_cloud_storage_status")).enabled, false);
  const upload = await hub.fail("upload_snapshot_to_cloud", { snapshot_id: "snap-before-deploy" });
  assert.equal(upload.status, 400);
  assert.match(upload.message, /not configured/);
});

demoTest("an unknown tool is a 404", async (hub) => {
  assert.equal((await hub.fail("no_such_tool")).status, 404);
});

demoTest("a catastrophic regex cannot stall the Hub: patterns run on RE2", async (hub) => {
  const workloads = await hub.call("list_workloads", { name_regex: "^(\\w+-?)*!$" });
  assert.equal(workloads.total, 0);
  const calls = await hub.call("list_api_calls", { kfl: 'url.matches("^([a-z/?=0-9]*)*!$")' });
  assert.equal(calls.total, 0);
  const insensitive = await hub.call("list_api_calls", {
    kfl: 'path.matches("(?i)^/API/CHECKOUT$")',
  });
  assert.ok(insensitive.total > 0, "RE2 flags work");
  const bad = await hub.fail("list_api_calls", { kfl: 'http && path.matches("(?=x)")' });
  assert.equal(bad.status, 400);
  assert.match(bad.message, /invalid regular expression .* at position 21.*RE2/);
});

demoTest("a snapshot limited to one node holds only that node's traffic", async (hub) => {
  const node = "ip-10-0-1-21.ec2.internal";
  const one = await hub.call("create_snapshot", { nodes: [node] });
  const all = await hub.call("create_snapshot", {});
  assert.ok(one.packet_count < all.packet_count);
  await hub.call("start_snapshot_dissection", { snapshot_id: one.id });
  const calls = await hub.call("list_api_calls", {
    snapshot_id: one.id,
    limit: 1000,
    format: "full",
  });
  assert.ok(calls.calls.every((c: Json) => c.dst.node === node || c.src.node === node));
  const exported = await hub.call("export_snapshot_pcap", { snapshot_id: one.id });
  assert.equal(exported.packets, one.packet_count);
});

demoTest("snapshot ids win over names that look like ids", async (hub) => {
  const first = await hub.call("create_snapshot", { name: "snap-0002" });
  const second = await hub.call("create_snapshot", {});
  assert.equal(second.id, "snap-0002");
  assert.equal((await hub.call("get_snapshot", { snapshot_id: "snap-0002" })).id, "snap-0002");
  assert.equal((await hub.call("get_snapshot", { snapshot_id: first.id })).name, "snap-0002");
});

demoTest("PCAP URLs with a malformed id or time are 400s", async (hub) => {
  for (
    const path of [
      "/snapshots/%E0%A4%A/data.pcap",
      "/snapshots/snap-before-deploy/data.pcap?start_time=abc",
    ]
  ) {
    try {
      await hub.client.openFile(path);
      assert.fail(`${path} was served`);
    } catch (error) {
      assert.ok(error instanceof HubError);
      assert.equal(error.status, 400, path);
    }
  }
});

demoTest("an unknown argument is a 400 naming it and the closest valid name", async (hub) => {
  const error = await hub.fail("list_api_calls", { start_time: 1, namespace: "shop" });
  assert.equal(error.status, 400);
  assert.match(error.message, /unknown arguments `start_time` \(did you mean `start`\?\)/);
  assert.match(error.message, /`namespace`/);
  assert.match(
    error.message,
    /its arguments are kfl, limit, offset, start, end, format, snapshot_id/,
  );
  const flows = await hub.fail("list_l4_flows", { kfl: "tcp" });
  assert.match(flows.message, /unknown argument `kfl`/);
});
