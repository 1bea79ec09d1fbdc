/** Hub tools over stdio: arguments checked before they leave, answers within the result budget. */
import assert from "node:assert/strict";
import { ArgumentError, prepareArguments } from "../lib/hub/arguments.ts";
import type { ToolDescriptor } from "../lib/protocol.ts";
import { textOf, withHubAndServer } from "./support/harness.ts";
import { HubDouble } from "./support/hub_double.ts";

const LIST_CALLS: ToolDescriptor = {
  name: "list_api_calls",
  description: "",
  inputSchema: {
    type: "object",
    properties: {
      kfl: { type: "string" },
      limit: { type: "integer", minimum: 1, maximum: 1000 },
      format: { type: "string", enum: ["compact", "full", "raw"] },
      start: { type: "integer" },
      end: { type: "integer" },
    },
  },
};

async function refusal(promise: Promise<unknown>): Promise<ArgumentError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ArgumentError, `expected an ArgumentError, got ${error}`);
    return error;
  }
  assert.fail("expected the arguments to be refused");
}

Deno.test("an unknown argument is refused, naming it and the closest valid names", async () => {
  const error = await refusal(prepareArguments(LIST_CALLS, { start_time: 1, filter: "http" }));
  assert.match(error.message, /"start_time" \(did you mean "start"\?\)/);
  assert.match(error.message, /"filter"/);
  assert.match(error.message, /kfl, limit, format, start, end/);
});

Deno.test("a wrong type or range is refused with the path and what was expected", async () => {
  const type = await refusal(prepareArguments(LIST_CALLS, { limit: "ten" }));
  assert.match(type.message, /limit must be integer/);
  const range = await refusal(prepareArguments(LIST_CALLS, { limit: 5000 }));
  assert.match(range.message, /limit must be <= 1000/);
  const choice = await refusal(prepareArguments(LIST_CALLS, { format: "pretty" }));
  assert.match(choice.message, /format must be one of "compact", "full", "raw"/);
});

Deno.test("time arguments take ISO-8601 and relative forms and are sent as Unix ms", async () => {
  const now = Date.parse("2026-11-20T15:00:00Z");
  const sent = await prepareArguments(LIST_CALLS, { start: "-1h", end: "now" }, now);
  assert.deepEqual(sent, { start: now - 3_600_000, end: now });
  const iso = await prepareArguments(LIST_CALLS, { start: "2026-11-20T14:30:00Z" }, now);
  assert.equal(iso.start, Date.parse("2026-11-20T14:30:00Z"));
  const rel = await prepareArguments(LIST_CALLS, { start: "now-15m" }, now);
  assert.equal(rel.start, now - 15 * 60_000);
  assert.equal((await prepareArguments(LIST_CALLS, { start: now }, now)).start, now);
});

Deno.test("a time in seconds is refused with the value in milliseconds", async () => {
  const error = await refusal(prepareArguments(LIST_CALLS, { start: 1_763_647_200 }));
  assert.match(error.message, /looks like seconds.*1763647200000/);
  const garbage = await refusal(prepareArguments(LIST_CALLS, { start: "yesterday-ish" }));
  assert.match(garbage.message, /is not a time/);
});

Deno.test("a tool the catalog does not know passes its arguments through untouched", async () => {
  assert.deepEqual(await prepareArguments(undefined, { anything: 1 }), { anything: 1 });
});

Deno.test("a misspelt argument over stdio is an isError result and nothing reaches the Hub", async () => {
  await withHubAndServer(async (server, hub) => {
    await server.initialize();
    const result = await server.callTool("list_api_calls", { query: "http" });
    assert.equal(result.isError, true);
    assert.match(textOf(result), /has no argument "query"/);
    assert.deepEqual(hub.requestsTo("/api/mcp/tools/call"), []);
    const ok = await server.callTool("list_api_calls", { kfl: "http", limit: 5 });
    assert.equal(ok.isError, undefined, textOf(ok));
  });
});

