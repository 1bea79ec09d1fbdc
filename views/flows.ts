/// <reference lib="dom" />
/**
 * The L4 flows view: a namespace-to-namespace heatmap of bytes (refused and reset flows marked)
 * above a table of flows — sortable by any column, filtered by text, state, or a heatmap cell.
 */
import { type FlowRow, type FlowsContent, flowsContent } from "../lib/views/shapes.ts";
import {
  connectHost,
  formatBytes,
  formatMs,
  formatTime,
  h,
  type Host,
  setStatus,
  structuredOf,
  type ToolResult,
} from "./bridge.ts";

type Column = {
  key: keyof FlowRow;
  label: string;
  numeric?: boolean;
  show(row: FlowRow): string;
};

const COLUMNS: Column[] = [
  { key: "first_ts", label: "first seen", show: (r) => formatTime(r.first_ts) },
  {
    key: "client",
    label: "client",
    show: (r) => `${r.client_ns ? r.client_ns + "/" : ""}${r.client}`,
  },
  {
    key: "server",
    label: "server",
    show: (r) => `${r.server_ns ? r.server_ns + "/" : ""}${r.server}:${r.port}`,
  },
  { key: "proto", label: "proto", show: (r) => r.proto },
  { key: "state", label: "state", show: (r) => r.state },
  { key: "bytes", label: "bytes", numeric: true, show: (r) => formatBytes(r.bytes) },
  { key: "pkts", label: "packets", numeric: true, show: (r) => String(r.pkts) },
  {
    key: "rtt_us",
    label: "RTT",
    numeric: true,
    show: (r) => r.rtt_us == null ? "–" : formatMs(r.rtt_us / 1000),
  },
  {
    key: "duration_ms",
    label: "duration",
    numeric: true,
    show: (r) => (r.duration_ms < 0 ? "?" : formatMs(r.duration_ms)),
  },
];
const BAD_STATES = new Set(["refused", "reset"]);

let content: FlowsContent | undefined;
let sortKey: keyof FlowRow = "bytes";
let ascending = false;
let text = "";
let state = "";
let cell: { client: string; server: string } | undefined;

function nsOf(name: string): string {
  return name || "(outside)";
}

function visible(): FlowRow[] {
  if (!content) return [];
  const needle = text.toLowerCase();
  const rows = content.flows.filter((row) =>
    (!state || row.state === state) &&
    (!cell || (nsOf(row.client_ns) === cell.client && nsOf(row.server_ns) === cell.server)) &&
    (!needle ||
      [row.client, row.client_ns, row.server, row.server_ns, row.proto, row.state, String(row.port)]
        .some((value) => value.toLowerCase().includes(needle)))
  );
  const direction = ascending ? 1 : -1;
  return rows.sort((a, b) => {
    const x = a[sortKey] ?? -1;
    const y = b[sortKey] ?? -1;
    return (typeof x === "number" && typeof y === "number"
      ? x - y
      : String(x).localeCompare(String(y))) * direction;
  });
}

function renderHeatmap(data: FlowsContent): void {
  const clients = [...new Set(data.flows.map((f) => nsOf(f.client_ns)))].sort();
  const servers = [...new Set(data.flows.map((f) => nsOf(f.server_ns)))].sort();
  const cells = new Map<string, { bytes: number; flows: number; bad: number }>();
  for (const flow of data.flows) {
    const key = `${nsOf(flow.client_ns)}\u0000${nsOf(flow.server_ns)}`;
    const entry = cells.get(key) ?? { bytes: 0, flows: 0, bad: 0 };
    entry.bytes += flow.bytes;
    entry.flows++;
    if (BAD_STATES.has(flow.state)) entry.bad++;
    cells.set(key, entry);
  }
  const max = Math.log1p(Math.max(1, ...[...cells.values()].map((c) => c.bytes)));
  const table = h(
    "table",
    { id: "heatmap", style: "width:auto" },
    h("tr", {}, h("th", {}, "client ns ↓ / server ns →"), ...servers.map((s) => h("th", {}, s))),
  );
  for (const client of clients) {
    const row = h("tr", {}, h("th", {}, client));
    for (const server of servers) {
      const entry = cells.get(`${client}\u0000${server}`);
      if (!entry) {
        row.append(h("td", {}, ""));
        continue;
      }
      const alpha = 0.12 + 0.78 * (Math.log1p(entry.bytes) / max);
      const td = h(
        "td",
        {
          class: entry.bad ? "cell bad" : "cell",
          title: `${client} → ${server}: ${entry.flows} flows, ${formatBytes(entry.bytes)}` +
            (entry.bad ? `, ${entry.bad} refused/reset` : ""),
          style:
            `background:rgba(9,105,218,${alpha.toFixed(2)});cursor:pointer;text-align:center;` +
            `color:${alpha > 0.55 ? "#fff" : "inherit"};` +
            (entry.bad ? "outline:2px solid var(--red);outline-offset:-2px;" : ""),
        },
        formatBytes(entry.bytes) + (entry.bad ? ` · ${entry.bad}✕` : ""),
      );
      td.addEventListener("click", () => {
        cell = cell?.client === client && cell.server === server ? undefined : { client, server };
        renderTable();
      });
      row.append(td);
    }
    table.append(row);
  }
  document.getElementById("heat")!.replaceChildren(table);
}

