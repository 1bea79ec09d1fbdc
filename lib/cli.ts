/** Command line: flags → Config, then one of: serve, --list-tools, --mcp-config, --help, --version. */
import { createModeAccess } from "./access.ts";
import { ArgsError, type FlagSpec, type ParsedFlags, parseFlags } from "./args.ts";
import {
  type Config,
  DEFAULT_LIMITS,
  DEFAULT_NAMESPACE,
  defaultConfigPath,
  pickString,
  readConfigFile,
} from "./config.ts";
import { type ClientId, CLIENTS } from "./clients/ids.ts";
import { describeError } from "./errors.ts";
import { HUB_TIMEOUT_MS } from "./hub/client.ts";
import { HTTP_FLAGS, HTTP_USAGE, parseHttpFlags } from "./http/options.ts";
import { NAMESPACE_NAME } from "./kube/api.ts";
import { load } from "./lazy.ts";
import { Logger } from "./log.ts";
import { serve } from "./server.ts";
import { Session } from "./session.ts";
import { closest } from "./suggest.ts";
import { applySet, type Values } from "./set_values.ts";
import { SERVER_NAME, VERSION } from "./version.ts";

/** The usage text of `--help`, also printed after a flag error. */
export const USAGE = `Usage: ${SERVER_NAME} [mcp] [flags]

An MCP server (stdio) for Kubeshark: lets AI assistants query Kubernetes traffic.

Modes:
  --demo                 A built-in demo Hub with an hour of sample traffic (no cluster needed)
  --url URL              Talk to a running Kubeshark front end (URL mode: Kubeshark is managed
                         externally, so no start/stop and no delete_* tools)
  (default)              Proxy mode: reach Kubeshark through your kubeconfig
  demo-hub [--listen HOST:PORT]
                         Serve the demo Hub over HTTP (default 127.0.0.1:8899), for --url
  render [--set K=V] [-n NS]
                         Print the Kubernetes objects of Kubeshark (chart 53.3.0) as YAML
  render --mcp-server [-n NS] [--replicas N] [--image IMAGE] [--http-public-url URL]
         [--oauth-issuer URL …]
                         Print the objects that run this server over HTTP beside Kubeshark
  install --client C [mode flags] [--dry-run] [--config-file PATH] [--force]
                         Add this server to an MCP client's config (C: claude-desktop,
                         claude-code, cursor, vscode, windsurf); keeps comments and a backup
  uninstall --client C [--dry-run] [--config-file PATH]
                         Remove it again

Flags:
  --demo                 Serve the built-in demo Hub's sample traffic (no cluster: start/stop
                         and delete_* are refused)
  --url URL              Kubeshark's address, e.g. https://kubeshark.example.com
                         (env KUBESHARK_MCP_URL)
  --token TOKEN          Token for a Hub that requires authentication (URL mode;
                         env KUBESHARK_HUB_TOKEN)
  --kubeconfig PATH      Kubeconfig file (default $KUBECONFIG, else ~/.kube/config)
  --context NAME         Kubeconfig context (same as --set kube.context=NAME)
  -n, --namespace NS     Kubeshark's release namespace (same as --set tap.release.namespace=NS;
                         default "default")
  --allow-destructive    Offer start_kubeshark, stop_kubeshark and the Hub's delete_* tools (proxy
                         mode only; without it they are never offered)
  --no-confirm           Start/stop without asking the person to confirm first
  --read-only            Offer only tools that change nothing. Without it these are offered in
                         every mode: create_snapshot, start_snapshot_dissection,
                         enable_dissection, disable_dissection, upload_snapshot_to_cloud,
                         download_snapshot_from_cloud (when the Hub has them) and download_file
  --tools A,B            Offer only these tools, ours or the Hub's (repeatable; an empty or
                         unknown name is an error that lists the valid ones)
  --disable-tools C,D    Never offer these tools (repeatable)
  --set KEY=VALUE        Kubeshark value, Helm syntax (repeatable): --set tap.docker.tag=v53.3
  --config-path PATH     Kubeshark config file (default ~/.kubeshark/config.yaml)
  --download-dir DIR     Where download_file saves files (default: working directory)
  --hub-timeout SECONDS  Bound on one Hub API request (default 30)
  --max-result-bytes N   Budget of one tool result's text (default 64KiB; N in bytes or with a
                         KB/KiB/MB/MiB/GB/GiB suffix, at least 1024 bytes)
  --max-hub-bytes N      Bound on one Hub answer, beyond it the call fails (default 32MiB)
  --max-download-bytes N Bound on one file download_file saves, beyond it the partial file is
                         removed (default 4GiB)
  --no-redact            Do not mask credentials in captured traffic (headers, tokens, passwords
                         in Hub results); the Hub token, license and kubeconfig credentials are
                         masked anyway
  --proxy MODE           Proxy mode's route to the Hub: port-forward or service (default: port-forward,
                         falling back to the API server's service proxy when it is refused)
  --list-tools           Print the tools these flags offer, and the prompts, then exit
  --mcp-config           Print an MCP client configuration for this server, then exit
  --client C             With --mcp-config or install: that client's own format
  -d, --debug            Verbose logs on stderr
  -v, --version          Print the version and exit
  -h, --help             Print this help and exit
  --in-cluster           URL mode in a pod: mint the Hub token with the pod's ServiceAccount
${HTTP_USAGE}`;

