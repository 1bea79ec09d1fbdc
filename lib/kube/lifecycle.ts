/**
 * Starting and stopping Kubeshark in proxy mode, step by step. Each returns a summary for the
 * user; failures throw KubeError with what was (not) changed and what to do.
 */
import { describeError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Values } from "../set_values.ts";
import { type KubeApi, KubeError } from "./api.ts";
import type { KubeHubAccess } from "./hub_access.ts";
import { renderRelease } from "./manifests/mod.ts";
import { CHART_VERSION, CONFIG_MAP, FRONT_SERVICE, type Readiness } from "./names.ts";
import {
  applyObjects,
  deleteObjects,
  deletePermissions,
  describeMissing,
  missingPermissions,
  objectPath,
  readiness,
  releaseObjects,
} from "./release.ts";

/** What a lifecycle step needs from the tool call. */
export interface LifecycleContext {
  access: KubeHubAccess;
  log: Logger;
  /** The `--set` values the release is rendered with. */
  values: Values;
  /** The release namespace when the call names none. */
  namespace: string;
  signal: AbortSignal;
  progress(done: number, total?: number, message?: string): void;
  /** A (new) Hub may answer now: find its tools again. */
  hubChanged(): void;
  /** The Hub is gone: drop its tools. */
  hubGone(): void;
}

const POLL_MS = 1_000;

function fail(message: string): never {
  throw new KubeError("failed", message);
}

function overridesFor(ctx: LifecycleContext, args: StartArgs, namespace: string): Values {
  const values = structuredClone(ctx.values) as Values & { tap?: Values };
  const tap = (values.tap ??= {}) as Values & { release?: Values };
  if (args.namespaces !== undefined) {
    tap.namespaces = args.namespaces.split(",").map((ns) => ns.trim()).filter(Boolean);
  }
  if (args.pod_regex !== undefined) tap.regex = args.pod_regex;
  tap.release = { ...(tap.release ?? {}), namespace };
  values.headless = true;
  return values;
}

/** start_kubeshark's arguments. */
export interface StartArgs {
  namespaces?: string;
  pod_regex?: string;
  release_namespace?: string;
  timeout_seconds?: number;
}

/** What start or stop would change, for the person to confirm. Reading it changes nothing. */
export interface LifecyclePlan {
  context: string;
  server: string;
  namespace: string;
  /** `Kind/name` of each object that would be created (start) or deleted (stop). */
  objects: string[];
}

/** The objects start would apply in the release namespace, and where. */
export async function startPlan(args: StartArgs, ctx: LifecycleContext): Promise<LifecyclePlan> {
  const namespace = args.release_namespace ?? ctx.namespace;
  const { context, server } = await ctx.access.connection();
  let objects;
  try {
    objects = renderRelease(overridesFor(ctx, args, namespace), namespace);
  } catch (error) {
    return fail(`Cannot build Kubeshark's objects: ${(error as Error).message}`);
  }
  return {
    context,
    server,
    namespace,
    objects: objects.map((o) => `${o.kind}/${o.metadata.name}`),
  };
}

/** The release's objects stop would delete (found in the cluster), and where. */
export async function stopPlan(
  args: { release_namespace?: string },
  ctx: LifecycleContext,
): Promise<LifecyclePlan> {
  const namespace = args.release_namespace ?? ctx.namespace;
  const { api, context, server } = await ctx.access.connection();
  const expected = renderRelease(
    { tap: { auth: { cli: { enabled: true } }, ingress: { enabled: true } } },
    namespace,
  );
  const found = await releaseObjects(api, namespace, expected, ctx.signal);
  return { context, server, namespace, objects: found.map((o) => o.label) };
}

