/** MCP Apps views over the wire: resources, tool links and structured content, with and without the extension. */
import assert from "node:assert/strict";
import { SOURCES_SHA256, VIEW_HTML } from "../lib/views/generated.ts";
import {
  edgeKfl,
  flowsContent,
  nodeOf,
  peerFields,
  serviceMapContent,
} from "../lib/views/shapes.ts";
import { sourcesDigest, VIEW_BUDGET_BYTES } from "../views/build.ts";
import { textOf, withServer } from "./support/harness.ts";
import { withDemoViews } from "./support/views_demo.ts";

const VIEW_URIS = [
  "ui://kubeshark/service-map.html",
  "ui://kubeshark/latency.html",
  "ui://kubeshark/flows.html",
];

Deno.test("views: a client with the UI extension lists the three views with the MCP Apps MIME type and _meta.ui", async () => {
  await withDemoViews(async ({ server }) => {
    const { resources } = (await server.request("resources/list")).result;
    const views = resources.filter((r: { uri: string }) => r.uri.startsWith("ui://"));
    assert.deepEqual(views.map((r: { uri: string }) => r.uri), VIEW_URIS);
    for (const view of views) {
      assert.equal(view.mimeType, "text/html;profile=mcp-app");
      assert.equal(view._meta.ui.prefersBorder, true);
      assert.deepEqual(view._meta.ui.csp, {});
      assert.ok(view.title && view.description);
    }
  });
});

Deno.test("views: resources/read gives each view's self-contained HTML (no network, within 150 KB) with _meta.ui", async () => {
  await withDemoViews(async ({ server }) => {
    for (const uri of VIEW_URIS) {
      const { contents } = (await server.request("resources/read", { uri })).result;
      assert.equal(contents.length, 1);
      const [content] = contents;
      assert.equal(content.uri, uri);
      assert.equal(content.mimeType, "text/html;profile=mcp-app");
      assert.deepEqual(content._meta.ui.csp, {});
      assert.match(content.text, /^<!doctype html>/);
      assert.ok(new TextEncoder().encode(content.text).length <= VIEW_BUDGET_BYTES, uri);
      // Self-contained: no external scripts, styles or fetches.
      assert.doesNotMatch(
        content.text,
        /<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org)/,
      );
    }
  });
});

Deno.test("views: tools with a view carry _meta.ui.resourceUri for a client with the extension", async () => {
  await withDemoViews(async ({ server }) => {
    const { tools } = (await server.request("tools/list")).result;
    const linked = Object.fromEntries(
      tools.filter((t: { _meta?: unknown }) => t._meta).map((
        t: { name: string; _meta: { ui: { resourceUri: string } } },
      ) => [t.name, t._meta.ui.resourceUri]),
    );
    assert.deepEqual(linked, {
      list_api_calls: "ui://kubeshark/service-map.html",
      get_api_stats: "ui://kubeshark/latency.html",
      list_l4_flows: "ui://kubeshark/flows.html",
    });
  });
});

Deno.test("views: without the extension, tools have no _meta, no view is listed, answers are unchanged", async () => {
  await withServer(["--demo"], async (server) => {
    await server.initialize();
    const { tools } = (await server.request("tools/list")).result;
    assert.ok(tools.every((t: { _meta?: unknown }) => t._meta === undefined));
    const { resources } = (await server.request("resources/list")).result;
    assert.ok(resources.every((r: { uri: string }) => !r.uri.startsWith("ui://")));
    const result = await server.callTool("list_l4_flows", { limit: 3 });
    assert.deepEqual(result.structuredContent, JSON.parse(textOf(result)));
  });
});

Deno.test("views: with the extension, a linked tool's structuredContent is the view's compact data; the text stays the answer", async () => {
  await withDemoViews(async ({ call }) => {
    const calls = await call("list_api_calls", { limit: 1000 });
    const answer = JSON.parse(textOf(calls));
    assert.ok(answer.calls.length > 100, `${answer.calls.length}`);
    assert.deepEqual(calls.structuredContent, serviceMapContent(answer, { limit: 1000 }));
    assert.ok(JSON.stringify(calls.structuredContent).length < JSON.stringify(answer).length / 10);
    const flows = await call("list_l4_flows", { limit: 5 });
    assert.deepEqual(
      flows.structuredContent,
      flowsContent(JSON.parse(textOf(flows)), { limit: 5 }),
    );
    // A tool without a view keeps the answer as its structured content.
    const workloads = await call("list_workloads", { limit: 2 });
    assert.deepEqual(workloads.structuredContent, JSON.parse(textOf(workloads)));
  });
});

Deno.test("views: the service map folds a page of calls into namespaced workloads and per-edge rates, errors and p90", () => {
  const peer = (ns: string, svc: string) => ({
    ip: "10.0.0.1",
    port: 80,
    ns,
    svc,
    pod: `${svc}-abc`,
  });
  const map = serviceMapContent({
    calls: [
      {
        ts: 1,
        src: peer("shop", "checkout"),
        dst: peer("payments", "payment"),
        proto: "http",
        status: 503,
        latency_ms: 30,
      },
      {
        ts: 2,
        src: peer("shop", "checkout"),
        dst: peer("payments", "payment"),
        proto: "http",
        status: 201,
        latency_ms: 80,
      },
      {
        ts: 3,
        src: { ip: "198.51.100.7", port: 5 },
        dst: peer("shop", "checkout"),
        proto: "http",
        status: 200,
        latency_ms: 5,
      },
    ],
    total: 10,
    next_offset: 3,
  });
  assert.deepEqual(map.nodes.map((n) => n.id), [
    "(outside clients)",
    "payments/payment",
    "shop/checkout",
  ]);
  assert.deepEqual(map.edges[0], {
    src: "shop/checkout",
    dst: "payments/payment",
    protos: ["http"],
    calls: 2,
    errors: 1,
    p90_ms: 80,
    first_ts: 1,
    last_ts: 2,
  });
  assert.equal(map.total, 10);
  assert.equal(map.next_offset, 3);
});

Deno.test("views: compact string peers become workloads: ns/pod, ns/svc/name, host (ip), bare IPs", () => {
  assert.deepEqual(peerFields("shop/checkout-zm2wr25cl-nhchj:8080"), {
    ns: "shop",
    svc: "",
    pod: "checkout-zm2wr25cl-nhchj",
    dns: "",
    ip: "",
    port: 8080,
  });
  assert.equal(nodeOf("data/kafka-0:9092").id, "data/kafka");
  assert.equal(nodeOf("kube-system/kube-dns-4jzz8p759-jpd24:53").id, "kube-system/kube-dns");
  assert.equal(nodeOf("data/svc/redis-cache:6380").id, "data/redis-cache");
  assert.equal(nodeOf("pool.minexmr.com (203.0.113.66):80").id, "pool.minexmr.com");
  assert.equal(nodeOf("fe80::1").id, "fe80::1");
  assert.equal(
    edgeKfl(
      nodeOf("shop/checkout-zm2wr25cl-nhchj"),
      nodeOf("payments/payment-phkl89p4d-nvkx2:8080"),
    ),
    'src.pod.name.startsWith("checkout-") && src.namespace == "shop" && ' +
      'dst.pod.name.startsWith("payment-") && dst.namespace == "payments"',
  );
});

Deno.test("views: lib/views/generated.ts is built from the current sources (run `deno task build-views`)", async () => {
  assert.equal(SOURCES_SHA256, await sourcesDigest());
  assert.deepEqual(Object.keys(VIEW_HTML), ["service_map", "latency", "flows"]);
});
