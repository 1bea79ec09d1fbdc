/**
 * Kubeshark's release as the chart names it (one place for every name and the chart version), and
 * the readiness rule start and status share.
 */
import type { KubeObject } from "./api.ts";

/** The chart version whose objects we render and apply. */
export const CHART_VERSION = "53.3.0";
/** The Helm release name Kubeshark's CLI uses. */
export const RELEASE = "kubeshark";
/** The front end's Service (the Hub's API is behind it, under /api). */
export const FRONT_SERVICE = "kubeshark-front";
/** The front end's Deployment. */
export const FRONT_DEPLOYMENT = "kubeshark-front";
/** The Hub's Deployment. */
export const HUB_DEPLOYMENT = "kubeshark-hub";
/** The capture workers' DaemonSet. */
export const WORKER_DAEMON_SET = "kubeshark-worker-daemon-set";
/** The config map holding the capture targets (NAMESPACES, POD_REGEX). */
export const CONFIG_MAP = "kubeshark-config-map";
/** The ServiceAccount whose tokens the Hub accepts from the CLI. */
export const CLI_SERVICE_ACCOUNT = "kubeshark-cli";
/** The audience of those tokens. */
export const HUB_TOKEN_AUDIENCE = "kubeshark-hub";

/** Ready/desired counts of the three workloads, and what they add up to. */
export interface Readiness {
  hub: [number, number];
  front: [number, number];
  workers: [number, number];
  ready: boolean;
  /** Hub and front are up but no capture worker is: nothing would be captured. */
  servingWithoutWorkers: boolean;
}

/**
 * The readiness rule: hub and front available, and at least one capture worker when any is
 * scheduled (workers are counted as they come: a node may lag).
 */
export function readinessOf(
  objects: { hub?: KubeObject; front?: KubeObject; workers?: KubeObject },
): Readiness {
  const deployment = (d?: KubeObject): [number, number] => [
    d?.status?.readyReplicas ?? 0,
    d?.spec?.replicas ?? 1,
  ];
  const hub = deployment(objects.hub);
  const front = deployment(objects.front);
  const workers: [number, number] = [
    objects.workers?.status?.numberReady ?? 0,
    objects.workers?.status?.desiredNumberScheduled ?? 0,
  ];
  const serving = hub[0] >= 1 && front[0] >= 1;
  const workersOk = workers[1] === 0 || workers[0] >= 1;
  return {
    hub,
    front,
    workers,
    ready: serving && workersOk,
    servingWithoutWorkers: serving && !workersOk,
  };
}
