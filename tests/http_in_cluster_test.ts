/**
 * `--in-cluster`: the pod's ServiceAccount credentials reach the API server, and the Hub token of
 * kubeshark-cli is minted with them (against the Kubernetes API double).
 */
import assert from "node:assert/strict";
import { KubeDouble } from "../integration/support/kube_double.ts";
import { testPki } from "../integration/support/pki.ts";
import { HubTokenMinter } from "../lib/kube/hub_token.ts";
import { inClusterApi } from "../lib/kube/in_cluster.ts";
import { Logger } from "../lib/log.ts";

async function serviceAccountDir(kube: KubeDouble): Promise<string> {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/ca.crt`, (await testPki()).ca);
  await Deno.writeTextFile(`${dir}/token`, `${kube.token}\n`);
  return dir;
}

function podEnv(kube: KubeDouble) {
  const url = new URL(kube.url);
  return new Map([["KUBERNETES_SERVICE_HOST", url.hostname], [
    "KUBERNETES_SERVICE_PORT",
    url.port,
  ]]);
}

Deno.test("in a pod, the Hub token for kubeshark-cli is minted with the pod's ServiceAccount", async () => {
  const kube = await KubeDouble.start();
  const dir = await serviceAccountDir(kube);
  try {
    kube.put("serviceaccounts", "default", {
      metadata: { name: "kubeshark-cli", namespace: "default" },
    });
    const api = inClusterApi({ dir, env: podEnv(kube) });
    const log = new Logger();
    log.setStderrLevel("error");
    const minter = new HubTokenMinter(() => Promise.resolve(api), "default", log);
    const token = await minter.token();
    assert.ok(token?.startsWith("minted-"), `token: ${token}`);
    assert.deepEqual(kube.minted.at(-1)?.audiences, ["kubeshark-hub"]);
  } finally {
    await kube.down();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("in a pod, a rotated ServiceAccount token is read again; outside a pod --in-cluster says why", async () => {
  const kube = await KubeDouble.start();
  const dir = await serviceAccountDir(kube);
  try {
    const api = inClusterApi({ dir, env: podEnv(kube) });
    assert.ok(await api.get("/api/v1/namespaces/default"));
    await Deno.writeTextFile(`${dir}/token`, "revoked-token");
    await assert.rejects(() => api.get("/api/v1/namespaces/default"), /401|rejected/);
    assert.throws(() => inClusterApi({ dir, env: new Map() }), /KUBERNETES_SERVICE_HOST/);
  } finally {
    await kube.down();
    await Deno.remove(dir, { recursive: true });
  }
});