Deno.test("a Hub answer over the budget is cut at a record boundary with a note on narrowing", async () => {
  await withHubAndServer(async (server, hub) => {
    const calls = Array.from(
      { length: 5000 },
      (_, i) => ({ id: `call-${i}`, path: "/x".repeat(20) }),
    );
    hub.routes.push((_r, url) =>
      url.pathname === "/api/mcp/tools/call" ? Response.json({ total: 5000, calls }) : undefined
    );
    await server.initialize();
    const result = await server.callTool("list_api_calls", { kfl: "http" });
    const text = textOf(result);
    assert.ok(new TextEncoder().encode(text).length <= 65536, `${text.length} bytes`);
    const shown = JSON.parse(text);
    assert.equal(shown.total, 5000);
    assert.ok(shown.calls.length > 10 && shown.calls.length < 5000);
    assert.deepEqual(shown.calls.at(-1), calls[shown.calls.length - 1]);
    assert.deepEqual(result.structuredContent, shown);
    const note = result.content[1].text;
    assert.match(note, new RegExp(`showing ${shown.calls.length} of 5000 "calls"`));
    assert.match(note, /KFL filter/);
  });
});

Deno.test("--max-result-bytes sets the budget", async () => {
  await withHubAndServer(async (server, hub) => {
    const calls = Array.from({ length: 500 }, (_, i) => ({ id: `call-${i}` }));
    hub.routes.push((_r, url) =>
      url.pathname === "/api/mcp/tools/call" ? Response.json({ calls }) : undefined
    );
    const result = await server.callTool("list_api_calls", {});
    assert.ok(textOf(result).length <= 4096);
    assert.match(result.content[1].text, /4096-byte result budget/);
  }, { args: ["--max-result-bytes", "4KiB"] });
});

Deno.test("list tools ask for the compact format when the Hub offers one", async () => {
  await withHubAndServer(async (server, hub) => {
    const document = structuredClone(hub.document) as { tools: ToolDescriptor[] };
    document.tools.find((t) => t.name === "list_api_calls")!.inputSchema = LIST_CALLS.inputSchema;
    hub.document = document;
    await server.initialize();
    await server.callTool("list_api_calls", {});
    await server.callTool("list_api_calls", { format: "full" });
    const sent = hub.requestsTo("/api/mcp/tools/call").map((r) => JSON.parse(r.body).arguments);
    assert.deepEqual(sent, [{ format: "compact" }, { format: "full" }]);
  });
});

Deno.test("a Hub tool answered with 204 No Content reads as a success, not an error to retry", async () => {
  await withHubAndServer(async (server, hub) => {
    hub.routes.push((_request, url) =>
      url.pathname === "/api/mcp/tools/call" ? new Response(null, { status: 204 }) : undefined
    );
    await server.initialize();
    const result = await server.callTool("list_workloads", {});
    assert.equal(result.isError, undefined);
    assert.equal(textOf(result), "list_workloads succeeded; the Hub's answer was empty.");
  });
});

Deno.test("a tool name spelt another way is refused with the name it means, never sent", async () => {
  for (const args of [["--disable-tools", "create_snapshot"], ["--read-only"]]) {
    await withHubAndServer(async (server, hub) => {
      await server.initialize();
      await server.request("tools/list");
      const slips = [
        "CREATE_SNAPSHOT",
        " create_snapshot",
        "create-snapshot",
        "create snapshot",
        "create_snapshot\u200b",
        "create\u00adsnapshot",
        "\uff43reate_snapshot",
        "List_Workloads",
      ];
      for (const name of slips) {
        const result = await server.callTool(name, {});
        assert.equal(result.isError, true, name);
        assert.match(
          textOf(result),
          /did you mean "(create_snapshot|list_workloads)"\? Nothing was sent/,
          `${args}: ${JSON.stringify(name)}`,
        );
      }
      // A name no tool could have (a Cyrillic "с") is refused too; a plausible one goes through.
      const odd = await server.callTool("\u0441reate_snapshot", {});
      assert.match(textOf(odd), /tool names are letters, digits/);
      assert.equal(hub.requests.some((request) => request.path.endsWith("/tools/call")), false);
    }, { args });
  }
});

Deno.test("a known Hub tool called before the catalog has it goes to the Hub, not 'did you mean'", async () => {
  const hub = new HubDouble();
  // Discovery fails: the catalog is empty; list_workloads is still a name Kubeshark documents.
  hub.routes.push((request, url) =>
    request.method === "GET" && url.pathname === "/api/mcp"
      ? new Response("down", { status: 503 })
      : undefined
  );
  await withHubAndServer(async (server) => {
    await server.initialize();
    const result = await server.callTool("list_workloads", { namespace: "shop" });
    assert.equal(result.isError, undefined, textOf(result));
  }, { hub });
});
