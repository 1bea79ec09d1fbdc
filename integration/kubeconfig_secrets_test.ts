/**
 * The credentials a kubeconfig gives the process, and those obtained from it at run time (an exec
 * plugin's token, a tokenFile's content), are masked in everything written: answers, stderr logs,
 * log notifications. The Kubernetes API double plays an API server whose errors repeat what it was
 * sent; the server runs with --debug and the client asks for every log record.
 */
import assert from "node:assert/strict";
import { textOf, withServer } from "../tests/support/harness.ts";
import type { McpProcess } from "../tests/support/mcp_process.ts";
import { parseCommandLine } from "../lib/cli.ts";
import { connect } from "../lib/kube/connection.ts";
import { Secrets } from "../lib/secrets.ts";
import { type Cluster, withCluster } from "./support/cluster.ts";
import { installKubeshark } from "./support/kubeshark.ts";
import { testPki } from "./support/pki.ts";

const MASK = /\[redacted:[0-9a-f]{8}\]/;

/** Runs `body` against the server on a kubeconfig for the double whose user is `user` (YAML). */
async function withUser(
  cluster: Cluster,
  user: (dir: string) => Promise<string> | string,
  body: (server: McpProcess) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    const kubeconfig = await cluster.kube.writeKubeconfig(`${dir}/config`, {
      user: await user(dir),
    });
    await withServer(["--kubeconfig", kubeconfig, "--debug"], async (server) => {
      await server.initialize();
      await server.request("logging/setLevel", { level: "debug" });
      await body(server);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** An executable exec plugin in `dir` running `script` (sh). */
async function plugin(dir: string, script: string): Promise<string> {
  const path = `${dir}/plugin.sh`;
  await Deno.writeTextFile(path, `#!/bin/sh\n${script}\n`);
  await Deno.chmod(path, 0o755);
  return path;
}

function execCredential(token: string): string {
  return `echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",` +
    `"status":{"token":"${token}"}}'`;
}

/** Everything the server wrote, to the client and to stderr. */
function written(server: McpProcess): string {
  return JSON.stringify(server.received) + server.stderr;
}

function assertGone(text: string, ...secrets: string[]): void {
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), `"${secret}" was written: ${text.slice(0, 2000)}`);
  }
}

/** The API double answers 500 repeating the Authorization header it was sent. */
function echoAuthorization(cluster: Cluster): void {
  cluster.kube.failWith = (authorization) =>
    `internal error; the request had authorization ${authorization || "(none)"}`;
}

Deno.test("proxy: an exec plugin's env values are masked where its error output repeats them", async () => {
  const secret = "execenv-SECRET-4242";
  await withCluster(async (cluster) => {
    await withUser(
      cluster,
      async (dir) =>
        `    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ${await plugin(dir, 'echo "login refused for API_SECRET $API_SECRET" >&2; exit 1')}
      env:
      - name: API_SECRET
        value: ${secret}
      interactiveMode: Never`,
      async (server) => {
        const result = await server.callTool("check_kubeshark_status", {});
        assert.match(textOf(result), /login refused for API_SECRET \[redacted:[0-9a-f]{8}\]/);
        assertGone(written(server), secret);
      },
    );
  });
});

Deno.test("proxy: the token an exec plugin issues is masked where the API server repeats it", async () => {
  const token = "exectok-999888777";
  await withCluster(async (cluster) => {
    echoAuthorization(cluster);
    await withUser(
      cluster,
      async (dir) =>
        `    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ${await plugin(dir, execCredential(token))}
      interactiveMode: Never`,
      async (server) => {
        const result = await server.callTool("check_kubeshark_status", {});
        assert.match(textOf(result), /authorization Bearer \[redacted:[0-9a-f]{8}\]/);
        assert.equal(cluster.kube.requests[0].authorization, `Bearer ${token}`);
        assertGone(written(server), token);
      },
    );
  });
});

