/**
 * What `--http` refuses before MCP: foreign Host (DNS rebinding) and Origin, oversized bodies,
 * too many requests; and what it serves to anyone: /healthz and the server card.
 */
import assert from "node:assert/strict";
import { OriginPolicy, RateLimiter } from "../lib/http/guard.ts";
import { initializeBody, POST_HEADERS, withHttpServer } from "./support/http_process.ts";

/** fetch with a Host header of our choosing (fetch itself refuses to set Host). */
async function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Headers; text: string }> {
  const target = new URL(url);
  const connection = await Deno.connect({ hostname: target.hostname, port: Number(target.port) });
  const body = options.body ?? "";
  const headers = {
    host: target.host,
    connection: "close",
    "content-length": String(new TextEncoder().encode(body).length),
    ...options.headers,
  };
  const head = `${options.method ?? "GET"} ${target.pathname} HTTP/1.1\r\n` +
    Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("") + "\r\n";
  await connection.write(new TextEncoder().encode(head + body));
  const chunks: Uint8Array[] = [];
  for await (const chunk of connection.readable) chunks.push(chunk);
  const raw = new TextDecoder().decode(
    new Uint8Array(chunks.flatMap((chunk) => [...chunk])),
  );
  const [top, ...rest] = raw.split("\r\n\r\n");
  const [statusLine, ...headerLines] = top.split("\r\n");
  const parsed = new Headers(headerLines.map((line) => {
    const at = line.indexOf(":");
    return [line.slice(0, at), line.slice(at + 1).trim()] as [string, string];
  }));
  return { status: Number(statusLine.split(" ")[1]), headers: parsed, text: rest.join("\r\n\r\n") };
}

Deno.test("a request whose Host is a foreign name (DNS rebinding) is refused with 403 on every route", async () => {
  await withHttpServer(["--demo"], async (server) => {
    for (const path of ["/mcp", "/healthz", "/.well-known/mcp/server-card.json"]) {
      const refused = await rawRequest(`${server.url}${path}`, {
        method: path === "/mcp" ? "POST" : "GET",
        headers: { host: "evil.example.com:1234", ...POST_HEADERS },
        body: path === "/mcp" ? JSON.stringify(initializeBody()) : undefined,
      });
      assert.equal(refused.status, 403, path);
      assert.match(refused.text, /evil\.example\.com/);
    }
    const local = await rawRequest(`${server.url}/healthz`, { headers: { host: "localhost:9" } });
    assert.equal(local.status, 200);
  });
});

Deno.test("--http-allowed-hosts adds a name the server answers to", async () => {
  await withHttpServer(["--demo", "--http-allowed-hosts", "mcp.internal"], async (server) => {
    const allowed = await rawRequest(`${server.url}/healthz`, {
      headers: { host: "mcp.internal" },
    });
    assert.equal(allowed.status, 200);
  });
});

Deno.test("a browser Origin other than the server's own is refused with 403; an allowed one gets CORS headers", async () => {
  await withHttpServer(
    ["--demo", "--http-allowed-origins", "http://inspector.localhost:6274"],
    async (server) => {
      const foreign = await fetch(server.endpoint, {
        method: "POST",
        headers: { ...POST_HEADERS, origin: "https://evil.example.com" },
        body: JSON.stringify(initializeBody()),
      });
      assert.equal(foreign.status, 403);
      assert.match((await foreign.json()).error.message, /Origin/);

      const same = await fetch(server.endpoint, {
        method: "POST",
        headers: { ...POST_HEADERS, origin: server.url },
        body: JSON.stringify(initializeBody()),
      });
      assert.equal(same.status, 200);
      await same.body?.cancel();

      const preflight = await fetch(server.endpoint, {
        method: "OPTIONS",
        headers: { origin: "http://inspector.localhost:6274" },
      });
      await preflight.body?.cancel();
      assert.equal(preflight.status, 204);
      assert.equal(
        preflight.headers.get("access-control-allow-origin"),
        "http://inspector.localhost:6274",
      );
      assert.match(preflight.headers.get("access-control-expose-headers") ?? "", /Mcp-Session-Id/);
    },
  );
});

