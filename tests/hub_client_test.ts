/** The Hub client against a real HTTP server on 127.0.0.1:0. */
import assert from "node:assert/strict";
import { HubClient, HubError } from "../lib/hub/client.ts";
import { HUB_DOCUMENT, HubDouble } from "./support/hub_double.ts";
import { freePort } from "./support/harness.ts";

const ADVICE = "Pass --token.";

async function withHub(body: (hub: HubDouble) => Promise<void>): Promise<void> {
  const hub = new HubDouble();
  try {
    await body(hub);
  } finally {
    await hub.close();
  }
}

async function rejection(promise: Promise<unknown>): Promise<HubError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HubError, `expected a HubError, got ${error}`);
    return error;
  }
  assert.fail("expected the call to fail");
}

Deno.test("discover returns the Hub's tools and prompts", async () => {
  await withHub(async (hub) => {
    const info = await new HubClient(hub.url).discover();
    assert.equal(info.name, "kubeshark-hub");
    assert.equal(info.version, "53.3.0");
    assert.deepEqual(info.tools.map((t) => t.name), HUB_DOCUMENT.tools.map((t) => t.name));
    assert.deepEqual(info.prompts.map((p) => p.name), ["find_errors", "trace_request"]);
    assert.equal(hub.requests[0].method, "GET");
    assert.equal(hub.requests[0].path, "/api/mcp");
  });
});

Deno.test("a trailing slash on the base URL is dropped", async () => {
  await withHub(async (hub) => {
    const client = new HubClient(`${hub.url}///`);
    assert.equal(client.baseUrl, hub.url);
    await client.discover();
    assert.equal(hub.requests[0].path, "/api/mcp");
  });
});

Deno.test("callTool posts {name, arguments} as JSON", async () => {
  await withHub(async (hub) => {
    const result = await new HubClient(hub.url).callTool("list_workloads", { namespace: "shop" });
    const [request] = hub.requestsTo("/api/mcp/tools/call");
    assert.equal(request.method, "POST");
    assert.equal(request.headers.get("content-type"), "application/json");
    assert.deepEqual(JSON.parse(request.body), {
      name: "list_workloads",
      arguments: { namespace: "shop" },
    });
    assert.deepEqual(result.json, {
      tool: "list_workloads",
      arguments: { namespace: "shop" },
      items: [1, 2, 3],
    });
  });
});

Deno.test("a non-JSON 2xx body is returned as text", async () => {
  await withHub(async (hub) => {
    hub.routes.push((_r, url) =>
      url.pathname.endsWith("/call") ? new Response("plain words") : undefined
    );
    const result = await new HubClient(hub.url).callTool("list_workloads", {});
    assert.equal(result.text, "plain words");
    assert.equal(result.json, undefined);
  });
});

Deno.test("a token is sent raw as X-Kubeshark-Authorization, never as Authorization", async () => {
  await withHub(async (hub) => {
    const client = new HubClient(hub.url, {
      credentials: { token: () => "tok-123", license: "LIC", advice: ADVICE },
    });
    await client.discover();
    await client.callTool("list_workloads", {});
    for (const request of hub.requests) {
      assert.equal(request.headers.get("x-kubeshark-authorization"), "tok-123");
      assert.equal(request.headers.get("authorization"), null);
      assert.equal(request.headers.get("license-key"), null);
    }
  });
});

Deno.test("without a token the license is sent as License-Key", async () => {
  await withHub(async (hub) => {
    await new HubClient(hub.url, { credentials: { license: "LIC-9", advice: ADVICE } }).discover();
    assert.equal(hub.requests[0].headers.get("license-key"), "LIC-9");
    assert.equal(hub.requests[0].headers.get("x-kubeshark-authorization"), null);
  });
});

Deno.test("401 becomes an auth error that says how to pass a token", async () => {
  await withHub(async (hub) => {
    hub.routes.push(() => new Response("no", { status: 401 }));
    const client = new HubClient(hub.url, { credentials: { advice: ADVICE } });
    const error = await rejection(client.callTool("list_workloads", {}));
    assert.equal(error.kind, "auth");
    assert.match(error.message, /requires authentication \(HTTP 401\)/);
    assert.match(error.message, /no accepted credential/);
    assert.match(error.message, /Pass --token\./);
  });
});