/** Deploys Kubeshark, or updates the tap targets of a running one. */
export async function start(args: StartArgs, ctx: LifecycleContext): Promise<string> {
  const namespace = args.release_namespace ?? ctx.namespace;
  const { api } = await ctx.access.connection();
  let objects;
  try {
    objects = renderRelease(overridesFor(ctx, args, namespace), namespace);
  } catch (error) {
    return fail(`Cannot build Kubeshark's objects: ${describeError(error)}`);
  }
  try {
    const existing = await existingRelease(ctx, api, namespace, objects);
    if (existing === "complete") {
      const configMap = objects.find((o) =>
        o.kind === "ConfigMap" && o.metadata.name === CONFIG_MAP
      )!;
      return await updateTargets(ctx, api, namespace, configMap);
    }
    await withNamespace(ctx, api, namespace, objects);
    await checkedApply(ctx, api, namespace, objects);
    const timeoutSeconds = args.timeout_seconds ?? 120;
    const state = await waitReady(ctx, api, namespace, objects.length, timeoutSeconds * 1000);
    const summary = `hub ${state.hub.join("/")}, front ${state.front.join("/")}, workers ${
      state.workers.join("/")
    } ready`;
    if (!state.ready) {
      if (state.servingWithoutWorkers) refreshHub(ctx);
      const why = state.servingWithoutWorkers
        ? "The Hub and front end are up, but no capture worker is ready, so nothing is captured: " +
          "check the worker DaemonSet's events (Pod Security admission, host ports, node taints)."
        : "Images may still be pulling; check check_kubeshark_status in a minute.";
      return `Kubeshark's ${objects.length} objects were applied in namespace '${namespace}', ` +
        `but it is not ready after ${timeoutSeconds} s (${summary}). ${why}`;
    }
    ctx.progress(objects.length + 1, objects.length + 1, "ready");
    refreshHub(ctx);
    return `Kubeshark ${existing === "partial" ? "repaired and started" : "started"} in ` +
      `namespace '${namespace}' (chart ${CHART_VERSION}): ${objects.length} objects applied; ` +
      `${summary}. Its traffic tools are now listed.`;
  } catch (error) {
    if (error instanceof KubeError || ctx.signal.aborted) throw error;
    return fail(`Starting Kubeshark failed: ${describeError(error)}`);
  }
}

type Manifests = ReturnType<typeof renderRelease>;

/**
 * Whether a release is there: none, complete (then only the targets may change), or left
 * half-installed by a failed or cancelled start (then everything is applied again).
 */
async function existingRelease(
  ctx: LifecycleContext,
  api: KubeApi,
  namespace: string,
  objects: Manifests,
): Promise<"none" | "complete" | "partial"> {
  const front = await api.get(
    `/api/v1/namespaces/${namespace}/services/${FRONT_SERVICE}`,
    ctx.signal,
  );
  if (!front) return "none";
  const present = new Set(
    (await releaseObjects(api, namespace, objects, ctx.signal)).map((o) => o.path),
  );
  const missing = objects.filter((o) =>
    o.kind !== "Namespace" && !present.has(objectPath(o, namespace))
  );
  if (!missing.length) return "complete";
  ctx.log.info(
    `Kubeshark in ${namespace} is incomplete (missing ${
      missing.map((o) => `${o.kind}/${o.metadata.name}`).join(", ")
    }); applying it again`,
  );
  return "partial";
}

// Like `helm install --create-namespace`: a release namespace that does not exist is created
// first (and left in place by stop, which cannot know what else will live there).
async function withNamespace(
  ctx: LifecycleContext,
  api: KubeApi,
  namespace: string,
  objects: Manifests,
): Promise<void> {
  if (await api.get(`/api/v1/namespaces/${namespace}`, ctx.signal)) return;
  objects.unshift({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: namespace, labels: { "app.kubernetes.io/managed-by": "kubeshark-mcp" } },
  });
}

/**
 * Permissions checked, then a dry run of the whole set, then the apply: nothing half-applies for
 * want of a permission, an RBAC escalation, a schema or an admission rule.
 */
async function checkedApply(
  ctx: LifecycleContext,
  api: KubeApi,
  namespace: string,
  objects: Manifests,
): Promise<void> {
  const missing = await missingPermissions(
    api,
    objects,
    ["create", "patch"],
    namespace,
    ctx.signal,
  );
  if (missing.length) {
    fail(
      `Nothing was applied: your context may not do all that starting Kubeshark needs. Missing:\n` +
        `${describeMissing(missing)}\nGrant these (e.g. a Role/ClusterRole bound to your user), ` +
        "or ask an administrator to install Kubeshark.",
    );
  }
  // The dry run checks what SelfSubjectAccessReview cannot (RBAC escalation when creating the
  // roles, schemas, admission). A namespace that does not exist yet cannot take a dry run of its
  // contents, so it is skipped then.
  if (objects[0].kind !== "Namespace") {
    await applyObjects(api, objects, namespace, { signal: ctx.signal, dryRun: true });
  }
  const total = objects.length + 1;
  await applyObjects(api, objects, namespace, {
    signal: ctx.signal,
    onApplied: (object, index) =>
      ctx.progress(index + 1, total, `applied ${object.kind}/${object.metadata.name}`),
  });
  ctx.log.info(`Applied ${objects.length} objects of Kubeshark in namespace ${namespace}`);
}

