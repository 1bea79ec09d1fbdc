/**
 * `deno task screenshots`: the three views, rendered from the demo (`main.ts --demo`) in headless
 * Chromium inside the test host page, saved as docs/view-*.png for the README.
 */
import { closeBrowser, withView } from "../tests/support/view_host.ts";
import { withDemoViews } from "../tests/support/views_demo.ts";

const DOCS = new URL("../docs/", import.meta.url);
const WIDTH = 1100;

const SHOTS = [
  {
    file: "view-service-map.png",
    uri: "ui://kubeshark/service-map.html",
    tool: "list_api_calls",
    args: { limit: 1000 },
    // Map the whole hour, then open the calls behind checkout → payment.
    script: `(async () => {
      document.getElementById("load-all").click();
      for (let i = 0; i < 100 && !document.getElementById("status").textContent.startsWith("Mapped"); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      document.querySelector('path.edge[data-src="shop/checkout"][data-dst="payments/payment"]')
        .dispatchEvent(new MouseEvent("click", { bubbles: true }));
      for (let i = 0; i < 100 && !document.querySelector("#calls tr.call"); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
    })()`,
  },
  {
    file: "view-latency.png",
    uri: "ui://kubeshark/latency.html",
    tool: "get_api_stats",
    args: { group_by: "service", bucket_seconds: 120, limit: 8 },
    script: `(() => {
      const select = document.getElementById("group");
      select.value = "frontend/api-gateway";
      select.dispatchEvent(new Event("change"));
    })()`,
  },
  {
    file: "view-flows.png",
    uri: "ui://kubeshark/flows.html",
    tool: "list_l4_flows",
    args: { limit: 400 },
    script: "",
  },
];

await Deno.mkdir(DOCS, { recursive: true });
try {
  await withDemoViews(async (demo) => {
    const call = (name: string, args: Record<string, unknown>) => demo.call(name, args);
    for (const shot of SHOTS) {
      await withView({
        html: await demo.html(shot.uri),
        toolInput: shot.args,
        toolResult: await call(shot.tool, shot.args),
        callTool: call,
        width: WIDTH,
        height: 300,
      }, async (view) => {
        await view.waitInView("document.body.dataset.ready === '1'");
        if (shot.script) await view.frame.evaluate(shot.script);
        await new Promise((resolve) => setTimeout(resolve, 400));
        const height = await view.frame.evaluate(() =>
          Math.ceil(document.body.getBoundingClientRect().height)
        );
        await view.page.setViewport({ width: WIDTH, height });
        const frame = await view.page.$("#view");
        const path = new URL(shot.file, DOCS).pathname;
        await frame!.screenshot({ path: path as `${string}.png` });
        if (view.errors.length) throw new Error(`${shot.file}: ${view.errors.join("; ")}`);
        console.error(`wrote ${path}`);
      });
    }
  });
} finally {
  await closeBrowser();
}
