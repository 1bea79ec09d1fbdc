/**
 * The demo Hub's MCP tools: the newest Hub's tool set, with argument names from Kubeshark's skills
 * docs (snapshot_id, kfl, limit, start/end in Unix ms, name/namespace/namespaces/name_regex…),
 * answering from the generated traffic.
 */
import { RE2JS } from "re2js";
import { z } from "zod";
import { compileKfl, KflError, type KflFilter } from "./kfl.ts";
import { buildPcap, type PacketFilter } from "./pcap.ts";
import type { ApiCall, DemoData, Peer, Snapshot } from "./types.ts";
import { compactCall, endpointPath, flowView, fullCall, isError, percentile } from "./views.ts";

/** A Hub answer other than 200: status and a JSON body. */
export class HubRequestError extends Error {
  readonly status: number;

  constructor(status: number, message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
  }
}

/** Mutable Hub state over the immutable demo data. */
export class DemoState {
  readonly data: DemoData;
  readonly snapshots: Snapshot[];
  dissectionEnabled = true;
  #nextSnapshot = 1;

  constructor(data: DemoData) {
    this.data = data;
    this.snapshots = data.snapshots.map((snapshot) => structuredClone(snapshot));
  }

  snapshot(id: string): Snapshot {
    // Ids first: a snapshot may be named like another's id.
    const found = this.snapshots.find((s) => s.id === id) ??
      this.snapshots.find((s) => s.name === id);
    if (!found) {
      throw new HubRequestError(404, `snapshot "${id}" not found`, {
        available: this.snapshots.map((s) => s.id),
      });
    }
    return found;
  }

  newSnapshotId(): string {
    return `snap-${String(this.#nextSnapshot++).padStart(4, "0")}`;
  }
}

/** One Hub tool. */
export interface DemoTool {
  name: string;
  description: string;
  input: z.ZodObject;
  handler(args: never, state: DemoState): unknown;
}

function tool<S extends z.ZodObject>(
  name: string,
  description: string,
  input: S,
  handler: (args: z.output<S>, state: DemoState) => unknown,
): DemoTool {
  return { name, description, input, handler: handler as DemoTool["handler"] };
}

const MAX_LIMIT = 1_000;
const limit = (fallback: number) =>
  z.number().int().min(1).max(MAX_LIMIT).default(fallback).describe(
    `How many items to return (default ${fallback}, at most ${MAX_LIMIT}).`,
  );
const offset = z.number().int().min(0).default(0).describe(
  "How many matching items to skip, for paging (default 0); the answer's next_offset continues.",
);
const snapshotId = z.string().min(1).describe(
  "A snapshot id (list_snapshots). Omit to query live data.",
);
const timeMs = (what: string) =>
  z.number().int().nonnegative().describe(`${what}, Unix milliseconds (UTC).`);
const kfl = z.string().describe(
  "A KFL2 filter (CEL), e.g. `http && status_code >= 500`; see the kubeshark://docs/kfl2 resource. " +
    "Empty matches everything.",
);

/** The calls a query sees: live (dissection must be on) or a dissected snapshot's. */
function callsInScope(state: DemoState, snapshot?: string): ApiCall[] {
  if (snapshot === undefined) return state.dissectionEnabled ? state.data.calls : [];
  const found = state.snapshot(snapshot);
  if (!found.dissection) {
    throw new HubRequestError(
      400,
      `snapshot "${found.id}" has not been dissected; call start_snapshot_dissection with ` +
        `snapshot_id "${found.id}" first`,
    );
  }
  return snapshotCalls(state, found);
}

/** The calls a snapshot holds: its window, on its nodes. */
function snapshotCalls(state: DemoState, snapshot: Snapshot): ApiCall[] {
  return state.data.calls.filter((c) =>
    c.ts >= snapshot.startTs && c.ts < snapshot.endTs && snapshot.nodes.includes(c.node)
  );
}

