/**
 * MCP over Streamable HTTP (`--http`): `/mcp` on the same dispatcher as stdio, plus `/healthz`,
 * the server card and OAuth Protected Resource Metadata. Every route checks Host (DNS
 * rebinding), every request is rate-limited per client, `/mcp` checks Origin, credentials, the
 * body size and the protocol headers before any MCP message is read.
 */
import {
  Authenticator,
  type AuthFailure,
  type Principal,
  protectedResourceMetadata,
  wwwAuthenticate,
} from "../auth/mod.ts";
import { errorResponse } from "../dispatcher.ts";
import { SUPPORTED_PROTOCOL_VERSIONS } from "../protocol.ts";
import type { Session } from "../session.ts";
import { isLoopback, OriginPolicy, RateLimiter } from "./guard.ts";
import { type HttpOptions, MAX_BODY_BYTES, RATE_LIMIT_PER_MINUTE } from "./options.ts";
import { serverCard } from "./server_card.ts";
import { HttpSession, SessionStore } from "./sessions.ts";
import {
  envelopeProblem,
  headerMismatch,
  headerMismatchResponse,
  invalidEnvelopeResponse,
  invalidModernRequest,
  MODERN_VERSIONS,
  modernVersionOf,
  StatelessEndpoint,
  unsupportedVersionResponse,
} from "./stateless.ts";
import { load } from "../lazy.ts";

/** The MCP endpoint's path. */
export const MCP_PATH = "/mcp";

/** A running HTTP server. */
export interface HttpServer {
  /** Where it listens, e.g. http://127.0.0.1:8080 (the port resolved when 0 was asked). */
  url: string;
  /** Resolves when the server has stopped. */
  finished: Promise<void>;
  /** Stops listening, ends sessions and releases the shared state. */
  shutdown(): Promise<void>;
}

/** Protocol versions the HTTP transport serves, newest first. */
function knownVersions(): Set<string> {
  return new Set<string>([...MODERN_VERSIONS, ...SUPPORTED_PROTOCOL_VERSIONS]);
}