Deno.test("a rejected token is named as such", async () => {
  await withHub(async (hub) => {
    hub.routes.push(() => new Response("no", { status: 401 }));
    const client = new HubClient(hub.url, { credentials: { token: () => "old", advice: ADVICE } });
    const error = await rejection(client.discover());
    assert.match(error.message, /rejected the token/);
  });
});

Deno.test("302 and 303 redirects are not followed and mean authentication is required", async () => {
  for (const status of [302, 303]) {
    await withHub(async (hub) => {
      hub.routes.push((_r, url) =>
        url.pathname === "/login" ? new Response("login page") : new Response(null, {
          status,
          headers: { location: `${hub.url}/login` },
        })
      );
      const error = await rejection(new HubClient(hub.url).discover());
      assert.equal(error.kind, "auth");
      assert.equal(error.status, status);
      assert.equal(hub.requestsTo("/login").length, 0, "the redirect was followed");
    });
  }
});

Deno.test("4xx and 5xx become 'Hub API error (code): body' plus the class's next step", async () => {
  await withHub(async (hub) => {
    hub.routes.push((_r, url) =>
      new Response(`status for ${url.pathname}`, {
        status: url.pathname.endsWith("call") ? 422 : 503,
      })
    );
    const client = new HubClient(hub.url);
    const bad = await rejection(client.callTool("x", {}));
    assert.equal(bad.kind, "bad_request");
    assert.equal(bad.status, 422);
    assert.match(
      bad.message,
      /^Hub API error \(422\): status for \/api\/mcp\/tools\/call\n.*fix them/,
    );
    const down = await rejection(client.discover());
    assert.equal(down.kind, "server_error");
    assert.match(down.message, /^Hub API error \(503\).*\n.*retry/s);
  });
});

Deno.test("an HTML discovery body is not_kubeshark, naming the URL", async () => {
  await withHub(async (hub) => {
    hub.routes.push(() => new Response("<html>hello</html>"));
    const error = await rejection(new HubClient(hub.url).discover());
    assert.equal(error.kind, "not_kubeshark");
    assert.match(error.message, new RegExp(`${hub.url}/api/mcp`));
    assert.match(error.message, /front end/);
  });
});

Deno.test("a JSON discovery without a name or tools is not a Hub with MCP", async () => {
  await withHub(async (hub) => {
    hub.document = { something: "else" };
    const error = await rejection(new HubClient(hub.url).discover());
    assert.equal(error.kind, "not_kubeshark");
    assert.match(error.message, /MCP/);
  });
});

Deno.test("malformed tool entries are skipped, the rest kept", async () => {
  await withHub(async (hub) => {
    hub.document = { name: "hub", tools: [{ name: "good" }, { description: "no name" }, 7] };
    const info = await new HubClient(hub.url).discover();
    assert.deepEqual(info.tools.map((t) => t.name), ["good"]);
    assert.equal(info.skipped.length, 2);
    assert.deepEqual(info.tools[0].inputSchema, { type: "object" });
  });
});

Deno.test("a slow Hub times out with a timeout error", async () => {
  await withHub(async (hub) => {
    hub.routes.push(() => hub.hang());
    const error = await rejection(new HubClient(hub.url, { timeoutMs: 200 }).discover());
    assert.equal(error.kind, "timeout");
    assert.match(error.message, /did not answer within 0\.2 s/);
  });
});

