/** The resolved configuration, and Kubeshark's config file (`~/.kubeshark/config.yaml`). */
import { describeError } from "./errors.ts";
import { getValue, type Values } from "./set_values.ts";

/** How the server reaches the Hub: a URL, Kubernetes, or the built-in demo Hub. */
export type Mode = "url" | "proxy" | "demo";

/** Everything the server needs to know, resolved from flags, environment and config file. */
export interface Config {
  mode: Mode;
  /** URL mode: the Hub front end's base URL, no trailing slash. */
  url?: string;
  /** URL mode: a token for a gated Hub (never logged, never printed). */
  token?: string;
  /** License from the config file or `--set license=…`, sent as `License-Key`. */
  license?: string;
  kubeconfig?: string;
  context?: string;
  /** The release namespace (`tap.release.namespace`). */
  namespace: string;
  allowDestructive: boolean;
  /** Start/stop run without asking the person first (--no-confirm). */
  noConfirm: boolean;
  /** The raw `--set` arguments, in order, and what they parse to. */
  setArgs: string[];
  values: Values;
  configPath: string;
  /** As given (resolved against the working directory when used). */
  downloadDir: string;
  debug: boolean;
  hubTimeoutMs: number;
  /** Proxy mode: force port-forward or the API server's service proxy (default: try both). */
  proxy?: "port-forward" | "service";
  /** `demo-hub`: where to listen (host:port). */
  listen: string;
  /** Hide and refuse every tool that changes state, ours and the Hub's. */
  readOnly: boolean;
  /** Offer only these tools (all when absent). */
  tools?: string[];
  /** Never offer these tools. */
  disableTools: string[];
  /** Bound on one Hub answer's body, in bytes. */
  maxHubBytes: number;
  /** Bound on one downloaded file, in bytes. */
  maxDownloadBytes: number;
  /** Bound on the text of one tool result, in bytes. */
  maxResultBytes: number;
  /** Mask credentials in Hub results (headers, tokens, secret fields). */
  redact: boolean;
}

/** Default bounds: a Hub answer, a download, a tool result's text. */
export const DEFAULT_LIMITS = {
  maxHubBytes: 32 * 1024 * 1024,
  maxDownloadBytes: 4 * 1024 * 1024 * 1024,
  maxResultBytes: 64 * 1024,
} as const;

/** Kubeshark's default release namespace. */
export const DEFAULT_NAMESPACE = "default";

/** The user's home directory (HOME, or USERPROFILE on Windows). */
export function homeDir(): string {
  return Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? ".";
}

/** The default config file path Kubeshark reads. */
export function defaultConfigPath(): string {
  return `${homeDir()}/.kubeshark/config.yaml`;
}

/** The kubeconfig files a configuration reads, in order: the flag, $KUBECONFIG, ~/.kube/config. */
export function kubeconfigPaths(config: Pick<Config, "kubeconfig">): string[] {
  if (config.kubeconfig) return [config.kubeconfig];
  const fromEnv = (Deno.env.get("KUBECONFIG") ?? "")
    .split(Deno.build.os === "windows" ? ";" : ":")
    .filter(Boolean);
  return fromEnv.length ? fromEnv : [`${homeDir()}/.kube/config`];
}

/**
 * Reads Kubeshark's YAML config file. A missing file at the default path is normal (returns {});
 * a missing file the user named, or unreadable YAML, is an error.
 */
export async function readConfigFile(path: string, explicit: boolean): Promise<Values> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (!explicit && error instanceof Deno.errors.NotFound) return {};
    throw new Error(`cannot read config file "${path}": ${describeError(error)}`);
  }
  // Loaded only when a config file exists: most users have none, and start-up stays lean.
  const { parse } = await import("yaml");
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (error) {
    throw new Error(`config file "${path}" is not valid YAML: ${describeError(error)}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new Error(`config file "${path}" must hold a mapping at the top level`);
  }
  return parsed as Values;
}

/** A string at a dotted path of several value layers, the first layer that has one winning. */
export function pickString(layers: Values[], path: string): string | undefined {
  for (const layer of layers) {
    const value = getValue(layer, path);
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}
