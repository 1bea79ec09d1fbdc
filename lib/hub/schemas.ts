/**
 * The Hub's MCP discovery document (`GET {base}/api/mcp`), parsed leniently at the edge. Checked
 * by hand rather than with zod: discovery comes before the first `tools/list`, and the document's
 * few fields do not justify loading a schema library on that path (issue #9).
 */
import type { PromptDescriptor, ToolDescriptor } from "../protocol.ts";
import { hubToolAnnotations } from "./hints.ts";
import { isRecord } from "../json.ts";

/** What the Hub offers, normalized. */
export interface HubInfo {
  name: string;
  description: string;
  version: string;
  tools: ToolDescriptor[];
  prompts: PromptDescriptor[];
  /** Entries we could not use, with why; logged, never fatal. */
  skipped: string[];
}

type Fields = Record<string, unknown>;

/** What is wrong with `fields[key]` (absent and null allowed), or undefined when it fits. */
function wrongField(
  fields: Fields,
  key: string,
  kind: "string" | "name" | "boolean" | "object" | "array",
): string | undefined {
  const value = fields[key];
  if (kind === "name") {
    return typeof value === "string" && value !== ""
      ? undefined
      : "`name` must be a non-empty string";
  }
  if (value === undefined || value === null) return undefined;
  const fits = kind === "object"
    ? isRecord(value)
    : kind === "array"
    ? Array.isArray(value)
    : kind === "boolean"
    ? typeof value === "boolean"
    : typeof value === "string";
  return fits ? undefined : `\`${key}\` must be ${kind === "array" ? "an" : "a"} ${kind}`;
}

function firstWrong(fields: Fields, rules: [string, Parameters<typeof wrongField>[2]][]) {
  for (const [key, kind] of rules) {
    const wrong = wrongField(fields, key, kind);
    if (wrong) return wrong;
  }
  return undefined;
}

const text = (value: unknown): string => typeof value === "string" ? value : "";

/** Parses a discovery body; throws a description of what is wrong when it is not a Hub's. */
export function parseHubDocument(body: unknown): HubInfo {
  if (!isRecord(body)) {
    throw new Error(`not a Kubeshark MCP document (expected an object, got ${describe(body)})`);
  }
  const wrong = firstWrong(body, [
    ["name", "string"],
    ["description", "string"],
    ["version", "string"],
    ["tools", "array"],
    ["prompts", "array"],
  ]);
  if (wrong) throw new Error(`not a Kubeshark MCP document (${wrong})`);
  const tools = (body.tools ?? []) as unknown[];
  const prompts = (body.prompts ?? []) as unknown[];
  // Kubeshark's rule: a Hub "has MCP" when it names itself or offers tools.
  if (!body.name && !tools.length) {
    throw new Error("the document names no Hub and offers no tools (is MCP enabled on this Hub?)");
  }
  const info: HubInfo = {
    name: text(body.name),
    description: text(body.description),
    version: text(body.version),
    tools: [],
    prompts: [],
    skipped: [],
  };
  for (const [index, raw] of tools.entries()) {
    const wrong = isRecord(raw)
      ? firstWrong(raw, [
        ["name", "name"],
        ["title", "string"],
        ["description", "string"],
        ["inputSchema", "object"],
        ["annotations", "object"],
      ])
      : `expected an object, got ${describe(raw)}`;
    if (wrong || !isRecord(raw)) {
      info.skipped.push(`tools[${index}]: ${wrong}`);
      continue;
    }
    const name = raw.name as string;
    const title = text(raw.title);
    info.tools.push({
      name,
      ...(title ? { title } : {}),
      description: text(raw.description),
      inputSchema: { type: "object", ...(raw.inputSchema as Fields | undefined) },
      annotations: hubToolAnnotations(name, raw.annotations as Fields | undefined),
    });
  }
  for (const [index, raw] of prompts.entries()) {
    const wrong = isRecord(raw)
      ? firstWrong(raw, [["name", "name"], ["description", "string"], ["arguments", "array"]]) ??
        promptArgumentsWrong(raw.arguments as unknown[] | undefined)
      : `expected an object, got ${describe(raw)}`;
    if (wrong || !isRecord(raw)) {
      info.skipped.push(`prompts[${index}]: ${wrong}`);
      continue;
    }
    info.prompts.push({
      name: raw.name as string,
      description: text(raw.description),
      arguments: ((raw.arguments ?? []) as Fields[]).map((arg) => ({
        name: arg.name as string,
        description: text(arg.description),
        required: arg.required === true,
      })),
    });
  }
  return info;
}

function promptArgumentsWrong(args: unknown[] | undefined | null): string | undefined {
  for (const [index, arg] of (args ?? []).entries()) {
    const wrong = isRecord(arg)
      ? firstWrong(arg, [["name", "name"], ["description", "string"], ["required", "boolean"]])
      : `expected an object, got ${describe(arg)}`;
    if (wrong) return `arguments[${index}]: ${wrong}`;
  }
  return undefined;
}

function describe(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
}