function compile(text: string | undefined): KflFilter {
  try {
    return compileKfl(text ?? "");
  } catch (error) {
    if (error instanceof KflError) {
      throw new HubRequestError(400, `invalid KFL filter: ${error.message}`, {
        kfl: text,
        position: error.position,
        ...(error.kfl !== text ? { translated: error.kfl } : {}),
      });
    }
    throw error;
  }
}

function query(
  state: DemoState,
  args: { kfl?: string; start?: number; end?: number; snapshot_id?: string },
) {
  const filter = compile(args.kfl);
  const calls = callsInScope(state, args.snapshot_id).filter((call) =>
    (args.start === undefined || call.ts >= args.start) &&
    (args.end === undefined || call.ts < args.end) && filter.matches(call)
  );
  const notes: Record<string, unknown> = {};
  if (filter.translatedFrom) {
    notes.kfl_translated = { from: filter.translatedFrom, to: filter.expression };
  }
  const errors = filter.runtimeErrors();
  if (errors.count) {
    notes.kfl_warning =
      `${errors.count} entries did not match because the filter raised "${errors.first}" ` +
      'on them (for a map key that may be missing, use `"key" in map` or map_get(map, key, default))';
  }
  if (args.snapshot_id === undefined && !state.dissectionEnabled) {
    notes.note =
      "L7 dissection is disabled, so live queries return nothing; call enable_dissection.";
  }
  return { calls, notes };
}

function page<T>(items: T[], args: { limit: number; offset: number }) {
  const slice = items.slice(args.offset, args.offset + args.limit);
  const next = args.offset + slice.length;
  return {
    slice,
    total: items.length,
    truncated: next < items.length,
    ...(next < items.length ? { next_offset: next } : {}),
  };
}

function matchesPeer(p: Peer, args: { ip?: string; ns?: string; pod?: string; svc?: string }) {
  return (!args.ip || p.ip === args.ip) && (!args.ns || p.namespace === args.ns) &&
    (!args.pod || (p.pod ?? "").includes(args.pod)) && (!args.svc || p.service === args.svc);
}

// RE2 (linear time): a pattern from a model must never be able to stall the Hub.
function regex(
  pattern: string | undefined,
  field: string,
): { test(text: string): boolean } | undefined {
  if (pattern === undefined) return undefined;
  try {
    const compiled = RE2JS.compile(pattern);
    return { test: (text) => compiled.matcher(text).find() };
  } catch (error) {
    throw new HubRequestError(
      400,
      `${field} is not a valid regular expression: ${(error as Error).message}`,
    );
  }
}

function stats(calls: ApiCall[]) {
  const latencies = calls.map((c) => c.elapsedUs / 1000).sort((a, b) => a - b);
  const errors = calls.filter(isError).length;
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    calls: calls.length,
    errors,
    error_rate: calls.length ? round(errors / calls.length) : 0,
    latency_ms: {
      p50: round(percentile(latencies, 50)),
      p90: round(percentile(latencies, 90)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies.at(-1) ?? 0),
    },
  };
}

const GROUP_KEYS: Record<string, (call: ApiCall) => string> = {
  endpoint: (c) =>
    `${c.dst.service ?? c.dst.dns ?? c.dst.ip} ${c.method} ${
      c.proto === "http" || c.proto === "grpc" ? endpointPath(c.path) : c.proto
    }`,
  service: (c) => `${c.dst.namespace ?? "-"}/${c.dst.service ?? c.dst.dns ?? c.dst.ip}`,
  status: (c) => `${c.proto} ${c.status}`,
  src: (c) => `${c.src.namespace ?? "-"}/${c.src.pod ?? c.src.ip}`,
  dst: (c) => `${c.dst.namespace ?? "-"}/${c.dst.pod ?? c.dst.dns ?? c.dst.ip}`,
  proto: (c) => c.proto,
  namespace: (c) => c.dst.namespace ?? "(outside the cluster)",
};

function workloadsSeen(state: DemoState, snapshot?: Snapshot) {
  const from = snapshot?.startTs ?? state.data.startTs;
  const to = snapshot?.endTs ?? state.data.endTs;
  return state.data.pods.filter((pod) => pod.startTs < to && (pod.endTs ?? Infinity) > from);
}

