/**
 * The `--http…` and `--oauth…` flags → {@linkcode HttpOptions}, validated. Light on purpose: the
 * command line imports it on every start, the server itself (lib/http/mod.ts) only with --http.
 */
import type { AuthOptions, OAuthOptions } from "../auth/mod.ts";
import { isLoopback } from "./guard.ts";

/** Default request body limit. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Default requests per minute per client. */
export const RATE_LIMIT_PER_MINUTE = 600;

/** How `--http` serves. */
export interface HttpOptions {
  hostname: string;
  port: number;
  /** The address clients use (behind an ingress), e.g. https://mcp.example.com; no path. */
  publicUrl?: string;
  /** More Host names to answer to (`*`: any). */
  allowedHosts?: string[];
  /** Browser origins that may call (`*`: any). */
  allowedOrigins?: string[];
  maxBodyBytes?: number;
  /** Requests per minute per client; 0 turns the limit off. */
  rateLimitPerMinute?: number;
  /** How long an unused 2025-era session lives. */
  sessionIdleMs?: number;
  auth?: AuthOptions;
}

/** The flags this module reads, for node:util parseArgs. */
export const HTTP_FLAGS = {
  http: { type: "string" },
  "http-token": { type: "string" },
  "http-public-url": { type: "string" },
  "http-allowed-hosts": { type: "string" },
  "http-allowed-origins": { type: "string" },
  "http-max-body": { type: "string" },
  "http-rate-limit": { type: "string" },
  "oauth-issuer": { type: "string" },
  "oauth-audience": { type: "string" },
  "oauth-jwks-url": { type: "string" },
  "oauth-scopes": { type: "string" },
  "oauth-destructive-scopes": { type: "string" },
} as const;

/** The environment variable that may carry `--http-token`. */
export const HTTP_TOKEN_ENV = "KUBESHARK_MCP_HTTP_TOKEN";

/** The help lines of these flags. */
export const HTTP_USAGE = `
HTTP (serve many clients over MCP Streamable HTTP instead of stdio):
  --http [HOST:]PORT     Serve MCP at http://HOST:PORT/mcp (HOST defaults to 127.0.0.1)
  --http-token TOKEN     Require Authorization: Bearer TOKEN (env ${HTTP_TOKEN_ENV})
  --http-public-url URL  The address clients use, e.g. https://mcp.example.com (behind an ingress)
  --http-allowed-hosts H1,H2    More Host names to answer to (* = any)
  --http-allowed-origins O1,O2  Browser origins allowed to call (* = any)
  --http-max-body BYTES  Largest request body (default ${MAX_BODY_BYTES})
  --http-rate-limit N    Requests per minute per client (default ${RATE_LIMIT_PER_MINUTE}; 0 = off)
  --oauth-issuer URL     Accept OAuth access tokens (JWT) from this issuer
  --oauth-audience URI   The audience tokens must name (default: this server's /mcp URL)
  --oauth-jwks-url URL   The issuer's key set (default: from its metadata)
  --oauth-scopes S1,S2   Scopes every request needs
  --oauth-destructive-scopes S1,S2
                         Scopes start_kubeshark and stop_kubeshark need besides
`;

type Flags = { [K in keyof typeof HTTP_FLAGS]?: string };

/** Parses the flags; undefined without `--http`. Throws an Error naming the bad flag. */
export function parseHttpFlags(
  flags: Flags,
  env: { get(name: string): string | undefined },
): HttpOptions | undefined {
  const others = Object.entries(flags).filter(([name, value]) =>
    name !== "http" && value !== undefined
  );
  if (flags.http === undefined) {
    if (others.length) throw new Error(`--${others[0][0]} goes with --http`);
    return undefined;
  }
  const { hostname, port } = parseAddress(flags.http);
  const publicUrl = flags["http-public-url"] === undefined
    ? undefined
    : parseUrl("--http-public-url", flags["http-public-url"], true);
  const token = flags["http-token"] ?? (env.get(HTTP_TOKEN_ENV) || undefined);
  if (token !== undefined && !/^[A-Za-z0-9\-._~+/]{16,}=*$/.test(token)) {
    throw new Error(
      "--http-token must be at least 16 characters of A-Z a-z 0-9 - . _ ~ + / (e.g. from " +
        "`openssl rand -hex 32`)",
    );
  }
  let oauth: OAuthOptions | undefined;
  const issuer = flags["oauth-issuer"];
  if (issuer !== undefined) {
    parseUrl("--oauth-issuer", issuer, false);
    oauth = {
      issuer,
      audience: flags["oauth-audience"],
      jwksUrl: flags["oauth-jwks-url"] === undefined
        ? undefined
        : parseUrl("--oauth-jwks-url", flags["oauth-jwks-url"], false),
      scopes: list(flags["oauth-scopes"]),
      destructiveScopes: list(flags["oauth-destructive-scopes"]),
    };
    if (!isLoopback(hostname) && !publicUrl && !oauth.audience) {
      throw new Error(
        "--oauth-issuer on a non-loopback address needs --http-public-url (or --oauth-audience): " +
          "tokens are checked against this server's public address",
      );
    }
  } else {
    const dependent = [
      "oauth-audience",
      "oauth-jwks-url",
      "oauth-scopes",
      "oauth-destructive-scopes",
    ] as const;
    const stray = dependent.find((name) => flags[name] !== undefined);
    if (stray) throw new Error(`--${stray} goes with --oauth-issuer`);
  }
  return {
    hostname,
    port,
    publicUrl,
    allowedHosts: list(flags["http-allowed-hosts"]),
    allowedOrigins: list(flags["http-allowed-origins"]),
    maxBodyBytes: count("--http-max-body", flags["http-max-body"], MAX_BODY_BYTES, 1024),
    rateLimitPerMinute: count(
      "--http-rate-limit",
      flags["http-rate-limit"],
      RATE_LIMIT_PER_MINUTE,
      0,
    ),
    auth: { token, oauth },
  };
}

function parseAddress(text: string): { hostname: string; port: number } {
  const match = /^(?:(\[[0-9a-f:]+\]|[\w.-]+):)?(\d{1,5})$/i.exec(text);
  if (!match || Number(match[2]) > 65535) {
    throw new Error(`--http "${text}" must be [HOST:]PORT, e.g. 8080 or 0.0.0.0:8080`);
  }
  return {
    hostname: (match[1] ?? "127.0.0.1").replace(/^\[(.*)\]$/, "$1"),
    port: Number(match[2]),
  };
}

function parseUrl(flag: string, text: string, bare: boolean): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${flag} "${text}" is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`${flag} "${text}" must start with http:// or https://`);
  }
  if (bare && (url.pathname !== "/" || url.search || url.hash)) {
    throw new Error(`${flag} "${text}" must be scheme://host[:port] with no path`);
  }
  return bare ? url.origin : url.href;
}

function list(text: string | undefined): string[] {
  return (text ?? "").split(",").map((item) => item.trim()).filter(Boolean);
}

function count(flag: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${flag} "${text}" must be a whole number of at least ${min}`);
  }
  return value;
}
