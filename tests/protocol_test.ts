/** The MCP surface over real stdio: lifecycle, methods, error codes, ids, framing. */
import assert from "node:assert/strict";
import { HUB_DOCUMENT, HubDouble } from "./support/hub_double.ts";
import { freePort, textOf, withHubAndServer, withServer } from "./support/harness.ts";
import { waitUntil } from "./support/spawn.ts";

const LOCAL_URL_MODE_TOOLS = ["check_kubeshark_status", "get_file_url", "download_file"];

Deno.test("initialize answers the client's supported version, our name, version and capabilities", async () => {
  await withHubAndServer(async (server) => {
    const result = await server.initialize("2025-03-26");
    assert.equal(result.protocolVersion, "2025-03-26");
    assert.equal(result.serverInfo.name, "kubeshark-mcp");
    assert.match(result.serverInfo.version, /^\d+\.\d+\.\d+/);
    assert.deepEqual(result.capabilities.tools, { listChanged: true });
    assert.deepEqual(result.capabilities.prompts, { listChanged: true });
    assert.deepEqual(result.capabilities.logging, {});
    assert.match(result.instructions, /check_kubeshark_status/);
    assert.match(result.instructions, /URL mode/);
    assert.match(result.instructions, /download_file/);
  });
});

Deno.test("initialize with an unknown protocol version answers our latest", async () => {
  await withServer([], async (server) => {
    const result = await server.initialize("1999-01-01");
    assert.equal(result.protocolVersion, "2025-11-25");
  });
});

Deno.test("every supported protocol version is echoed back", async () => {
  await withServer([], async (server) => {
    for (const version of ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]) {
      const response = await server.request("initialize", { protocolVersion: version });
      assert.equal(response.result.protocolVersion, version);
    }
  });
});

Deno.test("instructions differ by mode: proxy without and with --allow-destructive", async () => {
  await withServer([], async (server) => {
    const result = await server.initialize();
    assert.match(result.instructions, /start\/stop are disabled/);
    assert.match(result.instructions, /--allow-destructive/);
  });
  await withServer(["--allow-destructive"], async (server) => {
    const result = await server.initialize();
    assert.match(result.instructions, /DESTRUCTIVE/);
    assert.match(result.instructions, /confirm with the user/);
  });
});

Deno.test("instructions call the server read-only only under --read-only, else name what changes state", async () => {
  for (const args of [[], ["--demo"]]) {
    await withServer(args, async (server) => {
      const { instructions } = await server.initialize();
      assert.doesNotMatch(instructions, /\(read-only\)|read-only access/i, args.join(" "));
      assert.match(instructions, /Some tools change state: create_snapshot/);
    });
  }
  await withHubAndServer(async (server) => {
    const { instructions } = await server.initialize();
    assert.doesNotMatch(instructions, /\(read-only\)|read-only access/i);
    assert.match(instructions, /download_file writes a local file/);
  });
  for (const args of [["--demo", "--read-only"], ["--read-only", "--allow-destructive"]]) {
    await withServer(args, async (server) => {
      const { instructions } = await server.initialize();
      assert.match(instructions, /--read-only: only tools that change nothing are offered/);
      assert.doesNotMatch(instructions, /Some tools change state|DESTRUCTIVE/);
    });
  }
});

Deno.test("ping answers an empty result with the same id", async () => {
  await withServer([], async (server) => {
    const response = await server.request("ping", undefined, 42);
    assert.deepEqual(response, { jsonrpc: "2.0", id: 42, result: {} });
  });
});

Deno.test("notifications get no response: both initialized names, cancelled, and unknown ones", async () => {
  await withServer([], async (server) => {
    await server.notify("notifications/initialized");
    await server.notify("initialized");
    await server.notify("notifications/cancelled", { requestId: 999 });
    await server.notify("notifications/something_new", { x: 1 });
    await server.notify("weird/notification");
    const ping = await server.request("ping", undefined, "after");
    assert.equal(ping.id, "after");
    assert.deepEqual(server.received.map((m) => m.id), ["after"]);
  });
});

