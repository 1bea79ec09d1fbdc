/**
 * The hand checks that let the first messages be answered before zod loads must agree exactly with
 * the schemas they stand in for: same accepted set, same result. Also the hand parse of a Hub's
 * discovery document.
 */
import assert from "node:assert/strict";
import {
  IncomingMessage,
  isModernProtocolVersion,
  ListParams,
  loadSchemas,
  META,
  ModernRequestMeta,
  plainListParams,
  plainMessage,
  plainModernMeta,
} from "../lib/protocol.ts";
import { parseHubDocument } from "../lib/hub/schemas.ts";

await loadSchemas();

const IDS = [undefined, 1, 0, -7, 1.5, 1e21, "a", "", null, true, {}, [1]];
const METHODS = [undefined, "tools/list", "notifications/initialized", "", 5, null, ["x"]];
const PARAMS = [undefined, null, {}, { cursor: "c" }, { _meta: { a: 1 } }, [], [1], "s", 5, false];
const JSONRPC = [undefined, "2.0", "1.0", 2];

function envelopes(): unknown[] {
  const all: unknown[] = [null, [], "text", 5, true, {}];
  for (const jsonrpc of JSONRPC) {
    for (const id of IDS) {
      for (const method of METHODS) {
        for (const params of PARAMS) {
          const message: Record<string, unknown> = { extra: "kept out" };
          if (jsonrpc !== undefined) message.jsonrpc = jsonrpc;
          if (id !== undefined) message.id = id;
          if (method !== undefined) message.method = method;
          if (params !== undefined) message.params = params;
          all.push(message);
        }
      }
    }
  }
  return all;
}

// Absent and undefined keys are the same thing on the wire.
const wire = (value: unknown) => JSON.parse(JSON.stringify(value));

Deno.test("the hand check of a message accepts exactly what IncomingMessage accepts, alike", () => {
  let accepted = 0;
  for (const raw of envelopes()) {
    const plain = plainMessage(raw);
    const parsed = IncomingMessage().safeParse(raw);
    assert.equal(plain !== undefined, parsed.success, `disagree on ${JSON.stringify(raw)}`);
    if (plain && parsed.success) {
      assert.deepEqual(wire(plain), wire(parsed.data), JSON.stringify(raw));
      accepted++;
    }
  }
  assert.ok(accepted > 100, `only ${accepted} samples were well-formed`);
});

Deno.test("list params the hand check passes are list params the schema passes", () => {
  const samples = [...PARAMS, { cursor: 5 }, { cursor: null }, { cursor: "x", other: 1 }];
  for (const params of samples) {
    if (plainListParams(params)) {
      assert.ok(ListParams().safeParse(params).success, JSON.stringify(params));
    }
  }
  assert.ok(plainListParams(undefined) && plainListParams({ cursor: "c" }));
  assert.ok(!plainListParams({ cursor: 5 }) && !plainListParams([]));
});

Deno.test("the hand check of a modern _meta agrees with ModernRequestMeta for our versions", () => {
  let accepted = 0;
  for (const version of ["2026-07-28", "2025-06-18", 5, undefined]) {
    for (const capabilities of [{}, { sampling: {} }, null, [], undefined]) {
      for (const client of [undefined, { name: "c", version: "1", x: 1 }, { name: "c" }, 5]) {
        for (const level of [undefined, "debug", "loud"]) {
          for (const token of [undefined, 1, "t", null, 1.5]) {
            const meta: Record<string, unknown> = { other: true };
            if (version !== undefined) meta[META.protocolVersion] = version;
            if (capabilities !== undefined) meta[META.clientCapabilities] = capabilities;
            if (client !== undefined) meta[META.clientInfo] = client;
            if (level !== undefined) meta[META.logLevel] = level;
            if (token !== undefined) meta.progressToken = token;
            const plain = plainModernMeta(meta);
            const parsed = ModernRequestMeta().safeParse(meta);
            const ours = typeof version === "string" && isModernProtocolVersion(version);
            assert.equal(plain !== undefined, ours && parsed.success, JSON.stringify(meta));
            if (!plain || !parsed.success) continue;
            accepted++;
            assert.deepEqual(
              wire(plain),
              wire({
                version,
                capabilities: parsed.data[META.clientCapabilities],
                clientInfo: parsed.data[META.clientInfo],
                logLevel: parsed.data[META.logLevel],
              }),
            );
          }
        }
      }
    }
  }
  assert.ok(accepted > 10, `only ${accepted} samples were well-formed`);
});

Deno.test("a Hub discovery document is parsed by hand: fields kept, bad entries skipped with why", () => {
  const info = parseHubDocument({
    name: "hub",
    version: "53.3.0",
    description: null,
    tools: [
      { name: "list_workloads", title: "Workloads", description: "Lists", inputSchema: {} },
      { name: "" },
      { name: "x", inputSchema: [] },
      "nope",
    ],
    prompts: [
      { name: "p", arguments: [{ name: "a", required: true }, { name: "b" }] },
      { name: "q", arguments: [{ required: "yes" }] },
    ],
  });
  assert.equal(info.name, "hub");
  assert.equal(info.description, "");
  assert.deepEqual(info.tools.map((tool) => tool.name), ["list_workloads"]);
  assert.equal(info.tools[0].title, "Workloads");
  assert.deepEqual(info.tools[0].inputSchema, { type: "object" });
  assert.deepEqual(info.prompts, [{
    name: "p",
    description: "",
    arguments: [
      { name: "a", description: "", required: true },
      { name: "b", description: "", required: false },
    ],
  }]);
  assert.deepEqual(info.skipped, [
    "tools[1]: `name` must be a non-empty string",
    "tools[2]: `inputSchema` must be a object",
    "tools[3]: expected an object, got string",
    "prompts[1]: arguments[0]: `name` must be a non-empty string",
  ]);
});

Deno.test("a discovery body that is not a Hub's document says what is wrong", () => {
  assert.throws(() => parseHubDocument([]), /not a Kubeshark MCP document \(expected an object/);
  assert.throws(() => parseHubDocument({ tools: {} }), /`tools` must be an array/);
  assert.throws(() => parseHubDocument({ version: "1" }), /names no Hub and offers no tools/);
});