/** The flags, one line each; `FlagSpec` says how each is read. */
export const FLAGS = {
  demo: { type: "boolean" },
  listen: { type: "string" },
  url: { type: "string" },
  token: { type: "string" },
  kubeconfig: { type: "string" },
  context: { type: "string" },
  namespace: { type: "string", short: "n" },
  "allow-destructive": { type: "boolean" },
  "no-confirm": { type: "boolean" },
  "read-only": { type: "boolean" },
  tools: { type: "string", multiple: true },
  "disable-tools": { type: "string", multiple: true },
  set: { type: "string", multiple: true },
  "config-path": { type: "string" },
  "download-dir": { type: "string" },
  "hub-timeout": { type: "string" },
  "max-hub-bytes": { type: "string" },
  "max-download-bytes": { type: "string" },
  "max-result-bytes": { type: "string" },
  "no-redact": { type: "boolean" },
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
  "in-cluster": { type: "boolean" },
  "mcp-server": { type: "boolean" },
  replicas: { type: "string" },
  image: { type: "string" },
  ...HTTP_FLAGS,
} as const satisfies Record<string, FlagSpec>;

type Flags = ParsedFlags<typeof FLAGS>;

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
    parsed = parseFlags(args, FLAGS);
  } catch (error) {
    if (error instanceof ArgsError) throw new UsageError(error.message);
    throw error;
  }
  const { flags, positionals } = parsed;
  const action = actionOf(flags, positionals);
  const clientFile = clientFileFlags(flags, action);
  const values = await setValues(flags.set ?? []);
  const configPath = flags["config-path"] ?? defaultConfigPath();
  const fileValues = action === "help" || action === "version"
    ? {}
    : await readConfigFile(configPath, flags["config-path"] !== undefined).catch((error) => {
      throw new UsageError(describeError(error));
    });
  const layers = [values, fileValues];
  // MCPB bundles pass the URL in the environment (empty means none).
  const urlText = flags.url ?? (env.get("KUBESHARK_MCP_URL") || undefined);
  if (flags.demo && urlText !== undefined) {
    throw new UsageError("--demo and KUBESHARK_MCP_URL are two different modes; unset one of them");
  }
  const url = urlText === undefined ? undefined : parseHubUrl(urlText);
  const mcpServer = action === "render" && flags["mcp-server"] === true;
  const http = httpOptions(flags, env, mcpServer);
  const config: Config = {
    mode: flags.demo ? "demo" : url ? "url" : "proxy",
    url,
    token: flags.token ?? (env.get("KUBESHARK_HUB_TOKEN") || undefined),
    license: pickString(layers, "license"),
    kubeconfig: flags.kubeconfig ?? pickString(layers, "kube.configPath"),
    context: flags.context ?? pickString(layers, "kube.context"),
    namespace: releaseNamespace(flags.namespace ?? pickString(layers, "tap.release.namespace")),
    allowDestructive: flags["allow-destructive"] ?? false,
    noConfirm: flags["no-confirm"] ?? false,
    readOnly: flags["read-only"] ?? false,
    tools: flags.tools ? await toolNames("--tools", flags.tools) : undefined,
    disableTools: await toolNames("--disable-tools", flags["disable-tools"] ?? []),
    setArgs: flags.set ?? [],
    values,
    configPath,
    downloadDir: flags["download-dir"] ?? ".",
    debug: flags.debug ?? false,
    hubTimeoutMs: parseTimeout(flags["hub-timeout"]),
    maxHubBytes: parseBytes("--max-hub-bytes", flags["max-hub-bytes"], DEFAULT_LIMITS.maxHubBytes),
    maxDownloadBytes: parseBytes(
      "--max-download-bytes",
      flags["max-download-bytes"],
      DEFAULT_LIMITS.maxDownloadBytes,
    ),
    maxResultBytes: parseBytes(
      "--max-result-bytes",
      flags["max-result-bytes"],
      DEFAULT_LIMITS.maxResultBytes,
    ),
    redact: !flags["no-redact"],
    listen: parseListen(flags.listen ?? "127.0.0.1:8899"),
    proxy: parseProxy(flags.proxy),
    http: mcpServer ? undefined : http,
    inCluster: flags["in-cluster"] ?? false,
    mcpServer: mcpServer
      ? { replicas: parseReplicas(flags.replicas), image: flags.image, http }
      : undefined,
  };
  return { action, config, clientFile };
}