/** Starts serving; resolves once listening. */
export async function startHttpServer(
  root: Session,
  options: HttpOptions,
): Promise<HttpServer> {
  // Loaded before the first answer: every message out passes it (known secrets masked).
  const redactor = await root.redactor();
  const mask = (text: string) => redactor.secrets(text);
  const policy = new OriginPolicy({
    bindHost: options.hostname,
    publicUrl: options.publicUrl,
    hosts: options.allowedHosts,
    origins: options.allowedOrigins,
  });
  const limiter = new RateLimiter(options.rateLimitPerMinute ?? RATE_LIMIT_PER_MINUTE);
  const auth = new Authenticator(options.auth ?? {});
  const sessions = new SessionStore({ idleMs: options.sessionIdleMs });
  const maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const versions = knownVersions();
  let stateless: StatelessEndpoint | undefined;
  /** Whether a tool changes the cluster: our start/stop, or a Hub tool so annotated or named. */
  async function destructiveTool(name: string): Promise<boolean> {
    const [{ LOCAL_DESCRIPTORS }, { hubToolAnnotations }] = await Promise.all([
      load.toolListing(),
      load.hubHints(),
    ]);
    const local = LOCAL_DESCRIPTORS.find((tool) => tool.name === name);
    if (local) return local.annotations?.destructiveHint === true;
    const known = root.catalog.known?.tools.find((tool) => tool.name === name);
    return hubToolAnnotations(name, known?.annotations).destructiveHint === true;
  }

  // The shared catalog notifies the process's session; every HTTP session passes it on.
  root.setNotifier((method, params) => {
    for (const session of sessions.all()) session.notify(method, params);
    stateless?.notify(method, params);
  });

  /** This server's public base for a request: --public-url, else what the client called. */
  function baseOf(url: URL, host: string): string {
    return options.publicUrl?.replace(/\/+$/, "") ?? `${url.protocol}//${host}`;
  }

  async function handle(request: Request, info: Deno.ServeHandlerInfo): Promise<Response> {
    const url = new URL(request.url);
    const host = request.headers.get("host");
    const hostProblem = policy.checkHost(host);
    if (hostProblem) return refuse(url, 403, `Forbidden: ${hostProblem}`);
    const client = clientKey(request, info);
    const wait = limiter.take(client);
    if (wait > 0) {
      return refuse(url, 429, `Too many requests; retry in ${wait} s`, {
        "retry-after": `${wait}`,
      });
    }
    const origin = request.headers.get("origin");
    const cors = origin && policy.allowsOrigin(origin, url, host) ? corsHeaders(origin) : {};
    const base = baseOf(url, host!);
    const publicDocument = publicDocumentOf(url.pathname);
    if (publicDocument) {
      // Discovery documents are public by design (SEP-2127 and RFC 9728 ask for CORS `*`): any
      // page may read them, so they skip the Origin check; Host was checked above.
      if (request.method === "OPTIONS") {
        return new Response(null, { status: 204, headers: PUBLIC_CORS });
      }
      if (request.method !== "GET" && request.method !== "HEAD") {
        return refuse(url, 405, "Method not allowed", { allow: "GET" });
      }
      return publicDocument === "card"
        ? json(await serverCard(root.config, `${base}${MCP_PATH}`, auth), PUBLIC_CORS, 3600)
        : auth.options.oauth
        ? json(protectedResourceMetadata(auth.options.oauth, `${base}${MCP_PATH}`), PUBLIC_CORS)
        : refuse(url, 404, "This server does not use OAuth");
    }
    const originProblem = policy.checkOrigin(origin, url, host);
    if (originProblem) return refuse(url, 403, `Forbidden: ${originProblem}`);
    if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: cors });
    let response: Response;
    if (url.pathname === "/healthz") {
      response = json({ status: "ok" });
    } else if (url.pathname === MCP_PATH) {
      response = await mcp(request, base);
    } else {
      response = refuse(url, 404, `Not found: ${url.pathname}; MCP is served at ${MCP_PATH}`);
    }
    for (const [name, value] of Object.entries(cors)) response.headers.set(name, value);
    return response;
  }

  async function mcp(request: Request, base: string): Promise<Response> {
    let principal: Principal | undefined;
    const resourceMetadata = auth.options.oauth
      ? `${base}/.well-known/oauth-protected-resource${MCP_PATH}`
      : undefined;
    const denied = (failure: AuthFailure) =>
      rpcError(failure.status, failure.description, {
        "www-authenticate": wwwAuthenticate(failure, resourceMetadata),
      });
    if (auth.enabled) {
      let result;
      try {
        result = await auth.authenticate(request.headers.get("authorization"), {
          resource: `${base}${MCP_PATH}`,
        });
      } catch (error) {
        root.log.error(`Authentication failed: ${(error as Error).message}`);
        return rpcError(503, `Cannot check the token now: ${(error as Error).message}`, {
          "retry-after": "10",
        });
      }
      if ("failure" in result) return denied(result.failure);
      principal = result.principal;
    }
    const version = request.headers.get("mcp-protocol-version");
    // A POST's refusal carries its request id, so the body is read first (in post()).
    if (version !== null && !versions.has(version) && request.method !== "POST") {
      return unsupportedVersionResponse(null, version, [...versions]);
    }
    const modern = version !== null && MODERN_VERSIONS.includes(version);
    if (modern && request.method !== "POST") {
      // 2026-07-28 has no GET stream and no sessions to delete.
      return rpcError(405, `Method not allowed in ${version}: ${request.method}`, {
        allow: "POST",
      });
    }
    const sessionId = request.headers.get("mcp-session-id");
    const owned = (id: string) => {
      const session = sessions.get(id);
      return session && session.owner === principal?.subject ? session : undefined;
    };
    switch (request.method) {
      case "POST":
        return await post(request, sessionId, principal, owned, denied);
      case "GET": {
        if (!accepts(request, "text/event-stream")) {
          return rpcError(406, "Not Acceptable: a GET stream needs Accept: text/event-stream");
        }
        if (!sessionId) return rpcError(400, "Bad Request: Mcp-Session-Id header is required");
        const session = owned(sessionId);
        if (!session) return sessionNotFound();
        return session.openStream();
      }
      case "DELETE": {
        if (!sessionId) return rpcError(400, "Bad Request: Mcp-Session-Id header is required");
        if (!owned(sessionId)) return sessionNotFound();
        sessions.delete(sessionId);
        return new Response(null, { status: 200 });
      }
      default:
        return rpcError(405, `Method not allowed: ${request.method}`, {
          allow: "GET, POST, DELETE",
        });
    }
  }

  async function post(
    request: Request,
    sessionId: string | null,
    principal: Principal | undefined,
    owned: (id: string) => HttpSession | undefined,
    denied: (failure: AuthFailure) => Response,
  ): Promise<Response> {
    const type = request.headers.get("content-type") ?? "";
    if (!/^application\/json\b/i.test(type)) {
      return rpcError(415, "Unsupported Media Type: the body must be application/json");
    }
    if (!accepts(request, "application/json") && !accepts(request, "text/event-stream")) {
      return rpcError(406, "Not Acceptable: accept application/json and text/event-stream");
    }
    const body = await readBody(request, maxBody);
    if (typeof body !== "string") return body;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      return Response.json(
        errorResponse(null, "parse_error", "Parse error", { detail: (error as Error).message }),
        { status: 400 },
      );
    }
    const batch = Array.isArray(parsed);
    const messages = batch ? parsed as unknown[] : [parsed];
    if (messages.length === 0) {
      return Response.json(errorResponse(null, "invalid_request", "Invalid Request: empty batch"), {
        status: 400,
      });
    }
    if (principal) {
      const refusal = await destructiveRefusal(messages, principal);
      if (refusal) return denied(refusal);
    }
    const headerVersion = request.headers.get("mcp-protocol-version");
    const bodyVersion = batch ? undefined : modernVersionOf(messages[0]);
    if (bodyVersion !== undefined && headerVersion !== null && headerVersion !== bodyVersion) {
      // A header that disagrees with the body is a mismatch before it is a version question.
      return headerMismatchResponse(
        idOf(messages[0]),
        `MCP-Protocol-Version header value '${headerVersion}' does not match body value '${bodyVersion}'`,
      );
    }
    if (headerVersion !== null && !versions.has(headerVersion)) {
      return unsupportedVersionResponse(idOf(messages[0]), headerVersion, [...versions]);
    }
    const modern = messages.some((message) => modernVersionOf(message) !== undefined) ||
      (headerVersion !== null && MODERN_VERSIONS.includes(headerVersion));
    if (modern) return modernPost(request, messages, batch);
    const sse = accepts(request, "text/event-stream") &&
      // Tool calls may report progress and logs while they run: those answers stream.
      messages.some((message) => methodOf(message) === "tools/call");
    const initializing = messages.some((message) => methodOf(message) === "initialize");
    if (initializing) {
      if (messages.length > 1) {
        return rpcError(400, "Bad Request: initialize must be sent alone");
      }
      if (sessionId && owned(sessionId)) {
        return rpcError(400, "Bad Request: this session is already initialized");
      }
      if (sessions.full) return rpcError(503, "Too many sessions; try again later");
      const session = new HttpSession(root, { owner: principal?.subject, mask });
      const response = await session.post(messages, batch, false);
      const answer = await response.clone().json().catch(() => undefined);
      if (!answer || "error" in answer) {
        void session.close();
        return response;
      }
      sessions.add(session);
      response.headers.set("mcp-session-id", session.id);
      return response;
    }
    if (!sessionId) {
      return rpcError(400, "Bad Request: Mcp-Session-Id header is required (initialize first)");
    }
    const session = owned(sessionId);
    if (!session) return sessionNotFound();
    return await session.post(messages, batch, sse);
  }

  /** A 2026-07-28 POST: one request, its headers matching its body, answered statelessly. */
  function modernPost(
    request: Request,
    messages: unknown[],
    batch: boolean,
  ): Response | Promise<Response> {
    if (batch || messages.length !== 1) {
      return invalidModernRequest("a 2026-07-28 POST carries exactly one message");
    }
    const message = messages[0];
    if (message === null || typeof message !== "object" || Array.isArray(message)) {
      return invalidModernRequest("the body must be a JSON-RPC request object");
    }
    const record = message as Record<string, unknown>;
    const id = typeof record.id === "string" || typeof record.id === "number" ? record.id : null;
    const version = modernVersionOf(record);
    if (version !== undefined && !MODERN_VERSIONS.includes(version)) {
      return unsupportedVersionResponse(id, version, [...versions]);
    }
    const mismatch = headerMismatch(request.headers, record);
    if (mismatch) return headerMismatchResponse(id, mismatch);
    stateless ??= new StatelessEndpoint(root, mask);
    if (id !== null) {
      const problem = envelopeProblem(record);
      if (problem) return invalidEnvelopeResponse(id, problem);
    }
    if (id === null) {
      // This revision defines no client notifications over HTTP: accepted, and ignored.
      return new Response(null, { status: 202 });
    }
    const sse = accepts(request, "text/event-stream") && record.method === "tools/call";
    return stateless.handle(record, sse, request.signal);
  }

  async function destructiveRefusal(
    messages: unknown[],
    principal: Principal,
  ): Promise<AuthFailure | undefined> {
    const calls = messages.filter((message) => methodOf(message) === "tools/call");
    if (!calls.length || !auth.options.oauth?.destructiveScopes.length) return undefined;
    for (const message of calls) {
      const name = (message as { params?: { name?: unknown } }).params?.name;
      if (typeof name === "string" && await destructiveTool(name)) {
        return auth.checkDestructive(principal);
      }
    }
    return undefined;
  }

  const controller = new AbortController();
  return new Promise((resolve, reject) => {
    let server: Deno.HttpServer<Deno.NetAddr>;
    try {
      server = Deno.serve({
        hostname: options.hostname,
        port: options.port,
        signal: controller.signal,
        onListen: () => {},
        onError: (error) => {
          root.log.error(`HTTP handler failed: ${(error as Error).stack ?? error}`);
          return rpcError(500, "Internal error");
        },
      }, handle);
    } catch (error) {
      reject(error);
      return;
    }
    const address = server.addr;
    const hostname = address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname;
    resolve({
      url: `http://${hostname}:${address.port}`,
      finished: server.finished,
      shutdown: async () => {
        // Aborted requests clean up first (a download removes its partial file).
        await Promise.all([sessions.close(), stateless?.close()]);
        controller.abort();
        await server.finished;
        root.close();
      },
    });
  });
}

