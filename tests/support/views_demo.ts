/** The demo server as an MCP Apps host sees it: spawned with `--demo`, the UI extension declared. */
import { McpProcess } from "./mcp_process.ts";
import type { ToolResult } from "./view_host.ts";

/** The capability an MCP Apps host declares in `initialize`. */
export const UI_CAPABILITIES = {
  extensions: { "io.modelcontextprotocol/ui": { mimeTypes: ["text/html;profile=mcp-app"] } },
};

/** A demo server with views on, and a `call` that returns tool results (throws on -32xxx). */
export interface DemoViews {
  server: McpProcess;
  call(name: string, args?: Record<string, unknown>): Promise<ToolResult>;
  /** A view's HTML, as `resources/read` gives it. */
  html(uri: string): Promise<string>;
}

/** Runs `body` against `main.ts --demo`, initialized as an MCP Apps host. */
export async function withDemoViews(body: (demo: DemoViews) => Promise<void>): Promise<void> {
  const server = new McpProcess(["--demo"]);
  try {
    const init = await server.request("initialize", {
      protocolVersion: "2025-06-18",
      capabilities: UI_CAPABILITIES,
      clientInfo: { name: "view-test-host", version: "1" },
    });
    if (init.error) throw new Error(`initialize: ${JSON.stringify(init.error)}`);
    await server.notify("notifications/initialized");
    await body({
      server,
      call: async (name, args = {}) => await server.callTool(name, args) as ToolResult,
      html: async (uri) => {
        const response = await server.request("resources/read", { uri });
        if (response.error) {
          throw new Error(`resources/read ${uri}: ${JSON.stringify(response.error)}`);
        }
        return response.result.contents[0].text;
      },
    });
  } finally {
    await server.kill();
  }
}
