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
];

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
  return [
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
  ];
}
