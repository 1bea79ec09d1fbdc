/**
 * PCAP exports of snapshots: the BPF subset the demo understands, the export's scope, and a cache
 * so that export_snapshot_pcap and the file route build each export once (by snapshot id and
 * options) and then serve the same bytes.
 */
import { type DemoState, HubRequestError, type PcapExport } from "./state.ts";
import type { PacketFilter } from "./pcap.ts";
import type { Snapshot } from "./types.ts";
import { load } from "../lazy.ts";

/** What bpf_filter accepts here, for descriptions and errors. */
export const BPF_SUBSET = "[src|dst] host A.B.C.D, [src|dst] port N, tcp, udp, joined by 'and'";

/** Parses the BPF subset into a per-packet test; 400 naming the term it does not understand. */
export function parseBpf(expression: string | undefined): PacketFilter {
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
      `unsupported bpf_filter term "${term.slice(0, 100)}": this Hub understands ${BPF_SUBSET}`,
    );
  });
  return (s, d, proto) => tests.every((test) => test(s, d, proto));
}

/** Where a snapshot's PCAP is served; export_snapshot_pcap returns this relative path. */
export function pcapPath(id: string, query: URLSearchParams): string {
  const suffix = query.toString();
  return `/snapshots/${encodeURIComponent(id)}/data.pcap${suffix ? `?${suffix}` : ""}`;
}

/** The export's options as query parameters (the file route reads them back). */
export function exportQuery(args: {
  bpf_filter?: string;
  start_time?: number;
  end_time?: number;
  nodes?: string[];
}): URLSearchParams {
  const query = new URLSearchParams();
  if (args.bpf_filter?.trim()) query.set("bpf_filter", args.bpf_filter.trim());
  if (args.start_time !== undefined) query.set("start_time", String(args.start_time));
  if (args.end_time !== undefined) query.set("end_time", String(args.end_time));
  if (args.nodes?.length) query.set("nodes", args.nodes.join(","));
  return query;
}

function scopeOf(snapshot: Snapshot, query: URLSearchParams) {
  const time = (name: string, fallback: number) => {
    const text = query.get(name);
    if (text === null) return fallback;
    if (!/^\d+$/.test(text)) throw new HubRequestError(400, `${name} must be Unix milliseconds`);
    return Number(text);
  };
  const start = Math.max(snapshot.startTs, time("start_time", 0));
  const end = Math.min(snapshot.endTs, time("end_time", Infinity));
  const nodes = (query.get("nodes")?.split(",").filter(Boolean) ?? snapshot.nodes)
    .filter((node) => snapshot.nodes.includes(node)).sort();
  const bpf = (query.get("bpf_filter") ?? "").trim().toLowerCase().replace(/\s+/g, " ");
  return { start, end, nodes, bpf, key: `${snapshot.id}|${start}|${end}|${nodes}|${bpf}` };
}

/** The PCAP of a snapshot narrowed by the export's options: built once, then from the cache. */
export function snapshotPcap(
  state: DemoState,
  id: string,
  query: URLSearchParams,
): Promise<PcapExport> {
  const snapshot = state.snapshot(id);
  const scope = scopeOf(snapshot, query);
  const filter = parseBpf(scope.bpf);
  return state.export(scope.key, async () => {
    const { buildPcap } = await load.demoPcap();
    return buildPcap(state.data.flows, {
      fromUs: scope.start * 1000,
      toUs: scope.end * 1000,
      nodes: scope.nodes,
      filter,
    });
  });
}

/** A whole snapshot's packet count and PCAP file size, counted without building it (cached). */
export async function snapshotTotals(
  state: DemoState,
  snapshot: Snapshot,
): Promise<{ packets: number; bytes: number }> {
  const found = state.snapshotTotals.get(snapshot.id);
  if (found) return found;
  const { flowPackets } = await load.demoPcap();
  const fromUs = snapshot.startTs * 1000;
  const toUs = snapshot.endTs * 1000;
  let packets = 0;
  let bytes = 24;
  for (const flow of state.data.flows) {
    if (!snapshot.nodes.includes(flow.node)) continue;
    if (flow.lastTs * 1000 < fromUs || flow.openUs >= toUs) continue;
    for (const packet of flowPackets(flow)) {
      if (packet.tsUs < fromUs || packet.tsUs >= toUs) continue;
      packets++;
      bytes += 16 + packet.frameBytes;
    }
  }
  const totals = { packets, bytes };
  state.snapshotTotals.set(snapshot.id, totals);
  return totals;
}

/**
 * A stream over an export's bytes in 64 KiB slices (views, no copy). Not a byte stream: that
 * would transfer, and so detach, the cached buffer.
 */
export function streamBytes(bytes: Uint8Array<ArrayBuffer>): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      const end = Math.min(bytes.length, offset + 65_536);
      controller.enqueue(bytes.subarray(offset, end));
      offset = end;
    },
  });
}
