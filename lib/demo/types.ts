/** The demo Hub's data model: a small shop's cluster and an hour of its traffic. */

/** A Kubernetes node. */
export interface DemoNode {
  name: string;
  ip: string;
}

/** A pod. */
export interface DemoPod {
  name: string;
  namespace: string;
  service?: string;
  node: string;
  ip: string;
  labels: Record<string, string>;
  /** When the pod appeared (ms); replaced pods have `endTs`. */
  startTs: number;
  endTs?: number;
}

/** A Service. */
export interface DemoService {
  name: string;
  namespace: string;
  clusterIp: string;
  port: number;
  protocol: string;
}

/** One side of a call or flow, resolved as Kubeshark resolves it. */
export interface Peer {
  ip: string;
  port: number;
  pod?: string;
  namespace?: string;
  service?: string;
  node?: string;
  /** The DNS name the peer was reached by, for hosts outside the cluster. */
  dns?: string;
  labels?: Record<string, string>;
}

/** The L7 protocols the demo produces. */
export type Protocol = "http" | "grpc" | "redis" | "kafka" | "dns" | "postgresql";

/** One L7 API call (Kubeshark's BaseEntry, reduced to what the demo needs). */
export interface ApiCall {
  id: string;
  /** Request time, Unix ms. */
  ts: number;
  /** Request → response latency, µs (KFL2's elapsed_time). */
  elapsedUs: number;
  node: string;
  proto: Protocol;
  src: Peer;
  dst: Peer;
  /** HTTP method; gRPC method name; Redis verb; Kafka API name; DNS record type; SQL command. */
  method: string;
  /** HTTP path; gRPC :path; Redis key; Kafka topic; DNS question; SQL text. */
  path: string;
  /** HTTP path and query string. */
  url: string;
  /** HTTP status; gRPC status; DNS rcode; 0 for success elsewhere, 1 for failure. */
  status: number;
  requestHeaders: Record<string, string>;
  responseHeaders: Record<string, string>;
  requestBody: string;
  responseBody: string;
  grpc?: { method: string; status: number };
  redis?: { type: string; command: string; key: string };
  kafka?: { apiKey: number; apiKeyName: string; clientId: string; topic: string };
  dns?: { questions: string[]; answers: string[]; types: string[]; rcodeName: string };
  postgresql?: {
    command: string;
    query: string;
    database: string;
    user: string;
    success: boolean;
    errorCode: string;
    errorMessage: string;
  };
  flowId: number;
}

/** The state an L4 flow ended in. */
export type FlowState = "closed" | "open" | "refused" | "reset";

/** One L4 flow (a TCP connection or a UDP exchange). */
export interface L4Flow {
  id: number;
  proto: "tcp" | "udp";
  client: Peer;
  server: Peer;
  node: string;
  state: FlowState;
  firstTs: number;
  lastTs: number;
  clientPackets: number;
  serverPackets: number;
  clientBytes: number;
  serverBytes: number;
  /** TCP handshake time, µs (absent for UDP and refused connections). */
  handshakeUs?: number;
  /** When the first packet was sent (the SYN for TCP), µs since the epoch. */
  openUs: number;
  /** When the client sent its FIN, µs; absent while the connection is open (or not TCP). */
  closeUs?: number;
  /** The L7 calls the flow carried, in order. */
  calls: ApiCall[];
}

/** A snapshot: a stored window of raw traffic. */
export interface Snapshot {
  id: string;
  name: string;
  status: "in_progress" | "completed" | "failed";
  createdAt: number;
  startTs: number;
  endTs: number;
  nodes: string[];
  dissection?: { id: string; name: string; status: "completed"; createdAt: number };
}

/** A moment worth marking on a time line (a deploy), Unix ms. */
export interface DemoMarker {
  ts: number;
  label: string;
}

/** Everything the demo Hub serves. */
export interface DemoData {
  startTs: number;
  endTs: number;
  nodes: DemoNode[];
  pods: DemoPod[];
  services: DemoService[];
  calls: ApiCall[];
  flows: L4Flow[];
  snapshots: Snapshot[];
  markers: DemoMarker[];
}
