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

- Is Kubeshark there? Call check_kubeshark_status (not \`kubectl get pods\`).
- Start or stop it: start_kubeshark / stop_kubeshark (not \`helm install\` or \`kubectl delete\`). \
They change the cluster: always ask the user first. They are offered only when the server runs \
with --allow-destructive.
- Look at traffic: list_workloads to see what talks, list_api_calls (with a KFL filter such as \
\`http && status_code >= 500\`) to find calls, get_api_call for one call's detail, get_api_stats \
for aggregates, list_l4_flows for TCP/UDP flows.
- Files: when a tool (e.g. export_snapshot_pcap) returns a relative path, call download_file to \
save it locally, or get_file_url to hand the user a link.

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
 * Renders a Hub prompt in Kubeshark's layout. Values the client passes for its arguments are shown
 * beside each argument, and extra ones after them, so the model sees what the user asked for.
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
  }
  return `${text}\n\nUse the appropriate Kubeshark MCP tools to complete this task.`;
}

function formatValue(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
