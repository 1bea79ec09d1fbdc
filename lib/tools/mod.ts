/** The local tool table, built once: descriptors with their JSON Schemas, and lookup by name. */
import { z } from "zod";
import type { Config } from "../config.ts";
import type { ToolDescriptor } from "../protocol.ts";
import { checkKubesharkStatus } from "./check_status.ts";
import { downloadFile } from "./download_file.ts";
import { getFileUrl } from "./get_file_url.ts";
import { startKubeshark, stopKubeshark } from "./lifecycle.ts";
import type { Tool } from "./types.ts";

// In listing order, Kubeshark's: status, file tools, then start/stop.
const LOCAL_TOOLS: Tool[] = [
  checkKubesharkStatus,
  getFileUrl,
  downloadFile,
  startKubeshark,
  stopKubeshark,
] as Tool[];

/** The local tools of one configuration: what `tools/list` shows, and every tool we handle. */
export interface ToolTable {
  /** Descriptors of the listed local tools, ready to send. */
  listed: ToolDescriptor[];
  /** Every local tool by name, listed or not: start/stop still answer with a refusal. */
  byName: Map<string, Tool>;
}

/** Builds the table for a configuration, converting each zod schema to JSON Schema once. */
export function buildToolTable(config: Config): ToolTable {
  const listed = LOCAL_TOOLS
    .filter((tool) => tool.listed?.(config) ?? true)
    .map((tool) => describeTool(tool));
  return { listed, byName: new Map(LOCAL_TOOLS.map((tool) => [tool.name, tool])) };
}

function describeTool(tool: Tool): ToolDescriptor {
  // `io: "input"` keeps fields with defaults optional; `$schema` trips some clients' validators.
  const { $schema: _, ...inputSchema } = z.toJSONSchema(tool.input, { io: "input" });
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema,
    annotations: { title: tool.title, ...tool.annotations },
  };
}
