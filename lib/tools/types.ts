/** The shape of a tool, the context its handler gets, and helpers to build results. */
import type { z } from "zod";
import type { CallToolResult, ToolHints } from "../protocol.ts";
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
  annotations: ToolHints;
  handler(args: z.output<S>, ctx: ToolContext): Promise<CallToolResult>;
}

/** Declares a tool, keeping its argument type tied to its schema. */
export function defineTool<S extends z.ZodType>(tool: Tool<S>): Tool<S> {
  return tool;
}

/** A plain-text result. */
export function textResult(text: string): CallToolResult {
  return { content: [{ type: "text", text }] };
}

/**
 * A JSON object as compact text plus the same object as `structuredContent` (which the
 * dispatcher drops for protocol revisions without it). `summary` goes first, for people.
 */
export function jsonResult(value: Record<string, unknown>, summary?: string): CallToolResult {
  const content = [{ type: "text" as const, text: JSON.stringify(value) }];
  if (summary) content.unshift({ type: "text", text: summary });
  return { content, structuredContent: value };
}