Deno.test("an unknown method answers -32601 naming the method", async () => {
  await withServer([], async (server) => {
    const response = await server.request("tools/frobnicate", {});
    assert.equal(response.error.code, -32601);
    assert.match(response.error.message, /tools\/frobnicate/);
    assert.equal(response.error.data.method, "tools/frobnicate");
  });
});

Deno.test("a line that is not JSON answers -32700 with id null, and the server keeps going", async () => {
  await withServer([], async (server) => {
    await server.sendLine("{not json");
    const error = await server.waitFor((m) => m.error?.code === -32700);
    assert.equal(error.id, null);
    assert.ok(error.error.data.detail);
    const ping = await server.request("ping");
    assert.deepEqual(ping.result, {});
  });
});

Deno.test("an invalid request answers -32600 with its id when it has one", async () => {
  await withServer([], async (server) => {
    await server.send({ jsonrpc: "1.0", id: 5, method: "ping" });
    await server.send({ jsonrpc: "2.0", id: 6 });
    await server.send({ jsonrpc: "2.0", id: null, method: "ping" });
    await server.sendLine("42");
    const five = await server.waitFor((m) => m.id === 5);
    const six = await server.waitFor((m) => m.id === 6);
    assert.equal(five.error.code, -32600);
    assert.equal(six.error.code, -32600);
    const nulls = await server.waitFor((m) =>
      m.id === null && m.error?.code === -32600 &&
      server.received.filter((r) => r.id === null).length === 2
    );
    assert.equal(nulls.error.code, -32600);
  });
});

Deno.test("params of the wrong type answer -32602", async () => {
  await withServer([], async (server) => {
    const call = await server.request("tools/call", { name: 42 });
    assert.equal(call.error.code, -32602);
    assert.match(call.error.message, /params\.name/);
    const args = await server.request("tools/call", { name: "get_file_url", arguments: "x" });
    assert.equal(args.error.code, -32602);
    const init = await server.request("initialize", { protocolVersion: 2025 });
    assert.equal(init.error.code, -32602);
    const level = await server.request("logging/setLevel", { level: "loud" });
    assert.equal(level.error.code, -32602);
    const prompt = await server.request("prompts/get", {});
    assert.equal(prompt.error.code, -32602);
  });
});

Deno.test("params: null is treated as no params", async () => {
  await withServer([], async (server) => {
    const id = server.nextId();
    await server.send({ jsonrpc: "2.0", id, method: "ping", params: null });
    const response = await server.waitFor((m) => m.id === id);
    assert.deepEqual(response.result, {});
  });
});

Deno.test("numeric and string ids are echoed exactly", async () => {
  await withServer([], async (server) => {
    for (const id of [0, 7, -3, 1.5, "", "abc", "id with spaces ✓"]) {
      const response = await server.request("ping", undefined, id);
      assert.strictEqual(response.id, id);
    }
  });
});

Deno.test("blank and whitespace-only lines are ignored", async () => {
  await withServer([], async (server) => {
    await server.sendLine("");
    await server.sendLine("   \t ");
    await server.sendLine("\r");
    const ping = await server.request("ping", undefined, 1);
    assert.deepEqual(ping.result, {});
    assert.equal(server.received.length, 1);
  });
});

Deno.test("several requests on consecutive lines each get exactly one response", async () => {
  await withServer([], async (server) => {
    const lines = Array.from(
      { length: 20 },
      (_, i) => JSON.stringify({ jsonrpc: "2.0", id: i, method: i % 2 ? "ping" : "prompts/list" }),
    );
    await server.sendLine(lines.join("\n"));
    await server.waitFor(() => server.received.length >= 20);
    await server.request("ping", undefined, "last");
    const ids = server.received.map((m) => m.id).filter((id) => id !== "last").sort((a, b) =>
      a - b
    );
    assert.deepEqual(ids, Array.from({ length: 20 }, (_, i) => i));
  });
});

