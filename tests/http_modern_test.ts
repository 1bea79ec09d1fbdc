/**
 * Revision 2026-07-28 over HTTP, on the raw wire: no sessions (any process answers any request),
 * and the headers that mirror the body checked against it.
 */
import assert from "node:assert/strict";
import { HubDouble } from "./support/hub_double.ts";
import { HttpProcess, withHttpServer } from "./support/http_process.ts";

const MODERN = "2026-07-28";

function modernRequest(
  method: string,
  params: Record<string, unknown> = {},
  id: number | string = 1,
) {
  return {
    jsonrpc: "2.0",
    id,
    method,
    params: {
      ...params,
      _meta: {
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
        "io.modelcontextprotocol/clientCapabilities": {},
      },
    },
  };
}

function headersFor(body: { method: string; params?: Record<string, unknown> }) {
  const name = body.params?.name ?? body.params?.uri;
  return {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": MODERN,
    "mcp-method": body.method,
    ...(typeof name === "string" ? { "mcp-name": name } : {}),
  };
}

async function post(endpoint: string, body: unknown, headers: Record<string, string>) {
  const response = await fetch(endpoint, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const json = response.headers.get("content-type")?.includes("event-stream")
    ? JSON.parse(text.split("\n").filter((l) => l.startsWith("data: ")).at(-1)!.slice(6))
    : text
    ? JSON.parse(text)
    : undefined;
  return { status: response.status, headers: response.headers, json };
}

Deno.test("a modern request is answered by a second server process that shares nothing with the first", async () => {
  const hub = new HubDouble();
  try {
    await withHttpServer(["--url", hub.url], async (first) => {
      await withHttpServer(["--url", hub.url], async (second) => {
        const list = modernRequest("tools/list");
        const call = modernRequest("tools/call", {
          name: "list_workloads",
          arguments: { namespace: "shop" },
        }, 2);
        for (const server of [first, second]) {
          const listed = await post(server.endpoint, list, headersFor(list));
          assert.equal(listed.status, 200);
          assert.equal(listed.headers.get("mcp-session-id"), null, "no session in 2026-07-28");
          assert.ok(
            listed.json.result.tools.some((t: { name: string }) => t.name === "list_workloads"),
          );
        }
        // Each request stands alone: a call to the second process needs nothing from the first.
        const called = await post(second.endpoint, call, headersFor(call));
        assert.equal(called.status, 200);
        assert.equal(called.json.id, 2);
        assert.match(JSON.stringify(called.json.result.content), /list_workloads/);
      });
    });
  } finally {
    await hub.close();
  }
});

Deno.test("the same request id from two modern clients at once gets each its own answer", async () => {
  await withHttpServer(["--demo"], async (server) => {
    const calls = ["a", "b", "c", "d"].map((namespace) =>
      modernRequest("tools/call", { name: "get_file_url", arguments: { path: `/${namespace}` } }, 7)
    );
    const answers = await Promise.all(
      calls.map((call) => post(server.endpoint, call, headersFor(call))),
    );
    answers.forEach((answer, i) => {
      assert.equal(answer.json.id, 7);
      assert.match(JSON.stringify(answer.json.result), new RegExp(`/${"abcd"[i]}`));
    });
  });
});

Deno.test("headers that do not match the body are refused with 400 HeaderMismatch (-32020)", async () => {
  await withHttpServer(["--demo"], async (server) => {
    const call = modernRequest("tools/call", { name: "get_file_url", arguments: { path: "/x" } });
    const base = headersFor(call);
    const { "mcp-protocol-version": _, ...noVersion } = base;
    const { "mcp-name": __, ...noName } = base;
    const cases: [string, Record<string, string>, RegExp][] = [
      ["missing MCP-Protocol-Version", noVersion, /MCP-Protocol-Version/],
      ["Mcp-Method differs", { ...base, "mcp-method": "tools/list" }, /Mcp-Method/],
      ["Mcp-Name missing", noName, /Mcp-Name/],
      ["Mcp-Name differs", { ...base, "mcp-name": "download_file" }, /download_file/],
      [
        "base64 Mcp-Name differs",
        { ...base, "mcp-name": `=?base64?${btoa("check_kubeshark_status")}?=` },
        /check_kubeshark_status/,
      ],
    ];
    for (const [what, headers, message] of cases) {
      const answer = await post(server.endpoint, call, headers);
      assert.equal(answer.status, 400, what);
      assert.equal(answer.json.error.code, -32020, what);
      assert.match(answer.json.error.message, message, what);
    }
    const encoded = await post(server.endpoint, call, {
      ...base,
      "mcp-name": `=?base64?${btoa("get_file_url")}?=`,
    });
    assert.equal(encoded.status, 200, "a base64-encoded name that matches is accepted");
  });
});

Deno.test("an unsupported protocol version is refused with 400 and -32022 listing ours; GET is 405", async () => {
  await withHttpServer(["--demo"], async (server) => {
    const list = modernRequest("tools/list");
    list.params._meta["io.modelcontextprotocol/protocolVersion"] = "2099-01-01";
    const answer = await post(server.endpoint, list, {
      ...headersFor(list),
      "mcp-protocol-version": "2099-01-01",
    });
    assert.equal(answer.status, 400);
    assert.equal(answer.json.id, 1);
    assert.equal(answer.json.error.code, -32022);
    assert.ok(answer.json.error.data.supported.includes(MODERN));
    assert.ok(answer.json.error.data.supported.includes("2025-11-25"));

    // A header naming another version than the body is a mismatch first.
    const current = modernRequest("tools/list");
    const mismatch = await post(server.endpoint, current, {
      ...headersFor(current),
      "mcp-protocol-version": "2099-01-01",
    });
    assert.equal(mismatch.status, 400);
    assert.equal(mismatch.json.error.code, -32020);

    const get = await fetch(server.endpoint, {
      headers: { accept: "text/event-stream", "mcp-protocol-version": MODERN },
    });
    await get.body?.cancel();
    assert.equal(get.status, 405);
  });
});

Deno.test("a modern request without its _meta envelope is refused with 400 and -32602", async () => {
  await withHttpServer(["--demo"], async (server) => {
    const bare = { jsonrpc: "2.0", id: 9, method: "tools/list", params: {} };
    const answer = await post(server.endpoint, bare, headersFor(bare));
    assert.equal(answer.status, 400);
    assert.equal(answer.json.id, 9);
    assert.equal(answer.json.error.code, -32602);
    assert.match(answer.json.error.message, /_meta/);
  });
});

Deno.test("subscriptions/listen answers with an open stream that starts with the acknowledgement; SIGTERM still stops the server cleanly", async () => {
  const server = await HttpProcess.start(["--demo"]);
  let stopped = false;
  try {
    const listen = modernRequest("subscriptions/listen", {
      notifications: { toolsListChanged: true },
    }, "L1");
    const response = await fetch(server.endpoint, {
      method: "POST",
      headers: headersFor(listen),
      body: JSON.stringify(listen),
    });
    assert.equal(response.headers.get("content-type"), "text/event-stream");
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("data: ")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    while (!text.includes("\n\n", text.indexOf("data: "))) text += (await reader.read()).value;
    const first = JSON.parse(text.slice(text.indexOf("data: ") + 6).split("\n")[0]);
    assert.equal(first.method, "notifications/subscriptions/acknowledged");
    assert.equal(first.params._meta["io.modelcontextprotocol/subscriptionId"], "L1");
    const status = await server.kill();
    stopped = true;
    assert.equal(status.signal, null, "stopped by SIGTERM, not killed");
    await reader.cancel().catch(() => {});
  } finally {
    if (!stopped) await server.kill();
  }
});