function parseBpf(expression: string | undefined): PacketFilter {
  if (!expression?.trim()) return () => true;
  const terms = expression.trim().toLowerCase().split(/\s+and\s+/);
  const tests = terms.map((term): PacketFilter => {
    let match;
    if (term === "tcp" || term === "udp") return (_s, _d, proto) => proto === term;
    if ((match = /^(src |dst )?host (\d+\.\d+\.\d+\.\d+)$/.exec(term))) {
      const [, side, ip] = match;
      if (side === "src ") return (s) => s.ip === ip;
      if (side === "dst ") return (_s, d) => d.ip === ip;
      return (s, d) => s.ip === ip || d.ip === ip;
    }
    if ((match = /^(src |dst )?port (\d+)$/.exec(term))) {
      const [, side, port] = match;
      const p = Number(port);
      if (side === "src ") return (s) => s.port === p;
      if (side === "dst ") return (_s, d) => d.port === p;
      return (s, d) => s.port === p || d.port === p;
    }
    throw new HubRequestError(
      400,
      `unsupported bpf_filter term "${term}": this Hub understands [src|dst] host A.B.C.D, ` +
        "[src|dst] port N, tcp and udp, joined by 'and'",
    );
  });
  return (s, d, proto) => tests.every((test) => test(s, d, proto));
}

/** Where a snapshot's PCAP is served; export_snapshot_pcap returns this relative path. */
export function pcapPath(id: string, query: URLSearchParams): string {
  const suffix = query.toString();
  return `/snapshots/${encodeURIComponent(id)}/data.pcap${suffix ? `?${suffix}` : ""}`;
}

/** The PCAP of a snapshot, narrowed by the export's options. */
export function snapshotPcap(state: DemoState, id: string, query: URLSearchParams) {
  const snapshot = state.snapshot(id);
  const time = (name: string, fallback: number) => {
    const text = query.get(name);
    if (text === null) return fallback;
    if (!/^\d+$/.test(text)) throw new HubRequestError(400, `${name} must be Unix milliseconds`);
    return Number(text);
  };
  const start = Math.max(snapshot.startTs, time("start_time", 0));
  const end = Math.min(snapshot.endTs, time("end_time", Infinity));
  const nodes = query.get("nodes")?.split(",").filter(Boolean) ?? snapshot.nodes;
  const inScope = (ts: number, node: string) =>
    ts >= start && ts < end && nodes.includes(node) && snapshot.nodes.includes(node);
  return buildPcap(
    state.data.calls.filter((c) => inScope(c.ts, c.node)),
    state.data.flows.filter((f) => f.state === "refused" && inScope(f.firstTs, f.node)),
    parseBpf(query.get("bpf_filter") ?? undefined),
  );
}

function snapshotView(snapshot: Snapshot, state: DemoState) {
  const calls = snapshotCalls(state, snapshot);
  const refused = state.data.flows.filter((f) =>
    f.state === "refused" && f.firstTs >= snapshot.startTs && f.firstTs < snapshot.endTs &&
    snapshot.nodes.includes(f.node)
  );
  return {
    id: snapshot.id,
    name: snapshot.name,
    status: snapshot.status,
    created_at: new Date(snapshot.createdAt).toISOString(),
    start_ts: snapshot.startTs,
    end_ts: snapshot.endTs,
    duration: `${Math.round((snapshot.endTs - snapshot.startTs) / 60_000)}m`,
    nodes: snapshot.nodes,
    node_count: snapshot.nodes.length,
    // As the PCAP writer lays them out: 8 packets a TCP call, 2 a DNS exchange or refusal.
    packet_count: calls.reduce((sum, c) => sum + (c.proto === "dns" ? 2 : 8), 0) +
      refused.length * 2,
    size_bytes: calls.reduce(
      (sum, c) => sum + 600 + c.requestBody.length + c.responseBody.length,
      0,
    ),
    location: "local",
    dissections: snapshot.dissection ? [dissectionView(snapshot, state)] : [],
  };
}

