/**
 * start_kubeshark's confirmation over HTTP, against the Kubernetes API double: a form elicitation
 * on the call's SSE answer (2025 session) or an `input_required` result (2026-07-28); declined →
 * nothing applied.
 */
import assert from "node:assert/strict";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { withHttpServer } from "../tests/support/http_process.ts";
import { withCluster } from "./support/cluster.ts";

for (const mode of ["legacy", "pin"] as const) {
  Deno.test(`confirmation over HTTP (${mode}): start_kubeshark asks; declined, nothing is applied`, async () => {
    await withCluster(async (cluster) => {
      await withHttpServer(
        ["--kubeconfig", cluster.kubeconfig, "--allow-destructive"],
        async (server) => {
          const asked: string[] = [];
          const client = new Client({ name: "http-confirm", version: "2.4.0" }, {
            capabilities: { elicitation: { form: {} } },
            ...(mode === "pin" ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {}),
          });
          // deno-lint-ignore no-explicit-any
          client.setRequestHandler("elicitation/create", (request: any) => {
            asked.push(request.params.message);
            return { action: "decline" };
          });
          await client.connect(new StreamableHTTPClientTransport(new URL(server.endpoint)));
          try {
            const started = await client.callTool({ name: "start_kubeshark", arguments: {} });
            assert.equal(asked.length, 1, "asked once");
            assert.match(asked[0], /Deployment\/kubeshark-hub/);
            const text = started.content[0].type === "text" ? started.content[0].text : "";
            assert.match(text, /declined/);
            assert.equal(cluster.kube.applied.length, 0, "nothing applied");
          } finally {
            await client.close();
          }
        },
      );
    });
  });
}