// render --mcp-server takes the HTTP flags to put them in the pod; it serves nothing itself.
function httpOptions(
  flags: Flags,
  env: { get(name: string): string | undefined },
  mcpServer: boolean,
) {
  if (mcpServer && flags["http-token"] !== undefined) {
    throw new UsageError(
      "render --mcp-server never prints a token: the pods read it from the Secret " +
        "kubeshark-mcp-token (see README); drop --http-token",
    );
  }
  const httpFlags = Object.fromEntries(
    Object.keys(HTTP_FLAGS).map((name) => [name, flags[name as keyof typeof HTTP_FLAGS]]),
  );
  try {
    return parseHttpFlags(
      mcpServer ? { ...httpFlags, http: "0.0.0.0:8080" } : httpFlags,
      mcpServer ? new Map() : env,
    );
  } catch (error) {
    throw new UsageError(describeError(error));
  }
}

function parseReplicas(text: string | undefined): number {
  const replicas = text === undefined ? 2 : Number(text);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 100) {
    throw new UsageError(`--replicas "${text}" must be a whole number from 1 to 100`);
  }
  return replicas;
}

/** `--client` and the flags of install/uninstall (see lib/clients/). */
export interface ClientFileFlags {
  client?: ClientId;
  dryRun: boolean;
  configFile?: string;
  force: boolean;
}

function clientFileFlags(flags: Flags, action: Action): ClientFileFlags | undefined {
  const fileCommand = action === "install" || action === "uninstall";
  if (!fileCommand) {
    for (const flag of ["dry-run", "config-file", "force"] as const) {
      if (flags[flag] !== undefined) throw new UsageError(`--${flag} goes with install/uninstall`);
    }
    if (flags.client !== undefined && action !== "mcp-config") {
      throw new UsageError("--client goes with --mcp-config, install or uninstall");
    }
  } else if (flags.client === undefined) {
    throw new UsageError(`${action} needs --client (one of ${CLIENTS.join(", ")})`);
  }
  if (flags.client === undefined) return undefined;
  const client = CLIENTS.find((name) => name === flags.client);
  if (!client) {
    throw new UsageError(`--client "${flags.client}" is not one of ${CLIENTS.join(", ")}`);
  }
  return {
    client,
    dryRun: flags["dry-run"] ?? false,
    configFile: flags["config-file"],
    force: flags.force ?? false,
  };
}

