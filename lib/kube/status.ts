/**
 * check_kubeshark_status in proxy mode: what runs in the release namespace, how ready it is, whether
 * the Hub answers through the proxy, and what is being captured — so a model can tell "no traffic"
 * from "not captured".
 */
import { describeError } from "../errors.ts";
import { RE2JS } from "re2js";
import { HubError } from "../hub/client.ts";
import { type KubeApi, KubeError, type KubeObject } from "./api.ts";
import type { KubeHubAccess } from "./hub_access.ts";
import {
  CONFIG_MAP,
  FRONT_DEPLOYMENT,
  FRONT_SERVICE,
  HUB_DEPLOYMENT,
  readinessOf,
  WORKER_DAEMON_SET,
} from "./names.ts";

/** A status report: a summary for people and the same facts as data. */
export interface StatusReport {
  text: string;
  report: Record<string, unknown>;
}

/** The proxy-mode status report for `namespace`. */
export async function proxyStatus(
  access: KubeHubAccess,
  namespace: string,
  signal: AbortSignal,
): Promise<StatusReport> {
  const { api, context } = await access.connection();
  const ns = `/namespaces/${namespace}`;
  const front = await api.get(`/api/v1${ns}/services/${FRONT_SERVICE}`, signal);
  if (!front) {
    const text = `Kubeshark is not running in namespace '${namespace}'.\n` +
      (access.config.allowDestructive
        ? "Start it with start_kubeshark (after confirming with the user)."
        : "Install it with `kubeshark tap` (or restart this server with --allow-destructive to use " +
          "start_kubeshark).") +
      ` (kube context "${context}")`;
    return { text, report: { running: false, context, namespace } };
  }
  const [hub, frontDeployment, workers, configMap] = await Promise.all([
    optional(api, `/apis/apps/v1${ns}/deployments/${HUB_DEPLOYMENT}`, signal),
    optional(api, `/apis/apps/v1${ns}/deployments/${FRONT_DEPLOYMENT}`, signal),
    optional(api, `/apis/apps/v1${ns}/daemonsets/${WORKER_DAEMON_SET}`, signal),
    optional(api, `/api/v1${ns}/configmaps/${CONFIG_MAP}`, signal),
  ]);
  const workloads = workloadReport({ hub, front: frontDeployment, workers });
  const capture = await captureTargets(api, known(configMap), signal);
  const hubAnswer = namespace === access.config.namespace ? await hubCheck(access, signal) : {
    answers: null,
    note: `the Hub is only probed in the configured namespace (${access.config.namespace})`,
  };
  const lines = [
    `Kubeshark is running in namespace '${namespace}'.`,
    `Context: ${context}.${workloads.version ? ` Version: ${workloads.version}.` : ""}`,
    workloads.line,
  ];
  if (configMap === FORBIDDEN) {
    lines.push("Capture targets unknown (not permitted: get configmaps).");
  }
  if (hubAnswer.answers === true) {
    lines.push(
      `The Hub answers through ${hubAnswer.route} in ${hubAnswer.roundTripMs} ms (${hubAnswer.tools} tools).`,
    );
  } else if (hubAnswer.answers === false) {
    lines.push(`The Hub does not answer: ${hubAnswer.error}`);
  }
  if (capture) lines.push(captureLine(capture));
  return {
    text: lines.join("\n"),
    report: {
      running: true,
      ready: workloads.ready,
      context,
      namespace,
      version: workloads.version ?? null,
      ...workloads.counts,
      hubApi: hubAnswer,
      capture: capture ?? null,
    },
  };
}

type Found = KubeObject | typeof FORBIDDEN | undefined;

function known(object: Found): KubeObject | undefined {
  return object === FORBIDDEN ? undefined : object;
}

// Ready/desired of hub, front and workers by the readiness rule start waits on; a workload that is
// missing, or that we may not read, is said to be.
function workloadReport(found: { hub: Found; front: Found; workers: Found }) {
  const rule = readinessOf({
    hub: known(found.hub),
    front: known(found.front),
    workers: known(found.workers),
  });
  const pair = (object: Found, [ready, desired]: [number, number]) =>
    known(object) ? { ready, desired } : null;
  const counts = {
    hub: pair(found.hub, rule.hub),
    front: pair(found.front, rule.front),
    workers: pair(found.workers, rule.workers),
  };
  const describe = (name: keyof typeof counts, label: string, permission: string) => {
    const count = counts[name];
    if (found[name] === FORBIDDEN) return `${label} unknown (not permitted: ${permission})`;
    return count ? `${label} ${count.ready}/${count.desired} ready` : `${label} missing`;
  };
  const image: string = known(found.hub)?.spec?.template?.spec?.containers?.[0]?.image ?? "";
  return {
    ready: rule.ready,
    counts,
    version: image.includes(":") ? image.slice(image.lastIndexOf(":") + 1) : undefined,
    line: `${describe("hub", "Hub", "get deployments")}; ${
      describe("front", "front", "get deployments")
    }; ${describe("workers", "workers", "get daemonsets")}.`,
  };
}

function captureLine(
  capture: { namespaces: string[]; podRegex: string; matchingPods: number | null },
) {
  return `Capturing pods matching /${capture.podRegex}/ in ${
    capture.namespaces.length ? capture.namespaces.join(", ") : "all namespaces"
  }: ${capture.matchingPods ?? "?"} running pods match.` +
    (capture.matchingPods === 0 ? " Nothing is captured: widen the regex or namespaces." : "");
}

// A missing permission leaves a gap in the report, named as such, not a failure.
const FORBIDDEN = { forbidden: true } as const;

async function optional(api: KubeApi, path: string, signal: AbortSignal) {
  try {
    return await api.get(path, signal);
  } catch (error) {
    if (error instanceof KubeError && error.kind === "forbidden") return FORBIDDEN;
    throw error;
  }
}

async function hubCheck(access: KubeHubAccess, signal: AbortSignal) {
  try {
    const client = await access.client(signal);
    const { info, roundTripMs } = await client.probe(signal);
    return {
      answers: true,
      route: access.routeKind ?? "proxy",
      url: client.baseUrl,
      roundTripMs,
      tools: info.tools.length,
      hubVersion: info.version,
    };
  } catch (error) {
    if (error instanceof HubError && error.kind === "aborted") throw error;
    return { answers: false, error: describeError(error) };
  }
}

/** The tap targets from the config map, and how many running pods they select. */
async function captureTargets(
  api: KubeApi,
  configMap: KubeObject | undefined,
  signal: AbortSignal,
) {
  if (!configMap) return undefined;
  const namespaces = String(configMap.data?.NAMESPACES ?? "").split(",").map((s) => s.trim())
    .filter(Boolean);
  const podRegex = String(configMap.data?.POD_REGEX ?? ".*") || ".*";
  let matchingPods: number | null = null;
  try {
    // Go's regexp is RE2, as is re2js: the pattern means here what it means to the workers.
    const pattern = RE2JS.compile(podRegex);
    const pods = namespaces.length
      ? (await Promise.all(
        namespaces.map((ns) => api.list(`/api/v1/namespaces/${ns}/pods`, { signal })),
      )).flat()
      : await api.list("/api/v1/pods", { signal });
    matchingPods = pods.filter((pod) =>
      pod.status?.phase === "Running" && pattern.matcher(pod.metadata?.name ?? "").find()
    ).length;
  } catch {
    // Listing pods may be forbidden; report the targets without the count.
  }
  return { namespaces, podRegex, matchingPods };
}
