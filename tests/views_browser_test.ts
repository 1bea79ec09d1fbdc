/// <reference lib="dom" />
/**
 * Each view in real headless Chromium, inside a host page that plays the ext-apps host side, fed
 * with the demo server's answers; the view's own tool calls go to that server too.
 */
import assert from "node:assert/strict";
import { edgeKfl, MapBuilder, type ServiceMapContent } from "../lib/views/shapes.ts";
import { textOf } from "./support/harness.ts";
import { closeBrowser, withView } from "./support/view_host.ts";
import { withDemoViews } from "./support/views_demo.ts";

// puppeteer keeps its socket and timers between steps; the browser is closed at the end.
const browserTest = (name: string, fn: () => Promise<void>) =>
  Deno.test({
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      try {
        await fn();
      } finally {
        await closeBrowser();
      }
    },
  });

browserTest(
  "service map view: renders the demo's workloads and edges, the planted failures red, without console errors",
  async () => {
    await withDemoViews(async (demo) => {
      const args = { limit: 1000 };
      const result = await demo.call("list_api_calls", args);
      const content = result.structuredContent as unknown as ServiceMapContent;
      await withView({
        html: await demo.html("ui://kubeshark/service-map.html"),
        toolInput: args,
        toolResult: result,
        callTool: (name, a) => demo.call(name, a),
      }, async (view) => {
        await view.waitInView("document.body.dataset.ready === '1'");
        const counts = await view.frame.evaluate(() => ({
          nodes: document.querySelectorAll("g.node").length,
          edges: document.querySelectorAll("path.edge").length,
          red: [...document.querySelectorAll("path.edge.red")].map((e) =>
            `${e.getAttribute("data-src")}>${e.getAttribute("data-dst")}`
          ),
        }));
        assert.equal(counts.nodes, content.nodes.length);
        assert.equal(counts.edges, content.edges.length);
        assert.ok(content.nodes.length >= 15 && content.edges.length >= 18, JSON.stringify(counts));
        // The payment 503s, the NXDOMAIN lookups and the duplicate-key inserts.
        for (
          const edge of ["shop/checkout>payments/payment", "shop/checkout>kube-system/kube-dns"]
        ) {
          assert.ok(counts.red.includes(edge), `${edge} is not red: ${counts.red}`);
        }
        assert.deepEqual(view.errors, []);
        assert.equal(view.toolCalls.length, 0);
        assert.ok((await view.sizes()).length >= 1, "the view reported its size");
      });
    });
  },
);

browserTest(
  "service map view: clicking an edge asks list_api_calls for that edge's calls and lists them",
  async () => {
    await withDemoViews(async (demo) => {
      const args = { limit: 1000 };
      const result = await demo.call("list_api_calls", args);
      const content = result.structuredContent as unknown as ServiceMapContent;
      const node = (id: string) => content.nodes.find((n) => n.id === id)!;
      await withView({
        html: await demo.html("ui://kubeshark/service-map.html"),
        toolInput: args,
        toolResult: result,
        callTool: (name, a) => demo.call(name, a),
      }, async (view) => {
        await view.waitInView("document.body.dataset.ready === '1'");
        await view.frame.evaluate(() =>
          document.querySelector(
            'path.edge[data-src="shop/checkout"][data-dst="payments/payment"]',
          )!
            .dispatchEvent(new MouseEvent("click", { bubbles: true }))
        );
        await view.waitInView("document.querySelectorAll('#calls tr.call').length > 0");
        const kfl = edgeKfl(node("shop/checkout"), node("payments/payment"));
        assert.deepEqual(view.toolCalls, [{
          name: "list_api_calls",
          arguments: { kfl, limit: 25 },
        }]);
        // The filter selects exactly this edge's calls, some of them failed.
        const direct = JSON.parse(textOf(await demo.call("list_api_calls", { kfl, limit: 25 })));
        const rows = await view.frame.evaluate(() => ({
          all: document.querySelectorAll("#calls tr.call").length,
          bad: document.querySelectorAll("#calls tr.call.bad").length,
        }));
        assert.equal(rows.all, direct.calls.length);
        assert.ok(
          direct.calls.every((c: { src: string; dst: string }) =>
            c.src.startsWith("shop/checkout-") && c.dst.startsWith("payments/payment-")
          ),
        );
        assert.deepEqual(view.errors, []);
      });
    });
  },
);

