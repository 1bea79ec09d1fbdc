/** Who is in the traffic: list_workloads and list_ips. */
import { z } from "zod";
import { HubRequestError } from "../state.ts";
import {
  limitArg,
  offsetArg,
  optionalSnapshotId,
  page,
  regex,
  tool,
  workloadsSeen,
} from "./common.ts";

const namespacesArg = z.array(z.string().min(1)).optional().describe(
  'Optional. Keep only these namespaces (exact names), e.g. ["shop", "payments"]. ' +
    "Default: all namespaces.",
);
const nameRegexArg = z.string().max(1_000).optional().describe(
  "Optional. Keep only names this regular expression finds (RE2 syntax, unanchored: " +
    '"^check" for a prefix), e.g. "redis|postgres". Default: no name filter.',
);

/** list_workloads. */
export const listWorkloads = tool(
  "list_workloads",
  "List the pods (or services, namespaces, nodes) seen in the traffic, with labels, node and IPs. " +
    "Pass name and namespace for one workload (404 when it does not exist).",
  z.object({
    type: z.enum(["pod", "service", "namespace", "node"]).default("pod").describe(
      "What to list: pod, service, namespace or node. Default pod.",
    ),
    name: z.string().min(1).optional().describe(
      "Optional. The exact name of one workload (with namespace for pods and services); the " +
        "answer is then that one item, or a 404.",
    ),
    namespace: z.string().min(1).optional().describe(
      "Optional. The namespace of the workload named by name (exact).",
    ),
    namespaces: namespacesArg,
    name_regex: nameRegexArg,
    labels: z.record(z.string(), z.string()).optional().describe(
      'Optional. Keep only pods carrying all these labels (exact values), e.g. {"app": "cart"}.',
    ),
    snapshot_id: optionalSnapshotId,
    limit: limitArg(100, "workloads"),
    offset: offsetArg,
  }),
  async (args, state) => {
    const snapshot = args.snapshot_id ? state.snapshot(args.snapshot_id) : undefined;
    const pods = workloadsSeen(state, snapshot);
    const nameRegex = await regex(args.name_regex, "name_regex");
    const keep = (name: string, namespace?: string, labels: Record<string, string> = {}) =>
      (!args.name || name === args.name) && (!args.namespace || namespace === args.namespace) &&
      (!args.namespaces?.length || args.namespaces.includes(namespace ?? "")) &&
      (!nameRegex || nameRegex.test(name)) &&
      Object.entries(args.labels ?? {}).every(([k, v]) => labels[k] === v);
    let items: Record<string, unknown>[];
    if (args.type === "pod") {
      items = pods.filter((p) => keep(p.name, p.namespace, p.labels)).map((p) => ({
        kind: "pod",
        name: p.name,
        namespace: p.namespace,
        service: p.service,
        node: p.node,
        labels: p.labels,
        ips: [{ ip: p.ip, timestamp: p.startTs }],
        ...(p.endTs ? { terminated_at: p.endTs } : {}),
      }));
    } else if (args.type === "service") {
      items = state.data.services.filter((s) => keep(s.name, s.namespace)).map((s) => ({
        kind: "service",
        name: s.name,
        namespace: s.namespace,
        cluster_ip: s.clusterIp,
        port: s.port,
        pods: pods.filter((p) => p.service === s.name).map((p) => p.name),
      }));
    } else if (args.type === "namespace") {
      const namespaces = [...new Set(pods.map((p) => p.namespace))].sort();
      items = namespaces.filter((ns) => keep(ns, ns)).map((ns) => ({
        kind: "namespace",
        name: ns,
        pods: pods.filter((p) => p.namespace === ns).length,
        services: state.data.services.filter((s) => s.namespace === ns).map((s) => s.name),
      }));
    } else {
      items = state.data.nodes.filter((n) => keep(n.name)).map((n) => ({
        kind: "node",
        name: n.name,
        ip: n.ip,
        pods: pods.filter((p) => p.node === n.name).length,
      }));
    }
    if (args.name && !items.length) {
      throw new HubRequestError(
        404,
        `${args.type} "${args.name}" not found${
          args.namespace ? ` in namespace "${args.namespace}"` : ""
        }; list_workloads without name lists what there is`,
      );
    }
    const { slice, ...rest } = page(items, args);
    return { workloads: slice, ...rest };
  },
);

/** list_ips. */
export const listIps = tool(
  "list_ips",
  "Resolve IP addresses to what they belong to (pods, services, hosts outside the cluster), or " +
    "list every IP seen with its owners.",
  z.object({
    ip: z.string().min(1).optional().describe(
      "Optional. One IPv4 address to resolve, e.g. 10.96.0.23; an unknown address answers one " +
        "item with no records.",
    ),
    namespaces: namespacesArg,
    name_regex: nameRegexArg,
    snapshot_id: optionalSnapshotId,
    limit: limitArg(100, "addresses"),
    offset: offsetArg,
  }),
  async (args, state) => {
    const records = new Map<string, Record<string, unknown>[]>();
    const add = (ip: string, record: Record<string, unknown>) => {
      const list = records.get(ip) ?? [];
      if (!list.some((r) => r.name === record.name)) list.push(record);
      records.set(ip, list);
    };
    const snapshot = args.snapshot_id ? state.snapshot(args.snapshot_id) : undefined;
    for (const p of workloadsSeen(state, snapshot)) {
      add(p.ip, { kind: "pod", name: p.name, namespace: p.namespace, timestamp: p.startTs });
    }
    for (const s of state.data.services) {
      add(s.clusterIp, {
        kind: "service",
        name: s.name,
        namespace: s.namespace,
        timestamp: state.data.startTs,
      });
    }
    for (const call of state.data.calls) {
      if (!call.dst.pod && !call.dst.service) {
        add(call.dst.ip, {
          kind: "external",
          name: call.dst.dns ?? call.dst.ip,
          namespace: "",
          timestamp: call.ts,
        });
      }
    }
    const nameRegex = await regex(args.name_regex, "name_regex");
    let ips = [...records.entries()].map(([ip, list]) => ({ ip, records: list }))
      .filter((entry) => !args.ip || entry.ip === args.ip)
      .filter((entry) =>
        entry.records.some((r) =>
          (!args.namespaces?.length || args.namespaces.includes(String(r.namespace))) &&
          (!nameRegex || nameRegex.test(String(r.name)))
        )
      );
    if (args.ip && !ips.length) {
      ips = [{ ip: args.ip, records: [] }];
    }
    const { slice, ...rest } = page(ips, args);
    return { ips: slice, ...rest };
  },
);
