/**
 * The demo Hub's HTTP API, as Kubeshark's front end serves the Hub's: `GET /api/mcp`,
 * `POST /api/mcp/tools/call`, and the PCAP files export_snapshot_pcap names. One handler serves
 * both the in-process transport (`--demo`) and `kubeshark-mcp demo-hub` over HTTP.
 */
import { editDistance } from "../suggest.ts";
import { formatIssues } from "../protocol.ts";
import { VERSION } from "../version.ts";
import DEMO_TOOL_DESCRIPTORS from "./discovery.json" with { type: "json" };
import { snapshotPcap, streamBytes } from "./exports.ts";
import { DEMO_PROMPTS } from "./prompts.ts";
import { DemoState, HubRequestError } from "./state.ts";
import { load } from "../lazy.ts";

/** The name the demo Hub announces. */
export const DEMO_HUB_NAME = "kubeshark-demo-hub";

/**
 * The discovery document. Its tool list is a stored copy of the descriptors (discovery.json), so
 * answering it loads no tool module, builds no zod schema and generates no traffic.
 */
const DISCOVERY = {
  name: DEMO_HUB_NAME,
  description: "Kubeshark demo Hub: an hour of synthetic traffic from a sample shop " +
    "(not a real cluster), ending when the server started.",
  version: VERSION,
  tools: DEMO_TOOL_DESCRIPTORS,
  prompts: DEMO_PROMPTS,
};

/** Options of `createDemoHub`. */
export interface DemoHubOptions {
  /** When the demo's hour ends, Unix ms (default: when the process started). */
  endTs?: number;
  /** Called when the data is generated (once, on the first data call); tests watch it. */
  onLoad?: () => void;
}

/**
 * A fetch-like handler for the demo Hub, with its own state (snapshots, dissection switch). The
 * traffic is generated on the first data call; discovery only describes the tools.
 */
export function createDemoHub(
  options: DemoHubOptions = {},
): (request: Request) => Promise<Response> {
  const state = new DemoState(async () => {
    const { demoData } = await load.demoData();
    options.onLoad?.();
    return demoData(options.endTs);
  });
  return async (request) => {
    const url = new URL(request.url);
    try {
      if (url.pathname === "/api/mcp" && request.method === "GET") {
        return Response.json(DISCOVERY);
      }
      if (url.pathname === "/api/mcp/tools/call" && request.method === "POST") {
        return Response.json(await callTool(await request.text(), state));
      }
      const pcap = /^\/api\/snapshots\/([^/]+)\/data\.pcap$/.exec(url.pathname);
      if (pcap && request.method === "GET") {
        let id: string;
        try {
          id = decodeURIComponent(pcap[1]);
        } catch {
          throw new HubRequestError(400, `"${pcap[1]}" is not a valid snapshot id`);
        }
        await state.load();
        const { bytes } = await snapshotPcap(state, id, url.searchParams);
        return new Response(streamBytes(bytes), {
          headers: {
            "content-type": "application/vnd.tcpdump.pcap",
            "content-length": String(bytes.length),
            "content-disposition": `attachment; filename="${pcap[1]}.pcap"`,
          },
        });
      }
      return Response.json({ error: `no such endpoint: ${request.method} ${url.pathname}` }, {
        status: 404,
      });
    } catch (error) {
      if (error instanceof HubRequestError) {
        return Response.json({ error: error.message, ...error.details }, { status: error.status });
      }
      return Response.json({ error: `internal error: ${(error as Error).message}` }, {
        status: 500,
      });
    }
  };
}

async function callTool(body: string, state: DemoState): Promise<unknown> {
  let call: unknown;
  try {
    call = JSON.parse(body);
  } catch {
    throw new HubRequestError(400, "the body is not JSON");
  }
  // The tools' module brings zod: discovery, which never gets here, stays without it.
  const { CallEnvelope, DEMO_TOOLS } = await load.demoTools();
  const envelope = CallEnvelope.safeParse(call);
  if (!envelope.success) {
    throw new HubRequestError(400, `invalid tool call: ${formatIssues(envelope.error)}`);
  }
  const tool = DEMO_TOOLS.find((candidate) => candidate.name === envelope.data.name);
  if (!tool) {
    throw new HubRequestError(404, `unknown tool: ${envelope.data.name}`);
  }
  const given = envelope.data.arguments ?? {};
  const known = Object.keys(tool.input.shape);
  const unknown = Object.keys(given).filter((key) => !known.includes(key));
  if (unknown.length) {
    throw new HubRequestError(
      400,
      `unknown argument${unknown.length > 1 ? "s" : ""} ${
        unknown.map((key) => `\`${key.slice(0, 60)}\`${didYouMean(key, known)}`).join(", ")
      } for ${tool.name}; its arguments are ${known.join(", ") || "none"}`,
    );
  }
  const args = tool.input.safeParse(given);
  if (!args.success) {
    // Kubeshark's Hub answers a missing id with exactly this body.
    const missingId = args.error.issues.some((issue) => issue.path[0] === "id");
    throw new HubRequestError(
      400,
      missingId
        ? "id is required"
        : `invalid arguments for ${tool.name}: ${formatIssues(args.error)}`,
    );
  }
  await state.load();
  return await tool.handler(args.data as never, state);
}

/** ` (did you mean \`x\`?)` for the known name closest to `key`, when one is close. */
function didYouMean(key: string, known: string[]): string {
  const distance = editDistance;
  const lower = key.toLowerCase();
  const best = known
    .map((name) => ({
      name,
      score: name.startsWith(lower) || lower.startsWith(name) ? 0 : distance(lower, name),
    }))
    .sort((a, b) => a.score - b.score)[0];
  return best && best.score <= Math.max(2, Math.floor(best.name.length / 3))
    ? ` (did you mean \`${best.name}\`?)`
    : "";
}
