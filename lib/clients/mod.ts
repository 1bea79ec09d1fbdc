/**
 * MCP client configurations: how a client should start this server (command, arguments, secrets
 * as `env` placeholders), each client's own shape, and where each client keeps its config file.
 */
import { posix, win32 } from "node:path";
import { type ClientId, CLIENTS } from "./ids.ts";

export { type ClientId, CLIENTS };
import { type Config, DEFAULT_LIMITS, defaultConfigPath } from "../config.ts";
import { HUB_TIMEOUT_MS } from "../hub/client.ts";
import { JSR_PACKAGE, V8_FLAGS, VERSION } from "../version.ts";

/** The server's key in every client's server table. */
export const SERVER_KEY = "kubeshark";

/** The environment variable a Hub token travels in (URL mode). */
export const TOKEN_ENV = "KUBESHARK_HUB_TOKEN";

/** VS Code asks for the token itself (a password prompt) and keeps it out of the file. */
export const VSCODE_TOKEN_INPUT = {
  type: "promptString",
  id: "kubeshark-hub-token",
  description: "Kubeshark Hub token (kubectl create token kubeshark-cli -n <namespace> " +
    "--audience kubeshark-hub)",
  password: true,
} as const;

// --set keys that may carry secrets stay out of a printed client config.
const SECRET_KEY = /license|token|password|secret|key/i;

/** What the client must run: command, arguments, environment. */
export interface Launch {
  command: string;
  args: string[];
  /** Includes placeholders (never a real secret) for the variables named in `secrets`. */
  env: Record<string, string>;
  secrets: string[];
  /** Things left out on purpose, said to the user on stderr. */
  notes: string[];
}

/** How this process runs: compiled, or under `deno` (the path of which may be a cache). */
export interface Runtime {
  standalone: boolean;
  execPath: string;
  denoVersion: string;
}

/** The runtime of this process. */
export function currentRuntime(): Runtime {
  return {
    standalone: Deno.build.standalone,
    execPath: Deno.execPath(),
    denoVersion: Deno.version.deno,
  };
}

/** Reads one environment variable (Deno.env, or a map in tests). */
export type Env = { get(name: string): string | undefined };

/**
 * The command that starts this server with the same configuration. Compiled, the binary itself;
 * otherwise the published JSR package at this version — never a path inside a cache (npx prunes
 * its cache) nor into a clone.
 */
export function launchFor(
  config: Config,
  options: { runtime?: Runtime; env?: Env; cwd?: string } = {},
): Launch {
  const runtime = options.runtime ?? currentRuntime();
  const env = options.env ?? Deno.env;
  const cwd = options.cwd ?? Deno.cwd();
  const absolute = (path: string) =>
    posix.isAbsolute(path) || win32.isAbsolute(path)
      ? path
      : (runtime.execPath.includes("\\") ? win32 : posix).resolve(cwd, path);
  const launch: Launch = { command: "", args: [], env: {}, secrets: [], notes: [] };
  if (runtime.standalone) {
    launch.command = runtime.execPath;
  } else {
    const jsr = `jsr:${JSR_PACKAGE}@${VERSION}`;
    // A deno from npx lives in npx's cache, which is pruned: name npx itself then.
    const viaNpx = /[\\/]_npx[\\/]/.test(runtime.execPath);
    launch.command = viaNpx ? "npx" : "deno";
    launch.args = viaNpx
      ? ["--yes", `deno@${runtime.denoVersion}`, "run", "-A", V8_FLAGS, jsr]
      : ["run", "-A", V8_FLAGS, jsr];
  }
  const args = launch.args;
  if (config.mode === "demo") {
    args.push("--demo");
  } else if (config.mode === "url") {
    args.push("--url", config.url!);
    if (config.token) {
      launch.env[TOKEN_ENV] = "";
      launch.secrets.push(TOKEN_ENV);
      launch.notes.push(
        `the Hub token is not copied: put it in the ${TOKEN_ENV} env entry of the client's config`,
      );
    }
  } else {
    // Only a kubeconfig that was given is named: the default one is found again at run time.
    if (config.kubeconfig) {
      args.push("--kubeconfig", absolute(config.kubeconfig));
    } else if (env.get("KUBECONFIG")) {
      // GUI clients do not start from a shell, so they would not see this variable.
      launch.env.KUBECONFIG = env.get("KUBECONFIG")!;
    }
    if (config.context) args.push("--context", config.context);
    if (config.namespace !== "default") args.push("--namespace", config.namespace);
    if (config.allowDestructive) args.push("--allow-destructive");
    if (config.proxy) args.push("--proxy", config.proxy);
  }
  for (const set of config.setArgs) {
    const key = set.split("=")[0];
    if (SECRET_KEY.test(key)) {
      launch.notes.push(`--set ${key}=… is not copied (a secret): keep it in the Kubeshark config`);
    } else {
      args.push("--set", set);
    }
  }
  if (config.configPath !== defaultConfigPath()) {
    args.push("--config-path", absolute(config.configPath));
  }
  if (config.hubTimeoutMs !== HUB_TIMEOUT_MS) {
    args.push("--hub-timeout", String(config.hubTimeoutMs / 1000));
  }
  if (config.readOnly) args.push("--read-only");
  if (config.tools) args.push("--tools", config.tools.join(","));
  if (config.disableTools.length) args.push("--disable-tools", config.disableTools.join(","));
  const limits = [
    ["--max-hub-bytes", "maxHubBytes"],
    ["--max-download-bytes", "maxDownloadBytes"],
    ["--max-result-bytes", "maxResultBytes"],
  ] as const;
  for (const [flag, key] of limits) {
    if (config[key] !== DEFAULT_LIMITS[key]) args.push(flag, String(config[key]));
  }
  if (!config.redact) args.push("--no-redact");
  // Clients start servers in an arbitrary directory: a download directory that was given is made
  // absolute; none given means the client's working directory, as before.
  if (config.downloadDir !== ".") args.push("--download-dir", absolute(config.downloadDir));
  return launch;
}

