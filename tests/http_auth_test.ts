/**
 * Who may call `--http`: a static bearer token, and OAuth 2.1 access tokens checked against an
 * issuer double's JWKS (signature, iss, aud = our /mcp URL, expiry, rotation, scopes).
 */
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { startHttpServer } from "../lib/http/mod.ts";
import { createModeAccess } from "../lib/access.ts";
import { parseCommandLine } from "../lib/cli.ts";
import { Logger } from "../lib/log.ts";
import { Session } from "../lib/session.ts";
import { IssuerDouble } from "./support/issuer_double.ts";
import { initializeBody, POST_HEADERS, withHttpServer } from "./support/http_process.ts";

const TOKEN = "test-token-0123456789abcdef";

function initialize(endpoint: string, authorization?: string) {
  return fetch(endpoint, {
    method: "POST",
    headers: { ...POST_HEADERS, ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(initializeBody()),
  });
}

Deno.test("with --http-token, a request without a token gets 401 and WWW-Authenticate; the right token passes", async () => {
  await withHttpServer(["--demo", "--http-token", TOKEN], async (server) => {
    const missing = await initialize(server.endpoint);
    assert.equal(missing.status, 401);
    assert.match(missing.headers.get("www-authenticate") ?? "", /^Bearer realm="kubeshark-mcp"/);
    await missing.body?.cancel();

    const wrong = await initialize(server.endpoint, "Bearer not-the-token");
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get("www-authenticate") ?? "", /error="invalid_token"/);
    await wrong.body?.cancel();

    const client = new Client({ name: "token-client", version: "1" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(server.endpoint), {
        requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
      }),
    );
    try {
      assert.ok((await client.listTools()).tools.length > 0);
    } finally {
      await client.close();
    }
    // Probes carry no token.
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  });
});

Deno.test("the token may come from KUBESHARK_MCP_HTTP_TOKEN and never shows in logs", async () => {
  await withHttpServer(["--demo", "--debug"], async (server) => {
    assert.equal((await initialize(server.endpoint)).status, 401);
    const ok = await initialize(server.endpoint, `Bearer ${TOKEN}`);
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
    assert.ok(!server.stderr.includes(TOKEN));
  }, { env: { KUBESHARK_MCP_HTTP_TOKEN: TOKEN } });
});

Deno.test("with --oauth-issuer, Protected Resource Metadata names the issuer and 401 points at it", async () => {
  const issuer = await IssuerDouble.start();
  try {
    await withHttpServer(
      ["--demo", "--oauth-issuer", issuer.issuer, "--oauth-scopes", "mcp"],
      async (server) => {
        const missing = await initialize(server.endpoint);
        assert.equal(missing.status, 401);
        const challenge = missing.headers.get("www-authenticate") ?? "";
        await missing.body?.cancel();
        const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
        assert.equal(metadataUrl, `${server.url}/.well-known/oauth-protected-resource/mcp`);
        assert.match(challenge, /scope="mcp"/);
        for (const url of [metadataUrl!, `${server.url}/.well-known/oauth-protected-resource`]) {
          const metadata = await (await fetch(url)).json();
          assert.deepEqual(metadata.authorization_servers, [issuer.issuer]);
          assert.equal(metadata.resource, server.endpoint);
          assert.deepEqual(metadata.scopes_supported, ["mcp"]);
        }
      },
    );
  } finally {
    await issuer.close();
  }
});

Deno.test("OAuth: a valid token passes; expired, foreign-audience, foreign-issuer and scope-less tokens are refused", async () => {
  const issuer = await IssuerDouble.start();
  const stranger = await IssuerDouble.start();
  try {
    await withHttpServer(
      ["--demo", "--oauth-issuer", issuer.issuer, "--oauth-scopes", "mcp"],
      async (server) => {
        const audience = server.endpoint;
        const good = await issuer.mint({ audience, scope: "mcp" });
        const ok = await initialize(server.endpoint, `Bearer ${good}`);
        assert.equal(ok.status, 200);
        await ok.body?.cancel();

        const cases: [string, string, number, RegExp][] = [
          [
            "expired",
            await issuer.mint({ audience, scope: "mcp", expiresIn: -120 }),
            401,
            /expired/,
          ],
          [
            "foreign audience",
            await issuer.mint({ audience: "https://other.example/mcp", scope: "mcp" }),
            401,
            /another resource/,
          ],
          [
            "foreign issuer claim",
            await issuer.mint({ audience, scope: "mcp", issuer: "https://evil.example" }),
            401,
            /another issuer/,
          ],
          [
            "signed by another issuer's key",
            await stranger.mint({ audience, scope: "mcp" }),
            401,
            /signature|key/,
          ],
          ["missing scope", await issuer.mint({ audience, scope: "read" }), 403, /scope/],
          ["not a JWT", "abc.def.ghi", 401, /not/],
        ];
        for (const [what, token, status, message] of cases) {
          const response = await initialize(server.endpoint, `Bearer ${token}`);
          assert.equal(response.status, status, what);
          const challenge = response.headers.get("www-authenticate") ?? "";
          assert.match(
            challenge,
            status === 401 ? /error="invalid_token"/ : /error="insufficient_scope"/,
            what,
          );
          assert.match((await response.json()).error.message, message, what);
        }
      },
    );
  } finally {
    await issuer.close();
    await stranger.close();
  }
});