Deno.test("an aborted call is an aborted error, not a timeout", async () => {
  await withHub(async (hub) => {
    hub.routes.push(() => hub.hang());
    const controller = new AbortController();
    const pending = new HubClient(hub.url).callTool("x", {}, controller.signal);
    while (hub.hanging === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    assert.equal((await rejection(pending)).kind, "aborted");
  });
});

Deno.test("a refused connection is an unreachable error naming the URL", async () => {
  const port = freePort();
  const error = await rejection(new HubClient(`http://127.0.0.1:${port}`).discover());
  assert.equal(error.kind, "unreachable");
  assert.match(
    error.message,
    new RegExp(`Cannot reach the Hub at http://127\\.0\\.0\\.1:${port}/api/mcp`),
  );
});

Deno.test("openFile bounds only the wait for headers, then streams", async () => {
  await withHub(async (hub) => {
    hub.routes.push((_r, url) => {
      if (url.pathname !== "/api/slow.bin") return undefined;
      const body = new ReadableStream({
        async start(controller) {
          for (let i = 0; i < 4; i++) {
            controller.enqueue(new Uint8Array(10).fill(i));
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          controller.close();
        },
      });
      return new Response(body);
    });
    const response = await new HubClient(hub.url, { timeoutMs: 150 }).openFile("/slow.bin");
    const bytes = new Uint8Array(await response.arrayBuffer());
    assert.equal(bytes.length, 40);
  });
});

Deno.test("fileUrl puts a relative path under {base}/api", () => {
  const client = new HubClient("http://hub.local:8899/");
  assert.equal(
    client.fileUrl("/snapshots/a/data.pcap"),
    "http://hub.local:8899/api/snapshots/a/data.pcap",
  );
  assert.equal(
    client.fileUrl("snapshots/a/data.pcap"),
    "http://hub.local:8899/api/snapshots/a/data.pcap",
  );
});

const ESCAPES = [
  "/../../etc/passwd",
  "../etc/passwd",
  "/snapshots/../../etc/passwd",
  "/%2e%2e/%2e%2e/etc/passwd",
  "/%2E%2E/etc/passwd",
  "/snapshots/..%2f..%2fetc/passwd",
  "/snapshots/%2fetc",
  "/%252e%252e/%252e%252e/etc/passwd",
  "/..;/..;/etc/passwd",
  "/snapshots/..%3B/..%3B/..%3B/etc/passwd",
  "/snapshots/..%3b/x",
  "/snapshots/a;x=1/data.pcap",
  "\\..\\..\\etc\\passwd",
  "/snapshots/a\\..\\..\\x",
  "/snapshots/a\u0000b",
  "/",
  "..",
  "//evil.example/x",
  "http://evil.example/x",
];

Deno.test("fileUrl refuses every path that would leave {base}/api/, under a path prefix too", () => {
  for (const base of ["http://hub.local:8899", "http://hub.local:8899/kubeshark/"]) {
    const client = new HubClient(base);
    for (const path of ESCAPES) {
      assert.throws(
        () => client.fileUrl(path),
        (error) => error instanceof HubError && error.kind === "bad_path",
        `${base} + ${JSON.stringify(path)} was not refused`,
      );
    }
    // Dot segments that stay inside are resolved, not refused.
    assert.equal(
      client.fileUrl("/snapshots/x/../y/data.pcap"),
      `${base.replace(/\/$/, "")}/api/snapshots/y/data.pcap`,
    );
  }
});

Deno.test("openFile under a path prefix never requests a path outside {prefix}/api/", async () => {
  await withHub(async (hub) => {
    const client = new HubClient(`${hub.url}/kubeshark`, {
      credentials: { token: () => "T", advice: "" },
    });
    for (const path of ["/../../etc/passwd", "/%2e%2e/x", "/../../kubeshark-other/api/x"]) {
      assert.equal((await rejection(client.openFile(path))).kind, "bad_path");
    }
    assert.deepEqual(hub.requests, [], "a request left the client");
  });
});

Deno.test("an answer larger than maxBodyBytes is abandoned as too_large, streamed or declared", async () => {
  await withHub(async (hub) => {
    const big = "x".repeat(5000);
    hub.routes.push((_r, url) => {
      if (url.pathname !== "/api/mcp/tools/call") return undefined;
      // No content-length: the limit must hold while streaming.
      const body = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(JSON.stringify({ big })));
          controller.close();
        },
      });
      return new Response(body, { headers: { "content-type": "application/json" } });
    });
    const client = new HubClient(hub.url, { maxBodyBytes: 4096 });
    const error = await rejection(client.callTool("list_api_calls", {}));
    assert.equal(error.kind, "too_large");
    assert.match(error.message, /larger than 4096 bytes.*--max-hub-bytes/s);
    assert.ok((await new HubClient(hub.url, { maxBodyBytes: 8192 }).callTool("x", {})).json);
  });
});