function dissectionView(snapshot: Snapshot, state: DemoState) {
  const calls = snapshotCalls(state, snapshot);
  const counts: Record<string, number> = {};
  for (const call of calls) counts[call.proto] = (counts[call.proto] ?? 0) + 1;
  return {
    snapshot_id: snapshot.id,
    dissection_id: snapshot.dissection!.id,
    name: snapshot.dissection!.name,
    status: snapshot.dissection!.status,
    progress: 100,
    stats: { entries_created: calls.length, protocol_counts: counts },
    errors: [],
  };
}

function boundaries(state: DemoState) {
  const { startTs, endTs, nodes } = state.data;
  return {
    cluster: { oldest_ts: startTs, newest_ts: endTs },
    nodes: nodes.map((node) => ({ name: node.name, oldest_ts: startTs, newest_ts: endTs })),
  };
}

const NOT_CONFIGURED =
  "cloud storage is not configured on this Hub (set tap.snapshots.cloud.* in " +
  "Kubeshark's Helm values to enable it)";

/** The demo Hub's tools, in discovery order. */
export const DEMO_TOOLS: DemoTool[] = [
  tool(
    "list_workloads",
    "List the pods (or services, namespaces, nodes) seen in traffic, with labels, node and IPs. " +
      "Pass name and namespace for one workload.",
    z.object({
      type: z.enum(["pod", "service", "namespace", "node"]).default("pod").describe(
        "What to list (default pod).",
      ),
      name: z.string().optional().describe("Exact name (with namespace) for a single workload."),
      namespace: z.string().optional().describe("Namespace of the single workload named by name."),
      namespaces: z.array(z.string()).optional().describe("Only these namespaces."),
      name_regex: z.string().optional().describe("Only names matching this regular expression."),
      labels: z.record(z.string(), z.string()).optional().describe(
        "Only workloads with all these labels.",
      ),
      snapshot_id: snapshotId.optional(),
      limit: limit(100),
      offset,
    }),
    (args, state) => {
      const snapshot = args.snapshot_id ? state.snapshot(args.snapshot_id) : undefined;
      const pods = workloadsSeen(state, snapshot);
      const nameRegex = regex(args.name_regex, "name_regex");
      const keep = (name: string, namespace?: string, labels: Record<string, string> = {}) =>
        (!args.name || name === args.name) && (!args.namespace || namespace === args.namespace) &&
        (!args.namespaces?.length || args.namespaces.includes(namespace ?? "")) &&
        (!nameRegex || nameRegex.test(name)) &&
        Object.entries(args.labels ?? {}).every(([k, v]) => labels[k] === v);
      let items: Record<string, unknown>[];
      if (args.type === "pod") {
        items = pods.filter((p) => keep(p.name, p.namespace, p.labels)).map((p) => ({
          kind: "pod",
          name: p.name,
          namespace: p.namespace,
          service: p.service,
          node: p.node,
          labels: p.labels,
          ips: [{ ip: p.ip, timestamp: p.startTs }],
          ...(p.endTs ? { terminated_at: p.endTs } : {}),
        }));
      } else if (args.type === "service") {
        items = state.data.services.filter((s) => keep(s.name, s.namespace)).map((s) => ({
          kind: "service",
          name: s.name,
          namespace: s.namespace,
          cluster_ip: s.clusterIp,
          port: s.port,
          pods: pods.filter((p) => p.service === s.name).map((p) => p.name),
        }));
      } else if (args.type === "namespace") {
        const namespaces = [...new Set(pods.map((p) => p.namespace))].sort();
        items = namespaces.filter((ns) => keep(ns, ns)).map((ns) => ({
          kind: "namespace",
          name: ns,
          pods: pods.filter((p) => p.namespace === ns).length,
          services: state.data.services.filter((s) => s.namespace === ns).map((s) => s.name),
        }));
      } else {
        items = state.data.nodes.filter((n) => keep(n.name)).map((n) => ({
          kind: "node",
          name: n.name,
          ip: n.ip,
          pods: pods.filter((p) => p.node === n.name).length,
        }));
      }
      if (args.name && !items.length) {
        throw new HubRequestError(
          404,
          `${args.type} "${args.name}" not found${
            args.namespace ? ` in namespace "${args.namespace}"` : ""
          }`,
        );
      }
      const { slice, ...rest } = page(items, args);
      return { workloads: slice, ...rest };
    },
  ),
  tool(
    "list_ips",
    "Resolve IP addresses to workloads (pods, services, outside hosts), or list the IPs seen.",
    z.object({
      ip: z.string().optional().describe("One IP address to resolve."),
      namespaces: z.array(z.string()).optional(),
      name_regex: z.string().optional(),
      snapshot_id: snapshotId.optional(),
      limit: limit(100),
      offset,
    }),
    (args, state) => {
      const records = new Map<string, Record<string, unknown>[]>();
      const add = (ip: string, record: Record<string, unknown>) => {
        const list = records.get(ip) ?? [];
        if (!list.some((r) => r.name === record.name)) list.push(record);
        records.set(ip, list);
      };
      const snapshot = args.snapshot_id ? state.snapshot(args.snapshot_id) : undefined;
      for (const p of workloadsSeen(state, snapshot)) {
        add(p.ip, { kind: "pod", name: p.name, namespace: p.namespace, timestamp: p.startTs });
      }
      for (const s of state.data.services) {
        add(s.clusterIp, {
          kind: "service",
          name: s.name,
          namespace: s.namespace,
          timestamp: state.data.startTs,
        });
      }
      for (const call of state.data.calls) {
        if (!call.dst.pod && !call.dst.service) {
          add(call.dst.ip, {
            kind: "external",
            name: call.dst.dns ?? call.dst.ip,
            namespace: "",
            timestamp: call.ts,
          });
        }
      }
      const nameRegex = regex(args.name_regex, "name_regex");
      let ips = [...records.entries()].map(([ip, list]) => ({ ip, records: list }))
        .filter((entry) => !args.ip || entry.ip === args.ip)
        .filter((entry) =>
          entry.records.some((r) =>
            (!args.namespaces?.length || args.namespaces.includes(String(r.namespace))) &&
            (!nameRegex || nameRegex.test(String(r.name)))
          )
        );
      if (args.ip && !ips.length) {
        ips = [{ ip: args.ip, records: [] }];
      }
      const { slice, ...rest } = page(ips, args);
      return { ips: slice, ...rest };
    },
  ),
  tool(
    "list_api_calls",
    "Query L7 API calls (HTTP, gRPC, Redis, Kafka, DNS, PostgreSQL) with a KFL2 filter, newest first. " +
      "Compact entries by default; format=full adds headers, body previews and protocol details.",
    z.object({
      kfl: kfl.optional(),
      limit: limit(100),
      offset,
      start: timeMs("Only calls at or after this time").optional(),
      end: timeMs("Only calls before this time").optional(),
      format: z.enum(["compact", "full"]).default("compact"),
      snapshot_id: snapshotId.optional(),
    }),
    (args, state) => {
      const { calls, notes } = query(state, args);
      const newestFirst = [...calls].reverse();
      const { slice, ...rest } = page(newestFirst, args);
      return {
        calls: slice.map((c) => args.format === "full" ? fullCall(c) : compactCall(c)),
        ...rest,
        ...notes,
      };
    },
  ),
  tool(
    "get_api_call",
    "One API call in full: headers, bodies, protocol details and its L4 flow.",
    z.object({
      id: z.string({ error: "id is required" }).min(1, "id is required").describe(
        "The call's id (from list_api_calls).",
      ),
      include_payload: z.boolean().default(true).describe(
        "Include request and response bodies (default true).",
      ),
      snapshot_id: snapshotId.optional(),
    }),
    (args, state) => {
      const call = callsInScope(state, args.snapshot_id).find((c) => c.id === args.id) ??
        (args.snapshot_id ? undefined : state.data.calls.find((c) => c.id === args.id));
      if (!call) throw new HubRequestError(404, `api call "${args.id}" not found`);
      const flow = state.data.flows.find((f) => f.id === call.flowId);
      return {
        entry: fullCall(call, { payload: args.include_payload }),
        ...(flow ? { l4_flow: flowView(flow) } : {}),
      };
    },
  ),
  tool(
    "get_api_stats",
    "Aggregate API calls matching a KFL2 filter: counts, error rate, latency percentiles, grouped " +
      "by endpoint, service, status, source, destination, protocol or namespace.",
    z.object({
      kfl: kfl.optional(),
      group_by: z.enum(["endpoint", "service", "status", "src", "dst", "proto", "namespace"])
        .default("endpoint"),
      start: timeMs("Window start").optional(),
      end: timeMs("Window end").optional(),
      snapshot_id: snapshotId.optional(),
      limit: z.number().int().min(1).max(200).default(20).describe(
        "Groups to return, busiest first (default 20, at most 200).",
      ),
    }),
    (args, state) => {
      const { calls, notes } = query(state, args);
      const groups = new Map<string, ApiCall[]>();
      const key = GROUP_KEYS[args.group_by];
      for (const call of calls) {
        const k = key(call);
        groups.set(k, [...(groups.get(k) ?? []), call]);
      }
      const rows = [...groups.entries()].map(([k, list]) => ({ key: k, ...stats(list) }))
        .sort((a, b) => b.calls - a.calls);
      return {
        window: {
          start: args.start ?? calls[0]?.ts ?? null,
          end: args.end ?? calls.at(-1)?.ts ?? null,
        },
        ...stats(calls),
        group_by: args.group_by,
        groups: rows.slice(0, args.limit),
        groups_total: rows.length,
        ...notes,
      };
    },
  ),
  tool(
    "list_l4_flows",
    "List TCP/UDP flows with packet and byte counts and their state (closed, open, refused, reset).",
    z.object({
      l4proto: z.enum(["tcp", "udp"]).optional(),
      ip: z.string().optional().describe("Flows where either side has this IP."),
      ns: z.string().optional().describe("Flows where either side is in this namespace."),
      pod: z.string().optional().describe("Flows where either side's pod name contains this."),
      svc: z.string().optional().describe("Flows where either side is this service."),
      state: z.enum(["closed", "open", "refused", "reset"]).optional(),
      limit: limit(100),
      offset,
    }),
    (args, state) => {
      const flows = [...state.data.flows].reverse().filter((f) =>
        (!args.l4proto || f.proto === args.l4proto) && (!args.state || f.state === args.state) &&
        (matchesPeer(f.client, args) || matchesPeer(f.server, args))
      );
      const { slice, ...rest } = page(flows, args);
      return { flows: slice.map(flowView), ...rest };
    },
  ),
  tool(
    "get_l4_flow_summary",
    "Summarize L4 connectivity: flow counts, top talkers, refused connections, traffic between namespaces.",
    z.object({}),
    (_args, state) => {
      const flows = state.data.flows;
      const bytes = (f: (typeof flows)[number]) => f.clientBytes + f.serverBytes;
      const pkts = (f: (typeof flows)[number]) => f.clientPackets + f.serverPackets;
      const label = (p: Peer) => p.pod ?? p.service ?? p.dns ?? p.ip;
      const pairs = new Map<
        string,
        { client_pod: string; server_pod: string; bytes: number; pkts: number }
      >();
      const cross = new Map<
        string,
        { src_ns: string; dst_ns: string; flows: number; bytes: number }
      >();
      const byNamespace: Record<string, number> = {};
      for (const f of flows) {
        const pair = `${label(f.client)}→${label(f.server)}`;
        const entry = pairs.get(pair) ??
          { client_pod: label(f.client), server_pod: label(f.server), bytes: 0, pkts: 0 };
        entry.bytes += bytes(f);
        entry.pkts += pkts(f);
        pairs.set(pair, entry);
        const src = f.client.namespace ?? "(outside)";
        const dst = f.server.namespace ?? "(outside)";
        byNamespace[dst] = (byNamespace[dst] ?? 0) + 1;
        if (src !== dst) {
          const c = cross.get(`${src}→${dst}`) ?? { src_ns: src, dst_ns: dst, flows: 0, bytes: 0 };
          c.flows++;
          c.bytes += bytes(f);
          cross.set(`${src}→${dst}`, c);
        }
      }
      const top = [...pairs.values()];
      return {
        total_flows: flows.length,
        tcp_flows: flows.filter((f) => f.proto === "tcp").length,
        udp_flows: flows.filter((f) => f.proto === "udp").length,
        refused_flows: flows.filter((f) => f.state === "refused").length,
        total_bytes: flows.reduce((sum, f) => sum + bytes(f), 0),
        total_pkts: flows.reduce((sum, f) => sum + pkts(f), 0),
        unique_clients: new Set(flows.map((f) => f.client.ip)).size,
        unique_servers: new Set(flows.map((f) => `${f.server.ip}:${f.server.port}`)).size,
        top_by_bytes: [...top].sort((a, b) => b.bytes - a.bytes).slice(0, 10).map((
          { pkts: _, ...r },
        ) => r),
        top_by_pkts: [...top].sort((a, b) => b.pkts - a.pkts).slice(0, 10).map((
          { bytes: _, ...r },
        ) => r),
        by_namespace: byNamespace,
        cross_namespace: [...cross.values()].sort((a, b) => b.bytes - a.bytes),
      };
    },
  ),
  tool(
    "get_data_boundaries",
    "The time window of raw capture data held per node (what snapshots and PCAP exports can cover).",
    z.object({}),
    (_args, state) => boundaries(state),
  ),
  tool(
    "get_l7_data_boundaries",
    "The time window of dissected L7 data (what KFL queries on live data can reach), and whether " +
      "dissection is enabled.",
    z.object({}),
    (_args, state) => ({ dissection_enabled: state.dissectionEnabled, ...boundaries(state) }),
  ),
  tool(
    "list_snapshots",
    "List snapshots: stored windows of raw traffic, with status, size and dissections.",
    z.object({}),
    (_args, state) => ({ snapshots: state.snapshots.map((s) => snapshotView(s, state)) }),
  ),
  tool(
    "create_snapshot",
    "Store a window of raw traffic as a snapshot (within get_data_boundaries). In this demo Hub it " +
      "completes at once.",
    z.object({
      name: z.string().min(1).optional().describe("A name for the snapshot."),
      start_time: timeMs("Window start").optional(),
      end_time: timeMs("Window end").optional(),
      nodes: z.array(z.string()).optional().describe("Nodes to include (default all)."),
    }),
    (args, state) => {
      const { startTs, endTs } = state.data;
      const start = args.start_time ?? startTs;
      const end = args.end_time ?? endTs;
      if (start >= end || end <= startTs || start >= endTs) {
        throw new HubRequestError(
          400,
          `the window [${start}, ${end}) is empty or outside the data ` +
            `boundaries [${startTs}, ${endTs}] (see get_data_boundaries)`,
        );
      }
      const unknown = (args.nodes ?? []).filter((n) =>
        !state.data.nodes.some((node) => node.name === n)
      );
      if (unknown.length) throw new HubRequestError(400, `unknown nodes: ${unknown.join(", ")}`);
      const id = state.newSnapshotId();
      const snapshot: Snapshot = {
        id,
        name: args.name ?? id,
        status: "completed",
        createdAt: endTs,
        startTs: Math.max(start, startTs),
        endTs: Math.min(end, endTs),
        nodes: args.nodes?.length ? args.nodes : state.data.nodes.map((n) => n.name),
      };
      state.snapshots.push(snapshot);
      return snapshotView(snapshot, state);
    },
  ),
  tool(
    "get_snapshot",
    "One snapshot's details and status.",
    z.object({ snapshot_id: snapshotId }),
    (args, state) => snapshotView(state.snapshot(args.snapshot_id), state),
  ),
  tool(
    "export_snapshot_pcap",
    "Export a snapshot's packets as a PCAP file; returns a relative path to fetch with " +
      "download_file (or get_file_url). Narrow it with bpf_filter, a time window or nodes.",
    z.object({
      snapshot_id: snapshotId,
      bpf_filter: z.string().optional().describe("e.g. 'host 10.244.1.13 and port 8080'."),
      start_time: timeMs("Window start").optional(),
      end_time: timeMs("Window end").optional(),
      nodes: z.array(z.string()).optional(),
    }),
    (args, state) => {
      const snapshot = state.snapshot(args.snapshot_id);
      parseBpf(args.bpf_filter);
      const query = new URLSearchParams();
      if (args.bpf_filter) query.set("bpf_filter", args.bpf_filter);
      if (args.start_time !== undefined) query.set("start_time", String(args.start_time));
      if (args.end_time !== undefined) query.set("end_time", String(args.end_time));
      if (args.nodes?.length) query.set("nodes", args.nodes.join(","));
      const { packets, bytes } = snapshotPcap(state, snapshot.id, query);
      return {
        snapshot_id: snapshot.id,
        path: pcapPath(snapshot.id, query),
        packets,
        size_bytes: bytes.length,
        format: "pcap",
      };
    },
  ),
  tool(
    "start_snapshot_dissection",
    "Dissect a snapshot's raw traffic into L7 calls so list_api_calls, get_api_call and " +
      "get_api_stats can query it with snapshot_id. In this demo Hub it completes at once.",
    z.object({ snapshot_id: snapshotId, name: z.string().optional() }),
    (args, state) => {
      const snapshot = state.snapshot(args.snapshot_id);
      snapshot.dissection ??= {
        id: `dis-${snapshot.id.replace(/^snap-/, "")}`,
        name: args.name ?? snapshot.name,
        status: "completed",
        createdAt: state.data.endTs,
      };
      return dissectionView(snapshot, state);
    },
  ),
  tool(
    "get_snapshot_dissection_status",
    "The status and progress of a snapshot's dissection.",
    z.object({ snapshot_id: snapshotId }),
    (args, state) => {
      const snapshot = state.snapshot(args.snapshot_id);
      if (!snapshot.dissection) {
        return { snapshot_id: snapshot.id, status: "not_started", progress: 0 };
      }
      return dissectionView(snapshot, state);
    },
  ),
  tool(
    "list_snapshot_dissections",
    "List snapshot dissections, optionally for one snapshot.",
    z.object({ snapshot_id: snapshotId.optional() }),
    (args, state) => ({
      dissections: state.snapshots
        .filter((s) =>
          s.dissection && (!args.snapshot_id || s.id === state.snapshot(args.snapshot_id).id)
        )
        .map((s) => dissectionView(s, state)),
    }),
  ),
  tool(
    "get_dissection_status",
    "Whether live L7 dissection is enabled.",
    z.object({}),
    (_args, state) => ({ enabled: state.dissectionEnabled }),
  ),
  tool(
    "enable_dissection",
    "Enable live L7 dissection.",
    z.object({}),
    (_args, state) => {
      state.dissectionEnabled = true;
      return { success: true, enabled: true };
    },
  ),
  tool(
    "disable_dissection",
    "Disable live L7 dissection (live KFL queries then return nothing).",
    z.object({}),
    (_args, state) => {
      state.dissectionEnabled = false;
      return { success: true, enabled: false };
    },
  ),
  tool(
    "get_cloud_storage_status",
    "Whether snapshots can be uploaded to cloud storage (S3, Azure Blob, GCS).",
    z.object({}),
    () => ({ enabled: false, provider: "", connected: false, message: NOT_CONFIGURED }),
  ),
  tool(
    "upload_snapshot_to_cloud",
    "Upload a completed snapshot to cloud storage.",
    z.object({ snapshot_id: snapshotId }),
    () => {
      throw new HubRequestError(400, NOT_CONFIGURED);
    },
  ),
  tool(
    "download_snapshot_from_cloud",
    "Download a snapshot from cloud storage to the cluster.",
    z.object({ snapshot_id: snapshotId }),
    () => {
      throw new HubRequestError(400, NOT_CONFIGURED);
    },
  ),
];