const COMMANDS = ["demo-hub", "render", "install", "uninstall"] as const;

function actionOf(flags: Flags, positionals: string[]): Action {
  // `kubeshark mcp …` configs work by swapping the command: a leading "mcp" is accepted.
  const words = positionals[0] === "mcp" ? positionals.slice(1) : positionals;
  const command = COMMANDS.find((name) => name === words[0]);
  const extra = command ? words.slice(1) : words;
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (flags.listen !== undefined && command !== "demo-hub") {
    throw new UsageError("--listen goes with the demo-hub command");
  }
  if ((flags["mcp-server"] || flags.replicas || flags.image) && command !== "render") {
    throw new UsageError("--mcp-server, --replicas and --image go with the render command");
  }
  if (flags["in-cluster"] && flags.url === undefined) {
    throw new UsageError("--in-cluster goes with --url (the Hub's Service address)");
  }
  if (flags.demo && flags.url !== undefined) {
    throw new UsageError("--demo and --url are two different modes; pass one of them");
  }
  if (flags.help) return "help";
  if (flags.version) return "version";
  if (flags["list-tools"]) return "list-tools";
  if (flags["mcp-config"]) return "mcp-config";
  return command ?? "serve";
}

async function setValues(setArgs: string[]): Promise<Values> {
  const values: Values = {};
  for (const argument of setArgs) {
    try {
      applySet(values, argument);
    } catch (error) {
      throw new UsageError(`--set ${argument}: ${describeError(error)}`);
    }
  }
  if (setArgs.length) {
    // Loaded only when --set is used: the chart's defaults are a sizeable table.
    const { resolveValues } = await load.manifestValues();
    try {
      resolveValues(values);
    } catch (error) {
      throw new UsageError(`--set: ${describeError(error)}`);
    }
  }
  return values;
}

function releaseNamespace(namespace = DEFAULT_NAMESPACE): string {
  // It becomes part of API paths: only a valid namespace name may get there.
  if (!NAMESPACE_NAME.test(namespace)) {
    throw new UsageError(`namespace "${namespace}" is not a valid Kubernetes namespace name`);
  }
  return namespace;
}

// "--tools a,b --tools c" → [a, b, c], every name one a tool has.
async function toolNames(flag: string, lists: string[]): Promise<string[]> {
  const names = lists.flatMap((list) => list.split(",")).map((name) => name.trim()).filter(
    Boolean,
  );
  const { KNOWN_TOOL_NAMES, unknownToolNames } = await load.toolNames();
  if (!names.length) {
    // "--tools=" would offer nothing at all; an empty --disable-tools hides nothing, harmlessly.
    if (flag !== "--tools") return names;
    throw new UsageError(
      `--tools names no tool (got "${lists.join(" ")}"); give one or more of ${
        KNOWN_TOOL_NAMES.join(", ")
      }`,
    );
  }
  const unknown = unknownToolNames(names);
  if (unknown.length) {
    const guesses = unknown.map((name) => {
      const [near] = closest(name, KNOWN_TOOL_NAMES, 1);
      return near ? `"${name}" (did you mean "${near}"?)` : `"${name}"`;
    });
    throw new UsageError(
      `${flag}: no tool is named ${guesses.join(", ")}; the tools are ${
        KNOWN_TOOL_NAMES.join(", ")
      }`,
    );
  }
  return names;
}

function parseProxy(proxy: string | undefined): Config["proxy"] {
  if (proxy === undefined || proxy === "port-forward" || proxy === "service") return proxy;
  throw new UsageError(`--proxy "${proxy}" must be port-forward or service`);
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
  if (text.trim() === "" || !Number.isFinite(seconds)) {
    throw new UsageError(`--hub-timeout "${text}" must be a number of seconds, e.g. 30`);
  }
  if (seconds <= 0 || seconds > 3600) {
    throw new UsageError(
      `--hub-timeout ${text} is out of range: give more than 0 and at most 3600 seconds`,
    );
  }
  return seconds * 1000;
}

