/**
 * The demo Hub's data, generated on first use and kept for the life of the process.
 *
 * The clock: the hour of traffic ends at the moment the process started (`performance.timeOrigin`,
 * rounded down to the second), so "the last hour" by the wall clock finds it. The seed is fixed,
 * so every run holds the same traffic at the same offsets into its hour; only the absolute
 * timestamps move with the start time.
 */
import { generateTraffic } from "./traffic.ts";
import type { DemoData } from "./types.ts";

/** The seed every run uses. */
export const DEMO_SEED = 20261120;
/** The length of the demo's window of traffic. */
export const DEMO_HOUR_MS = 3_600_000;

/** When the demo's hour ends: the process's start, Unix ms (whole seconds). */
export function demoEndTs(): number {
  return Math.floor(performance.timeOrigin / 1000) * 1000;
}

let cached: DemoData | undefined;

/** The demo data (generated once, on first call), for the hour that ends at `endTs`. */
export function demoData(endTs = demoEndTs()): DemoData {
  if (cached?.endTs === endTs) return cached;
  const startTs = endTs - DEMO_HOUR_MS;
  const { cluster, calls, flows, snapshots, markers } = generateTraffic(DEMO_SEED, startTs);
  cached = {
    startTs,
    endTs,
    nodes: cluster.nodes,
    pods: cluster.pods,
    services: cluster.services,
    calls,
    flows,
    snapshots,
    markers,
  };
  return cached;
}
