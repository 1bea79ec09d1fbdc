/** Command line: flags → Config, then one of: serve, --list-tools, --mcp-config, --help, --version. */
import { parseArgs } from "node:util";
import {
  type Config,
  DEFAULT_NAMESPACE,
  defaultConfigPath,
  pickString,
  readConfigFile,
} from "./config.ts";
import { HUB_TIMEOUT_MS, HubClient } from "./hub/client.ts";
import { HTTP_FLAGS, HTTP_USAGE, parseHttpFlags } from "./http/options.ts";
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
  render --mcp-server [-n NS] [--replicas N] [--image IMAGE] [--http-public-url URL]
         [--oauth-issuer URL …]
                         Print the objects that run this server over HTTP beside Kubeshark

Flags:
  --demo                 Serve the built-in demo Hub's sample traffic (read-only)
  --url URL              Kubeshark's address, e.g. https://kubeshark.example.com
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
  -d, --debug            Verbose logs on stderr
  -v, --version          Print the version and exit
  -h, --help             Print this help and exit
  --in-cluster           URL mode in a pod: mint the Hub token with the pod's ServiceAccount
${HTTP_USAGE}`;

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
  debug: { type: "boolean", short: "d" },
  version: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
  "in-cluster": { type: "boolean" },
  "mcp-server": { type: "boolean" },
  replicas: { type: "string" },
  image: { type: "string" },
  ...HTTP_FLAGS,
} as const;

/** What the command line asks for. */
export type Action =
  | "serve"
  | "list-tools"
  | "mcp-config"
  | "help"
  | "version"
  | "demo-hub"
  | "render";

/** A command-line problem: reported in one line, with usage, exit code 2. */
export class UsageError extends Error {}

/** Parses arguments into an action and a configuration. Throws UsageError on bad input. */
export async function parseCommandLine(
  args: string[],
  env: { get(name: string): string | undefined } = Deno.env,
): Promise<{ action: Action; config: Config }> {
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
  const extra = demoHub || render ? words.slice(1) : words;
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (flags.listen !== undefined && !demoHub) {
    throw new UsageError("--listen goes with the demo-hub command");
  }
  if ((flags["mcp-server"] || flags.replicas || flags.image) && !render) {
    throw new UsageError("--mcp-server, --replicas and --image go with the render command");
  }
  if (flags["in-cluster"] && flags.url === undefined) {
    throw new UsageError("--in-cluster goes with --url (the Hub's Service address)");
  }
  if (flags.demo && flags.url !== undefined) {
    throw new UsageError("--demo and --url are two different modes; pass one of them");
  }

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
    : "serve";

  const url = flags.url === undefined ? undefined : parseHubUrl(flags.url);
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
  const mcpServer = render && flags["mcp-server"];
  let http;
  try {
    // render --mcp-server takes the HTTP flags to put them in the pod; it serves nothing itself.
    const httpFlags = Object.fromEntries(
      Object.keys(HTTP_FLAGS).map((name) => [name, flags[name as keyof typeof HTTP_FLAGS]]),
    );
    http = parseHttpFlags(mcpServer ? { ...httpFlags, http: "0.0.0.0:8080" } : httpFlags, env);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (mcpServer && flags["http-token"] !== undefined) {
    throw new UsageError(
      "render --mcp-server never prints a token: the pods read it from the Secret " +
        "kubeshark-mcp-token (see README); drop --http-token",
    );
  }
  const replicas = flags.replicas === undefined ? 2 : Number(flags.replicas);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 100) {
    throw new UsageError(`--replicas "${flags.replicas}" must be a whole number from 1 to 100`);
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
    http: mcpServer ? undefined : http,
    inCluster: flags["in-cluster"] ?? false,
    mcpServer: mcpServer ? { replicas, image: flags.image, http } : undefined,
  };
  return { action, config };
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
  if (config.mode === "url" && config.inCluster) {
    // In a pod: the Hub token is minted for kubeshark-cli with the pod's ServiceAccount.
    let minter: Promise<import("./kube/hub_token.ts").HubTokenMinter> | undefined;
    const mint = () =>
      minter ??= Promise.all([import("./kube/in_cluster.ts"), import("./kube/hub_token.ts")])
        .then(([cluster, tokens]) => {
          const api = cluster.inClusterApi();
          return new tokens.HubTokenMinter(() => Promise.resolve(api), config.namespace, log);
        });
    return fixedHubAccess(
      new HubClient(config.url!, {
        timeoutMs: config.hubTimeoutMs,
        credentials: {
          token: async () => (await mint()).token(),
          rejected: () => void mint().then((m) => m.invalidate()),
          license: config.license,
          advice:
            "In the cluster the token is minted for ServiceAccount kubeshark-cli: enable it " +
            "with the chart value tap.auth.cli.enabled=true, and let this pod's ServiceAccount " +
            "create serviceaccounts/token for it (render --mcp-server does).",
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
  const { action, config } = parsed;
  switch (action) {
    case "help":
      await writeStdout(USAGE);
      return 0;
    case "version":
      await writeStdout(`${SERVER_NAME} ${VERSION}\n`);
      return 0;
    case "mcp-config": {
      const { mcpClientConfig } = await import("./print_modes.ts");
      await writeStdout(JSON.stringify(mcpClientConfig(config), null, 2) + "\n");
      return 0;
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
      if (config.mcpServer) return await renderMcpServerObjects(config);
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
      const session = new Session(config, log, hub, {
        kube: config.mode === "proxy" ? kube : undefined,
      });
      if (config.http) {
        const { serveHttp } = await import("./http/mod.ts");
        return await serveHttp(session, config.http);
      }
      return await serve(session);
    }
  }
}

async function renderMcpServerObjects(config: Config): Promise<number> {
  const [{ renderMcpServer, DEFAULT_IMAGE }, { stringify }] = await Promise.all([
    import("./kube/manifests/mcp_server.ts"),
    import("yaml"),
  ]);
  const settings = config.mcpServer!;
  const objects = renderMcpServer({
    namespace: config.namespace,
    replicas: settings.replicas,
    image: settings.image ?? DEFAULT_IMAGE,
    publicUrl: settings.http?.publicUrl,
    oauth: settings.http?.auth?.oauth,
  });
  const header = `# kubeshark-mcp render --mcp-server: ${settings.replicas} replica(s) in ` +
    `namespace "${config.namespace}"\n`;
  await writeStdout(header + objects.map((object) => `---\n${stringify(object)}`).join(""));
  return 0;
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
