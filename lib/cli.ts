/** Command line: flags → Config, then one of: serve, --list-tools, --mcp-config, --help, --version. */
import { parseArgs } from "node:util";
import {
  type Config,
  DEFAULT_NAMESPACE,
  defaultConfigPath,
  pickString,
  readConfigFile,
} from "./config.ts";
import { type ClientId, CLIENTS } from "./clients/mod.ts";
import { HUB_TIMEOUT_MS, HubClient } from "./hub/client.ts";
import { NAMESPACE_NAME } from "./kube/api.ts";
import { Logger } from "./log.ts";
import { serve } from "./server.ts";
import type { KubeHubAccess } from "./kube/hub_access.ts";
import { fixedHubAccess, type HubAccess, Session } from "./session.ts";
import { applySet, type Values } from "./set_values.ts";
import { SERVER_NAME, VERSION } from "./version.ts";

/** The usage text of `--help`, also printed after a flag error. */
export const USAGE = `Usage: ${SERVER_NAME} [mcp] [flags]

An MCP server (stdio) for Kubeshark: lets AI assistants query Kubernetes traffic.

Modes:
  --demo                 A built-in demo Hub with an hour of sample traffic (no cluster needed)
  --url URL              Talk to a running Kubeshark front end (URL mode; read-only)
  (default)              Proxy mode: reach Kubeshark through your kubeconfig
  demo-hub [--listen HOST:PORT]
                         Serve the demo Hub over HTTP (default 127.0.0.1:8899), for --url
  render [--set K=V] [-n NS]
                         Print the Kubernetes objects of Kubeshark (chart 53.3.0) as YAML
  install --client C [mode flags] [--dry-run] [--config-file PATH] [--force]
                         Add this server to an MCP client's config (C: claude-desktop,
                         claude-code, cursor, vscode, windsurf); keeps comments and a backup
  uninstall --client C [--dry-run] [--config-file PATH]
                         Remove it again

Flags:
  --demo                 Serve the built-in demo Hub's sample traffic (read-only)
  --url URL              Kubeshark's address, e.g. https://kubeshark.example.com
                         (env KUBESHARK_MCP_URL)
  --token TOKEN          Token for a Hub that requires authentication (URL mode;
                         env KUBESHARK_HUB_TOKEN)
  --kubeconfig PATH      Kubeconfig file (default $KUBECONFIG, else ~/.kube/config)
  --context NAME         Kubeconfig context (same as --set kube.context=NAME)
  -n, --namespace NS     Kubeshark's release namespace (same as --set tap.release.namespace=NS;
                         default "default")
  --allow-destructive    Offer start_kubeshark and stop_kubeshark (proxy mode)
  --set KEY=VALUE        Kubeshark value, Helm syntax (repeatable): --set tap.docker.tag=v53.3
  --config-path PATH     Kubeshark config file (default ~/.kubeshark/config.yaml)
  --download-dir DIR     Where download_file saves files (default: working directory)
  --hub-timeout SECONDS  Bound on one Hub API request (default 30)
  --proxy MODE           Proxy mode's route to the Hub: port-forward or service (default: port-forward,
                         falling back to the API server's service proxy when it is refused)
  --list-tools           Print the tools and prompts, then exit
  --mcp-config           Print an MCP client configuration for this server, then exit
  --client C             With --mcp-config or install: that client's own format
  -d, --debug            Verbose logs on stderr
  -v, --version          Print the version and exit
  -h, --help             Print this help and exit
`;

const OPTIONS = {
  demo: { type: "boolean" },
  listen: { type: "string" },
  url: { type: "string" },
  token: { type: "string" },
  kubeconfig: { type: "string" },
  context: { type: "string" },
  namespace: { type: "string", short: "n" },
  "allow-destructive": { type: "boolean" },
  set: { type: "string", multiple: true },
  "config-path": { type: "string" },
  "download-dir": { type: "string" },
  "hub-timeout": { type: "string" },
  proxy: { type: "string" },
  "list-tools": { type: "boolean" },
  "mcp-config": { type: "boolean" },
  client: { type: "string" },
  "dry-run": { type: "boolean" },
  "config-file": { type: "string" },
  force: { type: "boolean" },
  debug: { type: "boolean", short: "d" },
  version: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
} as const;

