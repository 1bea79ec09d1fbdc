/**
 * A scriptable Kubeshark Hub on 127.0.0.1:0 for tests: discovery, tool calls and files, with
 * every request recorded. Routes can be replaced to script failures (401, 302, 500, hangs).
 */
import { waitUntil } from "./spawn.ts";

/** One request as the Hub saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Headers;
  body: string;
}

/** Answers one request; return undefined to fall through to the default routes. */
export type Route = (request: Request, url: URL) => Response | Promise<Response> | undefined;

/** A discovery document like a real Hub's. */
export const HUB_DOCUMENT = {
  name: "kubeshark-hub",
  description: "Kubeshark Hub (test double)",
  version: "53.3.0",
  tools: [
    {
      name: "list_workloads",
      description: "List pods, services and namespaces with observed traffic.",
      inputSchema: {
        type: "object",
        properties: { namespace: { type: "string" }, name_regex: { type: "string" } },
      },
    },
    {
      name: "list_api_calls",
      description: "List L7 API calls, filtered with KFL.",
      inputSchema: {
        type: "object",
        properties: { kfl: { type: "string" }, limit: { type: "integer" } },
      },
    },
    {
      name: "get_api_call",
      description: "One API call by id.",
      inputSchema: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
    },
    {
      name: "create_snapshot",
      description: "Create a traffic snapshot.",
      inputSchema: { type: "object", properties: {} },
      annotations: { destructiveHint: false, readOnlyHint: false },
    },
    {
      name: "export_snapshot_pcap",
      description: "Export a snapshot as PCAP; returns a relative path.",
      inputSchema: { type: "object", properties: { id: { type: "string" } } },
    },
  ],
  prompts: [
    {
      name: "find_errors",
      description: "Find failing API calls.",
      arguments: [
        { name: "namespace", description: "Namespace to look at", required: false },
      ],
    },
    {
      name: "trace_request",
      description: "Trace one request across services.",
      arguments: [{ name: "request_id", description: "The request id", required: true }],
    },
  ],
};

/** The bytes served at /api/snapshots/s1/data.pcap. */
export const FILE_BYTES = new TextEncoder().encode("PCAP-BYTES-".repeat(1000));

/** Resolves once a download into `dir` has begun writing its partial (`.part-…`) file. */
export async function downloadStarted(dir: string): Promise<void> {
  await waitUntil(
    () => [...Deno.readDirSync(dir)].some((entry) => entry.name.includes(".part-")),
    "the download to start writing",
  );
}

/** A file the Hub streams without end, in 256 KiB chunks, until the reader goes away. */
export function endlessFile(): Response {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        const push = () => {
          try {
            controller.enqueue(new Uint8Array(256 * 1024));
            timer = setTimeout(push, 1);
          } catch {
            // The reader went away.
          }
        };
        push();
      },
      cancel() {
        clearTimeout(timer);
      },
    }),
    { headers: { "content-type": "application/octet-stream" } },
  );
}

/** A running Hub double. */
export class HubDouble {
  readonly requests: RecordedRequest[] = [];
  document: unknown = structuredClone(HUB_DOCUMENT);
  routes: Route[] = [];
  /** How many requests `hang` has held. */
  hanging = 0;
  #server: Deno.HttpServer<Deno.NetAddr>;
  #hangs = new Set<() => void>();

  constructor(port = 0) {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port, onListen: () => {} },
      (request) => this.#handle(request),
    );
  }

  /** `http://127.0.0.1:PORT` */
  get url(): string {
    return `http://127.0.0.1:${this.#server.addr.port}`;
  }

  /** The port it listens on. */
  get port(): number {
    return this.#server.addr.port;
  }

  /** Requests whose path is `path`. */
  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  /** A response that never comes until the double closes (or the client gives up). */
  hang(): Promise<Response> {
    this.hanging++;
    return new Promise((resolve) => {
      this.#hangs.add(() => resolve(new Response("released", { status: 503 })));
    });
  }

  /** Stops the server, releasing hung requests. */
  async close(): Promise<void> {
    for (const release of this.#hangs) release();
    await this.#server.shutdown();
  }

  async #handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const body = await request.text();
    this.requests.push({
      method: request.method,
      path: url.pathname,
      headers: request.headers,
      body,
    });
    const replay = new Request(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.method === "GET" ? undefined : body,
    });
    for (const route of this.routes) {
      const response = await route(replay, url);
      if (response) return response;
    }
    if (request.method === "GET" && url.pathname === "/api/mcp") {
      return Response.json(this.document);
    }
    if (request.method === "POST" && url.pathname === "/api/mcp/tools/call") {
      const call = JSON.parse(body);
      const known = (this.document as typeof HUB_DOCUMENT).tools?.some((t) => t.name === call.name);
      if (!known) return new Response(`unknown tool: ${call.name}`, { status: 404 });
      if (call.name === "export_snapshot_pcap") {
        return Response.json({ path: "/snapshots/s1/data.pcap" });
      }
      return Response.json({ tool: call.name, arguments: call.arguments, items: [1, 2, 3] });
    }
    if (url.pathname === "/api/snapshots/s1/data.pcap") {
      return new Response(FILE_BYTES, { headers: { "content-type": "application/octet-stream" } });
    }
    return new Response("not found", { status: 404 });
  }
}
