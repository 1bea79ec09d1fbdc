/**
 * Our tools' descriptors are stored (lib/tools/descriptors.json) so that `tools/list` loads no
 * tool module and no zod; these tests keep the copy equal to what the tools' schemas say.
 */
import assert from "node:assert/strict";
import { describeTool, LOCAL_TOOLS } from "../lib/tools/mod.ts";
import { LOCAL_DESCRIPTORS } from "../lib/tools/listing.ts";
import { LOCAL_TOOL_NAMES } from "../lib/tools/names.ts";

const STORED = new URL("../lib/tools/descriptors.json", import.meta.url);

Deno.test("the stored tool descriptors are the local tools' zod schemas as JSON Schema", async () => {
  const live = LOCAL_TOOLS.map(describeTool);
  if (Deno.env.get("UPDATE_GOLDEN") === "1") {
    await Deno.writeTextFile(STORED, JSON.stringify(live, null, 2) + "\n");
  }
  assert.deepEqual(
    JSON.parse(await Deno.readTextFile(STORED)),
    live,
    "lib/tools/descriptors.json is stale: run UPDATE_GOLDEN=1 deno test -A tests/tool_descriptors_test.ts",
  );
});

Deno.test("the stored descriptors, the tool table and the names list agree on names and order", () => {
  assert.deepEqual(LOCAL_DESCRIPTORS.map((tool) => tool.name), [...LOCAL_TOOL_NAMES]);
  assert.deepEqual(LOCAL_TOOLS.map((tool) => tool.name), [...LOCAL_TOOL_NAMES]);
});
