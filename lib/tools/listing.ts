/**
 * What `tools/list` shows, without loading a tool or zod: our tools' descriptors are stored as
 * JSON (descriptors.json, generated from the tools' zod schemas and checked against them by
 * tests/tool_descriptors_test.ts), the Hub's come from its discovery, and one rule over
 * annotations decides which are offered. The tool table (mod.ts) refuses calls on the same rule,
 * so a hidden tool cannot be called by name.
 */
import type { Config } from "../config.ts";
import { hubToolAnnotations, KNOWN_HUB_TOOLS } from "../hub/hints.ts";
import type { HubInfo } from "../hub/schemas.ts";
import type { ToolAnnotations, ToolDescriptor } from "../protocol.ts";
import STORED from "./descriptors.json" with { type: "json" };

/** Our tools as `tools/list` shows them, in listing order. */
export const LOCAL_DESCRIPTORS = STORED as ToolDescriptor[];

const LOCAL_NAMES = new Set(LOCAL_DESCRIPTORS.map((tool) => tool.name));

/** Whether `name` is one of our own tools (offered or not). */
export function isLocalTool(name: string): boolean {
  return LOCAL_NAMES.has(name);
}

/** Kubeshark's refusal texts, verbatim. */
export const URL_MODE_REFUSAL =
  "This tool is not available in URL mode. Kubeshark is managed externally.";
/** Kubeshark's refusal text, verbatim. */
export const DESTRUCTIVE_REFUSAL =
  "This tool requires --allow-destructive flag. Destructive operations are disabled for safety.";
/** Ours: the demo has no cluster to change. */
export const DEMO_MODE_REFUSAL =
  "This tool is not available in demo mode: the demo Hub's traffic is synthetic and there is no " +
  "cluster to change. Run without --demo, with a kubeconfig, to manage Kubeshark.";
/** Ours: --read-only. */
export const READ_ONLY_REFUSAL =
  "This tool changes state, and this server runs with --read-only: only read-only tools are " +
  "offered. Restart it without --read-only to use it.";

/**
 * The one rule: why a tool is not offered in this configuration, or undefined when it is.
 * Destructive tools need --allow-destructive and a cluster (proxy mode); --read-only keeps only
 * tools whose readOnlyHint is true; --tools and --disable-tools choose by name.
 */
export function refusalFor(
  name: string,
  annotations: ToolAnnotations,
  config: Config,
): string | undefined {
  // Only boolean hints count: one of another type is read as absent, i.e. the documented table's
  // (for our tools, which state all four, this changes nothing).
  const { destructiveHint, readOnlyHint } = hubToolAnnotations(name, { ...annotations });
  if (destructiveHint === true) {
    if (config.mode === "url") return URL_MODE_REFUSAL;
    if (config.mode === "demo") return DEMO_MODE_REFUSAL;
    if (!config.allowDestructive) return DESTRUCTIVE_REFUSAL;
  }
  if (config.readOnly && readOnlyHint !== true) return READ_ONLY_REFUSAL;
  if (config.tools && !config.tools.includes(name)) {
    return `This tool is not offered: this server runs with --tools ${config.tools.join(",")}.`;
  }
  if (config.disableTools.includes(name)) {
    return "This tool is not offered: this server runs with --disable-tools " +
      `${config.disableTools.join(",")}.`;
  }
  return undefined;
}

/**
 * What `tools/list` shows: the offered local tools, then the Hub's (when discovered). A Hub tool
 * with a local tool's name is shadowed: ours answers.
 */
export function offeredTools(config: Config, info: HubInfo | undefined): ToolDescriptor[] {
  const hub = (info?.tools ?? []).filter((tool) => !isLocalTool(tool.name));
  return [...LOCAL_DESCRIPTORS, ...hub].filter((tool) =>
    refusalFor(tool.name, tool.annotations ?? {}, config) === undefined
  );
}

/**
 * Start-up warnings for a tool selection the mode or the other flags undo: a tool named in
 * `--tools` that is hidden anyway (destructive outside proxy mode or without
 * --allow-destructive, state-changing under --read-only, also named in --disable-tools), and a
 * selection under which none of the tools we know is offered. Judged on our descriptors and the
 * documented table: the Hub's own hints arrive later, with discovery.
 */
export function selectionWarnings(config: Config): string[] {
  if (!config.tools && !config.disableTools.length) return [];
  const local = new Map(LOCAL_DESCRIPTORS.map((tool) => [tool.name, tool.annotations ?? {}]));
  const annotationsOf = (name: string) => local.get(name) ?? hubToolAnnotations(name, undefined);
  const unselected: Config = { ...config, tools: undefined, disableTools: [] };
  const warnings: string[] = [];
  for (const name of config.tools ?? []) {
    const reason = config.disableTools.includes(name)
      ? "--disable-tools names it too."
      : refusalFor(name, annotationsOf(name), unselected);
    if (reason) warnings.push(`--tools names ${name}, but it is not offered: ${reason}`);
  }
  const known = [...local.keys(), ...KNOWN_HUB_TOOLS];
  if (!known.some((name) => refusalFor(name, annotationsOf(name), config) === undefined)) {
    const given = [
      config.mode === "proxy" ? "proxy mode" : config.mode === "url" ? "URL mode" : "demo mode",
      config.readOnly ? "--read-only" : "",
      config.allowDestructive ? "--allow-destructive" : "",
      config.tools ? `--tools ${config.tools.join(",")}` : "",
      config.disableTools.length ? `--disable-tools ${config.disableTools.join(",")}` : "",
    ].filter(Boolean);
    warnings.push(
      `No tool is offered (${given.join(", ")}): tools/list will be empty. Name tools this mode ` +
        "offers; --list-tools without --tools and --disable-tools shows them.",
    );
  }
  return warnings;
}
