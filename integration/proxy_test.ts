/**
 * Proxy mode end to end: the real program, a kubeconfig, the Kubernetes API double (HTTPS, client
 * certificates, port-forward over WebSocket), and a demo Hub as the front pod's real target.
 */
import assert from "node:assert/strict";
import { textOf, withServer } from "../tests/support/harness.ts";
import { runMain } from "../tests/support/spawn.ts";
import { serveInCluster, withCluster } from "./support/cluster.ts";
import { addFrontPod, addWorkloadPods, installKubeshark } from "./support/kubeshark.ts";

const serve = serveInCluster;

Deno.test("proxy: status says not running, with Kubeshark's text, when there is no front Service", async () => {
  await withCluster(async (cluster) => {
    await serve(cluster, [], async (server) => {
      const result = await server.callTool("check_kubeshark_status", {});
      assert.equal(result.isError, undefined, textOf(result));
      assert.match(textOf(result), /^Kubeshark is not running in namespace 'default'\./);
      assert.match(textOf(result), /kubeshark tap|--allow-destructive/);
      const call = await server.callTool("list_workloads", {});
      assert.equal(call.isError, true);
      assert.match(
        textOf(call),
        /^Kubeshark is not running\. Use the 'start_kubeshark' tool to start it first\./,
      );
    });
  });
});

Deno.test("proxy: status reports readiness, version, the Hub's answer and what is captured", async () => {
  await withCluster(async (cluster) => {
    installKubeshark(cluster.kube, "ks", {
      target: cluster.hub.target,
      workers: [2, 3],
      namespaces: ["shop"],
      podRegex: "cat.*",
    });
    addWorkloadPods(cluster.kube, "shop", ["catalog-1", "catalog-2", "cart-1"]);
    await serve(cluster, ["--namespace", "ks"], async (server) => {
      await server.initialize("2025-06-18");
      const result = await server.callTool("check_kubeshark_status", {});
      assert.equal(result.isError, undefined, textOf(result));
      const text = textOf(result);
      assert.match(text, /^Kubeshark is running in namespace 'ks'\./);
      assert.match(text, /Context: double\. Version: v53\.3\./);
      assert.match(text, /Hub 1\/1 ready; front 1\/1 ready; workers 2\/3 ready/);
      assert.match(text, /answers through port-forward/);
      assert.match(text, /Capturing pods matching \/cat\.\*\/ in shop: 2 running pods match/);
      const status = result.structuredContent;
      assert.equal(status.running, true);
      assert.deepEqual(status.workers, { ready: 2, desired: 3 });
      assert.equal(status.hubApi.answers, true);
      assert.equal(status.hubApi.tools, 22);
    });
  });
});

Deno.test("proxy: a tap that selects nothing is called out", async () => {
  await withCluster(async (cluster) => {
    installKubeshark(cluster.kube, "default", {
      target: cluster.hub.target,
      namespaces: ["shop"],
      podRegex: "^nothing$",
    });
    addWorkloadPods(cluster.kube, "shop", ["catalog-1"]);
    await serve(cluster, [], async (server) => {
      const text = textOf(await server.callTool("check_kubeshark_status", {}));
      assert.match(text, /0 running pods match\. Nothing is captured/);
    });
  });
});

Deno.test("proxy: a front pod that is not Ready yet is reported, not hung on", async () => {
  await withCluster(async (cluster) => {
    installKubeshark(cluster.kube, "default", { target: cluster.hub.target, frontReady: false });
    await serve(cluster, [], async (server) => {
      const status = textOf(await server.callTool("check_kubeshark_status", {}));
      assert.match(status, /front 0\/1 ready/);
      const call = await server.callTool("list_workloads", {});
      assert.equal(call.isError, true);
      assert.match(textOf(call), /no Ready pod yet \(kubeshark-front-[\w-]+: Pending\)/);
    });
  });
});