Deno.test("a batch gets one array of responses, notifications excluded", async () => {
  await withServer([], async (server) => {
    await server.sendLine(JSON.stringify([
      { jsonrpc: "2.0", id: 1, method: "ping" },
      { jsonrpc: "2.0", method: "notifications/initialized" },
      { jsonrpc: "2.0", id: 2, method: "nope" },
    ]));
    const batch = await server.waitFor((m) => Array.isArray(m));
    assert.equal(batch.length, 2);
    assert.deepEqual(batch.map((m: { id: number }) => m.id).sort(), [1, 2]);
    await server.sendLine("[]");
    const empty = await server.waitFor((m) => m.error?.code === -32600);
    assert.equal(empty.id, null);
  });
});

Deno.test("a 10 MiB line is accepted and answered", async () => {
  await withServer([], async (server) => {
    const big = "x".repeat(10 * 1024 * 1024);
    const response = await server.request("tools/call", {
      name: "get_file_url",
      arguments: { path: `/snapshots/${big}` },
    });
    assert.ok(response.result, "expected a result, not an error");
  });
});

Deno.test("stdin EOF makes the server exit 0", async () => {
  await withServer([], async (server) => {
    await server.request("ping");
    const status = await server.close();
    assert.equal(status.code, 0);
  });
});

Deno.test("stdin EOF right after a last request without newline still answers it", async () => {
  await withServer([], async (server) => {
    await server.sendRaw(JSON.stringify({ jsonrpc: "2.0", id: 9, method: "ping" }));
    const status = await server.close();
    assert.equal(status.code, 0);
    assert.deepEqual(server.received, [{ jsonrpc: "2.0", id: 9, result: {} }]);
  });
});

Deno.test("tools/list without a Hub lists the local tools of the mode", async () => {
  await withServer([], async (server) => {
    const { tools } = (await server.request("tools/list")).result;
    assert.deepEqual(tools.map((t: { name: string }) => t.name), LOCAL_URL_MODE_TOOLS);
  });
});

Deno.test("tools/list with --allow-destructive adds start and stop", async () => {
  await withServer(["--allow-destructive"], async (server) => {
    const { tools } = (await server.request("tools/list")).result;
    assert.deepEqual(tools.map((t: { name: string }) => t.name), [
      ...LOCAL_URL_MODE_TOOLS,
      "start_kubeshark",
      "stop_kubeshark",
    ]);
    const start = tools.find((t: { name: string }) => t.name === "start_kubeshark");
    assert.equal(start.annotations.destructiveHint, true);
  });
});

Deno.test("tools/list in URL mode never lists start/stop, even with --allow-destructive", async () => {
  await withHubAndServer(async (server) => {
    const { tools } = (await server.request("tools/list")).result;
    const names = tools.map((t: { name: string }) => t.name);
    assert.ok(!names.includes("start_kubeshark"));
    assert.ok(!names.includes("stop_kubeshark"));
  }, { args: ["--allow-destructive"] });
});

Deno.test("tools/list with a Hub adds its tools, annotations passed through or filled in", async () => {
  await withHubAndServer(async (server) => {
    const { tools } = (await server.request("tools/list")).result;
    const names = tools.map((t: { name: string }) => t.name);
    assert.deepEqual(names, [...LOCAL_URL_MODE_TOOLS, ...HUB_DOCUMENT.tools.map((t) => t.name)]);
    const byName = Object.fromEntries(tools.map((t: { name: string }) => [t.name, t]));
    assert.deepEqual(byName.get_api_call.inputSchema, HUB_DOCUMENT.tools[2].inputSchema);
    assert.equal(byName.list_workloads.annotations.readOnlyHint, true);
    assert.equal(byName.list_workloads.annotations.openWorldHint, false);
    assert.equal(byName.create_snapshot.annotations.readOnlyHint, false);
    assert.equal(byName.create_snapshot.annotations.destructiveHint, false);
  });
});

