/**
 * What each view receives as `structuredContent`, and how a tool's JSON answer becomes it. Pure
 * functions over plain JSON, no imports: the server runs them on tool answers, and the service map
 * view bundles them too, to fold in more pages of calls it fetches itself.
 */

/** A workload (or outside host) on the service map. */
export interface MapNode {
  /** Stable id: `ns/service`, `ns/pod`, or the DNS name or IP of an outside host. */
  id: string;
  name: string;
  /** The namespace, or "" for hosts outside the cluster. */
  namespace: string;
  /** A KFL2 expression matching this node on one side of a call, `$` standing for src or dst. */
  kfl: string;
}

/** Observed calls from one node to another. */
export interface MapEdge {
  src: string;
  dst: string;
  /** Protocols seen on this edge, e.g. ["http"]. */
  protos: string[];
  calls: number;
  errors: number;
  p90_ms: number;
  first_ts: number;
  last_ts: number;
}

/** The service map view's data (from `list_api_calls`). */
export interface ServiceMapContent {
  view: "service_map";
  nodes: MapNode[];
  edges: MapEdge[];
  /** Calls folded into the map, and how many matched in all (the answer may be a page). */
  calls: number;
  total: number;
  /** The arguments that produced the answer, so the view can ask for the next pages. */
  query: Record<string, unknown>;
  /** Where the next page starts, when there is one. */
  next_offset?: number;
}

/** One time bucket of a latency series. */
export interface Bucket {
  start: number;
  calls: number;
  errors: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
}

/** One group (endpoint, service…) of the latency view. */
export interface LatencySeries {
  key: string;
  calls: number;
  errors: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  buckets: Bucket[];
}

/** The latency and errors view's data (from `get_api_stats`). */
export interface LatencyContent {
  view: "latency";
  group_by: string;
  window: { start: number | null; end: number | null };
  bucket_seconds: number | null;
  series: LatencySeries[];
  markers: { ts: number; label: string }[];
  query: Record<string, unknown>;
}

/** One L4 flow row of the flows view. */
export interface FlowRow {
  id: number | string;
  proto: string;
  state: string;
  client: string;
  client_ns: string;
  server: string;
  server_ns: string;
  port: number;
  bytes: number;
  pkts: number;
  /** TCP handshake round trip, microseconds, when measured. */
  rtt_us: number | null;
  duration_ms: number;
  first_ts: number;
}

/** The flows view's data (from `list_l4_flows`). */
export interface FlowsContent {
  view: "flows";
  flows: FlowRow[];
  total: number;
  query: Record<string, unknown>;
}

/** What any view receives. */
export type ViewContent = ServiceMapContent | LatencyContent | FlowsContent;

type Json = Record<string, unknown>;

