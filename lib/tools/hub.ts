/**
 * The Hub's tools: listed from the catalog, called through the Hub client. Arguments are checked
 * against the tool's advertised schema before they leave; answers come back as compact JSON within
 * the result budget. A name the catalog does not know goes to the Hub too (its list may be newer
 * than our cache); its answer says whether the tool exists.
 */
import { prepareArguments } from "../hub/arguments.ts";
import type { CallToolResult, ResourceLinkContent, ToolDescriptor } from "../protocol.ts";
import { budgetedResult } from "./budget.ts";
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
  tool: ToolDescriptor | undefined,
): Promise<CallToolResult> {
  const { session, signal } = ctx;
  const prepared = withCompactFormat(tool, await prepareArguments(tool, args));
  const client = await session.hub.client(signal);
  const raw = await client.callTool(name, prepared, signal);
  // The Hub answers again: if discovery had failed, its tools can now be listed.
  if (!session.catalog.known) session.catalog.warm();
  if (raw.text === "") {
    return { content: [{ type: "text", text: `${name} succeeded; the Hub's answer was empty.` }] };
  }
  // Captured traffic carries credentials (headers, tokens, passwords in bodies): masked before
  // the budget cuts, so what the model reads never holds them (unless --no-redact).
  const redactor = await session.redactor();
  const answer = raw.json === undefined
    ? { text: redactor.text(raw.text) }
    : { text: raw.text, json: redactor.json(raw.json) };
  const properties = tool?.inputSchema.properties;
  const result = budgetedResult(answer, session.config.maxResultBytes, {
    arguments: properties && typeof properties === "object" ? Object.keys(properties) : [],
    offset: typeof prepared.offset === "number" ? prepared.offset : undefined,
  });
  const json = answer.json;
  if (json !== null && typeof json === "object" && !Array.isArray(json)) {
    const link = fileLink(json as Record<string, unknown>, client);
    if (link) result.content.push(link);
  }
  return result;
}

// List tools answer in their compact format unless another is asked for: a full record is several
// times larger, and a model rarely needs headers and bodies for a whole list.
function withCompactFormat(
  tool: ToolDescriptor | undefined,
  args: Record<string, unknown>,
): Record<string, unknown> {
  if (!tool?.name.startsWith("list_") || args.format !== undefined) return args;
  const format = (tool.inputSchema.properties as Record<string, { enum?: unknown[] }> | undefined)
    ?.format;
  return format?.enum?.includes("compact") ? { ...args, format: "compact" } : args;
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
