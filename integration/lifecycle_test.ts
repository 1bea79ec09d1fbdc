/** start_kubeshark / stop_kubeshark against the API double: apply, wait, update, delete. */
import assert from "node:assert/strict";
import { textOf } from "../tests/support/harness.ts";
import type { McpProcess } from "../tests/support/mcp_process.ts";
import { type Cluster, serveInCluster, withCluster } from "./support/cluster.ts";
import { installKubeshark } from "./support/kubeshark.ts";

// Start and stop are offered with --allow-destructive only.
function serve(cluster: Cluster, body: (server: McpProcess) => Promise<void>) {
  return serveInCluster(cluster, ["--allow-destructive"], body);
}

Deno.test("lifecycle: start → running → Hub tools via list_changed → stop → not running", async () => {
  await withCluster(async (cluster) => {
    await serve(cluster, async (server) => {
      await server.initialize();
      const started = await server.callTool("start_kubeshark", {
        namespaces: "shop",
        timeout_seconds: 30,
      });
      assert.equal(started.isError, undefined, textOf(started));
      assert.match(
        textOf(started),
        /Kubeshark started in namespace 'default' \(chart 53\.3\.0\): 21 objects applied/,
      );
      assert.ok(cluster.kube.applied.every((a) => a.fieldManager === "kubeshark-mcp"));
      assert.equal(
        cluster.kube.get("configmaps", "default", "kubeshark-config-map")!.data.NAMESPACES,
        "shop",
      );
      await server.waitFor((m) =>
        m.method === "notifications/tools/list_changed" &&
        server.received.filter((r) => r.method === "notifications/tools/list_changed").length >= 1
      );
      const status = textOf(await server.callTool("check_kubeshark_status", {}));
      assert.match(status, /is running in namespace 'default'/);
      const tools = (await server.request("tools/list")).result.tools;
      assert.ok(tools.some((t: { name: string }) => t.name === "list_api_calls"));

      const stopped = await server.callTool("stop_kubeshark", {});
      assert.equal(stopped.isError, undefined, textOf(stopped));
      assert.match(textOf(stopped), /Kubeshark stopped in namespace 'default'/);
      assert.ok(cluster.kube.deleted.every((d) => d.propagation === "Foreground"));
      assert.equal(cluster.kube.list("deployments", "default").length, 0);
      assert.equal(cluster.kube.list("clusterroles").length, 0);
      assert.match(textOf(await server.callTool("check_kubeshark_status", {})), /is not running/);
      const after = (await server.request("tools/list")).result.tools;
      assert.ok(
        !after.some((t: { name: string }) => t.name === "list_api_calls"),
        "Hub tools left after stop",
      );
    });
  });
});

Deno.test("lifecycle: start into a namespace that does not exist creates it first; stop leaves it", async () => {
  await withCluster(async (cluster) => {
    await serve(cluster, async (server) => {
      const started = await server.callTool("start_kubeshark", {
        release_namespace: "ks",
        timeout_seconds: 30,
      });
      assert.equal(started.isError, undefined, textOf(started));
      assert.equal(cluster.kube.applied[0].resource, "namespaces");
      assert.ok(cluster.kube.get("namespaces", undefined, "ks"));
      assert.ok(cluster.kube.get("deployments", "ks", "kubeshark-hub"));
      assert.equal(
        (await server.callTool("stop_kubeshark", { release_namespace: "ks" })).isError,
        undefined,
      );
      assert.ok(
        cluster.kube.get("namespaces", undefined, "ks"),
        "stop must not delete the namespace",
      );
    });
  });
});

Deno.test("lifecycle: start twice is 'already running'; new targets update the config map only", async () => {
  await withCluster(async (cluster) => {
    await serve(cluster, async (server) => {
      assert.equal(
        (await server.callTool("start_kubeshark", { timeout_seconds: 30 })).isError,
        undefined,
      );
      const applies = cluster.kube.applied.length;
      const again = await server.callTool("start_kubeshark", {});
      assert.match(textOf(again), /already running .* Nothing changed/);
      assert.equal(cluster.kube.applied.length, applies);
      const retarget = await server.callTool("start_kubeshark", {
        namespaces: "shop,payments",
        pod_regex: "checkout.*",
      });
      assert.match(
        textOf(retarget),
        /updated its targets: namespaces all → shop,payments, pods \/\.\*\/ → \/checkout\.\*\//,
      );
      assert.equal(cluster.kube.applied.length, applies + 1);
      const data = cluster.kube.get("configmaps", "default", "kubeshark-config-map")!.data;
      assert.equal(data.NAMESPACES, "shop,payments");
      assert.equal(data.POD_REGEX, "checkout.*");
    });
  });
});

Deno.test("lifecycle: stop twice is idempotent", async () => {
  await withCluster(async (cluster) => {
    await serve(cluster, async (server) => {
      const first = await server.callTool("stop_kubeshark", {});
      assert.equal(first.isError, undefined);
      assert.match(textOf(first), /Nothing to stop/);
      assert.match(textOf(await server.callTool("stop_kubeshark", {})), /Nothing to stop/);
    });
  });
});

