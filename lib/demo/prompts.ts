/**
 * The demo Hub's eight prompts (Kubeshark names them; the arguments are ours). Each description is
 * the prompt's text: the goal, then the tools to call in order with example arguments and KFL2
 * filters, so a model starts investigating with its first call. `<name>` marks where an argument's
 * value goes; the local renderer shows the values given.
 */
import type { PromptDescriptor } from "../protocol.ts";

const namespace = {
  name: "namespace",
  description: "Limit the analysis to this namespace (default: all)",
  required: false,
};

const NAMESPACE_NOTE =
  'With a namespace, add `&& dst.pod.namespace == "<namespace>"` to each kfl (or pass ns to ' +
  "list_l4_flows).";

/** The Hub prompts, as discovery lists them. */
export const DEMO_PROMPTS: PromptDescriptor[] = [
  {
    name: "analyze_traffic",
    description:
      "Analyze API traffic patterns: who talks to whom, volumes, and anything unusual.\n" +
      "Steps:\n" +
      '1. get_api_stats {group_by: "service"}: calls, errors and latency per called service ' +
      "(services outside the cluster show as -/<host>).\n" +
      "2. get_l4_flow_summary {}: top talkers, cross-namespace traffic, refused connections.\n" +
      '3. get_api_stats {group_by: "endpoint", kfl: "http"}: the busiest and slowest endpoints.\n' +
      '4. list_api_calls {kfl: "dst.namespace == \\"\\""}: calls leaving the cluster; then ' +
      "get_api_call {id} on anything unusual.\n" + NAMESPACE_NOTE,
    arguments: [namespace],
  },
  {
    name: "find_errors",
    description: "Find and summarize failing API calls (HTTP 4xx/5xx, gRPC errors, failed DNS " +
      "lookups, database errors) and their likely causes.\n" +
      "Steps:\n" +
      '1. get_api_stats {group_by: "status"}: errors (HTTP 5xx, gRPC ≠ 0, DNS rcode ≠ 0, SQL ' +
      "errors) and client_errors (HTTP 4xx) per protocol and status.\n" +
      '2. list_api_calls {kfl: "http && status_code >= 500"}: server errors; which service, ' +
      "when (a burst?).\n" +
      '3. list_api_calls {kfl: "http && status_code >= 400 && status_code < 500"}: client ' +
      "errors such as 404s.\n" +
      '4. list_api_calls {kfl: "(postgresql && !postgresql_success) || (dns && status_code != ' +
      '0)", format: "full"}: database errors (SQLSTATE in postgresql.errorCode) and failed ' +
      "lookups.\n" +
      "5. get_api_call {id}: headers and body of one failing call, for the cause.\n" +
      NAMESPACE_NOTE,
    arguments: [namespace],
  },
  {
    name: "trace_request",
    description:
      "Follow one request through the services it touched, using its request id or path.\n" +
      "Steps:\n" +
      "1. With a request_id: list_api_calls {kfl: " +
      '"map_get(request.headers, \\"x-request-id\\", \\"\\") == \\"<request_id>\\"", ' +
      'format: "full", limit: 100}: every hop carrying it (newest first; order them by ts). ' +
      'With a path only: list_api_calls {kfl: "http && path == \\"<path>\\"", format: ' +
      '"full", limit: 5} and take the x-request-id from req_headers, then step 1.\n' +
      "2. Read the hops as a chain: src → dst, status, latency_ms. Callers pass a failure " +
      "up (a 502 above a 503), so the cause is the failing hop (status ≥ 500, or grpc status " +
      "≠ 0) that ended first: smallest ts + latency_ms.\n" +
      "3. get_api_call {id} of that hop: its body and its L4 flow.",
    arguments: [
      { name: "request_id", description: "The x-request-id to follow", required: false },
      {
        name: "path",
        description: "An HTTP path to start from, e.g. /api/checkout",
        required: false,
      },
    ],
  },
  {
    name: "show_topology",
    description: "Map which services and workloads communicate, across namespaces.\n" +
      "Steps:\n" +
      '1. list_workloads {type: "service"}: the Services, their namespaces and pods.\n' +
      '2. get_api_stats {group_by: "src", limit: 50} and get_api_stats {group_by: "service", ' +
      "limit: 50}: who calls, and who is called.\n" +
      "3. get_l4_flow_summary {}: cross_namespace edges (src_ns → dst_ns) and top talkers.\n" +
      '4. For one edge: list_api_calls {kfl: "src.pod.namespace == \\"frontend\\" && ' +
      'dst.pod.namespace == \\"shop\\"", limit: 20}.\n' + NAMESPACE_NOTE,
    arguments: [namespace],
  },
  {
    name: "latency_analysis",
    description: "Find slow endpoints and where the time goes (p50/p99 by endpoint).\n" +
      "Steps:\n" +
      '1. get_api_stats {group_by: "endpoint", kfl: "http", limit: 50}: compare latency_ms ' +
      "p50/p99 across endpoints; note the slowest.\n" +
      '2. list_api_calls {kfl: "http && elapsed_time > 500000"}: the slow calls themselves ' +
      "(elapsed_time is in µs: use threshold_ms × 1000; 500000 = 500 ms).\n" +
      '3. get_api_stats {kfl: "dst.service.name == \\"<slow service>\\"", group_by: ' +
      '"endpoint", bucket_seconds: 300, limit: 5}: when it is slow (buckets) and what ' +
      "happened then (markers, e.g. a deploy).\n" +
      '4. list_api_calls {kfl: "src.service.name == \\"<slow service>\\""}: what the slow ' +
      "service itself waits on.\n" + NAMESPACE_NOTE,
    arguments: [
      namespace,
      {
        name: "threshold_ms",
        description: "Calls slower than this count as slow",
        required: false,
      },
    ],
  },
  {
    name: "security_audit",
    description:
      "Audit traffic for security concerns: plaintext credentials, unexpected external " +
      "destinations, metadata-service access, suspicious DNS.\n" +
      "Steps:\n" +
      '1. list_api_calls {kfl: "http && \\"authorization\\" in request.headers", format: ' +
      '"full", limit: 10}: credentials sent over plain HTTP (Basic is base64, not ' +
      "encryption).\n" +
      '2. list_api_calls {kfl: "dst.namespace == \\"\\"", format: "full", limit: 20}: ' +
      "calls leaving the cluster: unknown hosts, odd user-agents, the cloud metadata service " +
      "(169.254.169.254).\n" +
      '3. list_api_calls {kfl: "dns && dns_questions.exists(q, !q.endsWith(\\".local\\"))"}: ' +
      "lookups of outside names (mining pools, paste sites).\n" +
      '4. list_api_calls {kfl: "http && method == \\"POST\\" && path.contains(\\"login\\")", ' +
      'format: "full", limit: 5}: passwords or tokens in bodies.\n' +
      "5. list_ips {ip} on a suspicious address: what it is.\n" + NAMESPACE_NOTE,
    arguments: [namespace],
  },
  {
    name: "compare_traffic",
    description:
      "Compare traffic between two periods or snapshots (errors, latency, new peers).\n" +
      "Steps:\n" +
      "1. list_snapshots {}: the snapshots and their windows (the demo has " +
      "snap-before-deploy and snap-after-deploy).\n" +
      "2. start_snapshot_dissection {snapshot_id: <after>} if it has no dissection yet.\n" +
      '3. get_api_stats {snapshot_id: <before>, group_by: "service"} and the same with ' +
      "<after>: compare calls, errors and latency service by service; new keys are new " +
      "peers.\n" +
      "Without snapshots: get_api_stats with start/end (Unix ms) for each period, or one " +
      'get_api_stats {kfl: "http", group_by: "service", bucket_seconds: 300, limit: 5} and ' +
      "read its markers (deploys).",
    arguments: [
      {
        name: "before",
        description: "A snapshot id or a start time for the first period",
        required: false,
      },
      {
        name: "after",
        description: "A snapshot id or a start time for the second period",
        required: false,
      },
    ],
  },
  {
    name: "debug_connection",
    description: "Debug connectivity between two workloads: DNS, refused or reset connections, " +
      "errors and latency.\n" +
      "Steps:\n" +
      "1. list_l4_flows {pod: <source>, svc: <destination>}: the connections between them; " +
      "state refused means nothing listens on that port (compare server's port with the " +
      "Service's).\n" +
      '2. list_workloads {type: "service", name_regex: "<destination>"}: the Service\'s port ' +
      "and its pods (none = no endpoints).\n" +
      '3. list_api_calls {kfl: "dns && src.pod.name.contains(\\"<source>\\")"}: does the name ' +
      "resolve (status_code 3 = NXDOMAIN)?\n" +
      '4. list_api_calls {kfl: "src.pod.name.contains(\\"<source>\\") && ' +
      'dst.service.name == \\"<destination>\\""}: L7 calls that got through, their errors ' +
      "and latency.",
    arguments: [
      { name: "source", description: "The calling workload (pod or service name)", required: true },
      { name: "destination", description: "The called workload, host or IP", required: true },
    ],
  },
];
