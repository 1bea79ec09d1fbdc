/// <reference lib="dom" />
/**
 * The host side of the browser tests' host page, run in Chromium: the ext-apps SDK's own
 * `AppBridge` (what a real host embeds) over its `PostMessageTransport`, talking to a view in a
 * sandboxed iframe. So the tests prove the views interoperate with the SDK's host, not with a
 * host we wrote to match them. tests/support/view_host.ts bundles this file with esbuild.
 */
import {
  AppBridge,
  type McpUiHostContext,
  type McpUiToolResultNotification,
  PostMessageTransport,
} from "@modelcontextprotocol/ext-apps/app-bridge";

/** What view_host.ts hands the page for one view. */
export interface HostSetup {
  toolInput: Record<string, unknown>;
  toolResult: McpUiToolResultNotification["params"];
  hostContext: McpUiHostContext;
  width: number;
  height: number;
}

type HostCallTool = (
  name: string,
  args: Record<string, unknown>,
) => Promise<McpUiToolResultNotification["params"]>;

const state = globalThis as unknown as {
  __host: { sizes: { width?: number; height?: number }[]; errors: string[] };
  __start(html: string, setup: HostSetup): Promise<void>;
  hostCallTool: HostCallTool;
};

state.__host = { sizes: [], errors: [] };

state.__start = async (html, setup) => {
  const frame = document.getElementById("view") as HTMLIFrameElement;
  frame.style.width = `${setup.width}px`;
  frame.style.height = `${setup.height}px`;
  const bridge = new AppBridge(
    null,
    { name: "kubeshark-mcp-test-host", version: "1" },
    { serverTools: {} },
    { hostContext: setup.hostContext },
  );
  bridge.oninitialized = () => {
    void bridge.sendToolInput({ arguments: setup.toolInput });
    void bridge.sendToolResult(setup.toolResult);
  };
  bridge.onsizechange = (size) => {
    state.__host.sizes.push(size);
    if (size.height) frame.style.height = `${Math.max(setup.height, size.height)}px`;
  };
  // The page's hostCallTool (puppeteer's exposed function) answers with the server's result.
  bridge.oncalltool = async (params) =>
    await state.hostCallTool(params.name, params.arguments ?? {}) as never;
  bridge.onerror = (error) => state.__host.errors.push(`bridge: ${String(error)}`);
  // Listen before the view exists: its ui/initialize is its first message.
  await bridge.connect(new PostMessageTransport(frame.contentWindow!, frame.contentWindow!));
  frame.srcdoc = html;
};
