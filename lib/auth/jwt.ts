/**
 * JWT access tokens checked against the issuer's JWKS with `jose` (signature, `iss`, `aud`,
 * `exp`/`nbf`). jose refetches the key set when a token names a key it has not seen, so an issuer
 * that rotates its keys keeps working. Loaded only when OAuth is configured.
 */
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import type { AuthResult, OAuthOptions } from "./mod.ts";

/** How long a metadata or JWKS fetch may take. */
const FETCH_TIMEOUT_MS = 10_000;
/** Leeway for clocks that disagree, on `exp` and `nbf`. */
const CLOCK_TOLERANCE_S = 30;
/** Least time between two JWKS fetches caused by an unknown key id (jose's default). */
export const JWKS_COOLDOWN_MS = 30_000;

/** The issuer cannot be asked for its keys right now: a server problem, not the caller's. */
export class IssuerUnavailableError extends Error {}

/** Verifies access tokens for one issuer. */
export class JwtVerifier {
  #options: OAuthOptions;
  #keys?: Promise<ReturnType<typeof createRemoteJWKSet>>;
  #cooldownMs: number;

  constructor(options: OAuthOptions) {
    this.#options = options;
    this.#cooldownMs = options.jwksCooldownMs ?? JWKS_COOLDOWN_MS;
  }

  /** The principal the token stands for, or why it is refused. */
  async verify(token: string, audience: string): Promise<AuthResult> {
    const keys = await this.#keySet();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.#options.issuer,
        audience,
        clockTolerance: CLOCK_TOLERANCE_S,
      }));
    } catch (error) {
      if (error instanceof errors.JWKSTimeout) {
        throw new IssuerUnavailableError(`The issuer's key set did not answer in time`);
      }
      return { failure: { status: 401, error: "invalid_token", description: describe(error) } };
    }
    return {
      principal: { subject: String(payload.sub ?? "unknown"), scopes: scopesOf(payload) },
    };
  }

  #keySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    this.#keys ??= this.#jwksUrl().then((url) =>
      createRemoteJWKSet(new URL(url), {
        timeoutDuration: FETCH_TIMEOUT_MS,
        cooldownDuration: this.#cooldownMs,
      })
    );
    // A failed lookup is retried by the next request rather than remembered.
    this.#keys.catch(() => this.#keys = undefined);
    return this.#keys;
  }

  /** The JWKS address: given, else from the issuer's metadata (RFC 8414, then OpenID). */
  async #jwksUrl(): Promise<string> {
    if (this.#options.jwksUrl) return this.#options.jwksUrl;
    const issuer = new URL(this.#options.issuer);
    const path = issuer.pathname.replace(/\/+$/, "");
    const candidates = [
      `${issuer.origin}/.well-known/oauth-authorization-server${path}`,
      `${issuer.origin}${path}/.well-known/openid-configuration`,
    ];
    const problems: string[] = [];
    for (const candidate of candidates) {
      try {
        const response = await fetch(candidate, {
          signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
          headers: { accept: "application/json" },
        });
        if (!response.ok) {
          await response.body?.cancel();
          problems.push(`${candidate}: HTTP ${response.status}`);
          continue;
        }
        const metadata = await response.json();
        if (typeof metadata?.jwks_uri === "string") return metadata.jwks_uri;
        problems.push(`${candidate}: no jwks_uri`);
      } catch (error) {
        problems.push(`${candidate}: ${(error as Error).message}`);
      }
    }
    throw new IssuerUnavailableError(
      `Cannot find the issuer's keys (${problems.join("; ")}); pass --oauth-jwks-url`,
    );
  }
}

function scopesOf(payload: JWTPayload): Set<string> {
  const scopes = new Set<string>();
  // `scope` is a space-separated string (RFC 9068); some issuers send `scp` as a list.
  if (typeof payload.scope === "string") {
    payload.scope.split(" ").forEach((s) => s && scopes.add(s));
  }
  if (Array.isArray(payload.scp)) {
    payload.scp.forEach((s) => typeof s === "string" && scopes.add(s));
  }
  return scopes;
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "The token has expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "aud") return "The token is meant for another resource (aud)";
    if (error.claim === "iss") return "The token comes from another issuer (iss)";
    return `The token's ${error.claim} claim is not acceptable: ${error.reason}`;
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return "The token is signed with a key the issuer does not publish";
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return "The token's signature does not verify";
  }
  if (error instanceof errors.JOSEError) return `The token is not valid: ${error.code}`;
  return "The token is not a valid JWT";
}