/** What the command line asks for. */
export type Action =
  | "serve"
  | "list-tools"
  | "mcp-config"
  | "help"
  | "version"
  | "demo-hub"
  | "render"
  | "install"
  | "uninstall";

/** A command-line problem: reported in one line, with usage, exit code 2. */
export class UsageError extends Error {}

/** Parses arguments into an action and a configuration. Throws UsageError on bad input. */
export async function parseCommandLine(
  args: string[],
  env: { get(name: string): string | undefined } = Deno.env,
): Promise<{ action: Action; config: Config; clientFile?: ClientFileFlags }> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0]);
  }
  const { values: flags, positionals } = parsed;
  // `kubeshark mcp …` configs work by swapping the command: a leading "mcp" is accepted.
  const words = positionals[0] === "mcp" ? positionals.slice(1) : positionals;
  const demoHub = words[0] === "demo-hub";
  const render = words[0] === "render";
  const clientCommand = words[0] === "install" || words[0] === "uninstall" ? words[0] : undefined;
  const extra = demoHub || render || clientCommand ? words.slice(1) : words;
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (flags.listen !== undefined && !demoHub) {
    throw new UsageError("--listen goes with the demo-hub command");
  }
  if (flags.demo && flags.url !== undefined) {
    throw new UsageError("--demo and --url are two different modes; pass one of them");
  }

  const clientFile = parseClientFlags(flags, clientCommand);
  const action: Action = flags.help
    ? "help"
    : flags.version
    ? "version"
    : flags["list-tools"]
    ? "list-tools"
    : flags["mcp-config"]
    ? "mcp-config"
    : demoHub
    ? "demo-hub"
    : render
    ? "render"
    : clientCommand ?? "serve";

  // MCPB bundles pass the URL in the environment (an empty value means none).
  const urlText = flags.url ?? (env.get("KUBESHARK_MCP_URL") || undefined);
  if (flags.demo && urlText !== undefined && flags.url === undefined) {
    throw new UsageError("--demo and KUBESHARK_MCP_URL are two different modes; unset one of them");
  }
  const url = urlText === undefined ? undefined : parseHubUrl(urlText);
  const setArgs = flags.set ?? [];
  const values: Values = {};
  for (const argument of setArgs) {
    try {
      applySet(values, argument);
    } catch (error) {
      throw new UsageError(`--set ${argument}: ${(error as Error).message}`);
    }
  }
  if (setArgs.length) {
    // Loaded only when --set is used: the chart's defaults are a sizeable table.
    const { resolveValues } = await import("./kube/manifests/values.ts");
    try {
      resolveValues(values);
    } catch (error) {
      throw new UsageError(`--set: ${(error as Error).message}`);
    }
  }
  const hubTimeoutMs = parseTimeout(flags["hub-timeout"]);
  const proxy = flags.proxy;
  if (proxy !== undefined && proxy !== "port-forward" && proxy !== "service") {
    throw new UsageError(`--proxy "${proxy}" must be port-forward or service`);
  }
  const configPath = flags["config-path"] ?? defaultConfigPath();
  let fileValues: Values = {};
  if (action !== "help" && action !== "version") {
    try {
      fileValues = await readConfigFile(configPath, flags["config-path"] !== undefined);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const layers = [values, fileValues];
  const namespace = flags.namespace ?? pickString([values, fileValues], "tap.release.namespace") ??
    DEFAULT_NAMESPACE;
  // It becomes part of API paths: only a valid namespace name may get there.
  if (!NAMESPACE_NAME.test(namespace)) {
    throw new UsageError(`namespace "${namespace}" is not a valid Kubernetes namespace name`);
  }
  const config: Config = {
    mode: flags.demo ? "demo" : url ? "url" : "proxy",
    url,
    token: flags.token ?? (env.get("KUBESHARK_HUB_TOKEN") || undefined),
    license: pickString(layers, "license"),
    kubeconfig: flags.kubeconfig ?? pickString(layers, "kube.configPath"),
    context: flags.context ?? pickString(layers, "kube.context"),
    namespace,
    allowDestructive: flags["allow-destructive"] ?? false,
    setArgs,
    values,
    configPath,
    downloadDir: flags["download-dir"] ?? ".",
    debug: flags.debug ?? false,
    hubTimeoutMs,
    listen: parseListen(flags.listen ?? "127.0.0.1:8899"),
    proxy,
  };
  return { action, config, clientFile };
}

/** `--client` and the flags of install/uninstall. */
export interface ClientFileFlags {
  client?: ClientId;
  dryRun: boolean;
  configFile?: string;
  force: boolean;
}

function parseClientFlags(
  flags: {
    client?: string;
    "dry-run"?: boolean;
    "config-file"?: string;
    force?: boolean;
    "mcp-config"?: boolean;
  },
  command: "install" | "uninstall" | undefined,
): ClientFileFlags | undefined {
  if (!command) {
    for (const flag of ["dry-run", "config-file", "force"] as const) {
      if (flags[flag] !== undefined) throw new UsageError(`--${flag} goes with install/uninstall`);
    }
    if (flags.client !== undefined && !flags["mcp-config"]) {
      throw new UsageError("--client goes with --mcp-config, install or uninstall");
    }
  } else if (flags.client === undefined) {
    throw new UsageError(`${command} needs --client (one of ${CLIENTS.join(", ")})`);
  }
  if (flags.client === undefined) return undefined;
  if (!CLIENTS.some((client) => client === flags.client)) {
    throw new UsageError(`--client "${flags.client}" is not one of ${CLIENTS.join(", ")}`);
  }
  return {
    client: flags.client as ClientId,
    dryRun: flags["dry-run"] ?? false,
    configFile: flags["config-file"],
    force: flags.force ?? false,
  };
}

function parseHubUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `--url "${text}" is not a URL (expected e.g. https://kubeshark.example.com)`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--url "${text}" must start with http:// or https://`);
  }
  if (url.username || url.password) {
    // fetch refuses URLs with credentials, and they would end up in logs and model context.
    throw new UsageError(
      `--url must not carry a user name or password; pass a Hub token with --token instead`,
    );
  }
  if (url.search || url.hash) {
    throw new UsageError(`--url "${text}" must not carry a query or fragment`);
  }
  return url.href.replace(/\/+$/, "");
}

