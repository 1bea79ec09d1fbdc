/** The print-and-exit modes: `--mcp-config` and `--list-tools`. Only these write prose to stdout. */
import { describeError } from "./errors.ts";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Config, defaultConfigPath, kubeconfigPaths } from "./config.ts";
import { HUB_TIMEOUT_MS } from "./hub/client.ts";
import { USAGE_PROMPT } from "./prompts.ts";
import type { HubAccess } from "./hub/access.ts";
import { buildToolTable } from "./tools/mod.ts";
import { SERVER_NAME } from "./version.ts";

// --set keys that may carry secrets stay out of a printed client config.
const SECRET_KEY = /license|token|password|secret|key/i;

/** An `mcpServers` entry that starts this server with the same configuration, minus secrets. */
export function mcpClientConfig(config: Config) {
  const args: string[] = [];
  if (config.mode === "demo") {
    args.push("--demo");
  } else if (config.mode === "url") {
    args.push("--url", config.url!);
  } else {
    args.push("--kubeconfig", kubeconfigPaths(config)[0]);
    if (config.context) args.push("--context", config.context);
    if (config.namespace !== "default") args.push("--namespace", config.namespace);
    if (config.allowDestructive) args.push("--allow-destructive");
  }
  for (const set of config.setArgs) {
    if (!SECRET_KEY.test(set.split("=")[0])) args.push("--set", set);
  }
  if (config.configPath !== defaultConfigPath()) args.push("--config-path", config.configPath);
  if (config.hubTimeoutMs !== HUB_TIMEOUT_MS) {
    args.push("--hub-timeout", String(config.hubTimeoutMs / 1000));
  }
  // Clients start servers in an arbitrary directory (often "/"): pin where downloads go.
  args.push("--download-dir", resolve(config.downloadDir));
  return { mcpServers: { kubeshark: { ...launchCommand(), args: [...launchPrefix(), ...args] } } };
}

function launchCommand() {
  return { command: Deno.execPath() };
}

// A compiled binary is the command itself; under `deno run` the script must be named.
function launchPrefix(): string[] {
  if (Deno.build.standalone) return [];
  const main = Deno.mainModule.startsWith("file:")
    ? fileURLToPath(Deno.mainModule)
    : Deno.mainModule;
  return ["run", "--allow-all", main];
}

/** The tool and prompt listing of `--list-tools`; `ok` is false when the Hub did not answer. */
export async function listTools(
  config: Config,
  hub: HubAccess,
): Promise<{ text: string; ok: boolean }> {
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
  for (const tool of buildToolTable(config).list(undefined)) {
    lines.push(row(tool.name, tool.description));
  }
  let ok = true;
  try {
    const client = await hub.client();
    const info = await client.discover();
    lines.push("", `Hub tools (${info.name || "Hub"} ${info.version}, ${client.baseUrl}):`);
    for (const tool of info.tools) lines.push(row(tool.name, tool.description));
    lines.push("", "Prompts:", row(USAGE_PROMPT.name, USAGE_PROMPT.description ?? ""));
    for (const prompt of info.prompts) lines.push(row(prompt.name, prompt.description ?? ""));
  } catch (error) {
    ok = false;
    lines.push("", `Hub tools: unavailable. ${describeError(error)}`);
    lines.push("", "Prompts:", row(USAGE_PROMPT.name, USAGE_PROMPT.description ?? ""));
  }
  return { text: lines.join("\n") + "\n", ok };
}

function row(name: string, description: string): string {
  const first = description.split(/(?<=\.)\s+(?=[A-Z])|\n/)[0];
  const short = first.length > 70 ? `${first.slice(0, 67)}...` : first;
  return `  ${name.padEnd(30)} ${short}`;
}