/** How each client writes a secret that the user has to supply. */
function secretValue(client: ClientId | undefined, name: string): string {
  switch (client) {
    case "vscode":
      return `\${input:${VSCODE_TOKEN_INPUT.id}}`;
    case "cursor":
      return `\${env:${name}}`; // Cursor reads it from its own environment.
    case "claude-code":
      return `\${${name}}`; // Claude Code expands ${VAR} from its environment.
    default:
      return "<your Kubeshark Hub token>";
  }
}

/** The server entry as the client's file holds it. */
export function serverEntry(client: ClientId | undefined, launch: Launch): Record<string, unknown> {
  const env: Record<string, string> = { ...launch.env };
  for (const name of launch.secrets) env[name] = secretValue(client, name);
  return {
    ...(client === "vscode" || client === "claude-code" ? { type: "stdio" } : {}),
    command: launch.command,
    args: launch.args,
    ...(Object.keys(env).length ? { env } : {}),
  };
}

/** Where the client's file keeps its servers. */
export function serversKey(client: ClientId | undefined): "servers" | "mcpServers" {
  return client === "vscode" ? "servers" : "mcpServers";
}

/** The whole config document to print for a client (or Kubeshark's shape when none is named). */
export function clientDocument(
  client: ClientId | undefined,
  launch: Launch,
): Record<string, unknown> {
  const document: Record<string, unknown> = {
    [serversKey(client)]: { [SERVER_KEY]: serverEntry(client, launch) },
  };
  if (client === "vscode" && launch.secrets.length) document.inputs = [VSCODE_TOKEN_INPUT];
  return document;
}

/** What `--mcp-config [--client X]` prints: JSON, or for Claude Code its `claude mcp add` line. */
export function printedConfig(client: ClientId | undefined, launch: Launch): string {
  if (client !== "claude-code") {
    return JSON.stringify(clientDocument(client, launch), null, 2) + "\n";
  }
  const parts = ["claude", "mcp", "add", "--transport", "stdio", "--scope", "user"];
  for (const [name, value] of Object.entries(launch.env)) {
    parts.push(
      "--env",
      `${name}=${launch.secrets.includes(name) ? "<your Kubeshark Hub token>" : value}`,
    );
  }
  parts.push(SERVER_KEY, "--", launch.command, ...launch.args);
  return parts.map(shellQuote).join(" ") + "\n";
}

/** Quotes a word for a POSIX shell when it needs it. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Parses a `--client` value; throws with the list of clients. */
export function parseClient(text: string): ClientId {
  const found = CLIENTS.find((client) => client === text);
  if (!found) throw new Error(`--client "${text}" is not one of ${CLIENTS.join(", ")}`);
  return found;
}

/**
 * The client's user-level config file. `os` and `env` are options so every platform's path is
 * testable anywhere.
 */
export function configFilePath(
  client: ClientId,
  options: { os?: typeof Deno.build.os; env?: Env } = {},
): string {
  const { os = Deno.build.os, env = Deno.env } = options;
  const windows = os === "windows";
  const path = windows ? win32 : posix;
  const home = (windows ? env.get("USERPROFILE") : env.get("HOME")) ?? env.get("HOME") ?? ".";
  const appData = env.get("APPDATA") ?? path.join(home, "AppData", "Roaming");
  const xdgConfig = env.get("XDG_CONFIG_HOME") || path.join(home, ".config");
  // Where each app keeps per-user settings: ~/Library/Application Support, %APPDATA%, XDG.
  const appDir = (name: string) =>
    os === "darwin"
      ? path.join(home, "Library", "Application Support", name)
      : windows
      ? path.join(appData, name)
      : path.join(xdgConfig, name);
  switch (client) {
    case "claude-desktop":
      return path.join(appDir("Claude"), "claude_desktop_config.json");
    case "claude-code":
      return path.join(home, ".claude.json");
    case "cursor":
      return path.join(home, ".cursor", "mcp.json");
    case "vscode":
      return path.join(appDir("Code"), "User", "mcp.json");
    case "windsurf":
      return path.join(home, ".codeium", "windsurf", "mcp_config.json");
  }
}
