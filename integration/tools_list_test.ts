/**
 * tools/list in every mode, against the invariants that make it safe, and against a golden
 * snapshot of each list. Set UPDATE_GOLDEN=1 to rewrite the snapshots after a deliberate change.
 */
import assert from "node:assert/strict";
import type { McpProcess, Message } from "../tests/support/mcp_process.ts";
import { withHubAndServer, withServer } from "../tests/support/harness.ts";
import { serveInCluster, withCluster } from "./support/cluster.ts";
import { installKubeshark } from "./support/kubeshark.ts";
import { runMain, waitUntil } from "../tests/support/spawn.ts";
import { HUB_DOCUMENT, HubDouble } from "../tests/support/hub_double.ts";

const GOLDEN = new URL("../tests/golden/tools/", import.meta.url).pathname;
const HINTS = ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"];

interface Mode {
  name: string;
  destructive: boolean;
  readOnly: boolean;
}

// The invariants, over the whole list.
function assertInvariants(tools: Message[], mode: Mode): void {
  const names = tools.map((tool) => tool.name);
  assert.equal(new Set(names).size, names.length, `${mode.name}: duplicate names ${names}`);
  for (const tool of tools) {
    const where = `${mode.name}: ${tool.name}`;
    assert.ok(tool.description?.length > 10, `${where} has no real description`);
    assert.equal(tool.inputSchema?.type, "object", `${where} input is not an object schema`);
    for (const hint of HINTS) {
      assert.equal(typeof tool.annotations?.[hint], "boolean", `${where} does not state ${hint}`);
    }
    if (tool.annotations.destructiveHint) {
      assert.ok(
        mode.destructive,
        `${where} is destructive but offered without --allow-destructive`,
      );
    }
    if (mode.readOnly) {
      assert.equal(tool.annotations.readOnlyHint, true, `${where} changes state under --read-only`);
    }
  }
}

async function checkGolden(mode: Mode, tools: Message[]): Promise<void> {
  const snapshot = tools.map((tool) => ({
    name: tool.name,
    annotations: Object.fromEntries(HINTS.map((hint) => [hint, tool.annotations[hint]])),
    arguments: Object.keys(tool.inputSchema.properties ?? {}).sort(),
    required: tool.inputSchema.required ?? [],
  }));
  const path = `${GOLDEN}${mode.name}.json`;
  const text = JSON.stringify(snapshot, null, 2) + "\n";
  if (Deno.env.get("UPDATE_GOLDEN")) await Deno.writeTextFile(path, text);
  assert.equal(text, await Deno.readTextFile(path), `${mode.name}: tools/list changed`);
}

async function listed(server: McpProcess, hubTools: boolean): Promise<Message[]> {
  await server.initialize();
  if (hubTools) {
    // Proxy mode answers at once and adds the Hub's tools with list_changed.
    await server.waitFor(
      (m) => m.method === "notifications/tools/list_changed",
      "the Hub's tools to appear (list_changed)",
    );
  }
  return (await server.request("tools/list")).result.tools;
}

async function hiddenToolsAreRefused(server: McpProcess, tools: Message[], names: string[]) {
  const offered = new Set(tools.map((tool) => tool.name));
  for (const name of names.filter((name) => !offered.has(name))) {
    const result = await server.callTool(name, {});
    assert.equal(result.isError, true, `${name} is hidden but answered`);
    assert.match(
      result.content[0].text,
      /not available|requires --allow-destructive|--read-only|not offered/,
    );
  }
}

const ALL_LOCAL = [
  "check_kubeshark_status",
  "get_file_url",
  "download_file",
  "start_kubeshark",
  "stop_kubeshark",
];

Deno.test("tools/list in demo mode keeps the invariants and matches its snapshot", async () => {
  for (
    const mode of [
      { name: "demo", args: ["--demo"], readOnly: false },
      { name: "demo-read-only", args: ["--demo", "--read-only"], readOnly: true },
    ]
  ) {
    await withServer(mode.args, async (server) => {
      const tools = await listed(server, false);
      assertInvariants(tools, { ...mode, destructive: false });
      await checkGolden({ ...mode, destructive: false }, tools);
      await hiddenToolsAreRefused(server, tools, [...ALL_LOCAL, "create_snapshot"]);
    });
  }
});