Deno.test("every listed tool has a name, a description, an object schema and annotations", async () => {
  await withHubAndServer(async (server) => {
    const { tools } = (await server.request("tools/list")).result;
    for (const tool of tools) {
      assert.match(tool.name, /^[a-z_]+$/);
      assert.ok(tool.description.length > 10, `${tool.name} has no real description`);
      assert.equal(tool.inputSchema.type, "object", tool.name);
      assert.equal(tool.inputSchema.$schema, undefined, tool.name);
      assert.equal(typeof tool.annotations.readOnlyHint, "boolean", tool.name);
    }
    const local = Object.fromEntries(tools.map((t: { name: string }) => [t.name, t]));
    assert.equal(local.check_kubeshark_status.annotations.readOnlyHint, true);
    assert.equal(local.get_file_url.annotations.readOnlyHint, true);
    assert.deepEqual(local.get_file_url.inputSchema.required, ["path"]);
    assert.deepEqual(local.download_file.inputSchema.required, ["path"]);
  });
});

Deno.test("concurrent tools/list requests make one discovery request to the Hub", async () => {
  await withHubAndServer(async (server, hub) => {
    await server.initialize();
    const lists = await Promise.all(Array.from({ length: 10 }, () => server.request("tools/list")));
    for (const list of lists) assert.equal(list.result.tools.length, 8);
    assert.equal(hub.requestsTo("/api/mcp").length, 1);
  });
});

Deno.test("a Hub tool call sends name and arguments and returns compact JSON", async () => {
  await withHubAndServer(async (server, hub) => {
    await server.initialize("2025-06-18");
    const result = await server.callTool("list_api_calls", { kfl: "http && status_code >= 500" });
    const [call] = hub.requestsTo("/api/mcp/tools/call");
    assert.deepEqual(JSON.parse(call.body), {
      name: "list_api_calls",
      arguments: { kfl: "http && status_code >= 500" },
    });
    assert.equal(result.content[0].type, "text");
    assert.equal(result.isError, undefined);
    const expected = {
      tool: "list_api_calls",
      arguments: { kfl: "http && status_code >= 500" },
      items: [1, 2, 3],
    };
    assert.equal(textOf(result), JSON.stringify(expected));
    assert.deepEqual(result.structuredContent, expected);
  });
});

Deno.test("every Hub tool is forwarded under its own name, its answer as compact JSON", async () => {
  await withHubAndServer(async (server, hub) => {
    for (const tool of HUB_DOCUMENT.tools) {
      const args = tool.inputSchema.required ? { id: `for-${tool.name}` } : {};
      const result = await server.callTool(tool.name, args);
      assert.equal(result.isError, undefined, tool.name);
      const sent = JSON.parse(hub.requestsTo("/api/mcp/tools/call").at(-1)!.body);
      assert.deepEqual(sent, { name: tool.name, arguments: args });
      const text = textOf(result);
      assert.equal(
        text,
        JSON.stringify(JSON.parse(text)),
        `${tool.name} not compact`,
      );
    }
  });
});

Deno.test("a missing required argument (get_api_call without id) is refused before it is sent", async () => {
  await withHubAndServer(async (server, hub) => {
    await server.initialize();
    const result = await server.callTool("get_api_call", {});
    assert.equal(result.isError, true);
    assert.match(
      textOf(result),
      /^Invalid arguments for get_api_call: id is required\. Nothing was sent/,
    );
    assert.deepEqual(hub.requestsTo("/api/mcp/tools/call"), []);
  });
});

Deno.test("a Hub 400 is an isError result quoting the Hub and saying to fix the arguments", async () => {
  await withHubAndServer(async (server, hub) => {
    hub.routes.push((_r, url) =>
      url.pathname.endsWith("/tools/call")
        ? Response.json({ error: "id is required" }, { status: 400 })
        : undefined
    );
    const result = await server.callTool("get_api_call", { id: "x" });
    assert.equal(result.isError, true);
    assert.match(
      textOf(result),
      /^Hub API error \(400\): \{"error":"id is required"\}\n.*fix them/,
    );
  });
});

Deno.test("structuredContent is left out for protocol versions before 2025-06-18", async () => {
  await withHubAndServer(async (server) => {
    await server.initialize("2025-03-26");
    const result = await server.callTool("list_workloads", {});
    assert.equal(result.structuredContent, undefined);
    assert.match(textOf(result), /"tool":"list_workloads"/);
  });
});

