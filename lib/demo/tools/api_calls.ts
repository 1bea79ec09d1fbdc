/** L7 calls one by one: list_api_calls and get_api_call. */
import { z } from "zod";
import { HubRequestError } from "../state.ts";
import { compactCall, flowView, fullCall } from "../views.ts";
import {
  callsInScope,
  kflArg,
  limitArg,
  offsetArg,
  optionalSnapshotId,
  page,
  query,
  timeArg,
  tool,
} from "./common.ts";

/** list_api_calls' default page: a compact page stays well under 16 KiB of JSON. */
export const LIST_CALLS_DEFAULT_LIMIT = 50;

/** list_api_calls. */
export const listApiCalls = tool(
  "list_api_calls",
  "Query L7 API calls (HTTP, gRPC, Redis, Kafka, DNS, PostgreSQL) matching a KFL2 filter, newest " +
    "first. Compact entries by default (peers as namespace/pod, the destination with its port); " +
    "format=full adds headers, body previews and protocol details. Answer: {calls, total, " +
    "truncated, next_offset?}, plus kfl_translated/kfl_warning/window_note when they apply. For " +
    "counts and latency percentiles use get_api_stats; for one call in full, get_api_call.",
  z.object({
    kfl: kflArg,
    limit: limitArg(LIST_CALLS_DEFAULT_LIMIT, "calls"),
    offset: offsetArg,
    start: timeArg("Only calls at or after this time (request time)"),
    end: timeArg("Only calls before this time (request time; excluded)"),
    format: z.enum(["compact", "full"]).default("compact").describe(
      "compact (default): id, ts, src, dst, proto, method, path (≤ 80 chars), status, " +
        "latency_ms. full: peers as objects (ip, port, pod, ns, svc, node) plus url, headers, " +
        "body previews (1 KiB), sizes and grpc/redis/kafka/dns/postgresql details; about 5× " +
        "larger, so lower limit.",
    ),
    snapshot_id: optionalSnapshotId,
  }),
  async (args, state) => {
    const { calls, notes } = await query(state, args);
    const newestFirst = [...calls].reverse();
    const { slice, ...rest } = page(newestFirst, args);
    return {
      calls: slice.map((c) => args.format === "full" ? fullCall(c) : compactCall(c)),
      ...rest,
      ...notes,
    };
  },
);

/** get_api_call. */
export const getApiCall = tool(
  "get_api_call",
  "One API call in full: peers, headers, bodies (previews of 1 KiB), protocol details, and the L4 " +
    "flow (TCP connection or UDP exchange) it rode on.",
  z.object({
    id: z.string({ error: "id is required" }).min(1, "id is required").describe(
      "Required. The call's id as list_api_calls gives it, e.g. ip-10-0-1-21.ec2.internal/1234/0.",
    ),
    include_payload: z.boolean().default(true).describe(
      "Whether to include the request and response bodies (previews of at most 1 KiB each). " +
        "Default true.",
    ),
    snapshot_id: optionalSnapshotId,
  }),
  (args, state) => {
    const call = callsInScope(state, args.snapshot_id).find((c) => c.id === args.id) ??
      (args.snapshot_id ? undefined : state.data.calls.find((c) => c.id === args.id));
    if (!call) {
      throw new HubRequestError(
        404,
        `api call "${args.id}" not found${
          args.snapshot_id ? ` in snapshot "${args.snapshot_id}"` : ""
        }; ids come from list_api_calls`,
      );
    }
    const flow = state.data.flows.find((f) => f.id === call.flowId);
    return {
      entry: fullCall(call, { payload: args.include_payload }),
      ...(flow ? { l4_flow: flowView(flow) } : {}),
    };
  },
);
