/**
 * start_kubeshark and stop_kubeshark. Destructive: the tool table offers them only in proxy mode
 * with --allow-destructive, and refuses them otherwise (tools/listing.ts holds the rule).
 */
import { z } from "zod";
import { KubeError, NAMESPACE_NAME } from "../kube/api.ts";
import type { LifecycleContext } from "../kube/lifecycle.ts";
import { defineTool, textResult, type ToolContext } from "./types.ts";
import { load } from "../lazy.ts";

const releaseNamespace = z.string().regex(
  NAMESPACE_NAME,
  "must be a Kubernetes namespace name (lowercase letters, digits and '-', at most 63 characters)",
).optional().describe(
  "Namespace where Kubeshark is installed (default: the --namespace flag, else 'default').",
);

const StartInput = z.object({
  namespaces: z.string().optional().describe(
    "Comma-separated namespaces to capture, e.g. 'default,shop'. Omit to capture all namespaces.",
  ),
  pod_regex: z.string().optional().describe(
    "Regular expression selecting the pods to capture by name, e.g. 'checkout.*'. Default: all.",
  ),
  release_namespace: releaseNamespace,
  timeout_seconds: z.number().int().min(1).max(1800).optional().describe(
    "How long to wait for Kubeshark to become ready (default 120).",
  ),
});

/** Both tools change the cluster, and doing it twice leaves it as once. */
const CHANGES_THE_CLUSTER = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: true,
  openWorldHint: false,
};

/** Deploys Kubeshark. */
export const startKubeshark = defineTool({
  name: "start_kubeshark",
  title: "Start Kubeshark",
  description:
    "DESTRUCTIVE: deploys Kubeshark into the Kubernetes cluster (creates pods, services, RBAC and " +
    "other resources) so its traffic can be captured. Always confirm with the user first, and " +
    "call check_kubeshark_status before to see whether it already runs.",
  input: StartInput,
  annotations: CHANGES_THE_CLUSTER,
  task: true,
  confirmation: async (args, ctx) => {
    const { startPlan } = await load.kubeLifecycle();
    const plan = await startPlan(args, await lifecycleContext(ctx));
    const targets = `capturing namespaces ${args.namespaces || "all"}, pods /${
      args.pod_regex ?? ".*"
    }/`;
    return {
      title: "Start Kubeshark",
      message: `Start Kubeshark in cluster context "${plan.context}" (${plan.server}), ` +
        `namespace "${plan.namespace}", ${targets}? This creates (or updates) ` +
        `${plan.objects.length} objects, among them a privileged capture DaemonSet on every ` +
        `node and cluster-wide RBAC: ${plan.objects.join(", ")}.`,
    };
  },
  handler: async (args, ctx) => {
    const { start } = await load.kubeLifecycle();
    return textResult(await start(args, await lifecycleContext(ctx)));
  },
});

const StopInput = z.object({
  release_namespace: releaseNamespace,
  timeout_seconds: z.number().int().min(1).max(1800).optional().describe(
    "How long to wait for the objects to be gone (default 120).",
  ),
});

/** Removes Kubeshark. */
export const stopKubeshark = defineTool({
  name: "stop_kubeshark",
  title: "Stop Kubeshark",
  description:
    "DESTRUCTIVE: removes Kubeshark from the Kubernetes cluster (deletes its pods, services and " +
    "resources); captured traffic is lost. Always confirm with the user first.",
  input: StopInput,
  annotations: CHANGES_THE_CLUSTER,
  task: true,
  confirmation: async (args, ctx) => {
    const { stopPlan } = await load.kubeLifecycle();
    const plan = await stopPlan(args, await lifecycleContext(ctx));
    const what = plan.objects.length
      ? `This deletes ${plan.objects.length} objects, and the traffic captured so far is lost: ` +
        `${plan.objects.join(", ")}.`
      : "Kubeshark's objects were not found there, so nothing would be deleted.";
    return {
      title: "Stop Kubeshark",
      message: `Stop Kubeshark in cluster context "${plan.context}" (${plan.server}), ` +
        `namespace "${plan.namespace}"? ${what}`,
    };
  },
  handler: async (args, ctx) => {
    const { stop } = await load.kubeLifecycle();
    return textResult(await stop(args, await lifecycleContext(ctx)));
  },
});

async function lifecycleContext(ctx: ToolContext): Promise<LifecycleContext> {
  const { session } = ctx;
  if (!session.kube) throw new KubeError("failed", "start/stop need proxy mode (a kubeconfig).");
  return {
    access: await session.kube(),
    log: session.log,
    values: session.config.values,
    namespace: session.config.namespace,
    signal: ctx.signal,
    progress: ctx.progress,
    hubChanged: () => {
      session.catalog.invalidate();
      session.catalog.warm();
    },
    hubGone: () => session.catalog.forget(),
  };
}
