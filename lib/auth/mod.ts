/**
 * Who may call the HTTP server: a static bearer token (`--http-token`), OAuth 2.1 access tokens
 * (JWTs from an issuer, validated against its JWKS), or both. The MCP authorization spec makes
 * this server an OAuth resource server: it never issues tokens, it checks them.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { load } from "../lazy.ts";

/** OAuth resource-server settings. */
export interface OAuthOptions {
  /** The authorization server's issuer identifier (`iss` of its tokens). */
  issuer: string;
  /** Where its keys are; default: `jwks_uri` from the issuer's metadata. */
  jwksUrl?: string;
  /** The `aud` tokens must carry; default: this server's resource URL (`…/mcp`). */
  audience?: string;
  /** Scopes every request needs. */
  scopes: string[];
  /** Scopes a call to a destructive tool needs besides (start/stop). */
  destructiveScopes: string[];
  /** Least time between JWKS refetches for an unknown key id (default 30 s; tests shorten it). */
  jwksCooldownMs?: number;
}

/** How the HTTP server authenticates; nothing set means open (loopback use). */
export interface AuthOptions {
  /** A shared secret sent as `Authorization: Bearer <token>`. */
  token?: string;
  oauth?: OAuthOptions;
}

/** The caller a request was authenticated as. */
export interface Principal {
  /** `sub` of the token, or "token" for the static bearer token. */
  subject: string;
  scopes: Set<string>;
}

/** A refusal: 401 (no or bad credentials) or 403 (a scope is missing). */
export interface AuthFailure {
  status: 401 | 403;
  /** RFC 6750 error code, absent when no credentials were sent. */
  error?: "invalid_request" | "invalid_token" | "insufficient_scope";
  description: string;
  /** The scopes to ask for (the `scope` parameter of WWW-Authenticate). */
  scope?: string;
}

/** The outcome of checking one request's credentials. */
export type AuthResult = { principal: Principal } | { failure: AuthFailure };

/** Per-request facts the check needs: the resource URL the token must be meant for. */
export interface AuthContext {
  resource: string;
}

/** Validates bearer tokens per {@linkcode AuthOptions}. */
export class Authenticator {
  readonly options: AuthOptions;
  #tokenDigest?: Uint8Array;
  #jwt?: Promise<import("./jwt.ts").JwtVerifier>;

  constructor(options: AuthOptions) {
    this.options = options;
    if (options.token) this.#tokenDigest = digest(options.token);
  }

  /** Whether any authentication is configured. */
  get enabled(): boolean {
    return this.options.token !== undefined || this.options.oauth !== undefined;
  }

  /** Checks the `Authorization` header. */
  async authenticate(authorization: string | null, context: AuthContext): Promise<AuthResult> {
    const required = this.options.oauth?.scopes.join(" ") || undefined;
    if (!authorization) {
      return {
        failure: {
          status: 401,
          description: "This server requires a bearer token (Authorization: Bearer <token>)",
          scope: required,
        },
      };
    }
    const match = /^Bearer\s+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(authorization);
    if (!match) {
      return {
        failure: {
          status: 401,
          error: "invalid_request",
          description: "The Authorization header must be `Bearer <token>`",
          scope: required,
        },
      };
    }
    const token = match[1];
    if (this.#tokenDigest && timingSafeEqual(digest(token), this.#tokenDigest)) {
      return { principal: { subject: "token", scopes: new Set(["*"]) } };
    }
    const oauth = this.options.oauth;
    if (!oauth) {
      return {
        failure: { status: 401, error: "invalid_token", description: "The bearer token is wrong" },
      };
    }
    // jose loads only when OAuth is configured and a token arrives.
    this.#jwt ??= load.jwt().then((jwt) => new jwt.JwtVerifier(oauth));
    const verifier = await this.#jwt;
    const checked = await verifier.verify(token, oauth.audience ?? context.resource);
    if ("failure" in checked) return checked;
    const missing = oauth.scopes.filter((scope) => !checked.principal.scopes.has(scope));
    if (missing.length) {
      return {
        failure: {
          status: 403,
          error: "insufficient_scope",
          description: `The token lacks the scope(s) ${missing.join(", ")}`,
          scope: oauth.scopes.join(" "),
        },
      };
    }
    return checked;
  }

  /** Refuses a destructive tool call when the caller lacks the destructive scopes. */
  checkDestructive(principal: Principal): AuthFailure | undefined {
    const oauth = this.options.oauth;
    if (!oauth || principal.scopes.has("*")) return undefined;
    const missing = oauth.destructiveScopes.filter((scope) => !principal.scopes.has(scope));
    if (!missing.length) return undefined;
    return {
      status: 403,
      error: "insufficient_scope",
      description: `Starting or stopping Kubeshark needs the scope(s) ${missing.join(", ")}`,
      scope: [...oauth.scopes, ...oauth.destructiveScopes].join(" "),
    };
  }
}

function digest(text: string): Uint8Array {
  // Hashing first gives equal lengths, so timingSafeEqual never throws and leaks no length.
  return createHash("sha256").update(text).digest();
}

/** The `WWW-Authenticate` value for a refusal (RFC 6750 §3, RFC 9728 §5.1). */
export function wwwAuthenticate(failure: AuthFailure, resourceMetadata?: string): string {
  const params = [`realm="kubeshark-mcp"`];
  if (resourceMetadata) params.push(`resource_metadata="${resourceMetadata}"`);
  if (failure.error) params.push(`error="${failure.error}"`);
  if (failure.error) params.push(`error_description="${failure.description.replace(/"/g, "'")}"`);
  if (failure.scope) params.push(`scope="${failure.scope}"`);
  return `Bearer ${params.join(", ")}`;
}

/** Protected Resource Metadata (RFC 9728) for `resource`. */
export function protectedResourceMetadata(oauth: OAuthOptions, resource: string) {
  const scopes = [...new Set([...oauth.scopes, ...oauth.destructiveScopes])];
  return {
    resource,
    authorization_servers: [oauth.issuer],
    bearer_methods_supported: ["header"],
    ...(scopes.length ? { scopes_supported: scopes } : {}),
    resource_name: "Kubeshark MCP server",
  };
}