Deno.test("OAuth: start/stop need the destructive scopes; other tools do not", async () => {
  const issuer = await IssuerDouble.start();
  try {
    await withHttpServer(
      ["--demo", "--oauth-issuer", issuer.issuer, "--oauth-destructive-scopes", "kubeshark:admin"],
      async (server) => {
        const call = async (token: string, name: string) => {
          const init = await initialize(server.endpoint, `Bearer ${token}`);
          const session = init.headers.get("mcp-session-id")!;
          await init.body?.cancel();
          return fetch(server.endpoint, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              accept: "application/json",
              authorization: `Bearer ${token}`,
              "mcp-session-id": session,
            },
            body: JSON.stringify({
              jsonrpc: "2.0",
              id: 2,
              method: "tools/call",
              params: { name, arguments: {} },
            }),
          });
        };
        const reader = await issuer.mint({ audience: server.endpoint, scope: "mcp" });
        const refused = await call(reader, "start_kubeshark");
        assert.equal(refused.status, 403);
        assert.match(refused.headers.get("www-authenticate") ?? "", /scope="kubeshark:admin"/);
        await refused.body?.cancel();
        const read = await call(reader, "check_kubeshark_status");
        assert.equal(read.status, 200);
        await read.body?.cancel();

        const admin = await issuer.mint({ audience: server.endpoint, scope: "kubeshark:admin" });
        const allowed = await call(admin, "start_kubeshark");
        assert.equal(allowed.status, 200);
        // Past the scope check the tool answers for itself (demo mode never starts anything).
        assert.equal((await allowed.json()).result.isError, true);
      },
    );
  } finally {
    await issuer.close();
  }
});

Deno.test("OAuth: after the issuer rotates its keys, tokens signed with the new key are accepted and the old key's refused", async () => {
  const issuer = await IssuerDouble.start();
  const { config } = await parseCommandLine(["--demo"], new Map());
  const log = new Logger();
  log.setStderrLevel("error");
  const root = new Session(config, log, createModeAccess(config, log));
  const server = await startHttpServer(root, {
    hostname: "127.0.0.1",
    port: 0,
    // jose refetches a key set at most this often; the default (30 s) is longer than a test.
    auth: {
      oauth: { issuer: issuer.issuer, scopes: [], destructiveScopes: [], jwksCooldownMs: 0 },
    },
  });
  const endpoint = `${server.url}/mcp`;
  try {
    const before = await issuer.mint({ audience: endpoint });
    const first = await initialize(endpoint, `Bearer ${before}`);
    assert.equal(first.status, 200);
    await first.body?.cancel();
    const fetches = issuer.jwksFetches;

    await issuer.rotate();
    const after = await issuer.mint({ audience: endpoint });
    const rotated = await initialize(endpoint, `Bearer ${after}`);
    assert.equal(rotated.status, 200);
    await rotated.body?.cancel();
    assert.equal(issuer.jwksFetches, fetches + 1, "the new key id made the server refetch");

    const stale = await initialize(endpoint, `Bearer ${before}`);
    assert.equal(stale.status, 401);
    await stale.body?.cancel();
  } finally {
    await server.shutdown();
    await issuer.close();
  }
});

Deno.test("a session opened by one caller is not found for another", async () => {
  const issuer = await IssuerDouble.start();
  try {
    await withHttpServer(["--demo", "--oauth-issuer", issuer.issuer], async (server) => {
      const alice = await issuer.mint({ audience: server.endpoint, subject: "alice" });
      const bob = await issuer.mint({ audience: server.endpoint, subject: "bob" });
      const init = await initialize(server.endpoint, `Bearer ${alice}`);
      const session = init.headers.get("mcp-session-id")!;
      await init.body?.cancel();
      const hijack = await fetch(server.endpoint, {
        method: "POST",
        headers: { ...POST_HEADERS, authorization: `Bearer ${bob}`, "mcp-session-id": session },
        body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
      });
      assert.equal(hijack.status, 404);
      await hijack.body?.cancel();
    });
  } finally {
    await issuer.close();
  }
});
