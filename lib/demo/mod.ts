/** The demo Hub's data, generated on first use and kept for the life of the process. */
import { generateTraffic } from "./traffic.ts";
import type { DemoData } from "./types.ts";

/** The seed and the hour the demo shows (UTC), fixed so every run sees the same traffic. */
export const DEMO_SEED = 20261120;
/** 2026-11-20T14:00:00Z. */
export const DEMO_START_TS = Date.UTC(2026, 10, 20, 14, 0, 0);

let cached: DemoData | undefined;

/** The demo data (generated once, on first call). */
export function demoData(): DemoData {
  if (cached) return cached;
  const { cluster, calls, flows, snapshots } = generateTraffic(DEMO_SEED, DEMO_START_TS);
  cached = {
    startTs: DEMO_START_TS,
    endTs: DEMO_START_TS + 3_600_000,
    nodes: cluster.nodes,
    pods: cluster.pods,
    services: cluster.services,
    calls,
    flows,
    snapshots,
  };
  return cached;
}