Deno.test("tools/list in URL mode keeps the invariants and matches its snapshot", async () => {
  for (
    const mode of [
      { name: "url", args: ["--allow-destructive"], readOnly: false },
      { name: "url-read-only", args: ["--read-only"], readOnly: true },
    ]
  ) {
    await withHubAndServer(async (server) => {
      const tools = await listed(server, false);
      assertInvariants(tools, { ...mode, destructive: false });
      await checkGolden({ ...mode, destructive: false }, tools);
      await hiddenToolsAreRefused(server, tools, [...ALL_LOCAL, "create_snapshot"]);
    }, { args: mode.args });
  }
});

Deno.test("tools/list in proxy mode, with and without --allow-destructive or --read-only", async () => {
  for (
    const mode of [
      { name: "proxy", args: [], destructive: false, readOnly: false },
      {
        name: "proxy-destructive",
        args: ["--allow-destructive"],
        destructive: true,
        readOnly: false,
      },
      {
        name: "proxy-read-only",
        args: ["--read-only", "--allow-destructive"],
        destructive: true,
        readOnly: true,
      },
    ]
  ) {
    await withCluster(async (cluster) => {
      installKubeshark(cluster.kube, "default", { target: cluster.hub.target });
      await serveInCluster(cluster, mode.args, async (server) => {
        const tools = await listed(server, true);
        assertInvariants(tools, mode);
        await checkGolden(mode, tools);
        const names = tools.map((tool) => tool.name);
        assert.equal(names.includes("start_kubeshark"), mode.destructive && !mode.readOnly);
        await hiddenToolsAreRefused(server, tools, ["create_snapshot"]);
      });
    });
  }
});

// A Hub whose hints are not booleans: each counts only in the cautious direction (list_ips'
// destructiveHint "true" does), else as absent (the table's hint instead), so none is listed as
// sent and none weakens the offer rule.
function oddHintsHub(): HubDouble {
  const hub = new HubDouble();
  hub.document = {
    ...structuredClone(HUB_DOCUMENT),
    tools: [
      ...structuredClone(HUB_DOCUMENT.tools),
      {
        name: "list_ips",
        description: "List the IPs seen in traffic.",
        inputSchema: { type: "object", properties: {} },
        annotations: { destructiveHint: "true", readOnlyHint: "yes" },
      },
      {
        name: "delete_snapshot",
        description: "Delete a snapshot.",
        inputSchema: { type: "object", properties: { id: { type: "string" } } },
        annotations: { destructiveHint: "false", readOnlyHint: "true", title: 7 },
      },
      {
        name: "purge_all_captures",
        description: "A tool no table knows, with hints of the wrong type.",
        inputSchema: { type: "object", properties: {} },
        annotations: { destructiveHint: 0, readOnlyHint: 1, idempotentHint: "no" },
      },
    ],
  };
  return hub;
}

// How the odd tools read: list_ips' "true" counts (destructive); delete_* stays destructive by the
// table; an unknown name changes state.
function assertOddHintsRead(tools: Message[], mode: Mode): void {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  assert.equal(byName.has("list_ips"), mode.destructive && !mode.readOnly, `${mode.name}: ips`);
  const ips = byName.get("list_ips");
  if (ips) assert.equal(ips.annotations.destructiveHint, true);
  if (ips) assert.equal(ips.annotations.readOnlyHint, false);
  assert.equal(byName.has("delete_snapshot"), mode.destructive && !mode.readOnly);
  assert.equal(byName.has("purge_all_captures"), !mode.readOnly, `${mode.name}: purge`);
  const purge = byName.get("purge_all_captures");
  if (purge) assert.equal(purge.annotations.readOnlyHint, false);
}

// The odd Hub's tools listed in `mode`: the invariants, the cautious reading, and each hidden one
// refused by name.
async function checkOddHints(server: McpProcess, mode: Mode, hubTools: boolean): Promise<void> {
  const tools = await listed(server, hubTools);
  assertInvariants(tools, mode);
  assertOddHintsRead(tools, mode);
  await hiddenToolsAreRefused(server, tools, ["list_ips", "delete_snapshot", "purge_all_captures"]);
}

// The three settings the odd Hub is listed under, in a mode (`destructive`: what
// --allow-destructive may offer there).
function oddHintModes(name: string, destructive: boolean): (Mode & { args: string[] })[] {
  return [
    { name, args: [], destructive: false, readOnly: false },
    { name: `${name}-destructive`, args: ["--allow-destructive"], destructive, readOnly: false },
    { name: `${name}-read-only`, args: ["--read-only"], destructive: false, readOnly: true },
  ];
}

