/**
 * Installing and removing Kubeshark's release with the Kubernetes API: a permission check first
 * (nothing is applied when anything is missing), server-side apply in dependency order, a readiness
 * wait with progress, and deletion of every object of the release — ours or Helm's.
 */
import { describeError } from "../errors.ts";
import type { Manifest } from "./manifests/mod.ts";
import { type KubeApi, KubeError, type KubeObject } from "./api.ts";
import {
  FRONT_DEPLOYMENT,
  HUB_DEPLOYMENT,
  type Readiness,
  readinessOf,
  WORKER_DAEMON_SET,
} from "./names.ts";

/** The field manager of our server-side applies. */
export const FIELD_MANAGER = "kubeshark-mcp";

interface ResourceInfo {
  prefix: string;
  resource: string;
  group: string;
  namespaced: boolean;
}

const RESOURCES: Record<string, ResourceInfo> = {
  Namespace: { prefix: "/api/v1", resource: "namespaces", group: "", namespaced: false },
  ServiceAccount: { prefix: "/api/v1", resource: "serviceaccounts", group: "", namespaced: true },
  Secret: { prefix: "/api/v1", resource: "secrets", group: "", namespaced: true },
  ConfigMap: { prefix: "/api/v1", resource: "configmaps", group: "", namespaced: true },
  Service: { prefix: "/api/v1", resource: "services", group: "", namespaced: true },
  ClusterRole: rbac("clusterroles", false),
  ClusterRoleBinding: rbac("clusterrolebindings", false),
  Role: rbac("roles", true),
  RoleBinding: rbac("rolebindings", true),
  NetworkPolicy: networking("networkpolicies"),
  Ingress: networking("ingresses"),
  Deployment: { prefix: "/apis/apps/v1", resource: "deployments", group: "apps", namespaced: true },
  DaemonSet: { prefix: "/apis/apps/v1", resource: "daemonsets", group: "apps", namespaced: true },
};

function rbac(resource: string, namespaced: boolean): ResourceInfo {
  return {
    prefix: "/apis/rbac.authorization.k8s.io/v1",
    resource,
    group: "rbac.authorization.k8s.io",
    namespaced,
  };
}

function networking(resource: string): ResourceInfo {
  return {
    prefix: "/apis/networking.k8s.io/v1",
    resource,
    group: "networking.k8s.io",
    namespaced: true,
  };
}

function info(kind: string): ResourceInfo {
  const found = RESOURCES[kind];
  if (!found) throw new Error(`no API mapping for kind ${kind}`);
  return found;
}

/** The API path of a kind's collection in `namespace` (or cluster-wide). */
function collectionPath({ prefix, resource, namespaced }: ResourceInfo, namespace: string) {
  return `${prefix}${namespaced ? `/namespaces/${namespace}` : ""}/${resource}`;
}

/** The API path of an object (`name` included). */
export function objectPath(object: Manifest, namespace: string): string {
  return `${collectionPath(info(object.kind), namespace)}/${object.metadata.name}`;
}

/** One permission the user lacks. */
export interface MissingPermission {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
}

/** Asks the API server (SelfSubjectAccessReview) whether every `verb` on every object is allowed. */
export async function missingPermissions(
  api: KubeApi,
  objects: Manifest[],
  verbs: string[],
  namespace: string,
  signal?: AbortSignal,
): Promise<MissingPermission[]> {
  const checks = new Map<string, MissingPermission>();
  for (const object of objects) {
    const { group, resource, namespaced } = info(object.kind);
    for (const verb of verbs) {
      const check = { verb, group, resource, ...(namespaced ? { namespace } : {}) };
      checks.set(JSON.stringify(check), check);
    }
  }
  const answers = await Promise.all([...checks.values()].map(async (check) => {
    const review = await api.request(
      "POST",
      "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
      {
        body: {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SelfSubjectAccessReview",
          spec: { resourceAttributes: check },
        },
        signal,
      },
    );
    return review.status?.allowed === true ? undefined : check;
  }));
  return answers.filter((missing): missing is MissingPermission => missing !== undefined);
}

/** Formats missing permissions as the RBAC rules that would grant them. */
export function describeMissing(missing: MissingPermission[]): string {
  const rules = new Map<string, Set<string>>();
  for (const m of missing) {
    const key = `${m.group || "core"} ${m.resource}${
      m.namespace ? ` (namespace ${m.namespace})` : " (cluster-wide)"
    }`;
    rules.set(key, (rules.get(key) ?? new Set()).add(m.verb));
  }
  const lines = [...rules.entries()].map(([what, verbs]) =>
    `- ${[...verbs].join(", ")} on ${what}`
  );
  return lines.join("\n");
}

/** Server-side applies `objects` in order; stops at the first failure, saying what exists. */
export async function applyObjects(
  api: KubeApi,
  objects: Manifest[],
  namespace: string,
  options: {
    signal?: AbortSignal;
    onApplied?: (object: Manifest, index: number) => void;
    /** Ask the API server to validate and admit only (RBAC escalation, schemas), storing nothing. */
    dryRun?: boolean;
  } = {},
): Promise<void> {
  for (const [index, object] of objects.entries()) {
    const path = `${objectPath(object, namespace)}?fieldManager=${FIELD_MANAGER}&force=true` +
      (options.dryRun ? "&dryRun=All" : "");
    try {
      await api.request("PATCH", path, {
        body: object,
        signal: options.signal,
        contentType: "application/apply-patch+yaml",
      });
    } catch (error) {
      const applied = options.dryRun
        ? []
        : objects.slice(0, index).map((o) => `${o.kind}/${o.metadata.name}`);
      const why = error instanceof KubeError ? error.message : String(error);
      if (options.dryRun) {
        throw new Error(
          `Nothing was applied: the API server refused ${object.kind}/${object.metadata.name} in a ` +
            `dry run: ${why}`,
        );
      }
      throw new Error(
        `Applying ${object.kind}/${object.metadata.name} failed: ${why}\n` +
          (applied.length
            ? `Already applied: ${applied.join(", ")}. stop_kubeshark removes them.`
            : "Nothing was applied."),
      );
    }
    options.onApplied?.(object, index);
  }
}