type PublicDocument = "card" | "resource-metadata";

function publicDocumentOf(path: string): PublicDocument | undefined {
  if (path === "/.well-known/mcp/server-card.json" || path === "/.well-known/mcp/server-card") {
    return "card";
  }
  if (
    path === "/.well-known/oauth-protected-resource" ||
    path === `/.well-known/oauth-protected-resource${MCP_PATH}`
  ) {
    return "resource-metadata";
  }
  return undefined;
}

const PUBLIC_CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET",
  "access-control-allow-headers": "Content-Type",
};

function corsHeaders(origin: string): Record<string, string> {
  return {
    "access-control-allow-origin": origin,
    "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
    "access-control-allow-headers":
      "Content-Type, Accept, Authorization, Mcp-Session-Id, MCP-Protocol-Version, Mcp-Method, Mcp-Name, Last-Event-ID",
    "access-control-expose-headers": "Mcp-Session-Id, WWW-Authenticate",
    "vary": "Origin",
  };
}

/** The rate-limit key: the peer address, and the credentials when sent (one bucket per caller). */
function clientKey(request: Request, info: Deno.ServeHandlerInfo): string {
  const address = (info.remoteAddr as Deno.NetAddr).hostname ?? "unknown";
  const authorization = request.headers.get("authorization");
  return authorization ? `${address} ${authorization.slice(-32)}` : address;
}