Deno.test("proxy: initialize answers at once; the Hub's tools follow with list_changed and work", async () => {
  await withCluster(async (cluster) => {
    installKubeshark(cluster.kube, "default", { target: cluster.hub.target });
    await serve(cluster, [], async (server) => {
      await server.initialize();
      const first = (await server.request("tools/list")).result.tools;
      assert.equal(first.length, 3, "local tools only, before the Hub is reached");
      await server.waitFor((m) => m.method === "notifications/tools/list_changed");
      const after = (await server.request("tools/list")).result.tools;
      assert.equal(after.length, 3 + 22);
      const calls = await server.callTool("list_api_calls", {
        kfl: "http && status_code >= 500",
        limit: 2,
      });
      assert.equal(calls.isError, undefined, textOf(calls));
      assert.equal(calls.structuredContent.calls.length, 2);
      const pcap = JSON.parse(
        textOf(
          await server.callTool("export_snapshot_pcap", {
            snapshot_id: "snap-before-deploy",
            bpf_filter: "port 53",
          }),
        ),
      );
      const url = textOf(await server.callTool("get_file_url", { path: pcap.path }));
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/api\/snapshots\//);
      assert.ok(cluster.kube.requests.some((r) => r.path.includes("/portforward")));
    });
  });
});

Deno.test("proxy: the list burst after initialize is answered before the Kubernetes client loads", async () => {
  await withCluster(async (cluster) => {
    installKubeshark(cluster.kube, "default", { target: cluster.hub.target });
    await serve(cluster, [], async (server) => {
      await server.initialize();
      const ids = await Promise.all(
        ["tools/list", "prompts/list", "resources/list", "ping"].map(async (method) =>
          (await server.request(method)).id
        ),
      );
      const changed = await server.waitFor((m) => m.method === "notifications/tools/list_changed");
      const at = server.received.indexOf(changed);
      for (const id of ids) {
        assert.ok(
          server.received.findIndex((m) => m.id === id) < at,
          `response ${id} came after list_changed`,
        );
      }
    });
  });
});

Deno.test("proxy: a Hub token is minted for kubeshark-cli, sent raw, and renewed before expiry", async () => {
  await withCluster(async (cluster) => {
    installKubeshark(cluster.kube, "default", { target: cluster.hub.target, cliAccount: true });
    // 301 s: renewal is due 5 min before expiry, i.e. one second after minting.
    cluster.kube.tokenSeconds = 301;
    await serve(cluster, [], async (server) => {
      await server.callTool("list_workloads", {});
      assert.equal(cluster.kube.minted.length, 1);
      assert.deepEqual(cluster.kube.minted[0].audiences, ["kubeshark-hub"]);
      const sent = cluster.hub.seen.at(-1)!;
      assert.equal(sent.token, cluster.kube.minted[0].token);
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      await server.callTool("list_workloads", {});
      assert.equal(cluster.kube.minted.length, 2);
      assert.equal(cluster.hub.seen.at(-1)!.token, cluster.kube.minted[1].token);
    });
  });
});

Deno.test("proxy: without kubeshark-cli the license is sent instead of a token", async () => {
  await withCluster(async (cluster) => {
    installKubeshark(cluster.kube, "default", { target: cluster.hub.target });
    await serve(cluster, ["--set", "license=LIC-42"], async (server) => {
      await server.callTool("list_workloads", {});
      assert.equal(cluster.kube.minted.length, 0);
      assert.equal(cluster.hub.seen.at(-1)!.license, "LIC-42");
      assert.equal(cluster.hub.seen.at(-1)!.token, null);
    });
  });
});

Deno.test("proxy: when the front pod is replaced, the next call re-establishes the forward", async () => {
  await withCluster(async (cluster) => {
    installKubeshark(cluster.kube, "default", {
      target: cluster.hub.target,
      frontPod: "kubeshark-front-old",
    });
    await serve(cluster, [], async (server) => {
      assert.equal((await server.callTool("list_workloads", {})).isError, undefined);
      cluster.kube.remove("pods", "default", "kubeshark-front-old");
      cluster.kube.cutForwards("kubeshark-front-old");
      addFrontPod(cluster.kube, "default", "kubeshark-front-new");
      cluster.kube.targets.set("kubeshark-front-new", cluster.hub.target);
      const again = await server.callTool("list_workloads", {});
      assert.equal(again.isError, undefined, textOf(again));
      assert.ok(
        cluster.kube.requests.some((r) => r.path.includes("kubeshark-front-new/portforward")),
      );
    });
  });
});

