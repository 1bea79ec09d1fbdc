/** Prompts: our `kubeshark_usage`, plus the Hub's, rendered as one user message each. */
import type { PromptDescriptor } from "./protocol.ts";

/** The local prompt, listed first. */
export const USAGE_PROMPT: PromptDescriptor = {
  name: "kubeshark_usage",
  description: "How to work with Kubeshark through these MCP tools (and not kubectl, helm or curl)",
};

const USAGE_TEXT =
  `You have Kubeshark's MCP tools. Use them for everything Kubeshark-related instead of \
running kubectl, helm or curl yourself: they know where Kubeshark runs, how to authenticate, and \
what its API returns.

In this order:
1. check_kubeshark_status {}: is Kubeshark there, and what does it capture (not \
\`kubectl get pods\`). Start or stop it with start_kubeshark / stop_kubeshark (not \
\`helm install\` or \`kubectl delete\`): they change the cluster, so always ask the user first; \
they are offered only when the server runs with --allow-destructive.
2. get_l7_data_boundaries {}: the time window the traffic covers (Unix ms).
3. list_workloads {type: "service"}: what talks.
4. get_api_stats {group_by: "service"} for volumes, errors and latency; then narrow with a KFL2 \
filter, e.g. get_api_stats {kfl: "http && status_code >= 500", group_by: "endpoint"}.
5. list_api_calls {kfl: "http && status_code >= 500"} to see the calls themselves (other filters: \
\`dst.service.name == "payment"\`, \`elapsed_time > 500000\` for > 500 ms, \
\`map_get(request.headers, "x-request-id", "") == "abc"\`, \`dns && status_code != 0\`), then \
get_api_call {id} for one call's headers and body.
6. list_l4_flows {pod: "cart", svc: "redis-cache"} for TCP/UDP connections between two workloads \
(state refused = nothing listens there); get_l4_flow_summary {} for the whole picture.
7. Files: export_snapshot_pcap {snapshot_id} returns a relative path; download_file {path} saves \
it locally, get_file_url {path} gives the user a link.

KFL2 is CEL: \`&&\`, \`||\`, \`!\`, \`==\`; strings in double quotes; elapsed_time in µs. The \
resource kubeshark://docs/kfl2 lists every field. Times are Unix milliseconds.

When the user asks about Kubeshark, cluster traffic, or starting and stopping capture, call the \
matching tool right away.`;

/** A user message holding `text`, as prompts/get returns it. */
export function promptMessages(text: string) {
  return [{ role: "user" as const, content: { type: "text" as const, text } }];
}

/** The usage prompt's messages. */
export function usagePromptMessages() {
  return promptMessages(USAGE_TEXT);
}

/**
 * Renders a Hub prompt: `Task: <name>`, the Hub's text unchanged, its parameters, and Kubeshark's
 * closing line. Values the client passes are shown beside each argument (extra ones after them),
 * and where the Hub's text marks a value's place with `<name>`, a line says which value goes there.
 */
export function renderHubPrompt(
  prompt: PromptDescriptor,
  values: Record<string, unknown> = {},
): string {
  let text = `Task: ${prompt.name}\n\n${prompt.description ?? ""}`;
  const args = prompt.arguments ?? [];
  const extra = Object.keys(values).filter((key) => !args.some((arg) => arg.name === key));
  if (args.length || extra.length) {
    const lines = args.map((arg) => {
      const value = values[arg.name];
      const given = value === undefined ? "" : ` = ${formatValue(value)}`;
      return `- ${arg.name}${arg.required ? " (required)" : ""}: ${arg.description ?? ""}${given}`;
    });
    for (const key of extra) lines.push(`- ${key} = ${formatValue(values[key])}`);
    text += `\n\nParameters:\n${lines.join("\n")}`;
    // The Hub's text marks where a value goes with <name>; say which values fill those marks.
    const fill = Object.keys(values).filter((key) =>
      (prompt.description ?? "").includes(`<${key}>`)
    );
    if (fill.length) {
      text += `\n\nIn the steps above, use ${
        fill.map((key) => `${formatValue(values[key])} for <${key}>`).join(", ")
      }.`;
    }
  }
  return `${text}\n\nUse the appropriate Kubeshark MCP tools to complete this task.`;
}

function formatValue(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