function parseListen(text: string): string {
  const match = /^(\[[0-9a-f:]+\]|[\w.-]+):(\d{1,5})$/i.exec(text);
  if (!match || Number(match[2]) > 65535) {
    throw new UsageError(`--listen "${text}" must be HOST:PORT, e.g. 127.0.0.1:8899`);
  }
  return text;
}

function parseTimeout(text: string | undefined): number {
  if (text === undefined) return HUB_TIMEOUT_MS;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
    throw new UsageError(`--hub-timeout "${text}" must be a number of seconds from 0 to 3600`);
  }
  return seconds * 1000;
}

/** The base URL the in-process demo Hub answers under (never resolved: nothing listens there). */
export const DEMO_BASE_URL = "http://kubeshark-demo.invalid";

/** Builds how this configuration reaches the Hub. */
export function hubAccessFor(
  config: Config,
  log: Logger,
  kube = proxyAccess(config, log),
): HubAccess {
  if (config.mode === "demo") {
    // The demo Hub plugs in behind the transport; its module loads with the first request.
    let handler: Promise<(request: Request) => Promise<Response>> | undefined;
    return fixedHubAccess(
      new HubClient(DEMO_BASE_URL, {
        timeoutMs: config.hubTimeoutMs,
        transport: async (request) => {
          handler ??= import("./demo/hub.ts").then((demo) => demo.createDemoHub());
          return (await handler)(request);
        },
      }),
    );
  }
  if (config.mode === "url") {
    const token = config.token;
    return fixedHubAccess(
      new HubClient(config.url!, {
        timeoutMs: config.hubTimeoutMs,
        credentials: {
          token: token ? () => token : undefined,
          license: config.license,
          advice: "In URL mode pass a token with --token or KUBESHARK_HUB_TOKEN (mint one with " +
            "`kubectl create token kubeshark-cli -n <release namespace> --audience kubeshark-hub`; " +
            "it expires, so mint a new one and restart when it does), or set a valid license " +
            "(`license` in the Kubeshark config file) if the deployment uses one.",
        },
      }),
    );
  }
  return {
    client: async (signal) => (await kube()).client(signal),
    close: () => void kube.loaded?.then((access) => access.close()),
    discoveryWaitMs: 0,
    warmWhenIdleMs: 250,
  };
}