Deno.test("a Hub's hints that are not booleans are read cautiously: listed as booleans, never looser", async () => {
  for (const mode of oddHintModes("url", false)) {
    await withHubAndServer((server) => checkOddHints(server, mode, false), {
      args: mode.args,
      hub: oddHintsHub(),
    });
  }
  for (const mode of oddHintModes("proxy", true)) {
    const hub = oddHintsHub();
    try {
      await withCluster(async (cluster) => {
        installKubeshark(cluster.kube, "default", {
          target: { hostname: "127.0.0.1", port: hub.port },
        });
        await serveInCluster(cluster, mode.args, (server) => checkOddHints(server, mode, true));
      });
    } finally {
      await hub.close();
    }
  }
});

Deno.test("--tools and --disable-tools choose tools by name; unknown names stop the start", async () => {
  await withServer(
    ["--demo", "--tools", "list_api_calls,check_kubeshark_status"],
    async (server) => {
      const tools = await listed(server, false);
      assert.deepEqual(tools.map((t) => t.name), ["check_kubeshark_status", "list_api_calls"]);
      await hiddenToolsAreRefused(server, tools, ["get_api_stats"]);
    },
  );
  await withServer(["--demo", "--disable-tools", "get_file_url,download_file"], async (server) => {
    const names = (await listed(server, false)).map((t) => t.name);
    assert.ok(!names.includes("get_file_url") && !names.includes("download_file"));
    assert.ok(names.includes("list_api_calls"));
  });
});

Deno.test("an unknown tool name in --tools stops the start, naming the valid ones", async () => {
  const { code, stdout, stderr } = await runMain(["--demo", "--tools", "list_api_cals"]);
  assert.equal(code, 2);
  assert.equal(stdout, "");
  assert.match(
    stderr,
    /--tools: no tool is named "list_api_cals" \(did you mean "list_api_calls"\?\)/,
  );
});

Deno.test("an empty --tools stops the start, naming the valid tools", async () => {
  for (const args of [["--demo", "--tools="], ["--demo", "--tools", " , "]]) {
    const { code, stdout, stderr } = await runMain(args);
    assert.equal(code, 2, args.join(" "));
    assert.equal(stdout, "");
    assert.match(stderr, /--tools names no tool .*check_kubeshark_status, .*list_api_calls/);
  }
});

Deno.test("a --tools choice that the mode or --read-only hides is a start-up warning on stderr", async () => {
  const cases = [
    { args: ["--demo", "--tools", "start_kubeshark"], hidden: "start_kubeshark", why: /demo mode/ },
    {
      args: ["--demo", "--read-only", "--tools", "create_snapshot"],
      hidden: "create_snapshot",
      why: /--read-only/,
    },
    {
      args: ["--demo", "--tools", "list_api_calls,start_kubeshark"],
      hidden: "start_kubeshark",
      why: /demo mode/,
    },
    { args: ["--demo", "--tools", "list_api_calls"] },
  ];
  for (const { args, hidden, why } of cases) {
    await withServer(args, async (server) => {
      const tools = await listed(server, false);
      // Logged after the selection warnings: once it is here, they are too.
      await waitUntil(() => server.stderr.includes("Demo mode:"), "the start-up log on stderr");
      const warnings = server.stderr.split("\n").filter((line) => line.includes("warning:"));
      const named = warnings.filter((line) => line.includes(`--tools names ${hidden}, `));
      if (hidden) {
        assert.equal(named.length, 1, `${args.join(" ")}: ${server.stderr}`);
        assert.match(named[0], why!);
      } else {
        assert.deepEqual(warnings, [], args.join(" "));
      }
      const empty = warnings.filter((line) => /No tool is offered \(.*\): tools\/list/.test(line));
      assert.equal(empty.length, tools.length ? 0 : 1, `${args.join(" ")}: ${server.stderr}`);
    });
  }
});

Deno.test("the local tool names the CLI accepts are the tools the table holds", async () => {
  const [{ LOCAL_TOOLS }, { LOCAL_TOOL_NAMES }] = await Promise.all([
    import("../lib/tools/mod.ts"),
    import("../lib/tools/names.ts"),
  ]);
  assert.deepEqual(LOCAL_TOOLS.map((tool) => tool.name), [...LOCAL_TOOL_NAMES]);
});