function record(value: unknown): Json {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value as Json : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function num(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

function quote(value: string): string {
  return JSON.stringify(value);
}

/** A call's or flow's peer, from the Hub's object form or the compact string form. */
export interface PeerFields {
  ns: string;
  svc: string;
  pod: string;
  dns: string;
  ip: string;
  port: number;
}

/**
 * Reads a peer: an object `{ip, port, pod, ns, svc, dns}`, or a compact string —
 * `ns/pod[:port]`, `ns/svc/name[:port]`, `host (ip)[:port]` or a bare `ip[:port]`.
 */
export function peerFields(peer: unknown): PeerFields {
  if (typeof peer !== "string") {
    const p = record(peer);
    return {
      ns: text(p.ns) || text(p.namespace),
      svc: text(p.svc) || text(p.service),
      pod: text(p.pod),
      dns: text(p.dns),
      ip: text(p.ip),
      port: num(p.port),
    };
  }
  const fields: PeerFields = { ns: "", svc: "", pod: "", dns: "", ip: "", port: 0 };
  let rest = peer.trim();
  const port = /:(\d+)$/.exec(rest);
  // A bare IPv6 address has colons of its own: only a colon-free head takes a port.
  if (port && !rest.slice(0, port.index).includes(":")) {
    fields.port = Number(port[1]);
    rest = rest.slice(0, port.index);
  }
  const host = /^(\S+) \(([^)]+)\)$/.exec(rest);
  if (host) return { ...fields, dns: host[1], ip: host[2] };
  const parts = rest.split("/");
  if (parts.length === 3 && parts[1] === "svc") return { ...fields, ns: parts[0], svc: parts[2] };
  if (parts.length === 2) return { ...fields, ns: parts[0], pod: parts[1] };
  return { ...fields, ip: rest };
}

/** The workload a pod belongs to, from its name: Deployment, StatefulSet or DaemonSet pods. */
export function workloadOf(pod: string): string {
  return pod.replace(/-[a-z0-9]{6,10}-[a-z0-9]{5}$/, "")
    .replace(/-\d+$/, "")
    .replace(/-[a-z0-9]{5}$/, "");
}

/** The map node a call's peer belongs to (service, else the pod's workload, else outside host). */
export function nodeOf(peer: unknown): MapNode {
  const { ns, svc, pod, dns, ip } = peerFields(peer);
  if (svc) {
    return {
      id: `${ns}/${svc}`,
      name: svc,
      namespace: ns,
      kfl: `$.service.name == ${quote(svc)} && $.namespace == ${quote(ns)}`,
    };
  }
  if (pod) {
    const workload = workloadOf(pod);
    return {
      id: `${ns}/${workload}`,
      name: workload,
      namespace: ns,
      kfl: workload === pod
        ? `$.pod.name == ${quote(pod)} && $.namespace == ${quote(ns)}`
        : `$.pod.name.startsWith(${quote(`${workload}-`)}) && $.namespace == ${quote(ns)}`,
    };
  }
  if (dns) return { id: dns, name: dns, namespace: ns, kfl: `$.dns == ${quote(dns)}` };
  return { id: ip || "?", name: ip || "?", namespace: ns, kfl: `$.ip == ${quote(ip)}` };
}

/** Callers from outside the cluster by bare IP (users, load balancers) fold into one node. */
export const OUTSIDE_CLIENTS: MapNode = {
  id: "(outside clients)",
  name: "outside clients",
  namespace: "",
  kfl: '$.namespace == "" && $.dns == ""',
};

function callerNodeOf(peer: unknown): MapNode {
  const node = nodeOf(peer);
  return !node.namespace && !peerFields(peer).dns ? OUTSIDE_CLIENTS : node;
}

/** Whether a compact call failed, as the Hub's stats count errors. */
export function callFailed(call: unknown): boolean {
  const c = record(call);
  const status = num(c.status);
  if (c.proto === "http") return status >= 500;
  if (c.proto === "grpc") return status >= 500 || (status !== 0 && status < 100);
  return status !== 0;
}

function p90(sorted: number[]): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(0.9 * sorted.length))];
}

/** A growing service map: fold pages of compact calls into nodes and edges. */
export class MapBuilder {
  #nodes = new Map<string, MapNode>();
  #edges = new Map<string, MapEdge & { latencies: number[] }>();
  calls = 0;

  /** Folds in compact calls (list_api_calls entries). */
  add(calls: unknown[]): void {
    for (const raw of calls) {
      const call = record(raw);
      const src = callerNodeOf(call.src);
      const dst = nodeOf(call.dst);
      this.#nodes.set(src.id, src);
      this.#nodes.set(dst.id, dst);
      const key = `${src.id}\u0000${dst.id}`;
      const ts = num(call.ts);
      const edge = this.#edges.get(key) ?? {
        src: src.id,
        dst: dst.id,
        protos: [],
        calls: 0,
        errors: 0,
        p90_ms: 0,
        first_ts: ts,
        last_ts: ts,
        latencies: [],
      };
      const proto = text(call.proto);
      if (proto && !edge.protos.includes(proto)) edge.protos.push(proto);
      edge.calls++;
      if (callFailed(call)) edge.errors++;
      edge.latencies.push(num(call.latency_ms));
      edge.first_ts = Math.min(edge.first_ts, ts);
      edge.last_ts = Math.max(edge.last_ts, ts);
      this.#edges.set(key, edge);
      this.calls++;
    }
  }

  /** The nodes (sorted by id) and edges (busiest first) so far. */
  result(): { nodes: MapNode[]; edges: MapEdge[] } {
    const edges = [...this.#edges.values()].map(({ latencies, ...edge }) => ({
      ...edge,
      p90_ms: Math.round(p90(latencies.sort((a, b) => a - b)) * 100) / 100,
    })).sort((a, b) => b.calls - a.calls || a.src.localeCompare(b.src));
    const nodes = [...this.#nodes.values()].sort((a, b) => a.id.localeCompare(b.id));
    return { nodes, edges };
  }
}