browserTest(
  "service map view: 'map all matching calls' pages through list_api_calls and maps the whole hour",
  async () => {
    await withDemoViews(async (demo) => {
      const args = { limit: 100 };
      const result = await demo.call("list_api_calls", args);
      // Page as the view must: from what each answer holds (the result budget may cut a page).
      const all = new MapBuilder();
      const offsets: number[] = [];
      for (let offset = 0; offsets.length < 20;) {
        offsets.push(offset);
        const page = JSON.parse(textOf(await demo.call("list_api_calls", { limit: 1000, offset })));
        all.add(page.calls);
        offset += page.calls.length;
        if (!page.calls.length || offset >= page.total) break;
      }
      assert.ok(offsets.length > 1);
      const expected = all.result();
      await withView({
        html: await demo.html("ui://kubeshark/service-map.html"),
        toolInput: args,
        toolResult: result,
        callTool: (name, a) => demo.call(name, a),
      }, async (view) => {
        await view.waitInView("document.body.dataset.ready === '1'");
        await view.frame.click("#load-all");
        await view.waitInView(
          `document.getElementById('map').dataset.edges === '${expected.edges.length}'`,
        );
        assert.deepEqual(
          view.toolCalls.map((c) => c.arguments),
          offsets.map((offset) => ({ limit: 1000, offset })),
        );
        // The whole hour: every call mapped.
        await view.waitInView("document.getElementById('status').textContent.startsWith('Mapped')");
        const status = await view.frame.evaluate(() =>
          document.getElementById("status")!.textContent
        );
        assert.equal(status, `Mapped ${all.calls} of ${all.calls} calls`);
        const nodes = await view.frame.evaluate(() => document.querySelectorAll("g.node").length);
        assert.equal(nodes, expected.nodes.length);
        assert.deepEqual(view.errors, []);
      });
    });
  },
);

browserTest(
  "latency view: one series per group, a bucket per minute, the deploy marker; brushing asks get_api_stats for that range",
  async () => {
    await withDemoViews(async (demo) => {
      const args = { group_by: "service", bucket_seconds: 60, limit: 10 };
      const result = await demo.call("get_api_stats", args);
      const answer = JSON.parse(textOf(result));
      const busiest = answer.groups[0].buckets as { start: number }[];
      // The demo Hub leaves out buckets without calls; the view puts them back as gaps.
      const grid = (busiest.at(-1)!.start - busiest[0].start) / 60_000 + 1;
      assert.equal(answer.markers.length, 1);
      await withView({
        html: await demo.html("ui://kubeshark/latency.html"),
        toolInput: args,
        toolResult: result,
        callTool: (name, a) => demo.call(name, a),
      }, async (view) => {
        await view.waitInView("document.body.dataset.ready === '1'");
        const shown = await view.frame.evaluate(() => ({
          series: document.body.dataset.series,
          options: document.querySelectorAll("#group option").length,
          buckets: document.getElementById("chart")!.dataset.buckets,
          markers: document.getElementById("chart")!.dataset.markers,
          lines: document.querySelectorAll(".u-legend .u-series").length,
        }));
        assert.deepEqual(shown, {
          series: String(answer.groups.length),
          options: answer.groups.length,
          buckets: String(grid),
          markers: "1",
          lines: 5, // time + p50, p90, p99, errors
        });
        assert.ok(grid >= 55 && grid <= 60, `${grid}`);
        assert.equal(view.toolCalls.length, 0);
        // Drag across the middle third of the plot.
        const over = await view.frame.$(".u-over");
        const box = (await over!.boundingBox())!;
        const y = box.y + box.height / 2;
        await view.page.mouse.move(box.x + box.width / 3, y);
        await view.page.mouse.down();
        await view.page.mouse.move(box.x + (2 * box.width) / 3, y, { steps: 8 });
        await view.page.mouse.up();
        await view.waitInView("document.getElementById('status').textContent.startsWith('Zoomed')");
        assert.equal(view.toolCalls.length, 1);
        const [call] = view.toolCalls;
        assert.equal(call.name, "get_api_stats");
        const { start, end, bucket_seconds, group_by, limit } = call.arguments as Record<
          string,
          number
        >;
        assert.equal(group_by, "service");
        assert.equal(limit, 10);
        const first = busiest[0].start;
        const third = (busiest.at(-1)!.start - first) / 3;
        assert.ok(Math.abs(start - (first + third)) < 3 * 60_000, `start ${start - first} ms in`);
        assert.ok(Math.abs(end - (first + 2 * third)) < 3 * 60_000, `end ${end - first} ms in`);
        assert.equal(bucket_seconds, Math.max(10, Math.round((end - start) / 60_000)));
        // The narrower answer is drawn: about 60 buckets of the new width.
        const buckets = await view.frame.evaluate(() =>
          Number(document.getElementById("chart")!.dataset.buckets)
        );
        assert.ok(buckets >= 40 && buckets <= 62, `${buckets}`);
        assert.deepEqual(view.errors, []);
      });
    });
  },
);

