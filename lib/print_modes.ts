/** The print-and-exit modes: `--mcp-config` and `--list-tools`. Only these write prose to stdout. */
import { describeError } from "./errors.ts";
import { type ClientId, launchFor, printedConfig } from "./clients/mod.ts";
import type { Config } from "./config.ts";
import { USAGE_PROMPT } from "./prompts.ts";
import type { HubAccess } from "./hub/access.ts";
import { isLocalTool, offeredTools } from "./tools/listing.ts";
import { SERVER_NAME } from "./version.ts";

/**
 * What `--mcp-config [--client X]` prints: the client's own config shape (Kubeshark's
 * `mcpServers` shape when no client is named), plus notes for stderr on what was left out.
 */
export function mcpClientConfig(
  config: Config,
  client?: ClientId,
): { text: string; notes: string[] } {
  const launch = launchFor(config);
  return { text: printedConfig(client, launch), notes: launch.notes };
}

/**
 * The tool and prompt listing of `--list-tools`; `ok` is false when the Hub did not answer.
 * `redact` masks the known secrets: in each description before it is shortened (a cut must not
 * leave half a token the redactor no longer recognizes), then in the whole text.
 */
export async function listTools(
  config: Config,
  hub: HubAccess,
  options: { redact?: (text: string) => string } = {},
): Promise<{ text: string; ok: boolean }> {
  const redact = options.redact ?? ((text: string) => text);
  const row = (name: string, description: string) => shortRow(name, redact(description));
  const lines = [`${SERVER_NAME} tools and prompts`, ""];
  lines.push(
    config.mode === "demo"
      ? "Demo mode: a built-in Hub with an hour of synthetic traffic"
      : config.mode === "url"
      ? `URL mode: ${config.url} (start/stop disabled: Kubeshark is managed externally)`
      : `Proxy mode: release namespace '${config.namespace}'${
        config.allowDestructive ? " (destructive tools enabled)" : ""
      }`,
    "",
    "Local tools:",
  );
  for (const tool of offeredTools(config, undefined)) {
    lines.push(row(tool.name, tool.description));
  }
  let ok = true;
  try {
    const client = await hub.client();
    const info = await client.discover();
    lines.push("", `Hub tools (${info.name || "Hub"} ${info.version}, ${client.baseUrl}):`);
    // What tools/list would offer: the same rule (mode, --allow-destructive, --read-only, --tools).
    for (const tool of offeredTools(config, info).filter((tool) => !isLocalTool(tool.name))) {
      lines.push(row(tool.name, tool.description));
    }
    lines.push("", "Prompts:", row(USAGE_PROMPT.name, USAGE_PROMPT.description ?? ""));
    for (const prompt of info.prompts) lines.push(row(prompt.name, prompt.description ?? ""));
  } catch (error) {
    ok = false;
    lines.push("", `Hub tools: unavailable. ${describeError(error)}`);
    lines.push("", "Prompts:", row(USAGE_PROMPT.name, USAGE_PROMPT.description ?? ""));
  }
  return { text: redact(lines.join("\n") + "\n"), ok };
}

function shortRow(name: string, description: string): string {
  const first = description.split(/(?<=\.)\s+(?=[A-Z])|\n/)[0];
  const short = first.length > 70 ? `${first.slice(0, 67)}...` : first;
  return `  ${name.padEnd(30)} ${short}`;
}