Deno.test("a compressed answer is bounded by its size unpacked, not by its declared length", async () => {
  // fetch unpacks gzip but keeps the packed content-length: 1 MiB of JSON declares ~1 KB.
  const json = JSON.stringify({ big: " ".repeat(1 << 20) });
  const packed = new Uint8Array(
    await new Response(new Blob([json]).stream().pipeThrough(new CompressionStream("gzip")))
      .arrayBuffer(),
  );
  await withHub(async (hub) => {
    hub.routes.push((_r, url) =>
      url.pathname === "/api/mcp/tools/call"
        ? new Response(packed, {
          headers: {
            "content-type": "application/json",
            "content-encoding": "gzip",
            "content-length": String(packed.length),
          },
        })
        : undefined
    );
    const error = await rejection(
      new HubClient(hub.url, { maxBodyBytes: 64 * 1024 }).callTool("list_api_calls", {}),
    );
    assert.equal(error.kind, "too_large");
    const whole = await new HubClient(hub.url, { maxBodyBytes: 2 << 20 }).callTool("x", {});
    assert.equal(whole.text.length, json.length);
  });
});

Deno.test("a JSON answer that does not parse is bad_response; other content types pass as text", async () => {
  await withHub(async (hub) => {
    let type = "application/json";
    hub.routes.push((_r, url) =>
      url.pathname === "/api/mcp/tools/call"
        ? new Response('{"workloads": [{"namespace": "default", "pod": "fron', {
          headers: { "content-type": type },
        })
        : undefined
    );
    const client = new HubClient(hub.url);
    const cut = await rejection(client.callTool("list_workloads", {}));
    assert.equal(cut.kind, "bad_response");
    assert.match(cut.message, /cut off or is not JSON/);
    type = "text/plain";
    const text = await client.callTool("list_workloads", {});
    assert.equal(text.json, undefined);
    assert.match(text.text, /^\{"workloads"/);
    // Several JSON texts (RFC 7464) are not one JSON document: text, not a cut-off answer.
    type = "application/json-seq";
    assert.equal((await client.callTool("list_workloads", {})).json, undefined);
  });
});

Deno.test("a 204, or an empty 200 declared as JSON, is a success with no content, not 'cut off'", async () => {
  await withHub(async (hub) => {
    let status = 204;
    hub.routes.push((_r, url) =>
      url.pathname === "/api/mcp/tools/call"
        ? new Response(status === 204 ? null : "", {
          status,
          headers: { "content-type": "application/json" },
        })
        : undefined
    );
    const client = new HubClient(hub.url);
    assert.deepEqual(await client.callTool("enable_dissection", {}), { text: "" });
    status = 200;
    assert.deepEqual(await client.callTool("enable_dissection", {}), { text: "" });
  });
});

Deno.test("a 404 about something else than the tool gets no 'no tool named' advice", async () => {
  await withHub(async (hub) => {
    hub.routes.push((_r, url) =>
      url.pathname === "/api/mcp/tools/call"
        ? Response.json({ error: 'api call "nope" not found' }, { status: 404 })
        : undefined
    );
    const error = await rejection(new HubClient(hub.url).callTool("get_api_call", { id: "nope" }));
    assert.equal(error.kind, "not_found");
    assert.doesNotMatch(error.message, /no tool named/);
    assert.match(error.message, /check the id/);
  });
});

Deno.test("a 501 says the Hub version lacks it, not to narrow the query", async () => {
  await withHub(async (hub) => {
    hub.routes.push(() => new Response("not implemented", { status: 501 }));
    const error = await rejection(new HubClient(hub.url).callTool("x", {}));
    assert.equal(error.kind, "not_implemented");
    assert.doesNotMatch(error.message, /narrow/);
    assert.match(error.message, /version/);
  });
});