// Polls readiness until ready or the deadline; the wait is the last step of progress, its share
// growing with the time spent.
async function waitReady(
  ctx: LifecycleContext,
  api: KubeApi,
  namespace: string,
  applied: number,
  timeoutMs: number,
): Promise<Readiness> {
  const waitStart = Date.now();
  let state = await readiness(api, namespace, ctx.signal);
  while (!state.ready && Date.now() < waitStart + timeoutMs) {
    const waited = Math.min(0.99, (Date.now() - waitStart) / timeoutMs);
    ctx.progress(
      applied + waited,
      applied + 1,
      `waiting: hub ${state.hub.join("/")}, front ${state.front.join("/")}, workers ${
        state.workers.join("/")
      }`,
    );
    await sleep(POLL_MS, ctx.signal);
    state = await readiness(api, namespace, ctx.signal);
  }
  return state;
}

async function updateTargets(
  ctx: LifecycleContext,
  api: KubeApi,
  namespace: string,
  configMap: ReturnType<typeof renderRelease>[number],
): Promise<string> {
  const current = await api.get(
    `/api/v1/namespaces/${namespace}/configmaps/${CONFIG_MAP}`,
    ctx.signal,
  );
  const before = {
    namespaces: current?.data?.NAMESPACES ?? "",
    regex: current?.data?.POD_REGEX ?? ".*",
  };
  const after = { namespaces: configMap.data.NAMESPACES, regex: configMap.data.POD_REGEX };
  if (before.namespaces === after.namespaces && before.regex === after.regex) {
    return `Kubeshark is already running in namespace '${namespace}' with these targets ` +
      `(namespaces: ${after.namespaces || "all"}; pods: /${after.regex}/). Nothing changed.`;
  }
  // As `kubeshark tap` on an existing release does: only the targets change.
  const patch = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: CONFIG_MAP, namespace },
    data: { NAMESPACES: after.namespaces, POD_REGEX: after.regex },
  };
  await api.request(
    "PATCH",
    `${objectPath(configMap, namespace)}?fieldManager=kubeshark-mcp&force=true`,
    {
      body: patch,
      signal: ctx.signal,
      contentType: "application/apply-patch+yaml",
    },
  );
  refreshHub(ctx);
  return `Kubeshark was already running in namespace '${namespace}'; updated its targets: ` +
    `namespaces ${before.namespaces || "all"} → ${after.namespaces || "all"}, ` +
    `pods /${before.regex}/ → /${after.regex}/.`;
}

/** Removes every object of the release, ours or Helm's. */
export async function stop(
  args: { release_namespace?: string; timeout_seconds?: number },
  ctx: LifecycleContext,
): Promise<string> {
  const namespace = args.release_namespace ?? ctx.namespace;
  const { api } = await ctx.access.connection();
  try {
    // The names of every object any supported values could create (CLI auth and ingress included).
    const expected = renderRelease(
      { tap: { auth: { cli: { enabled: true } }, ingress: { enabled: true } } },
      namespace,
    );
    const found = await releaseObjects(api, namespace, expected, ctx.signal);
    if (!found.length) {
      return `Nothing to stop: Kubeshark is not running in namespace '${namespace}'.`;
    }
    // Nothing is deleted unless everything can be: a half-done stop could leave the privileged
    // capture running with its configuration gone.
    const missing = await deletePermissions(api, found, namespace, ctx.signal);
    if (missing.length) {
      return fail(
        `Nothing was deleted: your context may not delete all of Kubeshark's objects. Missing:\n` +
          `${describeMissing(missing)}`,
      );
    }
    const total = found.length * 2;
    await deleteObjects(api, found, ctx.signal);
    ctx.progress(found.length, total, `deleted ${found.length} objects; waiting for them to go`);
    const deadline = Date.now() + (args.timeout_seconds ?? 120) * 1000;
    let remaining = found;
    while (remaining.length && Date.now() < deadline) {
      const still = [];
      for (const object of remaining) {
        if (await api.get(object.path, ctx.signal)) still.push(object);
      }
      remaining = still;
      ctx.progress(total - remaining.length, total, `${remaining.length} objects left`);
      if (remaining.length) await sleep(POLL_MS, ctx.signal);
    }
    ctx.access.close();
    ctx.hubGone();
    if (remaining.length) {
      return `Deleted Kubeshark's objects in namespace '${namespace}', but ${remaining.length} ` +
        `are still terminating: ${remaining.map((o) => o.label).join(", ")}.`;
    }
    return `Kubeshark stopped in namespace '${namespace}': removed ${
      found.map((o) => o.label).join(", ")
    }.`;
  } catch (error) {
    if (error instanceof KubeError || ctx.signal.aborted) throw error;
    return fail(`Stopping Kubeshark failed: ${describeError(error)}`);
  }
}

function refreshHub(ctx: LifecycleContext): void {
  // A new Hub: forget the old route, find the new one's tools, and tell the client.
  ctx.access.close();
  ctx.hubChanged();
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", abort, { once: true });
  });
}
