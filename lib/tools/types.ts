/** The shape of a local tool, and helpers to build results. */
import type { z } from "zod";
import type { Config } from "../config.ts";
import type { CallToolResult, ToolAnnotations } from "../protocol.ts";
import type { Session } from "../session.ts";

/** What a tool handler gets besides its arguments. */
export interface ToolContext {
  session: Session;
  /** Aborted when the client cancels the request (or the server shuts down). */
  signal: AbortSignal;
  /** Reports progress; a no-op unless the client sent a progressToken. */
  progress(progress: number, total?: number, message?: string): void;
}

/** A local tool: descriptor, input schema, and handler. */
export interface Tool<S extends z.ZodType = z.ZodType> {
  name: string;
  title: string;
  description: string;
  input: S;
  annotations: ToolAnnotations;
  /** Whether `tools/list` shows the tool in this configuration; always when absent. */
  listed?: (config: Config) => boolean;
  handler(args: z.output<S>, ctx: ToolContext): Promise<CallToolResult>;
}

/** Declares a tool, keeping its argument type tied to its schema. */
export function defineTool<S extends z.ZodType>(tool: Tool<S>): Tool<S> {
  return tool;
}

/** A plain-text result. */
export function textResult(text: string, isError = false): CallToolResult {
  return isError ? { content: [{ type: "text", text }], isError } : {
    content: [{ type: "text", text }],
  };
}

/** A JSON object as pretty text plus `structuredContent` (dropped for older protocol versions). */
export function jsonResult(value: Record<string, unknown>): CallToolResult {
  return {
    content: [{ type: "text", text: JSON.stringify(value, null, 2) }],
    structuredContent: value,
  };
}