const BYTE_UNITS: Record<string, number> = {
  "": 1,
  k: 1e3,
  kb: 1e3,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gib: 1024 ** 3,
};

// "65536", "64KiB", "32MiB", "4GiB": a positive whole number of bytes.
function parseBytes(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = match ? BYTE_UNITS[match[2].toLowerCase()] : undefined;
  const bytes = match && unit ? Math.floor(Number(match[1]) * unit) : NaN;
  if (!Number.isFinite(bytes) || bytes < 1024) {
    throw new UsageError(
      `${flag} "${text}" must be a size of at least 1024 bytes, e.g. 65536, 64KiB, 32MiB or 4GiB`,
    );
  }
  return bytes;
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
      const { mcpClientConfig } = await load.printModes();
      const { text, notes } = mcpClientConfig(config, clientFile?.client);
      for (const note of notes) await writeStderr(`${SERVER_NAME}: note: ${note}\n`);
      await writeStdout(text);
      return 0;
    }
    case "install":
    case "uninstall": {
      const { runClientFileCommand } = await load.clientInstall();
      const { client, ...options } = clientFile!;
      return await runClientFileCommand(action, config, {
        client: client!,
        ...options,
        io: { out: writeStdout, err: writeStderr },
      });
    }
    case "list-tools": {
      const { listTools } = await load.printModes();
      const log = new Logger();
      if (config.debug) log.setStderrLevel("debug");
      else log.setStderrLevel("warning");
      const { hub, secrets } = createModeAccess(config, log);
      // What the stdio writer does: every text we print passes the known-secrets redaction (a
      // Hub may echo its token in a description or an error page).
      const { createRedactor } = await load.redact();
      const redactor = createRedactor({ secrets: secrets.values(), results: config.redact });
      secrets.onAdd((secret) => redactor.addSecret(secret));
      log.redactWith((text) => redactor.secrets(text));
      await warnAboutSelection(config, log);
      const { text, ok } = await listTools(config, hub, {
        redact: (text) => redactor.secrets(text),
      });
      hub.close();
      await writeStdout(text);
      return ok ? 0 : 1;
    }
    case "render": {
      if (config.mcpServer) return await renderMcpServerObjects(config);
      const [{ renderRelease }, { stringify }] = await Promise.all([
        load.manifests(),
        import("yaml"),
      ]);
      let objects;
      try {
        objects = renderRelease(config.values, config.namespace);
      } catch (error) {
        await writeStderr(`${SERVER_NAME}: ${describeError(error)}\n`);
        return 2;
      }
      const header = `# kubeshark-mcp render: Kubeshark chart 53.3.0, release "kubeshark", ` +
        `namespace "${config.namespace}"\n`;
      await writeStdout(header + objects.map((object) => `---\n${stringify(object)}`).join(""));
      return 0;
    }
    case "demo-hub": {
      const { serveDemoHub } = await load.demoServe();
      return await serveDemoHub(config.listen);
    }
    case "serve": {
      const log = new Logger();
      if (config.debug) log.setStderrLevel("debug");
      await warnAboutSelection(config, log);
      if (config.mode === "url") log.info(`URL mode: Hub at ${config.url}`);
      if (config.mode === "demo") log.info("Demo mode: an in-process Hub with sample traffic");
      const session = new Session(config, log, createModeAccess(config, log));
      if (config.http) {
        const { serveHttp } = await load.httpServer();
        return await serveHttp(session, config.http);
      }
      return await serve(session);
    }
  }
}

// A --tools/--disable-tools selection that the mode or --read-only undoes is said on stderr at
// start-up (stdout stays JSON-RPC). Only with those flags: the listing module is not loaded else.
async function warnAboutSelection(config: Config, log: Logger): Promise<void> {
  if (!config.tools && !config.disableTools.length) return;
  const { selectionWarnings } = await load.toolListing();
  for (const warning of selectionWarnings(config)) log.warn(warning);
}

async function renderMcpServerObjects(config: Config): Promise<number> {
  const [{ renderMcpServer, DEFAULT_IMAGE }, { stringify }] = await Promise.all([
    load.mcpServerManifests(),
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