Deno.test("odd, empty and null arguments reach the Hub as an object, never a JSON-RPC error", async () => {
  await withHubAndServer(async (server, hub) => {
    // A tool whose schema takes any argument: only the shape of `arguments` is under test here.
    hub.document = {
      ...HUB_DOCUMENT,
      tools: [{ name: "list_workloads", description: "Any arguments.", inputSchema: {} }],
    };
    for (const args of [{ path: "/api?id=123" }, { id: "abc/123" }, {}, null, undefined]) {
      const response = await server.request("tools/call", {
        name: "list_workloads",
        arguments: args,
      });
      assert.equal(response.error, undefined, JSON.stringify(args));
      assert.equal(response.result.isError, undefined);
    }
    const bodies = hub.requestsTo("/api/mcp/tools/call").map((r) => JSON.parse(r.body).arguments);
    assert.deepEqual(bodies, [{ path: "/api?id=123" }, { id: "abc/123" }, {}, {}, {}]);
  });
});

Deno.test("a tool the Hub does not know (404) is an isError result", async () => {
  await withHubAndServer(async (server) => {
    const result = await server.callTool("no_such_tool", {});
    assert.equal(result.isError, true);
    assert.match(textOf(result), /Hub API error \(404\)/);
    assert.match(textOf(result), /tools\/list/);
  });
});

Deno.test("Hub 400 and 500 answers are isError results quoting the Hub", async () => {
  await withHubAndServer(async (server, hub) => {
    hub.routes.push((request, url) => {
      if (url.pathname !== "/api/mcp/tools/call") return undefined;
      return request.json().then((call) =>
        call.name === "list_api_calls"
          ? new Response("bad filter at 3: expected ')'", { status: 400 })
          : new Response("boom", { status: 500 })
      );
    });
    const bad = await server.callTool("list_api_calls", { kfl: "(http" });
    assert.equal(bad.isError, true);
    assert.match(textOf(bad), /^Hub API error \(400\): bad filter at 3: expected '\)'\n/);
    const broken = await server.callTool("list_workloads", {});
    assert.equal(broken.isError, true);
    assert.match(textOf(broken), /^Hub API error \(500\): boom/);
  });
});