Deno.test("proxy: a basic-auth password is masked, also as the base64 of user:password sent", async () => {
  const password = "kubepass-777777";
  await withCluster(async (cluster) => {
    echoAuthorization(cluster);
    await withUser(
      cluster,
      () => `    username: admin\n    password: ${password}`,
      async (server) => {
        const result = await server.callTool("check_kubeshark_status", {});
        assert.match(textOf(result), /authorization Basic \[redacted:[0-9a-f]{8}\]/);
        const sent = btoa(`admin:${password}`);
        assert.equal(cluster.kube.requests[0].authorization, `Basic ${sent}`);
        assertGone(written(server), password, sent);
      },
    );
  });
});

Deno.test("proxy: a user with tokenFile sends the file's token on API calls and port-forward", async () => {
  await withCluster(async (cluster) => {
    installKubeshark(cluster.kube, "default", { target: cluster.hub.target });
    await withUser(
      cluster,
      async (dir) => {
        // As `echo TOKEN > file` leaves it: the newline is not part of the token.
        await Deno.writeTextFile(`${dir}/token`, `${cluster.kube.token}\n`);
        return "    tokenFile: token"; // relative: to the kubeconfig's directory, as kubectl reads it
      },
      async (server) => {
        const result = await server.callTool("check_kubeshark_status", {});
        assert.match(textOf(result), /^Kubeshark is running/, textOf(result));
        assert.match(textOf(result), /answers through port-forward/);
        const requests = cluster.kube.requests;
        assert.ok(requests.some((request) => request.path.includes("/portforward")));
        for (const request of requests) {
          assert.equal(request.authorization, `Bearer ${cluster.kube.token}`, request.path);
        }
        assertGone(written(server), cluster.kube.token);
      },
    );
  });
});

Deno.test("proxy: a tokenFile's token is masked where the API server repeats it", async () => {
  const token = "filetok-ZYXW98765";
  await withCluster(async (cluster) => {
    echoAuthorization(cluster);
    await withUser(
      cluster,
      async (dir) => {
        await Deno.writeTextFile(`${dir}/token`, token);
        return `    tokenFile: ${dir}/token`;
      },
      async (server) => {
        const result = await server.callTool("check_kubeshark_status", {});
        assert.match(textOf(result), MASK);
        assert.equal(cluster.kube.requests[0].authorization, `Bearer ${token}`);
        assertGone(written(server), token);
      },
    );
  });
});

Deno.test("proxy: a kubeconfig that does not parse is named without quoting its lines", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const token = "brokentok-1234567";
    await Deno.writeTextFile(
      `${dir}/config`,
      `apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: ${token}\n   password: x\n`,
    );
    await withServer(["--kubeconfig", `${dir}/config`, "--debug"], async (server) => {
      await server.initialize();
      const result = await server.callTool("check_kubeshark_status", {});
      assert.match(textOf(result), /Cannot read kubeconfig .*config: .*line 7/);
      assertGone(written(server), token);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a client key an exec plugin returns joins the process's secrets when it is used", async () => {
  const pki = await testPki();
  await withCluster(async (cluster) => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(
        `${dir}/credential.json`,
        JSON.stringify({
          apiVersion: "client.authentication.k8s.io/v1",
          kind: "ExecCredential",
          status: { clientCertificateData: pki.clientCert, clientKeyData: pki.clientKey },
        }),
      );
      const kubeconfig = await cluster.kube.writeKubeconfig(`${dir}/config`, {
        user: `    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ${await plugin(dir, `cat ${dir}/credential.json`)}
      interactiveMode: Never`,
      });
      const { config } = await parseCommandLine(["--kubeconfig", kubeconfig], new Map());
      const secrets = new Secrets();
      const { api } = await connect(config, secrets);
      assert.ok(!secrets.values().includes(pki.clientKey.trim()));
      await api.request("GET", "/version");
      assert.notEqual(cluster.kube.requests.at(-1)?.user, "", "the key was not used");
      assert.ok(secrets.values().includes(pki.clientKey.trim()));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});
