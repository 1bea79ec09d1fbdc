/**
 * The tool table: every tool, local or the Hub's, by name. A call to a tool that the rule over
 * annotations (listing.ts, which `tools/list` uses too) does not offer is refused with the reason,
 * so a hidden tool cannot be called by name.
 */
import { z } from "zod";
import type { Config } from "../config.ts";
import { warmArgumentChecks } from "../hub/arguments.ts";
import { hubToolAnnotations } from "../hub/hints.ts";
import type { HubInfo } from "../hub/schemas.ts";
import { type CallToolResult, formatIssues, type ToolDescriptor } from "../protocol.ts";
import { checkKubesharkStatus } from "./check_status.ts";
import { downloadFile } from "./download_file.ts";
import { getFileUrl } from "./get_file_url.ts";
import { callHubTool, HUB_TASK_TOOLS } from "./hub.ts";
import { startKubeshark, stopKubeshark } from "./lifecycle.ts";
import { LOCAL_DESCRIPTORS, offeredTools, refusalFor } from "./listing.ts";
import { KNOWN_TOOL_NAMES } from "./names.ts";
import { errorResult, type Tool, type ToolContext } from "./types.ts";

// In listing order, Kubeshark's: status, file tools, then start/stop (as LOCAL_TOOL_NAMES).
export const LOCAL_TOOLS = [
  checkKubesharkStatus,
  getFileUrl,
  downloadFile,
  startKubeshark,
  stopKubeshark,
] as Tool[];

/**
 * Kubeshark's mark (a shark fin over a wave), inline so it shows without a network request and
 * the binary reads no file: every local tool lists it as its icon.
 */
export const KUBESHARK_ICON = {
  src: "data:image/svg+xml;base64," + btoa(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" ' +
      'rx="6" fill="#326ce5"/><path d="M6 22c3 0 4-2 7-2s4 2 7 2 4-2 6-2v4H6z" fill="#fff"/>' +
      '<path d="M11 19 19 6c0 6 2 10 5 13z" fill="#fff"/></svg>',
  ),
  mimeType: "image/svg+xml",
  sizes: ["any"],
};

/**
 * A call checked and ready: either its answer already (refused, bad arguments, declined), or the
 * work to run, and whether that work may run as a task.
 */
export type PreparedCall =
  | { result: CallToolResult }
  | { run: (ctx: ToolContext) => Promise<CallToolResult>; task: boolean };

/** The tools of one configuration: what `tools/list` shows, and calls by name. */
export class ToolTable {
  readonly #config: Config;
  readonly #local: Map<string, { tool: Tool; descriptor: ToolDescriptor }>;

