/**
 * The demo Hub's tools, one file per family: the newest Hub's tool set, with argument names from
 * Kubeshark's skills docs (snapshot_id, kfl, limit, start/end in Unix ms,
 * name/namespace/namespaces/name_regex…), answering from the generated traffic. Importing this
 * loads zod and the descriptors only; CEL, RE2 and the PCAP writer load with the first data call.
 */
import { z } from "zod";
import { getApiCall, listApiCalls } from "./api_calls.ts";
import {
  downloadSnapshotFromCloud,
  getCloudStorageStatus,
  uploadSnapshotToCloud,
} from "./cloud.ts";
import type { DemoTool } from "./common.ts";
import {
  disableDissection,
  enableDissection,
  getDissectionStatus,
  getSnapshotDissectionStatus,
  listSnapshotDissections,
  startSnapshotDissection,
} from "./dissection.ts";
import { getL4FlowSummary, listL4Flows } from "./l4.ts";
import {
  createSnapshot,
  exportSnapshotPcap,
  getDataBoundaries,
  getL7DataBoundaries,
  getSnapshot,
  listSnapshots,
} from "./snapshots.ts";
import { getApiStats } from "./stats.ts";
import { listIps, listWorkloads } from "./workloads.ts";

export type { DemoTool } from "./common.ts";

/** The demo Hub's tools, in discovery order. */
export const DEMO_TOOLS: DemoTool[] = [
  listWorkloads,
  listIps,
  listApiCalls,
  getApiCall,
  getApiStats,
  listL4Flows,
  getL4FlowSummary,
  getDataBoundaries,
  getL7DataBoundaries,
  listSnapshots,
  createSnapshot,
  getSnapshot,
  exportSnapshotPcap,
  startSnapshotDissection,
  getSnapshotDissectionStatus,
  listSnapshotDissections,
  getDissectionStatus,
  enableDissection,
  disableDissection,
  getCloudStorageStatus,
  uploadSnapshotToCloud,
  downloadSnapshotFromCloud,
];

/** A tool as discovery lists it. */
export interface ToolDescriptor {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

/**
 * The tools as discovery lists them, converted from their zod schemas. The demo Hub serves a
 * stored copy (lib/demo/discovery.json), so that discovery loads neither zod schemas nor tools;
 * tests/demo_discovery_test.ts checks the copy against this (UPDATE_GOLDEN=1 rewrites it).
 */
export function toolDescriptors(): ToolDescriptor[] {
  return DEMO_TOOLS.map((tool) => {
    const { $schema: _, ...inputSchema } = z.toJSONSchema(tool.input, { io: "input" });
    return { name: tool.name, description: tool.description, inputSchema };
  });
}

/** The body of `POST /api/mcp/tools/call`: a tool's name and its arguments. */
export const CallEnvelope = z.object({
  name: z.string().min(1),
  arguments: z.record(z.string(), z.unknown()).nullish(),
});
