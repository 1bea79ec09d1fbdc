/**
 * The Hub's tools: listed from the catalog, called through the Hub client. A name we don't know
 * goes to the Hub too (its list may be newer than our cache); its answer says whether it exists.
 */
import type { CallToolResult, ResourceLinkContent } from "../protocol.ts";
import type { ToolContext } from "./types.ts";

/** The Hub's tools whose calls may take long: a client that declared tasks gets them as tasks. */
export const HUB_TASK_TOOLS: ReadonlySet<string> = new Set([
  "create_snapshot",
  "export_snapshot_pcap",
]);

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
    const link = fileLink(json as Record<string, unknown>, client);
    if (link) result.content.push(link);
  }
  return result;
}

/**
 * A file the Hub exported (export_snapshot_pcap's `path`) as a `resource_link` to its URL, so a
 * client can offer it. Only a relative path the Hub client accepts as a file under its /api.
 */
function fileLink(
  json: Record<string, unknown>,
  client: { fileUrl(path: string): string },
): ResourceLinkContent | undefined {
  const path = json.path;
  if (typeof path !== "string" || !path.startsWith("/")) return undefined;
  let uri: string;
  try {
    uri = client.fileUrl(path);
  } catch {
    return undefined; // Not a path we would fetch: no link.
  }
  const name = path.slice(path.lastIndexOf("/") + 1) || path;
  return {
    type: "resource_link",
    uri,
    name,
    description: "A file the Hub exported; download_file saves it locally.",
    ...(name.endsWith(".pcap") ? { mimeType: "application/vnd.tcpdump.pcap" } : {}),
  };
}
