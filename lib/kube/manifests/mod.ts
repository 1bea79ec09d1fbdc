/**
 * Every object Kubeshark's chart 53.3.0 creates for the given values, in the order to apply them
 * (identities and configuration before the workloads that use them).
 */
import {
  cliAuth,
  clusterRole,
  clusterRoleBinding,
  selfConfigRole,
  selfConfigRoleBinding,
  serviceAccount,
} from "./access.ts";
import { hubConfigMap, hubSecrets } from "./config.ts";
import { frontDeployment } from "./front.ts";
import { hubDeployment } from "./hub.ts";
import type { Manifest, Release } from "./meta.ts";
import { ingress, networkPolicies } from "./network.ts";
import { nginxConfigMap } from "./nginx.ts";
import { frontService, hubService, metricsServices } from "./services.ts";
import { resolveValues } from "./values.ts";
import { workerDaemonSet } from "./worker.ts";
import type { Values } from "../../set_values.ts";

export type { Manifest, Release } from "./meta.ts";

// Chart features whose objects we do not build yet: refused rather than silently dropped.
const UNSUPPORTED: [string, (values: Values) => boolean][] = [
  ["tap.persistentStorage", (v: Values) => Boolean((v.tap as Values).persistentStorage)],
  [
    "tap.snapshots.local.storageClass",
    (v: Values) =>
      Boolean(((v.tap as Values).snapshots as Values & { local: Values }).local.storageClass),
  ],
  ["tap.auth.dexConfig", (v: Values) => Boolean(((v.tap as Values).auth as Values).dexConfig)],
  ["tap.gitops.enabled", (v: Values) => Boolean(((v.tap as Values).gitops as Values).enabled)],
  [
    "tap.persistentStorageStatic",
    (v: Values) => Boolean((v.tap as Values).persistentStorageStatic),
  ],
  ["tap.snapshots.cloud (cloud storage)", (v: Values) => cloudConfigured(v)],
];

// The chart renders a cloud config map and secret for these; we do not build them yet.
function cloudConfigured(values: Values): boolean {
  const cloud = ((values.tap as Values).snapshots as Values).cloud as Record<string, Values>;
  const set = (record: Values | undefined) => Object.values(record ?? {}).some(Boolean);
  return Boolean(cloud.provider || cloud.prefix) || set(cloud.s3) || set(cloud.azblob) ||
    set(cloud.gcs);
}

/** The release's objects for `overrides` (--set values) in `namespace`. */
export function renderRelease(overrides: Values, namespace: string): Manifest[] {
  const values = resolveValues(overrides);
  for (const [key, used] of UNSUPPORTED) {
    if (used(values)) {
      throw new Error(
        `${key} is not supported by kubeshark-mcp's renderer yet; install with Helm for it`,
      );
    }
  }
  const release: Release = { values, namespace };
  return asStrings([
    serviceAccount(release),
    ...cliAuth(release),
    ...hubSecrets(release),
    nginxConfigMap(release),
    hubConfigMap(release),
    clusterRole(release),
    clusterRoleBinding(release),
    selfConfigRole(release),
    selfConfigRoleBinding(release),
    hubService(release),
    frontService(release),
    ...metricsServices(release),
    ...networkPolicies(release),
    hubDeployment(release),
    frontDeployment(release),
    workerDaemonSet(release),
    ...ingress(release),
  ]);
}

/**
 * Fields the API types as strings get strings, whatever --set typed them as (`value=2` parses to
 * a number, which an API server rejects half-way through an install): config map and secret
 * data, container commands and env values, toleration and DNS option values.
 */
function asStrings(objects: Manifest[]): Manifest[] {
  const text = (value: unknown) => value === undefined || value === null ? value : String(value);
  const strings = (record?: Record<string, unknown>) =>
    record && Object.fromEntries(Object.entries(record).map(([k, v]) => [k, text(v)]));
  for (const object of objects) {
    if (object.data) object.data = strings(object.data);
    if (object.stringData) object.stringData = strings(object.stringData);
    const pod = object.spec?.template?.spec;
    if (!pod) continue;
    for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
      if (container.command) container.command = container.command.map(text);
      for (const env of container.env ?? []) if ("value" in env) env.value = text(env.value);
    }
    for (const toleration of pod.tolerations ?? []) {
      if ("value" in toleration) toleration.value = text(toleration.value);
    }
    for (const option of pod.dnsConfig?.options ?? []) {
      if ("value" in option) option.value = text(option.value);
    }
  }
  return objects;
}
