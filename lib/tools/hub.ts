/**
 * The Hub's tools: listed from the catalog, called through the Hub client. A name we don't know
 * goes to the Hub too (its list may be newer than our cache); its answer says whether it exists.
 */
import type { CallToolResult } from "../protocol.ts";
import type { ToolContext } from "./types.ts";

/** Forwards one call to the Hub and turns its answer into a result. */
export async function callHubTool(
  name: string,
  args: Record<string, unknown>,
  ctx: ToolContext,
): Promise<CallToolResult> {
  const { session, signal } = ctx;
  const client = await session.hub.client(signal);
  const answer = await client.callTool(name, args, signal);
  // The Hub answers again: if discovery had failed, its tools can now be listed.
  if (!session.catalog.known) session.catalog.warm();
  const json = answer.json;
  if (json === undefined) return { content: [{ type: "text", text: answer.text }] };
  const result: CallToolResult = { content: [{ type: "text", text: JSON.stringify(json) }] };
  if (json !== null && typeof json === "object" && !Array.isArray(json)) {
    result.structuredContent = json as Record<string, unknown>;
  }
  return result;
}
