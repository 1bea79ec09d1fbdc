/** The Hub's MCP discovery document (`GET {base}/api/mcp`), parsed leniently at the edge. */
import { z } from "zod";
import { lazySchema, type PromptDescriptor, type ToolDescriptor } from "../protocol.ts";
import { hubToolAnnotations } from "./hints.ts";

// Built on first discovery (see lazySchema).
const hubTool = lazySchema(() =>
  z.looseObject({
    name: z.string().min(1),
    title: z.string().optional(),
    description: z.string().nullish(),
    inputSchema: z.record(z.string(), z.unknown()).nullish(),
    annotations: z.record(z.string(), z.unknown()).nullish(),
  })
);

const hubPrompt = lazySchema(() =>
  z.looseObject({
    name: z.string().min(1),
    description: z.string().nullish(),
    arguments: z.array(
      z.looseObject({
        name: z.string().min(1),
        description: z.string().nullish(),
        required: z.boolean().nullish(),
      }),
    ).nullish(),
  })
);

const hubDocument = lazySchema(() =>
  z.looseObject({
    name: z.string().nullish(),
    description: z.string().nullish(),
    version: z.string().nullish(),
    tools: z.array(z.unknown()).nullish(),
    prompts: z.array(z.unknown()).nullish(),
  })
);

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

/** Parses a discovery body; throws a description of what is wrong when it is not a Hub's. */
export function parseHubDocument(body: unknown): HubInfo {
  const document = hubDocument().safeParse(body);
  if (!document.success) {
    throw new Error(`not a Kubeshark MCP document (${document.error.issues[0]?.message})`);
  }
  const { name, description, version, tools = [], prompts = [] } = document.data;
  // Kubeshark's rule: a Hub "has MCP" when it names itself or offers tools.
  if (!name && !(tools ?? []).length) {
    throw new Error("the document names no Hub and offers no tools (is MCP enabled on this Hub?)");
  }
  const info: HubInfo = {
    name: name ?? "",
    description: description ?? "",
    version: version ?? "",
    tools: [],
    prompts: [],
    skipped: [],
  };
  for (const [index, raw] of (tools ?? []).entries()) {
    const tool = hubTool().safeParse(raw);
    if (!tool.success) {
      info.skipped.push(`tools[${index}]: ${tool.error.issues[0]?.message}`);
      continue;
    }
    const { name, title, description, inputSchema, annotations } = tool.data;
    info.tools.push({
      name,
      ...(title ? { title } : {}),
      description: description ?? "",
      inputSchema: { type: "object", ...inputSchema },
      annotations: hubToolAnnotations(name, annotations),
    });
  }
  for (const [index, raw] of (prompts ?? []).entries()) {
    const prompt = hubPrompt().safeParse(raw);
    if (!prompt.success) {
      info.skipped.push(`prompts[${index}]: ${prompt.error.issues[0]?.message}`);
      continue;
    }
    const { name, description, arguments: args } = prompt.data;
    info.prompts.push({
      name,
      description: description ?? "",
      arguments: (args ?? []).map((arg) => ({
        name: arg.name,
        description: arg.description ?? "",
        required: arg.required ?? false,
      })),
    });
  }
  return info;
}
