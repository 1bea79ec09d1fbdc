/**
 * Whether a client renders MCP Apps views. Apart from lib/views/mod.ts (and its generated HTML) so
 * the dispatcher can ask on every request without loading the views.
 */

/** The extension id clients declare under `capabilities.extensions`. */
export const UI_EXTENSION = "io.modelcontextprotocol/ui";
/** The MIME type of an MCP Apps HTML resource. */
export const VIEW_MIME_TYPE = "text/html;profile=mcp-app";

/** Whether `capabilities` declare the extension for our views' MIME type. */
export function clientSupportsViews(capabilities: unknown): boolean {
  if (capabilities === null || typeof capabilities !== "object") return false;
  const extensions = (capabilities as { extensions?: unknown }).extensions;
  if (extensions === null || typeof extensions !== "object") return false;
  const ui = (extensions as Record<string, unknown>)[UI_EXTENSION];
  if (ui === null || typeof ui !== "object") return false;
  // The extension lists the MIME types it renders; absent means the one there is.
  const mimeTypes = (ui as { mimeTypes?: unknown }).mimeTypes;
  return !Array.isArray(mimeTypes) || mimeTypes.includes(VIEW_MIME_TYPE);
}
