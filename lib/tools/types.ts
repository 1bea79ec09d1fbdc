/** The shape of a tool, the context its handler gets, and helpers to build results. */
import type { z } from "zod";
import type { CallToolResult, TextContent, ToolHints } from "../protocol.ts";
import type { Session } from "../session.ts";

/** What a tool handler gets besides its arguments. */
export interface ToolContext {
  session: Session;
  /** Aborted when the client cancels the request (or the task), or the server shuts down. */
  signal: AbortSignal;
  /** Reports progress; a no-op unless the client sent a progressToken (or runs a task). */
  progress(progress: number, total?: number, message?: string): void;
  /**
   * Asks the person to confirm an action, however the client's era allows: a form elicitation
   * (2025), an `input_required` result (2026-07-28; this throws it, and the call comes back with
   * the answer), or not at all when the client cannot ask ("unavailable").
   */
  confirm(question: Confirmation): Promise<ConfirmOutcome>;
}

/** What the person is asked to confirm. */
export interface Confirmation {
  /** What will happen, where, to what: shown to the person as is. */
  message: string;
  /** The checkbox's label, e.g. "Start Kubeshark". */
  title: string;
}

/** How a confirmation went. */
export type ConfirmOutcome = "accepted" | "declined" | "unavailable";

/** A local tool: descriptor, input schema, and handler. */
export interface Tool<S extends z.ZodType = z.ZodType> {
  name: string;
  title: string;
  description: string;
  input: S;
  annotations: ToolHints;
  /** The shape of `structuredContent`, for tools that return JSON (listed as `outputSchema`). */
  output?: z.ZodType;
  /** Whether a client that declared tasks gets this tool's call as a task (long work). */
  task?: boolean;
  /**
   * What to ask before running (destructive tools): called with the checked arguments, reads
   * only; the table asks, and runs the handler only when the person agreed or cannot be asked.
   */
  confirmation?(args: z.output<S>, ctx: ToolContext): Promise<Confirmation>;
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

/** A failed call's result: text only (what the model reads), flagged isError. */
export interface ToolErrorResult extends CallToolResult {
  content: TextContent[];
  isError: true;
}

/** A failed call's result with `text` for the model. */
export function errorResult(text: string): ToolErrorResult {
  return { content: [{ type: "text", text }], isError: true };
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
