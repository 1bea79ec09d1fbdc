/** L4 flows: list_l4_flows and get_l4_flow_summary. */
import { z } from "zod";
import type { L4Flow, Peer } from "../types.ts";
import { compactFlow, flowView } from "../views.ts";
import { limitArg, offsetArg, page, tool } from "./common.ts";

/** list_l4_flows' default page: a compact page stays well under 16 KiB of JSON. */
export const LIST_FLOWS_DEFAULT_LIMIT = 50;

type PeerFilter = { ip?: string; ns?: string; pod?: string; svc?: string };

/**
 * The flow filters' one semantics: each of ip, ns, pod, svc given must hold for at least one side
 * of the flow (client or server, not necessarily the same side), and all given must hold. So
 * `pod=cart svc=redis-cache` finds cart's flows to the redis-cache Service.
 */
export function matchesFlow(flow: L4Flow, filter: PeerFilter): boolean {
  const either = (test: (p: Peer) => boolean) => test(flow.client) || test(flow.server);
  return (!filter.ip || either((p) => p.ip === filter.ip)) &&
    (!filter.ns || either((p) => p.namespace === filter.ns)) &&
    (!filter.pod || either((p) => (p.pod ?? "").includes(filter.pod!))) &&
    (!filter.svc || either((p) => p.service === filter.svc));
}

/** list_l4_flows. */
export const listL4Flows = tool(
  "list_l4_flows",
  "List L4 flows (TCP connections, UDP exchanges), newest first, with packet and byte counts, " +
    "the L7 calls each carried, and the state it ended in (closed, open, refused, reset). A " +
    "refused flow is a connection attempt answered by RST: nothing listened on that port. Filters " +
    "ip, ns, pod and svc each match when EITHER side (client or server) fits, and all given " +
    "must hold: pod=cart svc=redis-cache finds cart's connections to redis-cache.",
  z.object({
    l4proto: z.enum(["tcp", "udp"]).optional().describe(
      "Optional. tcp or udp (DNS rides on udp). Default: both.",
    ),
    ip: z.string().min(1).optional().describe(
      "Optional. Flows where either side has this IPv4 address (exact), e.g. 10.96.0.23.",
    ),
    ns: z.string().min(1).optional().describe(
      "Optional. Flows where either side is in this namespace (exact), e.g. data.",
    ),
    pod: z.string().min(1).optional().describe(
      "Optional. Flows where either side's pod name contains this text, e.g. cart.",
    ),
    svc: z.string().min(1).optional().describe(
      "Optional. Flows where either side is this Service (exact name), e.g. redis-cache.",
    ),
    state: z.enum(["closed", "open", "refused", "reset"]).optional().describe(
      "Optional. closed (ended with FIN), open (still open when the data ends), refused (SYN " +
        "answered by RST) or reset (torn down by RST). Default: all states.",
    ),
    format: z.enum(["compact", "full"]).default("compact").describe(
      "compact (default): id, proto, state, client and server as namespace/pod:port, first_ts " +
        "(Unix ms), duration_ms, calls, pkts, bytes. full: peers as objects plus per-side " +
        "packet/byte counts and the TCP handshake time; about 3× larger.",
    ),
    limit: limitArg(LIST_FLOWS_DEFAULT_LIMIT, "flows"),
    offset: offsetArg,
  }),
  (args, state) => {
    const flows = [...state.data.flows].reverse().filter((f) =>
      (!args.l4proto || f.proto === args.l4proto) && (!args.state || f.state === args.state) &&
      matchesFlow(f, args)
    );
    const { slice, ...rest } = page(flows, args);
    return {
      flows: slice.map((f) => args.format === "full" ? flowView(f) : compactFlow(f)),
      ...rest,
    };
  },
);

/** get_l4_flow_summary. */
export const getL4FlowSummary = tool(
  "get_l4_flow_summary",
  "Summarize L4 connectivity over the whole window: flow counts by protocol and state, top " +
    "talkers by bytes and packets, refused connections, and traffic between namespaces.",
  z.object({}),
  (_args, state) => {
    const flows = state.data.flows;
    const bytes = (f: L4Flow) => f.clientBytes + f.serverBytes;
    const pkts = (f: L4Flow) => f.clientPackets + f.serverPackets;
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
    const byState: Record<string, number> = {};
    for (const f of flows) {
      byState[f.state] = (byState[f.state] ?? 0) + 1;
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
    const refused = new Map<string, { client: string; server: string; attempts: number }>();
    for (const f of flows.filter((f) => f.state === "refused")) {
      const key = `${label(f.client)}→${f.server.ip}:${f.server.port}`;
      const entry = refused.get(key) ?? {
        client: `${f.client.namespace ?? "-"}/${label(f.client)}`,
        server: `${f.server.namespace ?? "-"}/${label(f.server)}:${f.server.port}`,
        attempts: 0,
      };
      entry.attempts++;
      refused.set(key, entry);
    }
    const top = [...pairs.values()];
    return {
      total_flows: flows.length,
      tcp_flows: flows.filter((f) => f.proto === "tcp").length,
      udp_flows: flows.filter((f) => f.proto === "udp").length,
      refused_flows: byState.refused ?? 0,
      by_state: byState,
      total_bytes: flows.reduce((sum, f) => sum + bytes(f), 0),
      total_pkts: flows.reduce((sum, f) => sum + pkts(f), 0),
      unique_clients: new Set(flows.map((f) => f.client.ip)).size,
      unique_servers: new Set(flows.map((f) => `${f.server.ip}:${f.server.port}`)).size,
      top_by_bytes: [...top].sort((a, b) => b.bytes - a.bytes).slice(0, 10)
        .map(({ pkts: _, ...r }) => r),
      top_by_pkts: [...top].sort((a, b) => b.pkts - a.pkts).slice(0, 10)
        .map(({ bytes: _, ...r }) => r),
      refused_connections: [...refused.values()].sort((a, b) => b.attempts - a.attempts),
      by_namespace: byNamespace,
      cross_namespace: [...cross.values()].sort((a, b) => b.bytes - a.bytes),
    };
  },
);
