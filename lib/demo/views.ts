/** How the demo Hub renders its entries: the shapes of Kubeshark's Hub MCP answers. */
import type { ApiCall, L4Flow, Peer } from "./types.ts";

const BODY_PREVIEW_CHARS = 1_024;

/** A call's endpoint in Hub form. */
export function peer(p: Peer) {
  return {
    ip: p.ip,
    port: p.port,
    ...(p.pod ? { pod: p.pod } : {}),
    ...(p.namespace ? { ns: p.namespace } : {}),
    ...(p.service ? { svc: p.service } : {}),
    ...(p.node ? { node: p.node } : {}),
    ...(p.dns ? { dns: p.dns } : {}),
  };
}

/**
 * A peer in one short string: `namespace/pod`, else `namespace/service` (a Service address),
 * else `dns-name (ip)` or the ip; with `:port` when asked.
 */
export function peerLabel(p: Peer, withPort: boolean): string {
  const name = p.pod
    ? `${p.namespace}/${p.pod}`
    : p.service
    ? `${p.namespace}/svc/${p.service}`
    : p.dns
    ? `${p.dns} (${p.ip})`
    : p.ip;
  return withPort ? `${name}:${p.port}` : name;
}

/** The longest path a compact entry shows (SQL text can be long). */
const COMPACT_PATH_CHARS = 80;

/**
 * The compact form of a call (list_api_calls' default): peers as `namespace/pod` strings (the
 * destination with its port), the path shortened to 80 characters.
 */
export function compactCall(call: ApiCall) {
  return {
    id: call.id,
    ts: call.ts,
    src: peerLabel(call.src, false),
    dst: peerLabel(call.dst, true),
    proto: call.proto,
    method: call.method,
    path: call.path.length > COMPACT_PATH_CHARS
      ? `${call.path.slice(0, COMPACT_PATH_CHARS)}…`
      : call.path,
    status: call.status,
    latency_ms: Math.round(call.elapsedUs / 10) / 100,
  };
}

/** The full form of a call: every field, peers as objects, headers, body previews, details. */
export function fullCall(call: ApiCall, options: { payload: boolean } = { payload: true }) {
  const preview = (body: string) =>
    body.length > BODY_PREVIEW_CHARS ? `${body.slice(0, BODY_PREVIEW_CHARS)}…` : body;
  return {
    id: call.id,
    ts: call.ts,
    src: peer(call.src),
    dst: peer(call.dst),
    proto: call.proto,
    method: call.method,
    path: call.path,
    status: call.status,
    latency_ms: Math.round(call.elapsedUs / 10) / 100,
    url: call.url,
    timestamp: new Date(call.ts).toISOString(),
    elapsed_time_us: call.elapsedUs,
    node_id: call.node,
    worker: call.node,
    flow_id: call.flowId,
    conn_id: call.flowId,
    req_headers: call.requestHeaders,
    resp_headers: call.responseHeaders,
    ...(options.payload
      ? { req_body: preview(call.requestBody), resp_body: preview(call.responseBody) }
      : {}),
    req_size: call.requestBody.length,
    resp_size: call.responseBody.length,
    ...(call.grpc ? { grpc: call.grpc } : {}),
    ...(call.redis ? { redis: call.redis } : {}),
    ...(call.kafka ? { kafka: call.kafka } : {}),
    ...(call.dns ? { dns: call.dns } : {}),
    ...(call.postgresql ? { postgresql: call.postgresql } : {}),
  };
}

/** The compact form of a flow (list_l4_flows' default). */
export function compactFlow(flow: L4Flow) {
  return {
    id: flow.id,
    proto: flow.proto,
    state: flow.state,
    client: peerLabel(flow.client, true),
    server: peerLabel(flow.server, true),
    first_ts: flow.firstTs,
    duration_ms: flow.lastTs - flow.firstTs,
    calls: flow.calls.length,
    pkts: flow.clientPackets + flow.serverPackets,
    bytes: flow.clientBytes + flow.serverBytes,
  };
}

/** A flow in Hub form (every field). */
export function flowView(flow: L4Flow) {
  const client = peer(flow.client);
  const server = peer(flow.server);
  return {
    id: flow.id,
    proto: flow.proto,
    state: flow.state,
    client,
    server,
    node: flow.node,
    first_ts: flow.firstTs,
    last_ts: flow.lastTs,
    duration_ms: flow.lastTs - flow.firstTs,
    calls: flow.calls.length,
    client_stats: {
      tx_pkts: flow.clientPackets,
      rx_pkts: flow.serverPackets,
      tx_bytes: flow.clientBytes,
      rx_bytes: flow.serverBytes,
      ...(flow.handshakeUs ? { tcp_handshake_p50_us: flow.handshakeUs } : {}),
    },
    server_stats: {
      tx_pkts: flow.serverPackets,
      rx_pkts: flow.clientPackets,
      tx_bytes: flow.serverBytes,
      rx_bytes: flow.clientBytes,
    },
    totals: {
      pkts: flow.clientPackets + flow.serverPackets,
      bytes: flow.clientBytes + flow.serverBytes,
    },
  };
}

/** Percentile of a sorted list. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Whether a call failed on the server's side (get_api_stats' `errors`): HTTP 5xx; gRPC status ≠ 0
 * or HTTP 5xx; DNS rcode ≠ 0 (NXDOMAIN, SERVFAIL…); a PostgreSQL error; a failed Redis or Kafka
 * request. HTTP 4xx are client errors, counted apart (`isClientError`).
 */
export function isError(call: ApiCall): boolean {
  if (call.proto === "http") return call.status >= 500;
  if (call.proto === "grpc") return (call.grpc?.status ?? 0) !== 0 || call.status >= 500;
  return call.status !== 0;
}

/** Whether a call was refused as the client's fault: HTTP 4xx (get_api_stats' client_errors). */
export function isClientError(call: ApiCall): boolean {
  return (call.proto === "http" || call.proto === "grpc") && call.status >= 400 &&
    call.status < 500;
}

/** A path with ids folded, for grouping endpoints: /api/products/907 → /api/products/{id}. */
export function endpointPath(path: string): string {
  return path.replace(/\/\d+(?=\/|$)/g, "/{id}");
}