Deno.test("a body over --http-max-body is refused with 413 before it is parsed", async () => {
  await withHttpServer(["--demo", "--http-max-body", "2048"], async (server) => {
    const big = JSON.stringify({ ...initializeBody(), padding: "x".repeat(4096) });
    const response = await fetch(server.endpoint, {
      method: "POST",
      headers: POST_HEADERS,
      body: big,
    });
    assert.equal(response.status, 413);
    assert.match((await response.json()).error.message, /2048 bytes/);
  });
});

Deno.test("a client over --http-rate-limit gets 429 with Retry-After", async () => {
  await withHttpServer(["--demo", "--http-rate-limit", "5"], async (server) => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 7; i++) {
      const response = await fetch(`${server.url}/healthz`);
      await response.body?.cancel();
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get("retry-after");
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
    assert.ok(Number(retryAfter) >= 1, `Retry-After: ${retryAfter}`);
  });
});

Deno.test("/healthz answers ok and the server card describes the endpoint, revisions and local tools", async () => {
  await withHttpServer(["--demo"], async (server) => {
    const health = await fetch(`${server.url}/healthz`);
    assert.deepEqual(await health.json(), { status: "ok" });
    for (const path of ["/.well-known/mcp/server-card.json", "/.well-known/mcp/server-card"]) {
      const response = await fetch(`${server.url}${path}`);
      assert.equal(response.headers.get("access-control-allow-origin"), "*");
      const card = await response.json();
      assert.match(card.$schema, /server-card/);
      assert.equal(card.remotes[0].type, "streamable-http");
      assert.equal(card.remotes[0].url, server.endpoint);
      assert.ok(card.remotes[0].supportedProtocolVersions.includes("2025-11-25"));
      assert.deepEqual(card.remotes[0].authentication, { required: false, schemes: [] });
      assert.equal(card.capabilities.tools.listChanged, true);
      assert.ok(
        card.tools.some((tool: { name: string }) => tool.name === "check_kubeshark_status"),
      );
    }
    const missing = await fetch(`${server.url}/nowhere`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  });
});

Deno.test("the Host policy accepts loopback names, IP literals and configured names only", () => {
  const policy = new OriginPolicy({ bindHost: "127.0.0.1", hosts: ["mcp.corp"] });
  assert.equal(policy.checkHost("localhost:8080"), undefined);
  assert.equal(policy.checkHost("10.1.2.3:8080"), undefined);
  assert.equal(policy.checkHost("[::1]:8080"), undefined);
  assert.equal(policy.checkHost("MCP.corp"), undefined);
  assert.match(policy.checkHost("attacker.example")!, /attacker/);
  assert.match(policy.checkHost(null)!, /no Host/);
  const url = new URL("http://localhost:8080/mcp");
  assert.equal(policy.checkOrigin(null, url, "localhost:8080"), undefined);
  assert.equal(policy.checkOrigin("http://localhost:8080", url, "localhost:8080"), undefined);
  assert.match(policy.checkOrigin("http://localhost:9999", url, "localhost:8080")!, /Origin/);
  assert.match(policy.checkOrigin("null", url, "localhost:8080")!, /Origin/);
});

Deno.test("the rate limiter refills over time and keeps clients apart", () => {
  let now = 0;
  const limiter = new RateLimiter(60, () => now);
  for (let i = 0; i < 60; i++) assert.equal(limiter.take("a"), 0);
  assert.equal(limiter.take("a"), 1);
  assert.equal(limiter.take("b"), 0);
  now += 1_000;
  assert.equal(limiter.take("a"), 0);
  assert.equal(new RateLimiter(0).take("a"), 0);
});
