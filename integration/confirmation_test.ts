/**
 * start_kubeshark / stop_kubeshark ask the person first, against the Kubernetes API double:
 * through form elicitation (2025 era) or an `input_required` result (2026-07-28), with
 * `@modelcontextprotocol/client` 2.4.0 in each negotiation mode; declined → nothing applied.
 * A client that cannot ask gets the flag as consent, said in the result; --no-confirm skips it.
 */
import assert from "node:assert/strict";
import { textOf, withServer } from "../tests/support/harness.ts";
import { connectClient, MODES } from "../tests/support/sdk2.ts";
import { withCluster } from "./support/cluster.ts";
import { installKubeshark } from "./support/kubeshark.ts";

const MODERN_META = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientCapabilities": { elicitation: {} },
};

/** A client that answers every confirmation with `answer`, recording what it was asked. */
function confirming(answer: "yes" | "no") {
  const asked: string[] = [];
  return {
    asked,
    options: {
      capabilities: { elicitation: { form: {} } },
      // deno-lint-ignore no-explicit-any
      prepare: (client: any) =>
        // deno-lint-ignore no-explicit-any
        client.setRequestHandler("elicitation/create", (request: any) => {
          asked.push(request.params.message);
          return answer === "yes"
            ? { action: "accept", content: { confirm: true } }
            : { action: "decline" };
        }),
    },
  };
}

for (const mode of MODES) {
  Deno.test(`confirmation (${mode}): start_kubeshark asks with context, namespace and objects; yes applies`, async () => {
    await withCluster(async (cluster) => {
      const { asked, options } = confirming("yes");
      const client = await connectClient(
        mode,
        ["--kubeconfig", cluster.kubeconfig, "--allow-destructive"],
        options,
      );
      try {
        const result = await client.callTool({
          name: "start_kubeshark",
          arguments: { namespaces: "shop", timeout_seconds: 30 },
        });
        assert.equal(result.isError, undefined, JSON.stringify(result));
        assert.equal(asked.length, 1, "asked once");
        assert.match(asked[0], /cluster context "[^"]+"/);
        assert.match(asked[0], /namespace "default"/);
        assert.match(asked[0], /Deployment\/kubeshark-hub/);
        assert.match(asked[0], /DaemonSet\/kubeshark-worker-daemon-set/);
        const text = result.content.map((item) => item.type === "text" ? item.text : "").join();
        assert.match(text, /Kubeshark started in namespace 'default'/);
        assert.doesNotMatch(text, /No confirmation was asked/);
        assert.ok(cluster.kube.applied.length > 0);
      } finally {
        await client.close();
      }
    });
  });

  Deno.test(`confirmation (${mode}): declined, start and stop change nothing and say so`, async () => {
    await withCluster(async (cluster) => {
      const { asked, options } = confirming("no");
      const client = await connectClient(
        mode,
        ["--kubeconfig", cluster.kubeconfig, "--allow-destructive"],
        options,
      );
      try {
        const started = await client.callTool({ name: "start_kubeshark", arguments: {} });
        assert.equal(started.isError, undefined);
        const text = started.content[0].type === "text" ? started.content[0].text : "";
        assert.match(text, /start_kubeshark did not run: the person declined/);
        assert.match(text, /Nothing was changed/);
        assert.deepEqual(cluster.kube.applied, [], "nothing applied, not even a dry run");

        installKubeshark(cluster.kube, "default", { target: cluster.hub.target });
        const stopped = await client.callTool({ name: "stop_kubeshark", arguments: {} });
        assert.match(
          stopped.content[0].type === "text" ? stopped.content[0].text : "",
          /stop_kubeshark did not run/,
        );
        assert.match(asked[1], /Deployment\/kubeshark-hub/, "stop names what it would delete");
        assert.deepEqual(cluster.kube.deleted, [], "nothing deleted");
      } finally {
        await client.close();
      }
    });
  });
}

Deno.test("confirmation: a client without elicitation gets the flag as consent, and is told so", async () => {
  await withCluster(async (cluster) => {
    await withServer(
      ["--kubeconfig", cluster.kubeconfig, "--allow-destructive"],
      async (server) => {
        await server.initialize("2025-11-25");
        const result = await server.callTool("start_kubeshark", { timeout_seconds: 30 });
        assert.equal(result.isError, undefined, textOf(result));
        assert.match(result.content.at(-1).text, /No confirmation was asked/);
        assert.ok(cluster.kube.applied.length > 0);
      },
    );
  });
});

Deno.test("confirmation: --no-confirm starts without asking a client that could", async () => {
  await withCluster(async (cluster) => {
    await withServer(
      ["--kubeconfig", cluster.kubeconfig, "--allow-destructive", "--no-confirm"],
      async (server) => {
        const result = await server.callTool("start_kubeshark", { timeout_seconds: 30 }, {
          ...MODERN_META,
        });
        assert.equal(result.resultType, "complete", JSON.stringify(result));
        assert.doesNotMatch(JSON.stringify(result.content), /No confirmation was asked/);
        assert.ok(cluster.kube.applied.length > 0);
      },
    );
  });
});

Deno.test("confirmation (wire, 2026-07-28): input_required, then a forged or foreign requestState is refused", async () => {
  await withCluster(async (cluster) => {
    await withServer(
      ["--kubeconfig", cluster.kubeconfig, "--allow-destructive"],
      async (server) => {
        const first = await server.callTool("start_kubeshark", {}, MODERN_META);
        assert.equal(first.resultType, "input_required");
        const request = first.inputRequests.confirm;
        assert.equal(request.method, "elicitation/create");
        assert.equal(request.params.mode, "form");
        assert.equal(request.params.requestedSchema.properties.confirm.type, "boolean");
        assert.equal(typeof first.requestState, "string");

        const yes = { confirm: { action: "accept", content: { confirm: true } } };
        // The state belongs to start_kubeshark with no arguments: other arguments are refused.
        const foreign = await server.request("tools/call", {
          name: "start_kubeshark",
          arguments: { namespaces: "shop" },
          inputResponses: yes,
          requestState: first.requestState,
          _meta: MODERN_META,
        });
        assert.equal(foreign.error?.code, -32602);
        const forged = await server.request("tools/call", {
          name: "start_kubeshark",
          arguments: {},
          inputResponses: yes,
          requestState: first.requestState.slice(0, -2) + "xx",
          _meta: MODERN_META,
        });
        assert.equal(forged.error?.code, -32602);
        assert.deepEqual(cluster.kube.applied, []);
      },
    );
  });
});
