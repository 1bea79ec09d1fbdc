/**
 * An OAuth authorization server double on 127.0.0.1:0: its own RSA keys, metadata (RFC 8414) and
 * JWKS, and a way to mint access tokens. `rotate()` replaces the signing key, as issuers do.
 */
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";

interface SigningKey {
  kid: string;
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
  jwk: Record<string, unknown>;
}

/** Options for minting one token. */
export interface MintOptions {
  audience: string;
  subject?: string;
  scope?: string;
  /** Seconds from now; negative for a token that has already expired. */
  expiresIn?: number;
  /** Another issuer than this one. */
  issuer?: string;
  extra?: JWTPayload;
}

/** The double. */
export class IssuerDouble {
  readonly url: string;
  /** How often the JWKS was fetched. */
  jwksFetches = 0;
  #server: Deno.HttpServer<Deno.NetAddr>;
  #keys: SigningKey[] = [];
  #counter = 0;

  private constructor(server: Deno.HttpServer<Deno.NetAddr>, url: string) {
    this.#server = server;
    this.url = url;
  }

  /** Starts the double with one signing key. */
  static async start(): Promise<IssuerDouble> {
    const holder: { double?: IssuerDouble } = {};
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (request) => holder.double!.#handle(request),
    );
    const double = holder.double = new IssuerDouble(server, `http://127.0.0.1:${server.addr.port}`);
    await double.rotate();
    return double;
  }

  /** The issuer identifier (`iss`). */
  get issuer(): string {
    return this.url;
  }

  /** A new signing key; the JWKS then publishes only it (the old key's tokens stop verifying). */
  async rotate(): Promise<void> {
    const { privateKey, publicKey } = await generateKeyPair("RS256");
    const kid = `key-${++this.#counter}`;
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
    this.#keys = [{ kid, privateKey, jwk }];
  }

  /** An access token signed with the current key. */
  mint(options: MintOptions): Promise<string> {
    const key = this.#keys[0];
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ scope: options.scope, ...options.extra })
      .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "at+jwt" })
      .setIssuer(options.issuer ?? this.issuer)
      .setAudience(options.audience)
      .setSubject(options.subject ?? "alice")
      .setIssuedAt(now - 60)
      .setExpirationTime(now + (options.expiresIn ?? 300))
      .sign(key.privateKey);
  }

  /** Stops the server. */
  async close(): Promise<void> {
    await this.#server.shutdown();
  }

  #handle(request: Request): Response {
    const path = new URL(request.url).pathname;
    if (path === "/.well-known/oauth-authorization-server") {
      return Response.json({
        issuer: this.issuer,
        jwks_uri: `${this.url}/jwks`,
        authorization_endpoint: `${this.url}/authorize`,
        token_endpoint: `${this.url}/token`,
        response_types_supported: ["code"],
        code_challenge_methods_supported: ["S256"],
      });
    }
    if (path === "/jwks") {
      this.jwksFetches++;
      return Response.json({ keys: this.#keys.map((key) => key.jwk) });
    }
    return new Response("not found", { status: 404 });
  }
}