function idOf(message: unknown): string | number | null {
  const id = (message as { id?: unknown } | null)?.id;
  return typeof id === "string" || typeof id === "number" ? id : null;
}

function methodOf(message: unknown): string | undefined {
  if (message === null || typeof message !== "object") return undefined;
  const method = (message as { method?: unknown }).method;
  return typeof method === "string" ? method : undefined;
}

function accepts(request: Request, type: string): boolean {
  const accept = request.headers.get("accept");
  if (!accept) return type === "application/json";
  return accept.split(",").some((part) => {
    const media = part.split(";")[0].trim().toLowerCase();
    return media === type || media === "*/*" || media === `${type.split("/")[0]}/*`;
  });
}

/** Reads the body up to `limit` bytes; a Response (413) when it is longer. */
async function readBody(request: Request, limit: number): Promise<string | Response> {
  const tooLarge = () =>
    rpcError(413, `Payload Too Large: the body may have at most ${limit} bytes`);
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > limit) {
    await request.body?.cancel();
    return tooLarge();
  }
  if (!request.body) return "";
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      return tooLarge();
    }
    parts.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return new TextDecoder().decode(bytes);
}

function json(body: unknown, headers: Record<string, string> = {}, maxAge?: number): Response {
  const response = Response.json(body, { headers });
  if (maxAge !== undefined) response.headers.set("cache-control", `public, max-age=${maxAge}`);
  return response;
}