/** Reads hub, front and worker readiness. */
export async function readiness(
  api: KubeApi,
  namespace: string,
  signal?: AbortSignal,
): Promise<Readiness> {
  const apps = `/apis/apps/v1/namespaces/${namespace}`;
  const [hub, front, workers] = await Promise.all([
    api.get(`${apps}/deployments/${HUB_DEPLOYMENT}`, signal),
    api.get(`${apps}/deployments/${FRONT_DEPLOYMENT}`, signal),
    api.get(`${apps}/daemonsets/${WORKER_DAEMON_SET}`, signal),
  ]);
  return readinessOf({ hub, front, workers });
}

/**
 * Every object kubeshark-mcp or Helm created for the release, by label and by name: the chart
 * labels all of them with app.kubernetes.io/instance=kubeshark, so one labelled list per kind finds
 * them; the expected names are looked up only when a list missed them. Plus Helm's release records.
 */
export async function releaseObjects(
  api: KubeApi,
  namespace: string,
  expected: Manifest[],
  signal?: AbortSignal,
): Promise<{ path: string; label: string; kind: string }[]> {
  const found = new Map<string, { label: string; kind: string }>();
  const selector = "app.kubernetes.io/instance=kubeshark";
  for (const [kind, resourceInfo] of Object.entries(RESOURCES)) {
    const { namespaced } = resourceInfo;
    // The namespace may hold more than Kubeshark: stop never deletes it.
    if (kind === "Namespace") continue;
    const base = collectionPath(resourceInfo, namespace);
    let items: KubeObject[] = [];
    try {
      items = await api.list(base, { labelSelector: selector, signal });
    } catch (error) {
      if (error instanceof KubeError && error.kind === "not_found") continue;
      throw error;
    }
    for (const item of items) {
      // Cluster-scoped objects of another release namespace are not ours to delete: only the
      // exact names this namespace's release uses (a suffix test would match "my-default").
      if (
        !namespaced &&
        !expected.some((o) => o.kind === kind && o.metadata.name === item.metadata.name)
      ) continue;
      found.set(`${base}/${item.metadata.name}`, { label: `${kind}/${item.metadata.name}`, kind });
    }
  }
  // By name too, for an object whose labels were changed: only those the lists did not find
  // (none, normally), and only when it still says it is the release's (Helm's annotation, or our
  // labels) — a user's own object that merely shares a name is left alone.
  for (const object of expected) {
    if (object.kind === "Namespace") continue;
    const path = objectPath(object, namespace);
    if (found.has(path)) continue;
    const existing = await api.get(path, signal);
    const annotations = existing?.metadata?.annotations ?? {};
    const labels = existing?.metadata?.labels ?? {};
    if (
      existing && (annotations["meta.helm.sh/release-name"] === "kubeshark" ||
        labels["app.kubernetes.io/managed-by"] === "kubeshark-mcp" ||
        labels["app.kubernetes.io/name"] === "kubeshark")
    ) {
      found.set(path, { label: `${object.kind}/${object.metadata.name}`, kind: object.kind });
    }
  }
  // Helm's release records, so a later `helm install` or `kubeshark tap` starts clean.
  for (
    const secret of await api.list(`/api/v1/namespaces/${namespace}/secrets`, {
      labelSelector: "owner=helm,name=kubeshark",
      signal,
    })
  ) {
    found.set(`/api/v1/namespaces/${namespace}/secrets/${secret.metadata.name}`, {
      label: `Secret/${secret.metadata.name}`,
      kind: "Secret",
    });
  }
  // Workloads first (as helm uninstall does): a stop that fails half-way must not leave the
  // privileged capture running without its configuration.
  const order = ["DaemonSet", "Deployment", "Ingress", "NetworkPolicy", "Service"];
  const rank = (kind: string) => order.includes(kind) ? order.indexOf(kind) : order.length;
  return [...found.entries()]
    .map(([path, { label, kind }]) => ({ path, label, kind }))
    .sort((a, b) => rank(a.kind) - rank(b.kind));
}

/** Deletes objects with foreground propagation; an object already gone is fine. */
export async function deleteObjects(
  api: KubeApi,
  objects: { path: string; label: string }[],
  signal?: AbortSignal,
): Promise<void> {
  for (const [index, { path, label }] of objects.entries()) {
    try {
      await api.request("DELETE", `${path}?propagationPolicy=Foreground`, { signal });
    } catch (error) {
      if (error instanceof KubeError && error.kind === "not_found") continue;
      const done = objects.slice(0, index).map((o) => o.label);
      const left = objects.slice(index).map((o) => o.label);
      throw new Error(
        `Deleting ${label} failed: ${describeError(error)}
` +
          `Deleted: ${done.join(", ") || "nothing"}. Still there: ${left.join(", ")}.`,
      );
    }
  }
}

/** The kinds of `objects` the user may not delete (asked with SelfSubjectAccessReview). */
export function deletePermissions(
  api: KubeApi,
  objects: { kind: string }[],
  namespace: string,
  signal?: AbortSignal,
): Promise<MissingPermission[]> {
  const kinds = [...new Set(objects.map((o) => o.kind))];
  const samples = kinds.map((kind) => ({ apiVersion: "v1", kind, metadata: { name: "x" } }));
  return missingPermissions(api, samples, ["delete"], namespace, signal);
}
