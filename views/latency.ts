/// <reference lib="dom" />
/**
 * The latency and errors view: for one group of a get_api_stats answer, p50/p90/p99 per time
 * bucket (log scale) and error counts (bars), with deploy markers. Drag across the chart to ask
 * get_api_stats for that range alone, with finer buckets. Drawn with uPlot (small, canvas).
 */
import uPlot from "uplot";
import {
  type Bucket,
  type LatencyContent,
  latencyContent,
  type LatencySeries,
} from "../lib/views/shapes.ts";
import {
  connectHost,
  formatMs,
  formatTime,
  h,
  type Host,
  setStatus,
  structuredOf,
  type ToolResult,
} from "./bridge.ts";

const MIN_BUCKET_S = 10;
const MAX_BUCKET_S = 3600;
const TARGET_BUCKETS = 60;

let host: Host | undefined = undefined;
let input: Record<string, unknown> = {};
let first: LatencyContent | undefined;
let current: LatencyContent | undefined;
let selected = "";
let chart: uPlot | undefined;

/** Bucket width for a window: about 60 buckets, within what get_api_stats accepts. */
function bucketFor(startMs: number, endMs: number): number {
  const seconds = Math.round((endMs - startMs) / 1000 / TARGET_BUCKETS);
  return Math.min(MAX_BUCKET_S, Math.max(MIN_BUCKET_S, seconds));
}

function css(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
}

function textOf(result: ToolResult): string {
  const text = result.content?.find((item) => item.type === "text");
  return text && "text" in text ? text.text : "the tool failed";
}

function contentOf(result: ToolResult, args: Record<string, unknown>): LatencyContent | undefined {
  const data = structuredOf(result);
  if (data?.view === "latency") return data as unknown as LatencyContent;
  return data ? latencyContent(data, args) : undefined;
}

function drawChart(series: LatencySeries, markers: LatencyContent["markers"]): void {
  const box = document.getElementById("chart")!;
  chart?.destroy();
  const buckets = withGaps(series.buckets, (current?.bucket_seconds ?? 0) * 1000);
  const xs = buckets.map(([start]) => start / 1000);
  const positive = (v: number | undefined) => (v && v > 0 ? v : null);
  const data: uPlot.AlignedData = [
    xs,
    buckets.map(([, b]) => positive(b?.p50_ms)),
    buckets.map(([, b]) => positive(b?.p90_ms)),
    buckets.map(([, b]) => positive(b?.p99_ms)),
    buckets.map(([, b]) => b?.errors ?? null),
  ];
  const grid = { stroke: css("--line"), width: 1 };
  const axis = { stroke: css("--fg2"), grid, ticks: grid };
  chart = new uPlot(
    {
      width: Math.max(320, box.clientWidth),
      height: 280,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"),
      cursor: { drag: { x: true, y: false, setScale: false } },
      select: { show: true, left: 0, top: 0, width: 0, height: 0 },
      scales: { ms: { distr: 3 }, n: { range: (_u, _min, max) => [0, Math.max(4, max * 1.6)] } },
      axes: [
        { ...axis },
        {
          ...axis,
          scale: "ms",
          label: "latency (ms)",
          values: (_u, v) => v.map((x) => (x == null ? "" : formatMs(x))),
        },
        { ...axis, scale: "n", side: 1, label: "errors", grid: { show: false } },
      ],
      series: [
        {},
        {
          label: "p50",
          scale: "ms",
          stroke: css("--ok"),
          width: 2,
          value: (_u, v) => v == null ? "–" : formatMs(v),
        },
        {
          label: "p90",
          scale: "ms",
          stroke: css("--orange"),
          width: 2,
          value: (_u, v) => v == null ? "–" : formatMs(v),
        },
        {
          label: "p99",
          scale: "ms",
          stroke: css("--red"),
          width: 1.5,
          dash: [5, 4],
          value: (_u, v) => v == null ? "–" : formatMs(v),
        },
        {
          label: "errors",
          scale: "n",
          stroke: css("--red"),
          fill: css("--red") + "55",
          paths: uPlot.paths.bars!({ size: [0.7, 40] }),
          points: { show: false },
        },
      ],
      hooks: {
        draw: [(u) => drawMarkers(u, markers)],
        setSelect: [(u) => {
          if (u.select.width < 4) return;
          const start = Math.round(u.posToVal(u.select.left, "x") * 1000);
          const end = Math.round(u.posToVal(u.select.left + u.select.width, "x") * 1000);
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          zoom(start, end);
        }],
      },
    },
    data,
    box,
  );
  box.dataset.buckets = String(xs.length);
  box.dataset.markers = String(markers.length);
}

/** Buckets on a regular grid: a Hub leaves out buckets without calls; the chart shows gaps there. */
function withGaps(buckets: Bucket[], stepMs: number): [number, Bucket | undefined][] {
  if (stepMs <= 0 || buckets.length < 2) return buckets.map((b) => [b.start, b]);
  const byStart = new Map(buckets.map((b) => [b.start, b]));
  const grid: [number, Bucket | undefined][] = [];
  const last = buckets[buckets.length - 1].start;
  for (let t = buckets[0].start; t <= last && grid.length < 10_000; t += stepMs) {
    grid.push([t, byStart.get(t)]);
  }
  return grid;
}

function drawMarkers(u: uPlot, markers: LatencyContent["markers"]): void {
  const ctx = u.ctx;
  ctx.save();
  for (const marker of markers) {
    const x = u.valToPos(marker.ts / 1000, "x", true);
    if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
    ctx.strokeStyle = css("--accent");
    ctx.fillStyle = css("--accent");
    ctx.lineWidth = 1.5 * devicePixelRatio;
    ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
    ctx.beginPath();
    ctx.moveTo(x, u.bbox.top);
    ctx.lineTo(x, u.bbox.top + u.bbox.height);
    ctx.stroke();
    ctx.font = `${11 * devicePixelRatio}px sans-serif`;
    ctx.fillText(marker.label, x + 4 * devicePixelRatio, u.bbox.top + 12 * devicePixelRatio);
  }
  ctx.restore();
}

