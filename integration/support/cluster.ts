/** A Kubernetes API double with a demo Hub behind Kubeshark's front pods, torn down together. */
import { withServer } from "../../tests/support/harness.ts";
import type { McpProcess } from "../../tests/support/mcp_process.ts";
import { KubeDouble } from "./kube_double.ts";
import { startHubTarget } from "./kubeshark.ts";

/** What a cluster test gets. */
export interface Cluster {
  kube: KubeDouble;
  kubeconfig: string;
  hub: ReturnType<typeof startHubTarget>;
}

/** Runs `body` against a fresh double; front pods it rolls out forward to the demo Hub. */
export async function withCluster(
  body: (cluster: Cluster) => Promise<void>,
  options: {
    auth?: "cert" | "token";
    hub?: (kube: KubeDouble) => Parameters<typeof startHubTarget>[0];
  } = {},
): Promise<void> {
  const kube = await KubeDouble.start();
  const hub = startHubTarget(options.hub?.(kube) ?? {});
  kube.rolloutTarget = hub.target;
  const dir = await Deno.makeTempDir();
  try {
    const kubeconfig = await kube.writeKubeconfig(`${dir}/config`, {
      auth: options.auth ?? "cert",
    });
    await body({ kube, kubeconfig, hub });
  } finally {
    await kube.close();
    await hub.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs `body` against the server in proxy mode on the cluster's kubeconfig, plus `args`. */
export function serveInCluster(
  cluster: Cluster,
  args: string[],
  body: (server: McpProcess) => Promise<void>,
): Promise<void> {
  return withServer(["--kubeconfig", cluster.kubeconfig, ...args], body);
}
