/**
 * Running in a pod (`--in-cluster`): the Kubernetes API through the pod's ServiceAccount, used to
 * mint the Hub token of ServiceAccount kubeshark-cli (what Kubeshark's Hub accepts) while the Hub
 * itself is reached by its Service URL.
 */
import { KubeApi } from "./api.ts";

/** Where Kubernetes mounts a pod's ServiceAccount credentials. */
export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** The API server as this pod's ServiceAccount sees it. Throws when not in a pod. */
export function inClusterApi(
  options: { dir?: string; env?: { get(name: string): string | undefined } } = {},
): KubeApi {
  const dir = options.dir ?? SERVICE_ACCOUNT_DIR;
  const env = options.env ?? Deno.env;
  const host = env.get("KUBERNETES_SERVICE_HOST");
  if (!host) {
    throw new Error(
      "--in-cluster needs KUBERNETES_SERVICE_HOST (set in every pod); outside a cluster, use " +
        "--token or proxy mode",
    );
  }
  let ca: string;
  try {
    ca = Deno.readTextFileSync(`${dir}/ca.crt`);
  } catch (error) {
    throw new Error(
      `--in-cluster cannot read the ServiceAccount's CA at ${dir}/ca.crt: ${
        (error as Error).message
      }; is automountServiceAccountToken off?`,
    );
  }
  const client = Deno.createHttpClient({ caCerts: [ca] });
  const port = env.get("KUBERNETES_SERVICE_PORT") ?? "443";
  const server = `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return new KubeApi(server, "in-cluster", (request) => {
    const headers = new Headers(request.headers);
    // Read on every request: the kubelet rotates the projected token.
    headers.set("authorization", `Bearer ${Deno.readTextFileSync(`${dir}/token`).trim()}`);
    return fetch(new Request(request, { headers }), { client });
  });
}
