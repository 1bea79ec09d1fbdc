/** check_kubeshark_status: is the Hub there, what is it, how fast does it answer. */
import { z } from "zod";
import { NAMESPACE_NAME } from "../kube/api.ts";
import { describeError, redactQuoting } from "../errors.ts";
import { HubError } from "../hub/client.ts";
import { defineTool, jsonResult, type ToolContext } from "./types.ts";
import { load } from "../lazy.ts";

const StatusInput = z.object({
  release_namespace: z.string().regex(
    NAMESPACE_NAME,
    "must be a Kubernetes namespace name (lowercase letters, digits and '-', at most 63 characters)",
  ).optional().describe(
    "Namespace where Kubeshark is installed (default: the --namespace flag, else 'default'). " +
      "Ignored in URL mode.",
  ),
});

/** Reports whether Kubeshark answers, and with what. */
export const checkKubesharkStatus = defineTool({
  name: "check_kubeshark_status",
  title: "Check Kubeshark status",
  description:
    "Safe, read-only: checks whether Kubeshark is running and answering. Reports the Hub's " +
    "name, version, how many tools it offers and its round-trip time. Call it first when traffic " +
    "tools fail or return nothing.",
  input: StatusInput,
  // Its report differs by mode (proxy: the release's objects; URL/demo: the Hub); these keys are
  // common, the rest pass.
  output: z.looseObject({
    mode: z.string().optional(),
    reachable: z.boolean().optional(),
    running: z.boolean().optional(),
    url: z.string().optional(),
  }),
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  handler: async (args, ctx) => {
    const kube = ctx.session.kube;
    if (!kube) return checkHub(ctx);
    const { proxyStatus } = await load.kubeStatus();
    const { text, report } = await proxyStatus(
      await kube(),
      args.release_namespace ?? ctx.session.config.namespace,
      ctx.signal,
    );
    return jsonResult(report, text);
  },
});

async function checkHub(ctx: ToolContext) {
  const { session, signal } = ctx;
  const client = await session.hub.client(signal);
  try {
    const { info, roundTripMs } = await client.probe(signal);
    session.catalog.record(info);
    const status = {
      reachable: true,
      mode: session.config.mode,
      url: client.baseUrl,
      hub: { name: info.name, version: info.version, description: info.description },
      tools: info.tools.length,
      prompts: info.prompts.length,
      roundTripMs,
    };
    const how = {
      url: "URL mode - externally managed",
      proxy: "proxy mode",
      demo: "demo mode - an in-process Hub with synthetic traffic, not a real cluster",
    }[session.config.mode];
    const summary =
      `Kubeshark is accessible at ${client.baseUrl} (${how}). Hub ${
        info.name || "(unnamed)"
      } ${info.version}: ${info.tools.length} tools, ` +
      `${info.prompts.length} prompts, answered in ${roundTripMs} ms.`;
    return jsonResult(status, summary);
  } catch (error) {
    // A Hub that does not answer is a status to report, not a failure of this tool.
    if (!(error instanceof HubError) || error.kind === "aborted") throw error;
    const answering = error.kind === "auth" ? "answering but refuses us" : "NOT answering";
    // The message may quote the Hub's error page, which may echo our request: as for failures.
    const redactor = await session.redactor();
    return jsonResult(
      {
        reachable: error.kind === "auth",
        mode: session.config.mode,
        url: client.baseUrl,
        problem: error.kind,
        error: redactQuoting(error.message, error, redactor),
      },
      redactQuoting(
        `Kubeshark is ${answering} at ${client.baseUrl}. ${describeError(error)}`,
        error,
        redactor,
      ),
    );
  }
}