Deno.test("lifecycle: stop removes a Helm-style install, release secrets included", async () => {
  await withCluster(async (cluster) => {
    installKubeshark(cluster.kube, "default", { target: cluster.hub.target });
    cluster.kube.put("secrets", "default", {
      metadata: {
        name: "sh.helm.release.v1.kubeshark.v1",
        labels: { owner: "helm", name: "kubeshark" },
      },
    });
    await serve(cluster, async (server) => {
      const stopped = await server.callTool("stop_kubeshark", {});
      assert.equal(stopped.isError, undefined, textOf(stopped));
      assert.match(textOf(stopped), /sh\.helm\.release\.v1\.kubeshark\.v1/);
      assert.equal(cluster.kube.get("services", "default", "kubeshark-front"), undefined);
      assert.equal(cluster.kube.get("configmaps", "default", "kubeshark-config-map"), undefined);
      assert.equal(cluster.kube.list("deployments", "default").length, 0);
      assert.equal(
        cluster.kube.get("secrets", "default", "sh.helm.release.v1.kubeshark.v1"),
        undefined,
      );
    });
  });
});

Deno.test("lifecycle: stop leaves another namespace's cluster-wide objects alone", async () => {
  await withCluster(async (cluster) => {
    installKubeshark(cluster.kube, "default", { target: cluster.hub.target });
    const labels = { "app.kubernetes.io/instance": "kubeshark" };
    cluster.kube.put("clusterroles", undefined, {
      metadata: { name: "kubeshark-cluster-role-default", labels },
    });
    cluster.kube.put("clusterroles", undefined, {
      metadata: { name: "kubeshark-cluster-role-my-default", labels },
    });
    await serve(cluster, async (server) => {
      assert.equal((await server.callTool("stop_kubeshark", {})).isError, undefined);
      assert.equal(
        cluster.kube.get("clusterroles", undefined, "kubeshark-cluster-role-default"),
        undefined,
      );
      assert.ok(cluster.kube.get("clusterroles", undefined, "kubeshark-cluster-role-my-default"));
    });
  });
});

Deno.test("lifecycle: stop also finds an object by name when its labels were changed", async () => {
  await withCluster(async (cluster) => {
    installKubeshark(cluster.kube, "default", { target: cluster.hub.target });
    const front = cluster.kube.get("services", "default", "kubeshark-front")!;
    front.metadata.labels = {};
    front.metadata.annotations = { "meta.helm.sh/release-name": "kubeshark" };
    // A user's own object that merely shares a name must survive.
    cluster.kube.put("serviceaccounts", "default", { metadata: { name: "kubeshark-cli" } });
    await serve(cluster, async (server) => {
      assert.equal((await server.callTool("stop_kubeshark", {})).isError, undefined);
      assert.equal(cluster.kube.get("services", "default", "kubeshark-front"), undefined);
      assert.ok(
        cluster.kube.get("serviceaccounts", "default", "kubeshark-cli"),
        "a user's object was deleted",
      );
    });
  });
});

Deno.test("lifecycle: a start that failed half-way is completed by the next start", async () => {
  await withCluster(async (cluster) => {
    await serve(cluster, async (server) => {
      assert.equal(
        (await server.callTool("start_kubeshark", { timeout_seconds: 30 })).isError,
        undefined,
      );
      cluster.kube.remove("deployments", "default", "kubeshark-hub");
      cluster.kube.remove("daemonsets", "default", "kubeshark-worker-daemon-set");
      const again = await server.callTool("start_kubeshark", { timeout_seconds: 30 });
      assert.equal(again.isError, undefined, textOf(again));
      assert.match(textOf(again), /repaired and started/);
      assert.ok(cluster.kube.get("deployments", "default", "kubeshark-hub"));
      assert.ok(cluster.kube.get("daemonsets", "default", "kubeshark-worker-daemon-set"));
    });
  });
});

Deno.test("lifecycle: stop deletes nothing when a delete is not permitted, and workloads go first", async () => {
  await withCluster(async (cluster) => {
    await serve(cluster, async (server) => {
      assert.equal(
        (await server.callTool("start_kubeshark", { timeout_seconds: 30 })).isError,
        undefined,
      );
      cluster.kube.forbidden.add("delete clusterroles");
      const refused = await server.callTool("stop_kubeshark", {});
      assert.equal(refused.isError, true);
      assert.match(textOf(refused), /Nothing was deleted/);
      assert.match(textOf(refused), /delete on rbac\.authorization\.k8s\.io clusterroles/);
      assert.equal(cluster.kube.deleted.length, 0);
      cluster.kube.forbidden.clear();
      assert.equal((await server.callTool("stop_kubeshark", {})).isError, undefined);
      assert.deepEqual(cluster.kube.deleted.slice(0, 3).map((d) => d.resource), [
        "daemonsets",
        "deployments",
        "deployments",
      ]);
    });
  });
});

