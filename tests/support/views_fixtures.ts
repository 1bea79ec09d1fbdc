/**
 * get_api_stats answers with time buckets, in the shape the demo Hub gains with `bucket_seconds`
 * (rows' `buckets: [{start, calls, errors, p50_ms, p90_ms, p99_ms}]`, the answer's
 * `markers: [{ts, label}]`), computed from the demo data by the demo Hub's own get_api_stats
 * run once per bucket. The latency view's tests use it until the demo Hub answers so itself.
 */
import { DEPLOY_OFFSET_MS } from "../../lib/demo/cluster.ts";
import { demoData } from "../../lib/demo/mod.ts";
import { DEMO_TOOLS, DemoState } from "../../lib/demo/tools.ts";

type Row = Record<string, unknown> & { key: string; calls: number; errors: number };

function stats(state: DemoState, args: Record<string, unknown>) {
  const tool = DEMO_TOOLS.find((candidate) => candidate.name === "get_api_stats")!;
  return tool.handler(tool.input.parse(args) as never, state) as Record<string, unknown> & {
    groups: Row[];
  };
}

/** A bucketed get_api_stats answer for `args` (group_by, kfl, start, end, limit, bucket_seconds). */
export function bucketedStats(args: Record<string, unknown>): Record<string, unknown> {
  const data = demoData();
  const state = new DemoState(data);
  const bucketMs = Number(args.bucket_seconds ?? 60) * 1000;
  const { bucket_seconds: _, ...rest } = args;
  const start = Number(args.start ?? data.startTs);
  const end = Number(args.end ?? data.endTs);
  const answer = stats(state, { ...rest, start, end });
  const from = Math.floor(start / bucketMs) * bucketMs;
  const buckets = new Map<string, Record<string, number>[]>();
  for (let t = from; t < end; t += bucketMs) {
    const slice = stats(state, {
      ...rest,
      start: Math.max(t, start),
      end: Math.min(t + bucketMs, end),
      limit: 200,
    });
    for (const row of answer.groups) {
      const hit = slice.groups.find((g) => g.key === row.key);
      const latency = (hit?.latency_ms ?? {}) as Record<string, number>;
      const list = buckets.get(row.key) ?? [];
      list.push({
        start: t,
        calls: hit?.calls ?? 0,
        errors: hit?.errors ?? 0,
        p50_ms: latency.p50 ?? 0,
        p90_ms: latency.p90 ?? 0,
        p99_ms: latency.p99 ?? 0,
      });
      buckets.set(row.key, list);
    }
  }
  const deploy = data.startTs + DEPLOY_OFFSET_MS;
  return {
    ...answer,
    bucket_seconds: bucketMs / 1000,
    groups: answer.groups.map((row) => ({ ...row, buckets: buckets.get(row.key) ?? [] })),
    markers: deploy >= start && deploy < end ? [{ ts: deploy, label: "deploy checkout v2" }] : [],
  };
}