Deno.test("a refused connection is an isError result naming the URL and what to do", async () => {
  const port = freePort();
  await withServer(["--url", `http://127.0.0.1:${port}`], async (server) => {
    const result = await server.callTool("list_workloads", {});
    assert.equal(result.isError, true);
    assert.match(textOf(result), new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.match(textOf(result), /check_kubeshark_status/);
  });
});

Deno.test("a ping is answered while a Hub call hangs", async () => {
  await withHubAndServer(async (server, hub) => {
    hub.routes.push((_request, url) =>
      url.pathname === "/api/mcp/tools/call" ? hub.hang() : undefined
    );
    const id = server.nextId();
    await server.send({
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: { name: "list_workloads" },
    });
    await waitUntil(() => hub.hanging === 1, "the Hub to hold the call");
    const ping = await server.request("ping");
    assert.deepEqual(ping.result, {});
    assert.equal(server.received.some((m) => m.id === id), false);
  });
});

Deno.test("a cancelled request gets no response and the server stays responsive", async () => {
  await withHubAndServer(async (server, hub) => {
    hub.routes.push((_request, url) =>
      url.pathname === "/api/mcp/tools/call" ? hub.hang() : undefined
    );
    const id = server.nextId();
    await server.send({
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: { name: "list_workloads" },
    });
    await waitUntil(() => hub.hanging === 1, "the Hub to hold the call");
    await server.notify("notifications/cancelled", { requestId: id, reason: "user stopped" });
    // A later request on the same stream proves the cancelled one was dropped, not queued.
    await server.request("ping");
    await server.request("ping");
    assert.equal(server.received.some((m) => m.id === id), false);
    const status = await server.close();
    assert.equal(status.code, 0);
    assert.equal(server.received.some((m) => m.id === id), false);
  });
});

Deno.test("a Hub that never answers turns into a timeout result after --hub-timeout", async () => {
  await withHubAndServer(async (server, hub) => {
    hub.routes.push((_request, url) =>
      url.pathname === "/api/mcp/tools/call" ? hub.hang() : undefined
    );
    const result = await server.callTool("list_workloads", {});
    assert.equal(result.isError, true);
    assert.match(textOf(result), /did not answer within 0\.5 s/);
    assert.match(textOf(result), /--hub-timeout/);
  }, { args: ["--hub-timeout", "0.5"] });
});

Deno.test("prompts/list has kubeshark_usage and the Hub's prompts", async () => {
  await withHubAndServer(async (server) => {
    const { prompts } = (await server.request("prompts/list")).result;
    assert.deepEqual(prompts.map((p: { name: string }) => p.name), [
      "kubeshark_usage",
      "find_errors",
      "trace_request",
    ]);
    assert.equal(prompts[2].arguments[0].required, true);
  });
});

Deno.test("prompts/get kubeshark_usage returns one user message steering away from kubectl", async () => {
  await withServer([], async (server) => {
    const { result } = await server.request("prompts/get", { name: "kubeshark_usage" });
    assert.equal(result.messages.length, 1);
    assert.equal(result.messages[0].role, "user");
    assert.equal(result.messages[0].content.type, "text");
    assert.match(result.messages[0].content.text, /check_kubeshark_status/);
    assert.match(result.messages[0].content.text, /kubectl/);
  });
});

Deno.test("prompts/get renders a Hub prompt in Kubeshark's layout, with the values given", async () => {
  await withHubAndServer(async (server) => {
    const plain = await server.request("prompts/get", { name: "find_errors" });
    assert.equal(
      plain.result.messages[0].content.text,
      "Task: find_errors\n\nFind failing API calls.\n\nParameters:\n" +
        "- namespace: Namespace to look at\n\n" +
        "Use the appropriate Kubeshark MCP tools to complete this task.",
    );
    const given = await server.request("prompts/get", {
      name: "trace_request",
      arguments: { request_id: "abc-1" },
    });
    assert.match(
      given.result.messages[0].content.text,
      /- request_id \(required\): The request id = "abc-1"/,
    );
  });
});

Deno.test("prompts/get of an unknown prompt, or without a required argument, answers -32602", async () => {
  await withHubAndServer(async (server) => {
    const unknown = await server.request("prompts/get", { name: "nope" });
    assert.equal(unknown.error.code, -32602);
    assert.match(unknown.error.message, /nope/);
    assert.ok(unknown.error.data.available.includes("find_errors"));
    const missing = await server.request("prompts/get", { name: "trace_request" });
    assert.equal(missing.error.code, -32602);
    assert.match(missing.error.message, /request_id/);
  });
});

Deno.test("logging/setLevel is accepted and debug records then reach the client", async () => {
  await withServer([], async (server) => {
    await server.initialize();
    const response = await server.request("logging/setLevel", { level: "debug" });
    assert.deepEqual(response.result, {});
    await server.notify("notifications/some_unknown_thing");
    const log = await server.waitFor((m) =>
      m.method === "notifications/message" && /some_unknown_thing/.test(m.params.data)
    );
    assert.equal(log.params.level, "debug");
    assert.equal(log.params.logger, "kubeshark-mcp");
  });
});

Deno.test("URL mode starts with no Hub, then lists the Hub's tools and sends list_changed once it answers", async () => {
  const port = freePort();
  const { HubDouble } = await import("./support/hub_double.ts");
  await withServer(["--url", `http://127.0.0.1:${port}`], async (server) => {
    await server.initialize();
    const before = (await server.request("tools/list")).result.tools;
    assert.deepEqual(before.map((t: { name: string }) => t.name), LOCAL_URL_MODE_TOOLS);
    const status = await server.callTool("check_kubeshark_status", {});
    assert.equal(status.isError, undefined);
    assert.match(textOf(status), /NOT answering/);
    assert.equal(status.structuredContent.reachable, false);
    const hub = new HubDouble(port);
    try {
      await server.waitFor((m) => m.method === "notifications/tools/list_changed");
      const after = (await server.request("tools/list")).result.tools;
      assert.equal(after.length, LOCAL_URL_MODE_TOOLS.length + HUB_DOCUMENT.tools.length);
    } finally {
      await hub.close();
    }
    assert.match(server.stderr, /Cannot reach the Hub/);
  });
});

Deno.test("check_kubeshark_status in URL mode reports the Hub's name, version, tools and round trip", async () => {
  await withHubAndServer(async (server) => {
    await server.initialize("2025-06-18");
    const result = await server.callTool("check_kubeshark_status", {
      release_namespace: "ignored",
    });
    assert.equal(result.isError, undefined);
    assert.match(textOf(result), /accessible at http:\/\/127\.0\.0\.1/);
    const status = result.structuredContent;
    assert.equal(status.reachable, true);
    assert.equal(status.hub.name, "kubeshark-hub");
    assert.equal(status.hub.version, "53.3.0");
    assert.equal(status.tools, HUB_DOCUMENT.tools.length);
    assert.equal(typeof status.roundTripMs, "number");
  });
});

Deno.test("start/stop refuse with Kubeshark's exact texts", async () => {
  await withHubAndServer(async (server) => {
    for (const name of ["start_kubeshark", "stop_kubeshark"]) {
      const result = await server.callTool(name, {});
      assert.equal(result.isError, true);
      assert.equal(
        textOf(result),
        "This tool is not available in URL mode. Kubeshark is managed externally.",
      );
    }
  });
  await withServer([], async (server) => {
    for (const name of ["start_kubeshark", "stop_kubeshark"]) {
      const result = await server.callTool(name, {});
      assert.equal(result.isError, true);
      assert.equal(
        textOf(result),
        "This tool requires --allow-destructive flag. Destructive operations are disabled for safety.",
      );
    }
  });
});

Deno.test("get_file_url resolves a relative path under the Hub's /api, and needs a path", async () => {
  await withHubAndServer(async (server, hub) => {
    const url = await server.callTool("get_file_url", { path: "/snapshots/abc/data.pcap" });
    assert.equal(textOf(url), `${hub.url}/api/snapshots/abc/data.pcap`);
    const bare = await server.callTool("get_file_url", { path: "snapshots/abc/data.pcap" });
    assert.equal(textOf(bare), `${hub.url}/api/snapshots/abc/data.pcap`);
    const missing = await server.callTool("get_file_url", {});
    assert.equal(missing.isError, true);
    assert.match(textOf(missing), /path/);
    const absolute = await server.callTool("get_file_url", { path: "https://evil.example/x" });
    assert.equal(absolute.isError, true);
  });
});

Deno.test("get_file_url and download_file refuse paths that leave the Hub's /api, sending nothing", async () => {
  const dir = await Deno.makeTempDir();
  const hub = new HubDouble();
  try {
    await withHubAndServer(async (server) => {
      for (const path of ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "\\..\\x"]) {
        for (const name of ["get_file_url", "download_file"]) {
          const result = await server.callTool(name, { path });
          assert.equal(result.isError, true, `${name} ${path}: ${textOf(result)}`);
          assert.match(textOf(result), /file path/);
        }
      }
      assert.deepEqual(hub.requests.filter((r) => !r.path.startsWith("/prefix/api/")), []);
      assert.deepEqual([...Deno.readDirSync(dir)], []);
    }, {
      hub,
      args: ["--url", `${hub.url}/prefix`, "--token", "secret-token", "--download-dir", dir],
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a full conversation: initialize, list, status, call, prompt, file URL", async () => {
  await withHubAndServer(async (server, hub) => {
    await server.initialize();
    assert.equal((await server.request("tools/list")).result.tools.length, 8);
    assert.equal(
      (await server.callTool("check_kubeshark_status")).structuredContent.reachable,
      true,
    );
    assert.match(textOf(await server.callTool("list_workloads", {})), /list_workloads/);
    assert.equal((await server.request("prompts/list")).result.prompts.length, 3);
    const exported = JSON.parse(
      textOf(await server.callTool("export_snapshot_pcap", { id: "s1" })),
    );
    const url = await server.callTool("get_file_url", { path: exported.path });
    assert.equal(textOf(url), `${hub.url}/api/snapshots/s1/data.pcap`);
    assert.equal((await server.close()).code, 0);
  });
});
