/// <reference lib="dom" />
/**
 * The service map view: workloads grouped by namespace (columns follow the direction of calls),
 * edges by rate (width) and health (colour: red for errors, orange for a slow p90). Clicking an
 * edge lists its calls through the host (`list_api_calls` with that edge's KFL2 filter); "map all
 * calls" pages through the query's matches and folds them in.
 */
import {
  edgeKfl,
  MapBuilder,
  type MapEdge,
  type MapNode,
  type ServiceMapContent,
  serviceMapContent,
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

const SVG = "http://www.w3.org/2000/svg";
const NODE_W = 160;
const NODE_H = 24;
const NODE_GAP = 6;
const GROUP_PAD = 8;
const GROUP_HEAD = 20;
const GROUP_GAP = 14;
const COLUMN_GAP = 70;
const ERROR_RATE_RED = 0.02;
const SLOW_P90_MS = 500;
const PAGE = 1_000;
const MAX_PAGES = 20;

let host: Host | undefined = undefined;
let content: ServiceMapContent | undefined;

function svg(tag: string, attributes: Record<string, string | number>): SVGElement {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

/** Error rate ≥ 2 % is red; otherwise a p90 ≥ 500 ms is orange. */
function edgeColour(edge: MapEdge): string {
  if (edge.errors / edge.calls >= ERROR_RATE_RED) return "var(--red)";
  if (edge.p90_ms >= SLOW_P90_MS) return "var(--orange)";
  return "var(--ok)";
}

function groupOf(node: MapNode, incoming: Set<string>): string {
  if (node.namespace) return node.namespace;
  return incoming.has(node.id) ? "outside the cluster" : "clients";
}

// Longest path from a caller nobody calls, bounded (cycles stop after |nodes| rounds).
function depths(nodes: MapNode[], edges: MapEdge[]): Map<string, number> {
  const depth = new Map(nodes.map((n) => [n.id, 0]));
  for (let round = 0; round < nodes.length; round++) {
    let changed = false;
    for (const edge of edges) {
      if (edge.src === edge.dst) continue;
      const next = (depth.get(edge.src) ?? 0) + 1;
      if (next > (depth.get(edge.dst) ?? 0) && next <= nodes.length) {
        depth.set(edge.dst, next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  // A caller nobody calls inside the cluster (a batch job) sits just before what it calls.
  const called = new Set(edges.map((e) => e.dst));
  for (const node of nodes) {
    if (called.has(node.id) || !node.namespace) continue;
    const targets = edges.filter((e) => e.src === node.id).map((e) => depth.get(e.dst) ?? 1);
    if (targets.length) depth.set(node.id, Math.max(0, Math.min(...targets) - 1));
  }
  return depth;
}

interface Placed {
  x: number;
  y: number;
}

function layout(data: ServiceMapContent) {
  const incoming = new Set(data.edges.map((e) => e.dst));
  const depth = depths(data.nodes, data.edges);
  const groups = new Map<string, MapNode[]>();
  for (const node of data.nodes) {
    const key = groupOf(node, incoming);
    groups.set(key, [...(groups.get(key) ?? []), node]);
  }
  const rank = new Map<string, number>();
  for (const [key, members] of groups) {
    rank.set(key, Math.min(...members.map((n) => depth.get(n.id) ?? 0)));
  }
  const ranks = [...new Set(rank.values())].sort((a, b) => a - b);
  const positions = new Map<string, Placed>();
  const boxes: { name: string; x: number; y: number; w: number; h: number }[] = [];
  let height = 0;
  ranks.forEach((r, column) => {
    const x = column * (NODE_W + 2 * GROUP_PAD + COLUMN_GAP);
    let y = 0;
    const names = [...groups.keys()].filter((k) => rank.get(k) === r).sort();
    for (const name of names) {
      const members = groups.get(name)!.sort((a, b) =>
        (depth.get(a.id) ?? 0) - (depth.get(b.id) ?? 0) || a.name.localeCompare(b.name)
      );
      const boxH = GROUP_HEAD + members.length * (NODE_H + NODE_GAP) - NODE_GAP + GROUP_PAD;
      boxes.push({ name, x, y, w: NODE_W + 2 * GROUP_PAD, h: boxH });
      members.forEach((node, i) => {
        positions.set(node.id, {
          x: x + GROUP_PAD,
          y: y + GROUP_HEAD + i * (NODE_H + NODE_GAP),
        });
      });
      y += boxH + GROUP_GAP;
    }
    height = Math.max(height, y - GROUP_GAP);
  });
  const width = ranks.length * (NODE_W + 2 * GROUP_PAD + COLUMN_GAP) - COLUMN_GAP + 40;
  return { positions, boxes, width, height };
}

function edgePath(a: Placed, b: Placed): string {
  const y1 = a.y + NODE_H / 2;
  const y2 = b.y + NODE_H / 2;
  if (b.x > a.x + NODE_W) {
    const x1 = a.x + NODE_W;
    const x2 = b.x;
    const dx = (x2 - x1) / 2;
    return `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`;
  }
  // Same column (or backwards): loop out to the right.
  const x1 = a.x + NODE_W;
  const x2 = b.x + NODE_W;
  const bulge = 30 + Math.min(60, Math.abs(y2 - y1) / 3);
  return `M${x1},${y1} C${x1 + bulge},${y1} ${x2 + bulge},${y2} ${x2},${y2}`;
}

function render(data: ServiceMapContent): void {
  content = data;
  const { positions, boxes, width, height } = layout(data);
  const span = Math.max(
    60_000,
    Math.max(...data.edges.map((e) => e.last_ts)) - Math.min(...data.edges.map((e) => e.first_ts)),
  );
  const root = svg("svg", {
    id: "map",
    width: "100%",
    style: `max-width:${width}px;height:auto`,
    viewBox: `-2 -2 ${width} ${height + 4}`,
    "data-nodes": data.nodes.length,
    "data-edges": data.edges.length,
  });
  const defs = svg("defs", {});
  for (
    const [id, colour] of [["red", "var(--red)"], ["orange", "var(--orange)"], ["ok", "var(--ok)"]]
  ) {
    const marker = svg("marker", {
      id: `arrow-${id}`,
      viewBox: "0 0 10 10",
      refX: 9,
      refY: 5,
      markerWidth: 9,
      markerHeight: 9,
      markerUnits: "userSpaceOnUse",
      orient: "auto",
    });
    marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z", fill: colour }));
    defs.append(marker);
  }
  root.append(defs);
  for (const box of boxes) {
    const group = svg("g", { class: "ns" });
    group.append(
      svg("rect", {
        x: box.x,
        y: box.y,
        width: box.w,
        height: box.h,
        rx: 8,
        fill: "var(--bg2)",
        stroke: "var(--line)",
      }),
    );
    const label = svg("text", {
      x: box.x + GROUP_PAD,
      y: box.y + 14,
      "font-size": 11,
      fill: "var(--fg2)",
      "font-weight": 600,
    });
    label.textContent = box.name;
    group.append(label);
    root.append(group);
  }
  // Quiet edges first, so the red ones are drawn on top.
  const ordered = [...data.edges].sort((a, b) =>
    (a.errors / a.calls) - (b.errors / b.calls) || a.p90_ms - b.p90_ms
  );
  for (const edge of ordered) {
    const a = positions.get(edge.src);
    const b = positions.get(edge.dst);
    if (!a || !b) continue;
    const colour = edgeColour(edge);
    const perMinute = edge.calls / (span / 60_000);
    const errorRate = edge.errors / edge.calls;
    const kind = colour.includes("red") ? "red" : colour.includes("orange") ? "orange" : "ok";
    const path = svg("path", {
      class: `edge ${kind}`,
      d: edgePath(a, b),
      fill: "none",
      stroke: colour,
      "stroke-width": Math.min(9, 1.2 + 2.2 * Math.log10(1 + perMinute * 4)),
      "stroke-opacity": kind === "ok" ? 0.55 : 0.95,
      "marker-end": `url(#arrow-${kind})`,
      "data-src": edge.src,
      "data-dst": edge.dst,
      tabindex: 0,
    });
    const title = svg("title", {});
    title.textContent = `${edge.src} → ${edge.dst} (${edge.protos.join(", ")})\n` +
      `${edge.calls} calls, ${perMinute.toFixed(1)}/min, ` +
      `${(errorRate * 100).toFixed(1)}% errors, p90 ${formatMs(edge.p90_ms)}\nclick for the calls`;
    path.append(title);
    path.addEventListener("click", () => showCalls(edge));
    root.append(path);
    if (kind !== "ok") {
      // Name the problem where it is: error rate, else the slow p90.
      const label = svg("text", {
        x: b.x > a.x + NODE_W ? b.x - 34 : b.x + NODE_W + 40,
        y: b.x > a.x + NODE_W ? b.y + NODE_H / 2 - 5 : (a.y + b.y) / 2 + NODE_H / 2 + 4,
        "font-size": 10,
        "text-anchor": "middle",
        fill: colour,
        "paint-order": "stroke",
        stroke: "var(--bg)",
        "stroke-width": 3,
        class: "edge-label",
      });
      label.textContent = kind === "red"
        ? `${(errorRate * 100).toFixed(0)}% err`
        : `p90 ${formatMs(edge.p90_ms)}`;
      root.append(label);
    }
  }
  for (const node of data.nodes) {
    const p = positions.get(node.id);
    if (!p) continue;
    const group = svg("g", { class: "node", "data-id": node.id });
    group.append(
      svg("rect", {
        x: p.x,
        y: p.y,
        width: NODE_W,
        height: NODE_H,
        rx: 5,
        fill: "var(--bg)",
        stroke: node.namespace ? "var(--line)" : "var(--fg2)",
        "stroke-dasharray": node.namespace ? "" : "3 2",
      }),
    );
    const label = svg("text", { x: p.x + 8, y: p.y + 16, "font-size": 12, fill: "var(--fg)" });
    label.textContent = node.name.length > 24 ? `${node.name.slice(0, 23)}…` : node.name;
    const title = svg("title", {});
    title.textContent = node.id;
    group.append(label, title);
    root.append(group);
  }
  document.getElementById("map-box")!.replaceChildren(root);
  const more = data.total > data.calls;
  document.getElementById("summary")!.textContent =
    `${data.nodes.length} workloads, ${data.edges.length} edges from ${data.calls} calls` +
    (more ? ` (${data.total} matched: the answer was one page)` : "");
  const loadAll = document.getElementById("load-all") as HTMLButtonElement;
  loadAll.hidden = !more;
  document.body.dataset.ready = "1";
}

function findNode(id: string): MapNode | undefined {
  return content?.nodes.find((node) => node.id === id);
}

function timeArgs(): Record<string, unknown> {
  const query = content?.query ?? {};
  const args: Record<string, unknown> = {};
  for (const key of ["start", "end", "snapshot_id"]) {
    if (query[key] !== undefined) args[key] = query[key];
  }
  return args;
}

async function showCalls(edge: MapEdge): Promise<void> {
  const src = findNode(edge.src);
  const dst = findNode(edge.dst);
  if (!host || !src || !dst) return;
  const panel = document.getElementById("calls")!;
  const kfl = edgeKfl(src, dst);
  panel.hidden = false;
  panel.replaceChildren(
    h("h2", {}, `${src.name} → ${dst.name}`),
    h("div", { class: "muted mono" }, kfl),
  );
  setStatus("Asking for the calls behind this edge…");
  try {
    const result = await host.callTool("list_api_calls", { kfl, limit: 25, ...timeArgs() });
    if (result.isError) throw new Error(textOf(result));
    const rows = callsOf(result);
    const table = h(
      "table",
      {},
      h(
        "tr",
        {},
        h("th", {}, "time"),
        h("th", {}, "call"),
        h("th", { class: "num" }, "status"),
        h("th", { class: "num" }, "latency"),
      ),
    );
    for (const raw of rows) {
      const call = raw as Record<string, unknown>;
      const status = Number(call.status ?? 0);
      const failed = call.proto === "http" ? status >= 500 : status !== 0 && status !== 200;
      table.append(
        h(
          "tr",
          { class: failed ? "bad call" : "call" },
          h("td", { class: "mono" }, formatTime(Number(call.ts ?? 0))),
          h(
            "td",
            { class: "mono" },
            `${call.method ?? ""} ${String(call.path ?? "").slice(0, 70)}`,
          ),
          h("td", { class: "num" }, String(status)),
          h("td", { class: "num" }, formatMs(Number(call.latency_ms ?? 0))),
        ),
      );
    }
    panel.append(table);
    setStatus(`${rows.length} most recent calls of ${edge.calls} on this edge`);
  } catch (error) {
    setStatus(`list_api_calls failed: ${(error as Error).message}`, "error");
  }
}

// The calls are in the answer's text (with the extension on, structuredContent is the map).
function callsOf(result: ToolResult): unknown[] {
  const answer = answerOf(result);
  return Array.isArray(answer?.calls) ? answer.calls : [];
}

function answerOf(result: ToolResult): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(textOf(result));
    if (parsed && typeof parsed === "object") return parsed;
  } catch {
    // not JSON
  }
  const structured = structuredOf(result);
  return structured?.view ? undefined : structured;
}

function textOf(result: ToolResult): string {
  const text = result.content?.find((item) => item.type === "text");
  return text && "text" in text ? text.text : "the tool failed";
}

// Pages by what arrived, not by `limit`: the server may cut a page to its result budget.
async function loadAll(): Promise<void> {
  if (!host || !content) return;
  const { offset: _, limit: __, ...query } = content.query;
  const builder = new MapBuilder();
  let total = content.total;
  let offset = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    setStatus(`Fetching calls from ${offset + 1} of ${total}…`);
    const result = await host.callTool("list_api_calls", { ...query, limit: PAGE, offset });
    if (result.isError) {
      setStatus(`list_api_calls failed: ${textOf(result)}`, "error");
      return;
    }
    const answer = answerOf(result) ?? {};
    const calls = callsOf(result);
    builder.add(calls);
    total = typeof answer.total === "number" ? answer.total : total;
    offset += calls.length;
    if (!calls.length || offset >= total) break;
  }
  render({ view: "service_map", ...builder.result(), calls: builder.calls, total, query });
  setStatus(`Mapped ${builder.calls} of ${total} calls`);
}

function onResult(result: ToolResult): void {
  if (result.isError) {
    setStatus(textOf(result), "error");
    return;
  }
  const data = structuredOf(result);
  if (data?.view === "service_map") render(data as unknown as ServiceMapContent);
  else if (data) render(serviceMapContent(data, {}));
}

let input: Record<string, unknown> = {};

document.body.append(
  h("h1", {}, "Service map"),
  h("div", { class: "sub", id: "summary" }, "Waiting for the answer…"),
  h(
    "div",
    { class: "legend" },
    h("span", {}, h("i", { style: "background:var(--red)" }), "≥ 2% errors"),
    h("span", {}, h("i", { style: "background:var(--orange)" }), "p90 ≥ 500 ms"),
    h("span", {}, h("i", { style: "background:var(--ok)" }), "healthy"),
    h("span", {}, "width: calls per minute · click an edge for its calls"),
  ),
  h("div", { class: "bar" }, h("button", { id: "load-all", hidden: "" }, "Map all matching calls")),
  h("div", { id: "status" }),
  h("div", { id: "map-box", style: "overflow:auto" }),
  h("div", { id: "calls", class: "panel", hidden: "" }),
);
document.getElementById("load-all")!.addEventListener("click", () => loadAll());

host = await connectHost("kubeshark-service-map", {
  onToolInput: (args) => (input = args),
  onToolResult: (result) => {
    onResult(result);
    // Older answers carry no query; the tool input has it.
    if (content && !Object.keys(content.query).length) content.query = input;
  },
});
