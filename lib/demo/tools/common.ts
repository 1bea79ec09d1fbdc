/**
 * What the demo Hub's tool families share: the tool shape, argument schemas with their
 * descriptions, paging, and the lazily loaded engines (KFL2 over CEL, RE2) that only data calls
 * need.
 */
import { z } from "zod";
import { type DemoState, HubRequestError } from "../state.ts";
import type { ApiCall, Snapshot } from "../types.ts";
import { load } from "../../lazy.ts";

/** One Hub tool: its discovery entry and its handler over the demo state. */
export interface DemoTool {
  name: string;
  description: string;
  input: z.ZodObject;
  handler(args: never, state: DemoState): unknown;
}

/** Declares a tool whose handler receives its parsed arguments. */
export function tool<S extends z.ZodObject>(
  name: string,
  description: string,
  input: S,
  handler: (args: z.output<S>, state: DemoState) => unknown,
): DemoTool {
  // Strict: an argument the tool does not know is a 400 (hub.ts names it), never ignored, and the
  // JSON Schema says so (additionalProperties: false).
  return { name, description, input: input.strict(), handler: handler as DemoTool["handler"] };
}

/** The largest page any list tool returns. */
export const MAX_LIMIT = 1_000;

/** A `limit` argument with its default. */
export function limitArg(fallback: number, what = "items") {
  return z.number().int().min(1).max(MAX_LIMIT).default(fallback).describe(
    `How many ${what} to return: an integer from 1 to ${MAX_LIMIT}, default ${fallback}. ` +
      "The answer's total says how many matched; page on with offset.",
  );
}

/** The `offset` argument. */
export const offsetArg = z.number().int().min(0).default(0).describe(
  "How many matching items to skip, for paging: an integer ≥ 0, default 0. When more remain, " +
    "the answer carries next_offset to pass here.",
);

/** `snapshot_id` where it is required. */
export const requiredSnapshotId = z.string().min(1).describe(
  "Required. The snapshot's id from list_snapshots (e.g. snap-before-deploy); its name is " +
    "accepted too.",
);

/** `snapshot_id` where it is optional: live data without it. */
export const optionalSnapshotId = z.string().min(1).describe(
  "Optional. Query this snapshot (an id from list_snapshots, e.g. snap-before-deploy; it must " +
    "have been dissected, see start_snapshot_dissection) instead of live data. Omit for live data.",
).optional();

/** A time argument in Unix milliseconds. */
export function timeArg(what: string) {
  return z.number().int().nonnegative().describe(
    `Optional. ${what}, in Unix milliseconds (UTC), e.g. 1764000000000 (13 digits, not ` +
      "seconds). get_data_boundaries gives the window the data covers.",
  ).optional();
}

/** The `kfl` argument. */
export const kflArg = z.string().max(10_000).describe(
  "Optional KFL2 filter: a CEL condition over each call, e.g. `http && status_code >= 500` or " +
    '`dst.service.name == "payment" && elapsed_time > 100000` (elapsed_time in µs). Combine with ' +
    "`&&`, `||`, `!`; compare with `==` (not `=`, `and`, `or`). Field list and examples: the " +
    "kubeshark://docs/kfl2 resource. Default: empty, matching every call.",
).optional();

/** The calls a query sees: live (dissection must be on) or a dissected snapshot's. */
export function callsInScope(state: DemoState, snapshot?: string): ApiCall[] {
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
export function snapshotCalls(state: DemoState, snapshot: Snapshot): ApiCall[] {
  return state.data.calls.filter((c) =>
    c.ts >= snapshot.startTs && c.ts < snapshot.endTs && snapshot.nodes.includes(c.node)
  );
}

/** The calls matching a KFL2 filter and a time window, with the notes the answer carries. */
export async function query(
  state: DemoState,
  args: { kfl?: string; start?: number; end?: number; snapshot_id?: string },
) {
  const { compileKfl, KflError, describeKflError } = await load.kfl(); // CEL and RE2 come with the first query
  let filter;
  try {
    filter = compileKfl(args.kfl ?? "");
  } catch (error) {
    if (error instanceof KflError) {
      throw new HubRequestError(
        400,
        `invalid KFL filter: ${error.message}`,
        describeKflError(error),
      );
    }
    throw error;
  }
  const calls = callsInScope(state, args.snapshot_id).filter((call) =>
    (args.start === undefined || call.ts >= args.start) &&
    (args.end === undefined || call.ts < args.end) && filter.matches(call)
  );
  const notes: Record<string, unknown> = {};
  if (filter.translatedFrom) {
    // Shortened like error echoes: a long filter must not fill the answer.
    const short = (text: string) => text.length > 200 ? `${text.slice(0, 199)}…` : text;
    notes.kfl_translated = {
      from: short(filter.translatedFrom),
      to: short(filter.expression),
      note: 'legacy KFL1 spelling rewritten; write KFL2 (&&, ||, ==, x.contains("y"))',
    };
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
  if (!calls.length && (args.start !== undefined || args.end !== undefined)) {
    const { startTs, endTs } = state.data;
    if ((args.end ?? Infinity) <= startTs || (args.start ?? 0) >= endTs) {
      notes.window_note = `the window is outside the data, which covers ${
        new Date(startTs).toISOString()
      } – ${new Date(endTs).toISOString()} (Unix ms ${startTs}–${endTs})`;
    }
  }
  return { calls, notes };
}

/** One page of `items`, with the paging fields every list answer carries. */
export function page<T>(items: T[], args: { limit: number; offset: number }) {
  const slice = items.slice(args.offset, args.offset + args.limit);
  const next = args.offset + slice.length;
  return {
    slice,
    total: items.length,
    truncated: next < items.length,
    ...(next < items.length ? { next_offset: next } : {}),
  };
}

let re2Module: Promise<typeof import("re2js")> | undefined;

/**
 * A name filter from a regular expression, compiled with RE2 (linear time: a pattern from a model
 * must never be able to stall the Hub), loaded on first use.
 */
export async function regex(
  pattern: string | undefined,
  field: string,
): Promise<{ test(text: string): boolean } | undefined> {
  if (pattern === undefined) return undefined;
  const { RE2JS } = await (re2Module ??= import("re2js"));
  try {
    const compiled = RE2JS.compile(pattern);
    return { test: (text) => compiled.matcher(text).find() };
  } catch (error) {
    throw new HubRequestError(
      400,
      `${field} is not a valid regular expression (RE2 syntax): ${(error as Error).message}`,
    );
  }
}

/** The pods alive at some point of a snapshot's window (or of the whole hour). */
export function workloadsSeen(state: DemoState, snapshot?: Snapshot) {
  const from = snapshot?.startTs ?? state.data.startTs;
  const to = snapshot?.endTs ?? state.data.endTs;
  return state.data.pods.filter((pod) => pod.startTs < to && (pod.endTs ?? Infinity) > from);
}
