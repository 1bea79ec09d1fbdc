/** Aggregates over L7 calls: get_api_stats, with optional time buckets and event markers. */
import { z } from "zod";
import type { ApiCall } from "../types.ts";
import { endpointPath, isClientError, isError, percentile } from "../views.ts";
import { kflArg, optionalSnapshotId, query, timeArg, tool } from "./common.ts";

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

const round = (n: number) => Math.round(n * 100) / 100;

function latencies(calls: ApiCall[]): number[] {
  return calls.map((c) => c.elapsedUs / 1000).sort((a, b) => a - b);
}

function stats(calls: ApiCall[]) {
  const sorted = latencies(calls);
  const errors = calls.filter(isError).length;
  return {
    calls: calls.length,
    errors,
    client_errors: calls.filter(isClientError).length,
    error_rate: calls.length ? round(errors / calls.length) : 0,
    latency_ms: {
      p50: round(percentile(sorted, 50)),
      p90: round(percentile(sorted, 90)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted.at(-1) ?? 0),
    },
  };
}

/** Per-bucket figures; buckets without calls are left out. */
function buckets(calls: ApiCall[], origin: number, sizeMs: number) {
  const byStart = new Map<number, ApiCall[]>();
  for (const call of calls) {
    const start = origin + Math.floor((call.ts - origin) / sizeMs) * sizeMs;
    const list = byStart.get(start) ?? [];
    list.push(call);
    byStart.set(start, list);
  }
  return [...byStart.entries()].sort(([a], [b]) => a - b).map(([start, list]) => {
    const sorted = latencies(list);
    return {
      start,
      calls: list.length,
      errors: list.filter(isError).length,
      p50_ms: round(percentile(sorted, 50)),
      p90_ms: round(percentile(sorted, 90)),
      p99_ms: round(percentile(sorted, 99)),
    };
  });
}

/** get_api_stats. */
export const getApiStats = tool(
  "get_api_stats",
  "Aggregate the API calls matching a KFL2 filter: counts, errors, latency percentiles (ms), " +
    "grouped by endpoint, service, status, src, dst, proto or namespace, busiest group first. " +
    "`errors` counts server-side failures: HTTP 5xx, gRPC status ≠ 0, DNS rcode ≠ 0 (NXDOMAIN, " +
    "SERVFAIL), PostgreSQL errors, failed Redis/Kafka requests; `client_errors` counts HTTP 4xx " +
    "(404, 401…) apart, and error_rate = errors / calls. With bucket_seconds, each group also " +
    "gets a time series (buckets) and the answer lists markers (e.g. deploys) in the window.",
  z.object({
    kfl: kflArg,
    group_by: z.enum(["endpoint", "service", "status", "src", "dst", "proto", "namespace"])
      .default("endpoint").describe(
        "How to group: endpoint (default: destination service, method, path with ids folded to " +
          "{id}), service (namespace/service called), status (proto and status code), src " +
          "(namespace/pod calling), dst (namespace/pod called), proto, or namespace (the " +
          "called side's).",
      ),
    start: timeArg("Window start (included)"),
    end: timeArg("Window end (excluded)"),
    snapshot_id: optionalSnapshotId,
    limit: z.number().int().min(1).max(200).default(20).describe(
      "How many groups to return, busiest first: an integer from 1 to 200, default 20; " +
        "groups_total says how many there are.",
    ),
    bucket_seconds: z.number().int().min(10).max(3600).optional().describe(
      "Optional. Split each group into time buckets of this many seconds (an integer from 10 to " +
        "3600): each group then carries buckets: [{start (Unix ms), calls, errors, p50_ms, " +
        "p90_ms, p99_ms}] (buckets without calls left out), aligned on the window start, and " +
        "the answer carries markers: [{ts (Unix ms), label}]. Default: no buckets. Keep " +
        "limit small (e.g. 5) with small buckets.",
    ),
  }),
  async (args, state) => {
    const { calls, notes } = await query(state, args);
    const groups = new Map<string, ApiCall[]>();
    const key = GROUP_KEYS[args.group_by];
    for (const call of calls) {
      const k = key(call);
      const list = groups.get(k) ?? [];
      list.push(call);
      groups.set(k, list);
    }
    const snapshot = args.snapshot_id ? state.snapshot(args.snapshot_id) : undefined;
    const origin = args.start ?? snapshot?.startTs ?? state.data.startTs;
    const end = args.end ?? snapshot?.endTs ?? state.data.endTs;
    const sizeMs = (args.bucket_seconds ?? 0) * 1000;
    const rows = [...groups.entries()]
      .sort(([, a], [, b]) => b.length - a.length)
      .slice(0, args.limit)
      .map(([k, list]) => ({
        key: k,
        ...stats(list),
        ...(sizeMs ? { buckets: buckets(list, origin, sizeMs) } : {}),
      }));
    return {
      window: {
        start: args.start ?? calls[0]?.ts ?? null,
        end: args.end ?? calls.at(-1)?.ts ?? null,
      },
      ...stats(calls),
      group_by: args.group_by,
      groups: rows,
      groups_total: groups.size,
      ...(sizeMs
        ? {
          bucket_seconds: args.bucket_seconds,
          markers: state.data.markers.filter((m) => m.ts >= origin && m.ts < end),
        }
        : {}),
      ...notes,
    };
  },
);