Deno.test("lifecycle: a release namespace that is not a namespace name is refused before any call", async () => {
  await withCluster(async (cluster) => {
    await serve(cluster, async (server) => {
      const before = cluster.kube.requests.length;
      for (const name of ["stop_kubeshark", "start_kubeshark"]) {
        const result = await server.callTool(name, { release_namespace: "prod/secrets#" });
        assert.equal(result.isError, true);
        assert.match(textOf(result), /release_namespace: must be a Kubernetes namespace name/);
      }
      assert.equal(cluster.kube.requests.length, before);
    });
  });
});

Deno.test("lifecycle: a start whose capture workers never come up says nothing is captured", async () => {
  await withCluster(async (cluster) => {
    cluster.kube.workersNeverReady = true;
    await serve(cluster, async (server) => {
      const result = await server.callTool("start_kubeshark", { timeout_seconds: 2 });
      assert.equal(result.isError, undefined);
      assert.match(
        textOf(result),
        /workers 0\/2 ready\)\. The Hub and front end are up, but no capture worker is ready/,
      );
    });
  });
});

Deno.test("lifecycle: what the API server refuses in a dry run (RBAC escalation) applies nothing", async () => {
  await withCluster(async (cluster) => {
    cluster.kube.rejectInDryRun.add("clusterroles/kubeshark-cluster-role-default");
    await serve(cluster, async (server) => {
      const result = await server.callTool("start_kubeshark", {});
      assert.equal(result.isError, true);
      assert.match(
        textOf(result),
        /Nothing was applied: the API server refused ClusterRole\/kubeshark-cluster-role-default in a dry run/,
      );
      assert.match(textOf(result), /grant extra privileges/);
      assert.equal(cluster.kube.applied.length, 0);
      assert.ok(cluster.kube.dryRuns.length > 0);
    });
  });
});

Deno.test("lifecycle: a forbidden kind means nothing is applied and the missing RBAC is listed", async () => {
  await withCluster(async (cluster) => {
    cluster.kube.forbidden.add("create clusterroles");
    cluster.kube.forbidden.add("patch clusterroles");
    await serve(cluster, async (server) => {
      const result = await server.callTool("start_kubeshark", {});
      assert.equal(result.isError, true);
      assert.match(textOf(result), /Nothing was applied/);
      assert.match(
        textOf(result),
        /- create, patch on rbac\.authorization\.k8s\.io clusterroles \(cluster-wide\)/,
      );
      assert.equal(cluster.kube.applied.length, 0);
    });
  });
});

Deno.test("lifecycle: progress notifications reach the client, and cancelling the wait stops it", async () => {
  await withCluster(async (cluster) => {
    cluster.kube.rolloutPolls = 1_000_000; // never ready
    await serve(cluster, async (server) => {
      await server.initialize();
      const id = server.nextId();
      await server.send({
        jsonrpc: "2.0",
        id,
        method: "tools/call",
        params: {
          name: "start_kubeshark",
          arguments: { timeout_seconds: 600 },
          _meta: { progressToken: "start-1" },
        },
      });
      await server.waitFor((m) =>
        m.method === "notifications/progress" && /waiting/.test(m.params.message ?? "")
      );
      const progress = server.received.filter((m) => m.method === "notifications/progress");
      assert.ok(progress.length >= 21);
      assert.ok(
        progress.every((m) => m.params.progressToken === "start-1" && m.params.total === 22),
      );
      await server.notify("notifications/cancelled", { requestId: id });
      await server.request("ping");
      assert.equal(server.received.some((m) => m.id === id), false);
    });
  });
});

Deno.test("lifecycle: the official SDK client receives start's progress and sees the Hub's tools arrive", async () => {
  const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
  const { StdioClientTransport } = await import("@modelcontextprotocol/sdk/client/stdio.js");
  const { ToolListChangedNotificationSchema } = await import("@modelcontextprotocol/sdk/types.js");
  const { childEnv } = await import("../tests/support/env.ts");
  await withCluster(async (cluster) => {
    const transport = new StdioClientTransport({
      command: Deno.execPath(),
      args: [
        "run",
        "--allow-all",
        "--quiet",
        new URL("../main.ts", import.meta.url).pathname,
        "--kubeconfig",
        cluster.kubeconfig,
        "--allow-destructive",
      ],
      env: { ...Deno.env.toObject(), ...childEnv() },
      stderr: "pipe",
    });
    const client = new Client({ name: "sdk-lifecycle", version: "1.0.0" });
    let changed = () => {};
    const listChanged = new Promise<void>((resolve) => changed = resolve);
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => changed());
    try {
      await client.connect(transport);
      const progress: { progress: number; total?: number }[] = [];
      const result = await client.callTool(
        { name: "start_kubeshark", arguments: { timeout_seconds: 30 } },
        undefined,
        { onprogress: (p: { progress: number; total?: number }) => progress.push(p) },
      );
      assert.equal(result.isError, undefined, JSON.stringify(result));
      assert.ok(progress.length >= 21, `${progress.length} progress notifications`);
      assert.deepEqual(
        progress.map((p) => p.progress),
        [...progress.map((p) => p.progress)].sort((a, b) => a - b),
      );
      await listChanged;
      const { tools } = await client.listTools();
      assert.ok(tools.some((t: { name: string }) => t.name === "list_api_calls"));
    } finally {
      await client.close();
    }
  });
});