Deno.test("proxy: a 403 on port-forward falls back to the API server's service proxy", async () => {
  await withCluster(async (cluster) => {
    installKubeshark(cluster.kube, "default", { target: cluster.hub.target });
    cluster.kube.forbidden.add("create pods/portforward");
    await serve(cluster, [], async (server) => {
      const result = await server.callTool("list_workloads", {});
      assert.equal(result.isError, undefined, textOf(result));
      assert.ok(
        cluster.kube.requests.some((r) =>
          r.path.includes("/services/kubeshark-front:80/proxy/api/mcp")
        ),
      );
      assert.match(server.stderr, /refused \(403/);
      const url = textOf(await server.callTool("get_file_url", { path: "/snapshots/x/data.pcap" }));
      assert.ok(
        url.startsWith(
          `${cluster.kube.url}/api/v1/namespaces/default/services/kubeshark-front:80/proxy/api/`,
        ),
      );
    });
  });
});

Deno.test("proxy: --proxy service goes straight to the service proxy", async () => {
  await withCluster(async (cluster) => {
    installKubeshark(cluster.kube, "default", { target: cluster.hub.target });
    await serve(cluster, ["--proxy", "service"], async (server) => {
      assert.equal((await server.callTool("list_workloads", {})).isError, undefined);
      assert.ok(!cluster.kube.requests.some((r) => r.path.includes("/portforward")));
    });
  }, { auth: "token" });
});

Deno.test("proxy: the API server down is reported as such, and recovery needs no restart", async () => {
  await withCluster(async (cluster) => {
    installKubeshark(cluster.kube, "default", { target: cluster.hub.target });
    await serve(cluster, ["--proxy", "service"], async (server) => {
      await cluster.kube.down();
      const down = await server.callTool("check_kubeshark_status", {});
      assert.equal(down.isError, true);
      assert.match(
        textOf(down),
        /Cannot reach the Kubernetes API server at https:\/\/127\.0\.0\.1:\d+ \(context "double"\)/,
      );
      await cluster.kube.up();
      const up = await server.callTool("check_kubeshark_status", {});
      assert.equal(up.isError, undefined, textOf(up));
      assert.match(textOf(up), /is running/);
    });
  });
});

Deno.test("proxy: a forbidden read names the verb and the resource", async () => {
  await withCluster(async (cluster) => {
    installKubeshark(cluster.kube, "default", { target: cluster.hub.target });
    cluster.kube.forbidden.add("get services");
    await serve(cluster, [], async (server) => {
      const result = await server.callTool("check_kubeshark_status", {});
      assert.equal(result.isError, true);
      assert.match(textOf(result), /may not get services in namespace "default"/);
    });
  });
});

Deno.test("proxy: no kubeconfig names the paths tried and suggests --kubeconfig or --url", async () => {
  await withServer([], async (server) => {
    const result = await server.callTool("check_kubeshark_status", {});
    assert.equal(result.isError, true);
    assert.match(
      textOf(result),
      /No kubeconfig found \(tried \/nonexistent-home\/\.kube\/config\)/,
    );
    assert.match(textOf(result), /--kubeconfig/);
    assert.match(textOf(result), /--url/);
  });
});

Deno.test("proxy: --context picks a context, and an unknown one lists those there are", async () => {
  await withCluster(async (cluster) => {
    installKubeshark(cluster.kube, "default", { target: cluster.hub.target });
    await serve(cluster, ["--context", "nope"], async (server) => {
      const result = await server.callTool("check_kubeshark_status", {});
      assert.match(textOf(result), /Context "nope" is not in .*; it has: double/);
    });
  });
});

Deno.test("proxy: --list-tools reaches the Hub through the cluster", async () => {
  await withCluster(async (cluster) => {
    installKubeshark(cluster.kube, "default", { target: cluster.hub.target });
    const output = await runMain(["--kubeconfig", cluster.kubeconfig, "--list-tools"]);
    const stdout = output.stdout;
    assert.equal(output.code, 0, output.stderr);
    assert.match(stdout, /Proxy mode/);
    assert.match(stdout, /list_api_calls/);
  });
});

Deno.test("proxy: a gated Hub's 401 says to enable tap.auth.cli.enabled", async () => {
  await withCluster(
    async (cluster) => {
      installKubeshark(cluster.kube, "default", { target: cluster.hub.target });
      await serve(cluster, [], async (server) => {
        const result = await server.callTool("list_workloads", {});
        assert.equal(result.isError, true);
        assert.match(textOf(result), /requires authentication \(HTTP 401\)/);
        assert.match(textOf(result), /tap\.auth\.cli\.enabled=true/);
      });
    },
    { hub: () => ({ requireToken: true }) },
  );
});

Deno.test("proxy: credentials from an exec plugin are used, and a rejected one is a clear 401", async () => {
  await withCluster(async (cluster) => {
    installKubeshark(cluster.kube, "default", { target: cluster.hub.target });
    const dir = await Deno.makeTempDir();
    try {
      for (
        const [token, expected] of [[cluster.kube.token, /is running/], [
          "wrong",
          /rejected the credentials of context "double" \(401 Unauthorized\)/,
        ]] as const
      ) {
        const plugin = `${dir}/plugin-${token.length}.sh`;
        await Deno.writeTextFile(
          plugin,
          `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${token}"}}'\n`,
        );
        await Deno.chmod(plugin, 0o755);
        const config = (await Deno.readTextFile(
          await cluster.kube.writeKubeconfig(`${dir}/base`, { auth: "token" }),
        ))
          .replace(
            / {4}token: .*\n/,
            `    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ${plugin}\n      interactiveMode: Never\n`,
          );
        await Deno.writeTextFile(`${dir}/config`, config);
        await withServer(
          ["--kubeconfig", `${dir}/config`, "--proxy", "service"],
          async (server) => {
            const result = await server.callTool("check_kubeshark_status", {});
            assert.match(textOf(result), expected);
          },
        );
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

/** Fails the test instead of hanging it when `work` does not settle. */
function settles<T>(work: Promise<T>, what: string, ms = 20_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    work,
    new Promise<T>((_, reject) =>
      timer = setTimeout(() => reject(new Error(`${what} never answered`)), ms)
    ),
  ]).finally(() => clearTimeout(timer));
}

Deno.test("proxy: a Hub call stalled in the service proxy ends with --hub-timeout", async () => {
  await withCluster(async (cluster) => {
    installKubeshark(cluster.kube, "default", { target: cluster.hub.target });
    await serve(cluster, ["--proxy", "service", "--hub-timeout", "1"], async (server) => {
      assert.equal((await server.callTool("list_workloads", {})).isError, undefined);
      cluster.kube.stalls.add("/api/mcp/tools/call");
      const stalled = await settles(server.callTool("list_workloads", {}), "the stalled call");
      assert.equal(stalled.isError, true);
      assert.match(textOf(stalled), /did not answer within 1 s/);
      cluster.kube.stalls.clear();
    });
  });
});

Deno.test("proxy: --max-hub-bytes bounds the Hub's answers through the cluster too", async () => {
  await withCluster(async (cluster) => {
    installKubeshark(cluster.kube, "default", { target: cluster.hub.target });
    await serve(cluster, ["--max-hub-bytes", "1KiB"], async (server) => {
      const result = await server.callTool("list_api_calls", { limit: 50 });
      assert.equal(result.isError, true, textOf(result));
      assert.match(textOf(result), /larger than 1024 bytes .*--max-hub-bytes/s);
    });
  });
});

Deno.test("proxy: a tool call the Hub received is not sent again when the connection drops", async () => {
  // The Hub has the call when the forward breaks: the answer is lost, the call is not.
  await withCluster(
    async (cluster) => {
      installKubeshark(cluster.kube, "default", { target: cluster.hub.target });
      await serve(cluster, [], async (server) => {
        const result = await server.callTool("create_snapshot", {});
        assert.equal(result.isError, true);
        assert.equal(cluster.hub.seen.filter((s) => s.path.endsWith("/tools/call")).length, 1);
      });
    },
    { hub: (kube) => ({ onToolCall: () => kube.cutForwards("kubeshark-front-7d9f8b6c5-x2k4q") }) },
  );
});

Deno.test("proxy: a Hub token that stops being accepted is replaced by a fresh one", async () => {
  await withCluster(
    async (cluster) => {
      installKubeshark(cluster.kube, "default", { target: cluster.hub.target, cliAccount: true });
      await serve(cluster, [], async (server) => {
        assert.equal((await server.callTool("list_workloads", {})).isError, undefined);
        // The first answer makes the server discover the Hub's tools; let that finish with the
        // same token, or its 401 would renew the token before the call below.
        const deadline = Date.now() + 10_000;
        while (!cluster.hub.seen.some((s) => s.path === "/api/mcp") && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        // A redeploy: the old token is no longer accepted.
        cluster.kube.minted.push({
          token: "rotated-elsewhere",
          audiences: [],
          expirationSeconds: 3600,
        });
        const rejected = await server.callTool("list_workloads", {});
        assert.equal(rejected.isError, true);
        assert.match(textOf(rejected), /rejected the token/);
        const again = await server.callTool("list_workloads", {});
        assert.equal(again.isError, undefined, textOf(again));
      });
    },
    { hub: (kube) => ({ acceptToken: () => kube.minted.at(-1)?.token }) },
  );
});

Deno.test("proxy: status names the permissions it lacks instead of calling things missing", async () => {
  await withCluster(async (cluster) => {
    installKubeshark(cluster.kube, "default", { target: cluster.hub.target });
    cluster.kube.forbidden.add("get deployments");
    cluster.kube.forbidden.add("get daemonsets");
    await serve(cluster, [], async (server) => {
      const text = textOf(await server.callTool("check_kubeshark_status", {}));
      assert.match(text, /Hub unknown \(not permitted: get deployments\)/);
      assert.match(text, /workers unknown \(not permitted: get daemonsets\)/);
    });
  });
});

Deno.test("proxy: with --proxy port-forward a 403 names the permission", async () => {
  await withCluster(async (cluster) => {
    installKubeshark(cluster.kube, "default", { target: cluster.hub.target });
    cluster.kube.forbidden.add("create pods/portforward");
    await serve(cluster, ["--proxy", "port-forward"], async (server) => {
      const result = await server.callTool("list_workloads", {});
      assert.equal(result.isError, true);
      assert.match(textOf(result), /needs "create" on pods\/portforward in namespace "default"/);
    });
  });
});

// A real cluster: KUBESHARK_MCP_TEST_KUBECONFIG names its kubeconfig, and
// KUBESHARK_MCP_TEST_EXPECT says what the test must find there ("running" or "not-running"), so a
// test can fail when the server reports the wrong state.
const REAL = Deno.env.get("KUBESHARK_MCP_TEST_KUBECONFIG");
const EXPECT = Deno.env.get("KUBESHARK_MCP_TEST_EXPECT");
if (!REAL || !EXPECT) {
  console.error(
    "proxy_test: KUBESHARK_MCP_TEST_KUBECONFIG and KUBESHARK_MCP_TEST_EXPECT (running or " +
      "not-running) are not both set; real-cluster tests skipped",
  );
}

Deno.test({
  name: "real cluster: status reports the state the cluster is known to be in",
  ignore: !REAL || !EXPECT,
  fn: async () => {
    await withServer(["--kubeconfig", REAL!], async (server) => {
      const result = await server.callTool("check_kubeshark_status", {});
      const running = EXPECT === "running";
      assert.match(
        textOf(result),
        running ? /Kubeshark is running in namespace/ : /Kubeshark is not running in namespace/,
      );
      assert.equal(result.structuredContent?.running, running);
    });
  },
});

Deno.test({
  name: "real cluster: where Kubeshark runs, its tools arrive with list_changed and answer",
  ignore: !REAL || EXPECT !== "running",
  fn: async () => {
    await withServer(["--kubeconfig", REAL!], async (server) => {
      await server.initialize();
      await server.waitFor(
        (m) => m.method === "notifications/tools/list_changed",
        "the Hub's tools (list_changed)",
        60_000,
      );
      const { tools } = (await server.request("tools/list")).result;
      assert.ok(tools.some((t: { name: string }) => t.name === "list_workloads"));
      const result = await server.callTool("list_workloads", {});
      assert.equal(result.isError, undefined, textOf(result));
    });
  },
});

const DESTRUCTIVE = REAL && Deno.env.get("KUBESHARK_MCP_TEST_DESTRUCTIVE") === "1";

Deno.test({
  name:
    "real cluster (KUBESHARK_MCP_TEST_DESTRUCTIVE=1): start, status, stop in a scratch namespace",
  ignore: !DESTRUCTIVE,
  fn: async () => {
    const namespace = `kubeshark-mcp-test-${Date.now().toString(36)}`;
    await withServer(
      ["--kubeconfig", REAL!, "--allow-destructive", "--namespace", namespace],
      async (server) => {
        const started = await server.callTool("start_kubeshark", { timeout_seconds: 300 });
        assert.equal(started.isError, undefined, textOf(started));
        assert.match(textOf(await server.callTool("check_kubeshark_status", {})), /is running/);
        const stopped = await server.callTool("stop_kubeshark", { timeout_seconds: 300 });
        assert.equal(stopped.isError, undefined, textOf(stopped));
        assert.match(textOf(await server.callTool("check_kubeshark_status", {})), /is not running/);
      },
    );
  },
});