  constructor(config: Config) {
    this.#config = config;
    // The stored descriptors: listing them costs no schema conversion (a test keeps them current).
    const descriptors = new Map(
      LOCAL_DESCRIPTORS.map((descriptor) => [descriptor.name, descriptor]),
    );
    this.#local = new Map(
      LOCAL_TOOLS.map((tool) => [tool.name, { tool, descriptor: descriptors.get(tool.name)! }]),
    );
  }

  /** Loads what a first Hub tool call would wait for (its argument checks). */
  async warm(): Promise<void> {
    await warmArgumentChecks();
  }

  /** Whether `name` is one of our own tools (offered or not). */
  isLocal(name: string): boolean {
    return this.#local.has(name);
  }

  /** What `tools/list` shows: the offered local tools, then the Hub's (when discovered). */
  list(info: HubInfo | undefined): ToolDescriptor[] {
    return offeredTools(this.#config, info);
  }

  /**
   * Calls a tool by name: a local one with its arguments checked by its schema, else the Hub's.
   * A tool the rule does not offer is refused. Failures throw; the dispatcher reports them.
   */
  async call(
    name: string,
    args: Record<string, unknown>,
    ctx: ToolContext,
    info: HubInfo | undefined,
  ): Promise<CallToolResult> {
    const prepared = await this.prepare(name, args, ctx, info);
    return "result" in prepared ? prepared.result : await prepared.run(ctx);
  }

  /**
   * Everything before the work: the offer rule, the arguments, and (destructive tools, unless
   * --no-confirm) the person's confirmation. Declined → a plain answer, nothing run; a client
   * that cannot ask → the flag stands as consent, and the result says no one was asked.
   */
  async prepare(
    name: string,
    args: Record<string, unknown>,
    ctx: ToolContext,
    info: HubInfo | undefined,
  ): Promise<PreparedCall> {
    const local = this.#local.get(name);
    const hubTool = local ? undefined : info?.tools.find((tool) => tool.name === name);
    // A name missing from the catalog (which may be older than the Hub) gets the table's hints.
    const annotations = local?.descriptor.annotations ?? hubTool?.annotations ??
      hubToolAnnotations(name, undefined);
    if (!local && !hubTool) {
      // Not a tool we know: maybe one newer than the catalog, which goes to the Hub; but not a
      // slip ("CREATE_SNAPSHOT", "create-snapshot", a zero-width space), which must not get past
      // --disable-tools or the hints of the tool it means.
      const slip = nameSlip(name, info);
      if (slip) return { result: errorResult(slip) };
    }
    const refused = refusalFor(name, annotations, this.#config);
    if (refused) return { result: errorResult(refused) };
    if (!local) {
      return {
        run: (runCtx) => callHubTool(name, args, runCtx, hubTool),
        task: HUB_TASK_TOOLS.has(name),
      };
    }
    const { tool } = local;
    const input = tool.input.safeParse(args);
    if (!input.success) {
      return { result: errorResult(`Invalid arguments for ${name}: ${formatIssues(input.error)}`) };
    }
    let note = "";
    if (tool.confirmation && !this.#config.noConfirm) {
      const question = await tool.confirmation(input.data, ctx);
      const outcome = await ctx.confirm(question);
      if (outcome === "declined") {
        return {
          result: {
            content: [{
              type: "text",
              text: `${name} did not run: the person declined when asked to confirm ` +
                `("${question.title}"). Nothing was changed.`,
            }],
          },
        };
      }
      if (outcome === "unavailable") {
        note = "No confirmation was asked: this client cannot ask the person " +
          "(no elicitation); --allow-destructive stood as consent.";
      }
    }
    return {
      run: async (runCtx) => {
        const result = await tool.handler(input.data, runCtx);
        if (!note) return result;
        return { ...result, content: [...result.content, { type: "text", text: note }] };
      },
      task: tool.task === true,
    };
  }
}

/** Builds the table for a configuration. */
export function buildToolTable(config: Config): ToolTable {
  return new ToolTable(config);
}

/**
 * A tool's descriptor from its zod schemas: what descriptors.json stores (UPDATE_GOLDEN=1 deno
 * test -A tests/tool_descriptors_test.ts rewrites it).
 */
export function describeTool(tool: Tool): ToolDescriptor {
  // `io: "input"` keeps fields with defaults optional; `$schema` trips some clients' validators.
  const { $schema: _, ...inputSchema } = z.toJSONSchema(tool.input, { io: "input" });
  const descriptor: ToolDescriptor = {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema,
    icons: [KUBESHARK_ICON],
    annotations: { title: tool.title, ...tool.annotations },
  };
  if (tool.output) {
    const { $schema: _, ...outputSchema } = z.toJSONSchema(tool.output, { io: "output" });
    descriptor.outputSchema = outputSchema;
  }
  if (tool.task) descriptor.execution = { taskSupport: "optional" };
  return descriptor;
}

// Letters, digits and `_ - .`: what MCP tool names are made of (and every Hub tool's is).
const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

// A name without case, punctuation or look-alike forms (full-width letters fold to ASCII).
function canonicalName(name: string): string {
  return name.normalize("NFKC").toLowerCase().replace(/[^a-z0-9]/g, "");
}

/**
 * Why a name no tool has is not sent to the Hub: it spells a known tool's name another way, or
 * it holds characters no tool name has. Undefined for a plausible newer tool.
 */
function nameSlip(name: string, info: HubInfo | undefined): string | undefined {
  const known = [...KNOWN_TOOL_NAMES, ...(info?.tools ?? []).map((tool) => tool.name)];
  const canonical = canonicalName(name);
  if (known.includes(name)) return undefined; // Known by name, not yet in the catalog.
  const meant = known.find((candidate) => canonicalName(candidate) === canonical);
  if (meant) return `There is no tool named "${name}"; did you mean "${meant}"? Nothing was sent.`;
  if (!TOOL_NAME.test(name)) {
    return `There is no tool named ${JSON.stringify(name)}: tool names are letters, digits, "_", ` +
      '"-" and "." (tools/list has them). Nothing was sent.';
  }
  return undefined;
}