browserTest(
  "flows view: a row per flow with its RTT (asked in full), refused ones flagged; sorting and filtering work",
  async () => {
    await withDemoViews(async (demo) => {
      const args = { limit: 300 };
      const result = await demo.call("list_l4_flows", args);
      const full = await demo.call("list_l4_flows", { ...args, format: "full" });
      const flows = JSON.parse(textOf(full)).flows as {
        state: string;
        totals: { bytes: number };
        client_stats: { tcp_handshake_p50_us?: number };
      }[];
      const withRtt = flows.filter((f) => f.client_stats.tcp_handshake_p50_us).length;
      assert.ok(withRtt > 0);
      const refused = flows.filter((f) => f.state === "refused").length;
      assert.ok(refused > 0);
      await withView({
        html: await demo.html("ui://kubeshark/flows.html"),
        toolInput: args,
        toolResult: result,
        callTool: (name, a) => demo.call(name, a),
      }, async (view) => {
        await view.waitInView("document.body.dataset.ready === '1'");
        // The compact answer has no RTT: the view asks for the same flows in full, once.
        await view.waitInView(
          "[...document.querySelectorAll('#flows tr.flow td:nth-child(8)')].some((td) => td.textContent !== '–')",
        );
        assert.deepEqual(view.toolCalls, [{
          name: "list_l4_flows",
          arguments: { limit: 300, format: "full" },
        }]);
        const rtts = await view.frame.evaluate(() =>
          [...document.querySelectorAll("#flows tr.flow td:nth-child(8)")]
            .filter((td) => td.textContent !== "–").length
        );
        assert.equal(rtts, withRtt);
        const initial = await view.frame.evaluate(() => ({
          rows: document.querySelectorAll("#flows tr.flow").length,
          bad: document.querySelectorAll("#flows tr.flow.bad").length,
          cells: document.querySelectorAll("#heatmap td.cell").length,
        }));
        assert.equal(initial.rows, flows.length);
        assert.equal(initial.bad, refused);
        assert.ok(initial.cells > 3);
        // Sorted by bytes, largest first.
        const firstBytes = await view.frame.evaluate(() =>
          document.querySelector("#flows tr.flow td:nth-child(6)")!.textContent
        );
        const max = Math.max(...flows.map((f) => f.totals.bytes));
        assert.equal(firstBytes, max >= 1024 ? `${(max / 1024).toFixed(1)} KB` : `${max} B`);
        await view.frame.select("#state", "refused");
        await view.waitInView(`document.body.dataset.rows === '${refused}'`);
        // Sort by client, then filter by text.
        await view.frame.click('th[data-key="client"]');
        await view.frame.type("#filter", "cart");
        const filtered = await view.frame.evaluate(() =>
          [...document.querySelectorAll("#flows tr.flow td:nth-child(2)")].map((td) =>
            td.textContent
          )
        );
        assert.ok(filtered.length > 0 && filtered.every((t) => t!.includes("cart")), `${filtered}`);
        assert.equal(view.toolCalls.length, 1);
        assert.deepEqual(view.errors, []);
      });
    });
  },
);
