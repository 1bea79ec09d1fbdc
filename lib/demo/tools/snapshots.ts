/** Raw capture and snapshots: data boundaries, snapshots, PCAP export. */
import { z } from "zod";
import {
  BPF_SUBSET,
  exportQuery,
  parseBpf,
  pcapPath,
  snapshotPcap,
  snapshotTotals,
} from "../exports.ts";
import { type DemoState, HubRequestError } from "../state.ts";
import type { Snapshot } from "../types.ts";
import { requiredSnapshotId, snapshotCalls, timeArg, tool } from "./common.ts";

const nodesArg = z.array(z.string().min(1)).optional().describe(
  "Optional. Node names to include (exact, from list_workloads type=node), e.g. " +
    '["ip-10-0-1-21.ec2.internal"]. Default: all nodes.',
);

/** A snapshot as list_snapshots and get_snapshot show it. */
async function snapshotView(snapshot: Snapshot, state: DemoState) {
  const totals = await snapshotTotals(state, snapshot);
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
    packet_count: totals.packets,
    size_bytes: totals.bytes,
    location: "local",
    dissections: snapshot.dissection ? [dissectionView(snapshot, state)] : [],
  };
}

/** A snapshot's dissection, as the dissection tools show it. */
export function dissectionView(snapshot: Snapshot, state: DemoState) {
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

/** get_data_boundaries. */
export const getDataBoundaries = tool(
  "get_data_boundaries",
  "The time window of raw capture held per node (Unix ms): what snapshots and PCAP exports can " +
    "cover. In the demo, one hour ending when the server started.",
  z.object({}),
  (_args, state) => boundaries(state),
);

/** get_l7_data_boundaries. */
export const getL7DataBoundaries = tool(
  "get_l7_data_boundaries",
  "The time window of dissected L7 data (Unix ms): what list_api_calls and get_api_stats can " +
    "reach on live data, and whether dissection is enabled.",
  z.object({}),
  (_args, state) => ({ dissection_enabled: state.dissectionEnabled, ...boundaries(state) }),
);

/** list_snapshots. */
export const listSnapshots = tool(
  "list_snapshots",
  "List snapshots: stored windows of raw traffic, with status, time window (Unix ms), packet " +
    "count, PCAP size and dissections.",
  z.object({}),
  async (_args, state) => ({
    snapshots: await Promise.all(state.snapshots.map((s) => snapshotView(s, state))),
  }),
);

/** create_snapshot. */
export const createSnapshot = tool(
  "create_snapshot",
  "Store a window of raw traffic as a snapshot (within get_data_boundaries), to export as PCAP " +
    "or dissect later. In this demo Hub it completes at once.",
  z.object({
    name: z.string().min(1).max(200).optional().describe(
      "Optional. A name for the snapshot. Default: its id.",
    ),
    start_time: timeArg("Window start (included). Default: the start of the data"),
    end_time: timeArg("Window end (excluded). Default: the end of the data"),
    nodes: nodesArg,
  }),
  async (args, state) => {
    const { startTs, endTs } = state.data;
    const start = args.start_time ?? startTs;
    const end = args.end_time ?? endTs;
    if (start >= end || end <= startTs || start >= endTs) {
      throw new HubRequestError(
        400,
        `the window [${start}, ${end}) is empty or outside the data ` +
          `boundaries [${startTs}, ${endTs}] (Unix ms; see get_data_boundaries)`,
      );
    }
    const unknown = (args.nodes ?? []).filter((n) =>
      !state.data.nodes.some((node) => node.name === n)
    );
    if (unknown.length) {
      throw new HubRequestError(
        400,
        `unknown nodes: ${unknown.join(", ")}; the nodes are ${
          state.data.nodes.map((n) => n.name).join(", ")
        }`,
      );
    }
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
    return await snapshotView(snapshot, state);
  },
);

/** get_snapshot. */
export const getSnapshot = tool(
  "get_snapshot",
  "One snapshot's details and status.",
  z.object({ snapshot_id: requiredSnapshotId }),
  (args, state) => snapshotView(state.snapshot(args.snapshot_id), state),
);

/** export_snapshot_pcap. */
export const exportSnapshotPcap = tool(
  "export_snapshot_pcap",
  "Export a snapshot's packets as a PCAP file (libpcap, Ethernet); returns a relative path to " +
    "save with download_file (or link with get_file_url), the packet count and size. Narrow it " +
    "with bpf_filter, a time window or nodes. The same export asked again is served from cache.",
  z.object({
    snapshot_id: requiredSnapshotId,
    bpf_filter: z.string().max(1_000).optional().describe(
      `Optional. Which packets to keep, in a subset of BPF: ${BPF_SUBSET}, applied to each ` +
        "packet (both directions of a conversation match `host`/`port`; `src`/`dst` pick one " +
        "direction), e.g. 'host 10.244.1.13 and port 8080'. Other BPF (or, not, net, " +
        "portrange…) is refused. Default: every packet.",
    ),
    start_time: timeArg("Keep packets at or after this time. Default: the snapshot's start"),
    end_time: timeArg("Keep packets before this time. Default: the snapshot's end"),
    nodes: nodesArg,
  }),
  async (args, state) => {
    const snapshot = state.snapshot(args.snapshot_id);
    parseBpf(args.bpf_filter);
    const query = exportQuery(args);
    const { packets, bytes } = await snapshotPcap(state, snapshot.id, query);
    return {
      snapshot_id: snapshot.id,
      path: pcapPath(snapshot.id, query),
      packets,
      size_bytes: bytes.length,
      format: "pcap",
    };
  },
);
