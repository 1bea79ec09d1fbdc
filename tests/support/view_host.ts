/**
 * An MCP Apps host for browser tests: headless Chromium (Debian's, through puppeteer-core) opens a
 * host page that loads a view's HTML in a sandboxed iframe (scripts only, no same origin, as
 * Claude and VS Code do). The host side is the ext-apps SDK's `AppBridge`
 * (tests/support/view_host_page.ts, bundled here with esbuild): it answers `ui/initialize`, sends
 * the tool input and result after `ui/notifications/initialized`, and forwards the view's
 * `tools/call` to `callTool`.
 */
import type { McpUiHostContext, McpUiToolResultNotification } from "@modelcontextprotocol/ext-apps";
import type { Browser, Frame, Page } from "puppeteer-core";
import { denoNpmPlugin } from "../../views/build.ts";
import type { HostSetup } from "./view_host_page.ts";

/** A tool result as the host hands it to the view. */
export type ToolResult = McpUiToolResultNotification["params"];

/** Where Debian's chromium lives (`.ci/run` installs it). */
export const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

/** What a test gets: the page, the view's frame, what the view asked and what went wrong. */
export interface ViewSession {
  page: Page;
  frame: Frame;
  /** Every `tools/call` the view made, in order. */
  toolCalls: { name: string; arguments: Record<string, unknown> }[];
  /** Console errors and uncaught exceptions, from the host page and the view. */
  errors: string[];
  /** Size reports (`ui/notifications/size-changed`) the view sent. */
  sizes(): Promise<{ width?: number; height?: number }[]>;
  /** Waits until `predicate` (run in the view) is true, or fails after `timeoutMs`. */
  waitInView(predicate: string, timeoutMs?: number): Promise<void>;
}

/** How the host page is set up for one view. */
export interface ViewOptions {
  html: string;
  toolInput: Record<string, unknown>;
  toolResult: ToolResult;
  /** Answers the view's tools/call (e.g. by calling the real server). */
  callTool(name: string, args: Record<string, unknown>): Promise<ToolResult>;
  theme?: "light" | "dark";
  width?: number;
  height?: number;
}

const HOST_CONTEXT: McpUiHostContext = {
  displayMode: "inline",
  availableDisplayModes: ["inline"],
  platform: "web",
  locale: "en-US",
  timeZone: "UTC",
};

let hostPagePromise: Promise<string> | undefined;

// The host page: the bundled AppBridge script inline; the view arrives by srcdoc.
function hostPage(): Promise<string> {
  return hostPagePromise ??= (async () => {
    const esbuild = await import("esbuild");
    try {
      const result = await esbuild.build({
        entryPoints: [new URL("./view_host_page.ts", import.meta.url).pathname],
        bundle: true,
        format: "esm",
        target: "es2022",
        platform: "browser",
        write: false,
        plugins: [denoNpmPlugin() as never],
        logLevel: "silent",
      });
      const script = result.outputFiles[0].text.replaceAll("</script", "<\\/script");
      return `<!doctype html><html><head><meta charset="utf-8"><style>
body{margin:0;background:#888}iframe{border:0;display:block;background:transparent}</style></head>
<body><iframe id="view" sandbox="allow-scripts"></iframe><script type="module">${script}</script>
</body></html>`;
    } finally {
      await esbuild.stop();
    }
  })();
}

let browserPromise: Promise<Browser> | undefined;

async function browser(): Promise<Browser> {
  return await (browserPromise ??= (async () => {
    const { default: puppeteer } = await import("puppeteer-core");
    const profile = await Deno.makeTempDir({ prefix: "kubeshark-mcp-chromium-" });
    return await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
      ],
    });
  })());
}

/** Closes the shared browser (call once, after the last view of a test file). */
export async function closeBrowser(): Promise<void> {
  const pending = browserPromise;
  browserPromise = undefined;
  if (pending) await (await pending).close();
}

/** Loads a view in the host page and runs `body` with it; the page is closed afterwards. */
export async function withView(
  options: ViewOptions,
  body: (session: ViewSession) => Promise<void>,
): Promise<void> {
  const width = options.width ?? 1000;
  const height = options.height ?? 600;
  const page = await (await browser()).newPage();
  const errors: string[] = [];
  const toolCalls: ViewSession["toolCalls"] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`uncaught: ${String(error)}`));
  try {
    await page.setViewport({ width, height });
    // No network: anything the view tries to fetch is an error.
    await page.setRequestInterception(true);
    page.on("request", (request) => {
      if (request.url().startsWith("data:") || request.url() === "about:blank") {
        request.continue();
      } else {
        errors.push(`network: ${request.url()}`);
        request.abort();
      }
    });
    await page.exposeFunction("hostCallTool", (name: string, args: Record<string, unknown>) => {
      toolCalls.push({ name, arguments: args });
      return options.callTool(name, args);
    });
    await page.setContent(await hostPage());
    await page.waitForFunction(() => "__start" in globalThis);
    const setup: HostSetup = {
      toolInput: options.toolInput,
      toolResult: options.toolResult,
      hostContext: {
        ...HOST_CONTEXT,
        theme: options.theme ?? "light",
        containerDimensions: { width, maxHeight: 4000 },
      },
      width,
      height,
    };
    await page.evaluate(
      (html, setup) =>
        (globalThis as unknown as { __start(h: string, s: unknown): Promise<void> }).__start(
          html,
          setup,
        ),
      options.html,
      setup,
    );
    const handle = await page.waitForSelector("#view");
    const frame = await handle!.contentFrame();
    if (!frame) throw new Error("the view's frame did not load");
    const session: ViewSession = {
      page,
      frame,
      toolCalls,
      errors,
      sizes: () =>
        page.evaluate(() =>
          (globalThis as unknown as { __host: { sizes: { width?: number; height?: number }[] } })
            .__host.sizes
        ),
      async waitInView(predicate, timeoutMs = 10_000) {
        try {
          await frame.waitForFunction(predicate, { timeout: timeoutMs });
        } catch (error) {
          // Say what the view or the host reported meanwhile: that is usually why.
          const hostErrors = await page.evaluate(() =>
            (globalThis as unknown as { __host: { errors: string[] } }).__host.errors
          );
          const seen = [...errors, ...hostErrors];
          throw new Error(`${predicate}: ${String(error)}; errors: ${seen.join(" | ") || "none"}`);
        }
      },
    };
    await body(session);
    const hostErrors = await page.evaluate(() =>
      (globalThis as unknown as { __host: { errors: string[] } }).__host.errors
    );
    errors.push(...hostErrors);
  } finally {
    await page.close();
  }
}