/** The KFL2 filter for the calls behind one edge of the map. */
export function edgeKfl(src: MapNode, dst: MapNode): string {
  return `${src.kfl.replaceAll("$", "src")} && ${dst.kfl.replaceAll("$", "dst")}`;
}

/** `list_api_calls` answer → the service map's data. */
export function serviceMapContent(answer: unknown, args: Json = {}): ServiceMapContent {
  const a = record(answer);
  const builder = new MapBuilder();
  builder.add(list(a.calls));
  const nextOffset = typeof a.next_offset === "number" ? a.next_offset : undefined;
  return {
    view: "service_map",
    ...builder.result(),
    calls: builder.calls,
    total: typeof a.total === "number" ? a.total : builder.calls,
    query: args,
    ...(nextOffset !== undefined ? { next_offset: nextOffset } : {}),
  };
}

function latencyOf(row: Json) {
  const latency = record(row.latency_ms);
  return {
    p50_ms: num(latency.p50 ?? row.p50_ms),
    p90_ms: num(latency.p90 ?? row.p90_ms),
    p99_ms: num(latency.p99 ?? row.p99_ms),
  };
}

/** `get_api_stats` answer → the latency view's data. */
export function latencyContent(answer: unknown, args: Json = {}): LatencyContent {
  const a = record(answer);
  const window = record(a.window);
  const series = list(a.groups).map((raw) => {
    const row = record(raw);
    return {
      key: text(row.key),
      calls: num(row.calls),
      errors: num(row.errors),
      ...latencyOf(row),
      buckets: list(row.buckets).map((rawBucket) => {
        const b = record(rawBucket);
        return {
          start: num(b.start),
          calls: num(b.calls),
          errors: num(b.errors),
          p50_ms: num(b.p50_ms),
          p90_ms: num(b.p90_ms),
          p99_ms: num(b.p99_ms),
        };
      }),
    };
  });
  const bucketSeconds = typeof a.bucket_seconds === "number"
    ? a.bucket_seconds
    : typeof args.bucket_seconds === "number"
    ? args.bucket_seconds
    : null;
  return {
    view: "latency",
    group_by: text(a.group_by) || text(args.group_by) || "endpoint",
    window: {
      start: typeof window.start === "number" ? window.start : null,
      end: typeof window.end === "number" ? window.end : null,
    },
    bucket_seconds: series.some((s) => s.buckets.length) ? bucketSeconds : null,
    series,
    markers: list(a.markers).map((raw) => {
      const m = record(raw);
      return { ts: num(m.ts), label: text(m.label) };
    }).filter((m) => m.ts > 0),
    query: args,
  };
}

function peerLabel(peer: PeerFields): string {
  return peer.pod || peer.svc || peer.dns || peer.ip;
}

/** `list_l4_flows` answer → the flows view's data. */
export function flowsContent(answer: unknown, args: Json = {}): FlowsContent {
  const a = record(answer);
  const flows = list(a.flows).map((raw): FlowRow => {
    const f = record(raw);
    const client = peerFields(f.client);
    const server = peerFields(f.server);
    const totals = record(f.totals);
    const rtt = record(f.client_stats).tcp_handshake_p50_us ?? f.rtt_us;
    return {
      id: typeof f.id === "number" || typeof f.id === "string" ? f.id : "",
      proto: text(f.proto),
      state: text(f.state),
      client: peerLabel(client),
      client_ns: client.ns,
      server: peerLabel(server),
      server_ns: server.ns,
      port: server.port,
      bytes: num(totals.bytes ?? f.bytes),
      pkts: num(totals.pkts ?? f.pkts),
      rtt_us: typeof rtt === "number" ? rtt : null,
      duration_ms: num(f.duration_ms),
      first_ts: num(f.first_ts),
    };
  });
  return {
    view: "flows",
    flows,
    total: typeof a.total === "number" ? a.total : flows.length,
    query: args,
  };
}
