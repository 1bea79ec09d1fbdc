/** The demo's figures in README.md and mcp/README.md are what the demo serves. */
import assert from "node:assert/strict";
import { demoData } from "../lib/demo/mod.ts";

const data = demoData();
const FIGURES: [RegExp, number][] = [
  [/(\d[\d,]*)\s+L7\s+calls/, data.calls.length],
  [/(\d[\d,]*)\s+L4\s+flows/, data.flows.length],
  [
    /across\s+(\d+)\s+namespaces|pods\s+in\s+(\d+)\s+namespaces/,
    new Set(data.pods.map((p) => p.namespace)).size,
  ],
];

for (const file of ["README.md", "mcp/README.md"]) {
  Deno.test(`${file} gives the demo's numbers of calls, flows and namespaces`, async () => {
    const text = await Deno.readTextFile(new URL(`../${file}`, import.meta.url));
    for (const [pattern, actual] of FIGURES) {
      const match = pattern.exec(text);
      assert.ok(match, `${file} has no figure for ${pattern}`);
      const stated = Number((match[1] ?? match[2]).replaceAll(",", ""));
      assert.equal(stated, actual, `${file}: ${match[0]}`);
    }
  });
}

Deno.test("mcp/README.md gives the demo's flow states, pods and Services", async () => {
  const text = await Deno.readTextFile(new URL("../mcp/README.md", import.meta.url));
  const count = (state: string) => data.flows.filter((f) => f.state === state).length;
  assert.match(
    text,
    new RegExp(`${count("closed")}\\s+closed, ${count("open")} open, ${count("refused")} refused`),
  );
  assert.match(text, new RegExp(`${data.pods.length} pods in`));
  assert.match(text, new RegExp(`${data.services.length} Services`));
});
