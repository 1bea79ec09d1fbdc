/** The offer rule (lib/tools/listing.ts) and how it reads hints, without a process. */
import assert from "node:assert/strict";
import { parseCommandLine } from "../lib/cli.ts";
import { parseHubDocument } from "../lib/hub/schemas.ts";
import {
  DESTRUCTIVE_REFUSAL,
  READ_ONLY_REFUSAL,
  refusalFor,
  selectionWarnings,
  URL_MODE_REFUSAL,
} from "../lib/tools/listing.ts";
import { KNOWN_TOOL_NAMES } from "../lib/tools/names.ts";
import type { ToolAnnotations } from "../lib/protocol.ts";

async function configOf(args: string[]) {
  return (await parseCommandLine(args, new Map())).config;
}

// Annotations as a Hub might send them, wrong types included.
function odd(annotations: Record<string, unknown>): ToolAnnotations {
  return annotations as ToolAnnotations;
}

Deno.test("the offer rule reads a hint that is not a boolean cautiously: the table's, never looser", async () => {
  const proxy = await configOf([]);
  assert.equal(
    refusalFor("delete_snapshot", odd({ destructiveHint: "false" }), proxy),
    DESTRUCTIVE_REFUSAL,
  );
  const readOnly = await configOf(["--read-only"]);
  assert.equal(
    refusalFor("create_snapshot", odd({ readOnlyHint: "true" }), readOnly),
    READ_ONLY_REFUSAL,
  );
  assert.equal(
    refusalFor("purge_all_captures", odd({ readOnlyHint: 1, destructiveHint: 0 }), readOnly),
    READ_ONLY_REFUSAL,
  );
  // A hint spelt as a string counts in the cautious direction only: "true" for destructive does.
  assert.equal(
    refusalFor("list_ips", odd({ destructiveHint: "true" }), proxy),
    DESTRUCTIVE_REFUSAL,
  );
  assert.equal(refusalFor("list_ips", odd({ destructiveHint: 1 }), readOnly), DESTRUCTIVE_REFUSAL);
  // Any malformed value but a plain "careless" one counts as the cautious value…
  for (const value of ["yes", "on", 2, {}, [true], "maybe"]) {
    assert.equal(
      refusalFor("list_ips", odd({ destructiveHint: value }), readOnly),
      DESTRUCTIVE_REFUSAL,
      JSON.stringify(value),
    );
  }
  // …and a plain "careless" one defers to the table: a read-only tool stays offered.
  for (const value of ["no", "false", 0, "off"]) {
    assert.equal(refusalFor("list_ips", odd({ destructiveHint: value }), readOnly), undefined);
  }
  assert.equal(
    refusalFor("list_ips", odd({ readOnlyHint: "no" }), readOnly),
    READ_ONLY_REFUSAL,
  );
});

Deno.test("discovery keeps a Hub's boolean hints, cautious string ones, and the table's for the rest", () => {
  const info = parseHubDocument({
    name: "hub",
    tools: [
      { name: "list_ips", annotations: { destructiveHint: "true", openWorldHint: true } },
      { name: "delete_snapshot", annotations: { destructiveHint: "false", title: 7 } },
      { name: "purge_all_captures", annotations: { readOnlyHint: "yes", idempotentHint: [] } },
    ],
  });
  const [ips, del, purge] = info.tools.map((tool) => tool.annotations);
  // "true" for destructive counts (it can only hide the tool), and makes it not read-only.
  assert.deepEqual(ips, {
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: true,
  });
  assert.deepEqual(del, {
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: false,
  });
  assert.deepEqual(purge, {
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: false,
    openWorldHint: false,
  });
});

Deno.test("selection warnings name each --tools tool the mode or flags hide, and an empty list", async () => {
  const warningsOf = async (args: string[]) => selectionWarnings(await configOf(args));
  assert.deepEqual(await warningsOf(["--allow-destructive", "--tools", "start_kubeshark"]), []);
  assert.deepEqual(await warningsOf(["--disable-tools", "get_file_url"]), []);
  const [hidden, empty] = await warningsOf(["--tools", "stop_kubeshark"]);
  assert.equal(
    hidden,
    `--tools names stop_kubeshark, but it is not offered: ${DESTRUCTIVE_REFUSAL}`,
  );
  assert.match(empty, /^No tool is offered \(proxy mode, --tools stop_kubeshark\)/);
  const url = await warningsOf([
    "--url",
    "http://hub.invalid",
    "--tools",
    "delete_snapshot,list_ips",
  ]);
  assert.deepEqual(url, [
    `--tools names delete_snapshot, but it is not offered: ${URL_MODE_REFUSAL}`,
  ]);
  const all = await warningsOf(["--disable-tools", KNOWN_TOOL_NAMES.join(",")]);
  assert.equal(all.length, 1);
  assert.match(all[0], /^No tool is offered/);
});