/** An HTTP error whose body is a JSON-RPC error (what MCP clients read). */
function rpcError(status: number, message: string, headers: Record<string, string> = {}): Response {
  return Response.json(
    { jsonrpc: "2.0", id: null, error: { code: -32000, message } },
    { status, headers },
  );
}

function sessionNotFound(): Response {
  return Response.json(
    { jsonrpc: "2.0", id: null, error: { code: -32001, message: "Session not found" } },
    { status: 404 },
  );
}

/** A refusal before MCP: JSON-RPC shaped on /mcp, plain JSON elsewhere. */
function refuse(
  url: URL,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  if (url.pathname === MCP_PATH) return rpcError(status, message, headers);
  return Response.json({ error: message }, { status, headers });
}

/** Serves over HTTP until SIGINT, SIGTERM or SIGHUP; returns the exit code. */
export async function serveHttp(root: Session, options: HttpOptions): Promise<number> {
  let server;
  try {
    server = await startHttpServer(root, options);
  } catch (error) {
    root.log.error(
      `Cannot listen on ${options.hostname}:${options.port}: ${(error as Error).message}`,
    );
    root.close();
    return 1;
  }
  const auth = options.auth ?? {};
  const guarded = auth.token !== undefined || auth.oauth !== undefined;
  // Parsed by tests and scripts: the resolved address, once listening.
  root.log.info(`Serving MCP over HTTP at ${server.url}/mcp`);
  if (!isLoopback(options.hostname) && !guarded) {
    root.log.warn(
      `Listening on ${options.hostname} without authentication: anyone who can reach this ` +
        `port can use the server${
          root.config.allowDestructive ? ", including start_kubeshark and stop_kubeshark" : ""
        }. Set --http-token or --oauth-issuer.`,
    );
  }
  const stop = () => void server.shutdown();
  const signals: Deno.Signal[] = [];
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    try {
      Deno.addSignalListener(signal, stop);
      signals.push(signal);
    } catch {
      // SIGTERM cannot be listened for on Windows.
    }
  }
  await server.finished;
  for (const signal of signals) Deno.removeSignalListener(signal, stop);
  return 0;
}