/** Proxy mode's Kubernetes side, imported on first use (the client library costs ~0.5 s). */
export function proxyAccess(config: Config, log: Logger) {
  const load = () =>
    load.loaded ??= import("./kube/hub_access.ts").then((kube) =>
      new kube.KubeHubAccess(config, log)
    );
  load.loaded = undefined as Promise<KubeHubAccess> | undefined;
  return load;
}

/** Runs the command line; returns the process exit code. */
export async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = await parseCommandLine(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    await writeStderr(`${SERVER_NAME}: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  const { action, config, clientFile } = parsed;
  switch (action) {
    case "help":
      await writeStdout(USAGE);
      return 0;
    case "version":
      await writeStdout(`${SERVER_NAME} ${VERSION}\n`);
      return 0;
    case "mcp-config": {
      const { mcpClientConfig } = await import("./print_modes.ts");
      const { text, notes } = mcpClientConfig(config, clientFile?.client);
      for (const note of notes) await writeStderr(`${SERVER_NAME}: note: ${note}\n`);
      await writeStdout(text);
      return 0;
    }
    case "install":
    case "uninstall": {
      const { runClientFileCommand } = await import("./clients/install.ts");
      return await runClientFileCommand(action, config, {
        ...clientFile!,
        client: clientFile!.client!,
      }, {
        out: writeStdout,
        err: writeStderr,
      });
    }
    case "list-tools": {
      const { listTools } = await import("./print_modes.ts");
      const log = new Logger();
      if (config.debug) log.setStderrLevel("debug");
      else log.setStderrLevel("warning");
      const hub = hubAccessFor(config, log);
      const { text, ok } = await listTools(config, hub);
      hub.close();
      await writeStdout(text);
      return ok ? 0 : 1;
    }
    case "render": {
      const [{ renderRelease }, { stringify }] = await Promise.all([
        import("./kube/manifests/mod.ts"),
        import("yaml"),
      ]);
      let objects;
      try {
        objects = renderRelease(config.values, config.namespace);
      } catch (error) {
        await writeStderr(`${SERVER_NAME}: ${(error as Error).message}\n`);
        return 2;
      }
      const header = `# kubeshark-mcp render: Kubeshark chart 53.3.0, release "kubeshark", ` +
        `namespace "${config.namespace}"\n`;
      await writeStdout(header + objects.map((object) => `---\n${stringify(object)}`).join(""));
      return 0;
    }
    case "demo-hub": {
      const { serveDemoHub } = await import("./demo/serve.ts");
      return await serveDemoHub(config.listen);
    }
    case "serve": {
      const log = new Logger();
      if (config.debug) log.setStderrLevel("debug");
      if (config.mode === "url") log.info(`URL mode: Hub at ${config.url}`);
      if (config.mode === "demo") log.info("Demo mode: an in-process Hub with sample traffic");
      const kube = proxyAccess(config, log);
      const hub = hubAccessFor(config, log, kube);
      return await serve(
        new Session(config, log, hub, { kube: config.mode === "proxy" ? kube : undefined }),
      );
    }
  }
}

async function writeStdout(text: string): Promise<void> {
  await writeAll(Deno.stdout, new TextEncoder().encode(text));
}

async function writeStderr(text: string): Promise<void> {
  await writeAll(Deno.stderr, new TextEncoder().encode(text));
}

async function writeAll(
  output: { write(bytes: Uint8Array): Promise<number> },
  bytes: Uint8Array,
): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await output.write(bytes.subarray(written));
}
