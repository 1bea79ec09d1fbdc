/** L7 dissection: of snapshots, and the live switch. */
import { z } from "zod";
import { requiredSnapshotId, tool } from "./common.ts";
import { dissectionView } from "./snapshots.ts";

/** start_snapshot_dissection. */
export const startSnapshotDissection = tool(
  "start_snapshot_dissection",
  "Dissect a snapshot's raw traffic into L7 calls, so list_api_calls, get_api_call and " +
    "get_api_stats can query it with snapshot_id. In this demo Hub it completes at once.",
  z.object({
    snapshot_id: requiredSnapshotId,
    name: z.string().min(1).max(200).optional().describe(
      "Optional. A name for the dissection. Default: the snapshot's name.",
    ),
  }),
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
);

/** get_snapshot_dissection_status. */
export const getSnapshotDissectionStatus = tool(
  "get_snapshot_dissection_status",
  "The status and progress (0–100) of a snapshot's dissection; not_started when there is none.",
  z.object({ snapshot_id: requiredSnapshotId }),
  (args, state) => {
    const snapshot = state.snapshot(args.snapshot_id);
    if (!snapshot.dissection) {
      return { snapshot_id: snapshot.id, status: "not_started", progress: 0 };
    }
    return dissectionView(snapshot, state);
  },
);

/** list_snapshot_dissections. */
export const listSnapshotDissections = tool(
  "list_snapshot_dissections",
  "List snapshot dissections, optionally of one snapshot.",
  z.object({
    snapshot_id: z.string().min(1).optional().describe(
      "Optional. Only this snapshot's dissections (an id from list_snapshots). Default: all.",
    ),
  }),
  (args, state) => ({
    dissections: state.snapshots
      .filter((s) =>
        s.dissection && (!args.snapshot_id || s.id === state.snapshot(args.snapshot_id).id)
      )
      .map((s) => dissectionView(s, state)),
  }),
);

/** get_dissection_status. */
export const getDissectionStatus = tool(
  "get_dissection_status",
  "Whether live L7 dissection is enabled (when it is off, live L7 queries return nothing).",
  z.object({}),
  (_args, state) => ({ enabled: state.dissectionEnabled }),
);

/** enable_dissection. */
export const enableDissection = tool(
  "enable_dissection",
  "Enable live L7 dissection.",
  z.object({}),
  (_args, state) => {
    state.dissectionEnabled = true;
    return { success: true, enabled: true };
  },
);

/** disable_dissection. */
export const disableDissection = tool(
  "disable_dissection",
  "Disable live L7 dissection (live L7 queries then return nothing until enable_dissection).",
  z.object({}),
  (_args, state) => {
    state.dissectionEnabled = false;
    return { success: true, enabled: false };
  },
);