function render(content: LatencyContent): void {
  current = content;
  const select = document.getElementById("group") as HTMLSelectElement;
  select.replaceChildren(
    ...content.series.map((s) => h("option", { value: s.key }, `${s.key} (${s.calls} calls)`)),
  );
  if (!content.series.some((s) => s.key === selected)) selected = content.series[0]?.key ?? "";
  select.value = selected;
  document.body.dataset.series = String(content.series.length);
  const { start, end } = content.window;
  document.getElementById("summary")!.textContent = `${content.series.length} ${content.group_by}` +
    ` groups` + (start && end ? `, ${formatTime(start)}–${formatTime(end)} UTC` : "") +
    (content.bucket_seconds ? `, ${content.bucket_seconds} s buckets` : "");
  (document.getElementById("reset") as HTMLButtonElement).hidden = content === first;
  renderTable(content);
  showSelected();
  document.body.dataset.ready = "1";
}

function showSelected(): void {
  const series = current?.series.find((s) => s.key === selected);
  const box = document.getElementById("chart")!;
  if (!series || !current) {
    chart?.destroy();
    chart = undefined;
    box.replaceChildren(h("div", { class: "muted" }, "No calls matched."));
    return;
  }
  if (!series.buckets.length) {
    chart?.destroy();
    chart = undefined;
    box.replaceChildren(
      h(
        "div",
        { class: "muted" },
        "This answer has no time buckets (the Hub may not support them).",
      ),
    );
    return;
  }
  drawChart(series, current.markers);
  for (const row of document.querySelectorAll<HTMLElement>("tr.group")) {
    row.style.fontWeight = row.dataset.key === selected ? "600" : "";
  }
}

function renderTable(content: LatencyContent): void {
  const table = h(
    "table",
    {},
    h(
      "tr",
      {},
      h("th", {}, content.group_by),
      h("th", { class: "num" }, "calls"),
      h("th", { class: "num" }, "errors"),
      h("th", { class: "num" }, "p50"),
      h("th", { class: "num" }, "p90"),
      h("th", { class: "num" }, "p99"),
    ),
  );
  for (const s of content.series) {
    const row = h(
      "tr",
      { class: s.errors / Math.max(1, s.calls) >= 0.02 ? "group bad" : "group", "data-key": s.key },
      h("td", { class: "mono" }, s.key),
      h("td", { class: "num" }, String(s.calls)),
      h("td", { class: "num" }, String(s.errors)),
      h("td", { class: "num" }, formatMs(s.p50_ms)),
      h("td", { class: "num" }, formatMs(s.p90_ms)),
      h("td", { class: "num" }, formatMs(s.p99_ms)),
    );
    row.style.cursor = "pointer";
    row.addEventListener("click", () => {
      selected = s.key;
      (document.getElementById("group") as HTMLSelectElement).value = s.key;
      showSelected();
    });
    table.append(row);
  }
  document.getElementById("groups")!.replaceChildren(table);
}

async function query(args: Record<string, unknown>): Promise<LatencyContent | undefined> {
  if (!host) return undefined;
  const result = await host.callTool("get_api_stats", args);
  if (result.isError) {
    setStatus(`get_api_stats failed: ${textOf(result)}`, "error");
    return undefined;
  }
  return contentOf(result, args);
}

async function zoom(start: number, end: number): Promise<void> {
  const base = current?.query ?? input;
  const args = { ...base, start, end, bucket_seconds: bucketFor(start, end) };
  setStatus(`Asking for ${formatTime(start)}–${formatTime(end)} UTC…`);
  const content = await query(args);
  if (!content) return;
  render(content);
  setStatus(`Zoomed to ${formatTime(start)}–${formatTime(end)} UTC`);
}

async function onResult(result: ToolResult): Promise<void> {
  if (result.isError) {
    setStatus(textOf(result), "error");
    return;
  }
  let content = contentOf(result, input);
  if (!content) return;
  if (!Object.keys(content.query).length) content = { ...content, query: input };
  first = content;
  render(content);
  // An answer without buckets: ask once for the same query, bucketed.
  const { start, end } = content.window;
  if (!content.bucket_seconds && content.series.length && start && end) {
    setStatus("Asking for time buckets…");
    const bucketed = await query({ ...content.query, bucket_seconds: bucketFor(start, end) });
    if (bucketed?.bucket_seconds) {
      first = bucketed;
      render(bucketed);
      setStatus("");
    }
  }
}

document.body.append(
  h("h1", {}, "Latency and errors over time"),
  h("div", { class: "sub", id: "summary" }, "Waiting for the answer…"),
  h(
    "div",
    { class: "bar" },
    h("select", { id: "group", "aria-label": "group" }),
    h("button", { id: "reset", hidden: "" }, "Back to the whole window"),
    h("span", { class: "muted" }, "drag across the chart to query that range"),
  ),
  h("div", { id: "status" }),
  h("div", { id: "chart" }),
  h("div", { id: "groups", style: "margin-top:8px" }),
);
document.getElementById("group")!.addEventListener("change", (event) => {
  selected = (event.target as HTMLSelectElement).value;
  showSelected();
});
document.getElementById("reset")!.addEventListener("click", () => {
  if (first) render(first);
  setStatus("");
});

host = await connectHost("kubeshark-latency", {
  onToolInput: (args) => (input = args),
  onToolResult: (result) => void onResult(result),
});
