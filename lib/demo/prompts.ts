/** The demo Hub's eight prompts (Kubeshark names them; the arguments are ours). */
import type { PromptDescriptor } from "../protocol.ts";

const namespace = {
  name: "namespace",
  description: "Limit the analysis to this namespace (default: all)",
  required: false,
};

/** The Hub prompts, as discovery lists them. */
export const DEMO_PROMPTS: PromptDescriptor[] = [
  {
    name: "analyze_traffic",
    description: "Analyze API traffic patterns: who talks to whom, volumes, and anything unusual.",
    arguments: [namespace],
  },
  {
    name: "find_errors",
    description: "Find and summarize failing API calls (HTTP 4xx/5xx, gRPC errors, failed DNS " +
      "lookups, database errors) and their likely causes.",
    arguments: [namespace],
  },
  {
    name: "trace_request",
    description:
      "Follow one request through the services it touched, using its request id or path.",
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
    description: "Map which services and workloads communicate, across namespaces.",
    arguments: [namespace],
  },
  {
    name: "latency_analysis",
    description: "Find slow endpoints and where the time goes (p50/p99 by endpoint).",
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
      "destinations, metadata-service access, suspicious DNS.",
    arguments: [namespace],
  },
  {
    name: "compare_traffic",
    description: "Compare traffic between two periods or snapshots (errors, latency, new peers).",
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
      "errors and latency.",
    arguments: [
      { name: "source", description: "The calling workload (pod or service name)", required: true },
      { name: "destination", description: "The called workload, host or IP", required: true },
    ],
  },
];
