/// <reference lib="dom" />
/**
 * The view side of MCP Apps (ext-apps protocol 2026-01-26) over postMessage: `ui/initialize`,
 * `ui/notifications/initialized`, tool input and result notifications, `tools/call` through the
 * host, size reports, host theme. Written against the ext-apps SDK's spec types rather than its
 * `App` class, which does not fit a view: with the MCP SDK's `Protocol` and zod it bundles to
 * 658 KB minified, and to 218 KB at best with every build-time substitution that keeps its
 * behaviour (`deno task app-size` measures each), while a whole view has 150 KB. The browser tests
 * drive these views with the host side the SDK provides to clients (`AppBridge`), which validates
 * every message.
 */
import type {
  McpUiHostContext,
  McpUiInitializeRequest,
  McpUiInitializeResult,
  McpUiSizeChangedNotification,
  McpUiToolInputNotification,
  McpUiToolResultNotification,
} from "@modelcontextprotocol/ext-apps";

/** A tool result as the view receives it. */
export type ToolResult = McpUiToolResultNotification["params"];

/** What the view does with the host's notifications. */
export interface ViewHandlers {
  onToolInput?(args: Record<string, unknown>): void;
  onToolResult(result: ToolResult): void;
}

/** The host, as the view sees it once connected. */
export interface Host {
  /** Calls one of the server's tools through the host. */
  callTool(name: string, args: Record<string, unknown>): Promise<ToolResult>;
}

const PROTOCOL_VERSION = "2026-01-26";
const REQUEST_TIMEOUT_MS = 60_000;

type Message = {
  jsonrpc?: string;
  id?: number | string;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: { message?: string };
};

/** Connects to the host (the parent frame) and starts delivering notifications to `handlers`. */
export async function connectHost(name: string, handlers: ViewHandlers): Promise<Host> {
  let nextId = 1;
  const pending = new Map<number | string, { resolve(v: unknown): void; reject(e: Error): void }>();
  const post = (message: Message) =>
    globalThis.parent.postMessage({ jsonrpc: "2.0", ...message }, "*");
  const request = (method: string, params: Record<string, unknown>): Promise<unknown> => {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${method}: the host did not answer within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      pending.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      post({ id, method, params });
    });
  };

  globalThis.addEventListener("message", (event: MessageEvent) => {
    if (event.source !== globalThis.parent) return;
    const message = event.data as Message;
    if (!message || message.jsonrpc !== "2.0") return;
    if (message.method === undefined && message.id !== undefined) {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(message.error.message ?? "host error"));
      else waiter?.resolve(message.result);
      return;
    }
    switch (message.method) {
      case "ui/notifications/tool-input":
        handlers.onToolInput?.(
          (message.params as McpUiToolInputNotification["params"]).arguments ?? {},
        );
        break;
      case "ui/notifications/tool-result":
        handlers.onToolResult(message.params as ToolResult);
        break;
      case "ui/notifications/host-context-changed":
        applyHostContext(message.params as McpUiHostContext);
        break;
      default:
        // Host requests we have nothing to do for (ping, ui/resource-teardown) get an empty result.
        if (message.id !== undefined) post({ id: message.id, result: {} });
    }
  });

  const init: McpUiInitializeRequest["params"] = {
    appInfo: { name, version: "1" },
    appCapabilities: {},
    protocolVersion: PROTOCOL_VERSION,
  };
  const result = await request("ui/initialize", init) as McpUiInitializeResult;
  applyHostContext(result?.hostContext ?? {});
  post({ method: "ui/notifications/initialized", params: {} });
  reportSize(post);

  return {
    async callTool(toolName, args) {
      const answer = await request("tools/call", { name: toolName, arguments: args });
      return answer as ToolResult;
    },
  };
}

function applyHostContext(context: McpUiHostContext): void {
  if (context.theme) document.documentElement.dataset.theme = context.theme;
  for (const [key, value] of Object.entries(context.styles?.variables ?? {})) {
    if (value) document.documentElement.style.setProperty(key, value);
  }
}

// As the SDK's App does: report the content's height whenever it changes, once per frame.
function reportSize(post: (message: Message) => void): void {
  let last = "";
  let queued = false;
  const measure = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      const params: McpUiSizeChangedNotification["params"] = {
        width: Math.ceil(globalThis.innerWidth),
        height: Math.ceil(document.body.getBoundingClientRect().height),
      };
      const key = `${params.width}x${params.height}`;
      if (key === last) return;
      last = key;
      post({ method: "ui/notifications/size-changed", params });
    });
  };
  measure();
  new ResizeObserver(measure).observe(document.body);
}

/** The structured content of a result, or undefined. */
export function structuredOf(result: ToolResult): Record<string, unknown> | undefined {
  const content = result.structuredContent;
  if (content && typeof content === "object") return content as Record<string, unknown>;
  // Hosts that drop structuredContent: our text items are the JSON answer.
  const text = result.content?.find((item) => item.type === "text");
  if (text && "text" in text) {
    try {
      const parsed = JSON.parse(text.text);
      if (parsed && typeof parsed === "object") return parsed;
    } catch {
      // not JSON: nothing structured
    }
  }
  return undefined;
}

/** Creates an element with attributes and children. */
export function h(
  tag: string,
  attributes: Record<string, string | number | undefined> = {},
  ...children: (Node | string)[]
): HTMLElement {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined) element.setAttribute(key, String(value));
  }
  element.append(...children);
  return element;
}

/** Shows a one-line status (errors included) at the top of the view. */
export function setStatus(text: string, kind: "info" | "error" = "info"): void {
  const status = document.getElementById("status");
  if (!status) return;
  status.textContent = text;
  status.className = kind;
}

/** Milliseconds as a short human duration. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}

/** A byte count as B, KB, MB. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1_048_576) return `${(bytes / 1_048_576).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} B`;
}

/** A Unix-ms time as HH:MM:SS (UTC). */
export function formatTime(ts: number): string {
  return new Date(ts).toISOString().slice(11, 19);
}