function renderTable(): void {
  const rows = visible();
  const head = h("tr", {});
  for (const column of COLUMNS) {
    const th = h(
      "th",
      {
        class: `sortable${column.numeric ? " num" : ""}${column.key === sortKey ? " sorted" : ""}${
          column.key === sortKey && ascending ? " asc" : ""
        }`,
        "data-key": column.key,
      },
      column.label,
    );
    th.addEventListener("click", () => {
      ascending = sortKey === column.key ? !ascending : !column.numeric;
      sortKey = column.key;
      renderTable();
    });
    head.append(th);
  }
  const table = h("table", { id: "flows" }, head);
  const maxBytes = Math.max(1, ...rows.map((r) => r.bytes));
  for (const row of rows.slice(0, 500)) {
    const tr = h("tr", { class: BAD_STATES.has(row.state) ? "flow bad" : "flow" });
    for (const column of COLUMNS) {
      const td = h("td", { class: `${column.numeric ? "num " : ""}mono` }, column.show(row));
      if (column.key === "bytes") {
        const share = (100 * row.bytes / maxBytes).toFixed(1);
        td.style.background =
          `linear-gradient(to left, rgba(9,105,218,.18) ${share}%, transparent ${share}%)`;
      }
      tr.append(td);
    }
    table.append(tr);
  }
  document.getElementById("table")!.replaceChildren(table);
  document.body.dataset.rows = String(rows.length);
  const shown = content?.flows.length ?? 0;
  document.getElementById("count")!.textContent = `${rows.length} of ${shown} flows shown` +
    (content && content.total > shown
      ? ` (${content.total} matched; the answer was one page)`
      : "") +
    (cell ? ` · ${cell.client} → ${cell.server} (click the cell again to clear)` : "");
}

function render(data: FlowsContent): void {
  content = data;
  const refused = data.flows.filter((f) => f.state === "refused").length;
  const reset = data.flows.filter((f) => f.state === "reset").length;
  document.getElementById("summary")!.textContent =
    `${data.flows.length} flows, ${formatBytes(data.flows.reduce((s, f) => s + f.bytes, 0))}` +
    `, ${refused} refused, ${reset} reset`;
  renderHeatmap(data);
  renderTable();
  document.body.dataset.ready = "1";
}

function textOf(result: ToolResult): string {
  const item = result.content?.find((c) => c.type === "text");
  return item && "text" in item ? item.text : "the tool failed";
}

let input: Record<string, unknown> = {};

document.body.append(
  h("h1", {}, "L4 flows"),
  h("div", { class: "sub", id: "summary" }, "Waiting for the answer…"),
  h("div", { id: "status" }),
  h("div", { id: "heat", style: "overflow:auto;margin:6px 0 10px" }),
  h(
    "div",
    { class: "bar" },
    h("input", { id: "filter", type: "search", placeholder: "filter: pod, namespace, port…" }),
    h(
      "select",
      { id: "state", "aria-label": "state" },
      ...["", "closed", "open", "refused", "reset"].map((s) =>
        h("option", { value: s }, s || "any state")
      ),
    ),
    h("span", { class: "muted", id: "count" }),
  ),
  h("div", { id: "table", style: "overflow:auto;max-height:420px" }),
);
document.getElementById("filter")!.addEventListener("input", (event) => {
  text = (event.target as HTMLInputElement).value;
  renderTable();
});
document.getElementById("state")!.addEventListener("change", (event) => {
  state = (event.target as HTMLSelectElement).value;
  renderTable();
});

let host: Host | undefined = undefined;
host = await connectHost("kubeshark-flows", {
  onToolInput: (args) => (input = args),
  onToolResult: (result) => void onResult(result),
});

async function onResult(result: ToolResult): Promise<void> {
  if (result.isError) {
    setStatus(textOf(result), "error");
    return;
  }
  const data = structuredOf(result);
  if (!data) return;
  const content = data.view === "flows"
    ? data as unknown as FlowsContent
    : flowsContent(data, input);
  const query = Object.keys(content.query).length ? content.query : input;
  render(content);
  // Compact answers carry no handshake RTT: ask once for the same flows in full.
  if (
    host && content.flows.length && content.flows.every((f) => f.rtt_us == null) &&
    query.format !== "full"
  ) {
    setStatus("Asking for the flows in full (handshake RTT)…");
    const full = await host.callTool("list_l4_flows", { ...query, format: "full" });
    const fullData = full.isError ? undefined : structuredOf(full);
    if (!fullData) {
      setStatus(full.isError ? `list_l4_flows failed: ${textOf(full)}` : "");
      return;
    }
    render(
      fullData.view === "flows"
        ? fullData as unknown as FlowsContent
        : flowsContent(fullData, query),
    );
    setStatus("");
  }
}
