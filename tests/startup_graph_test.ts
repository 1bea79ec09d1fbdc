/**
 * What Deno loads before the first answer: main.ts's graph without type-only imports. Deno reads
 * and analyses every module in it, and every literal import("…") target too, at start-up; an npm
 * package or a node: module there costs tens of milliseconds on every launch (issue #9).
 */
import assert from "node:assert/strict";
import { MAIN } from "./support/spawn.ts";

interface Dependency {
  specifier: string;
  code?: { specifier: string };
  isDynamic?: boolean;
}

// What start-up reaches: our modules with their sizes, and npm packages imported statically
// (a literal `import("zod")` is only resolved at start-up, not read; it must stay literal so
// JSR can rewrite it).
async function startupGraph(
  root = MAIN,
): Promise<{ reached: Map<string, number>; npm: string[] }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", root],
    stdout: "piped",
    stderr: "null",
  }).output();
  const info = JSON.parse(new TextDecoder().decode(output.stdout));
  const modules = new Map<string, { size?: number; dependencies?: Dependency[] }>(
    info.modules.map((m: { specifier: string }) => [m.specifier, m]),
  );
  const reached = new Map<string, number>();
  const npm: string[] = [];
  const visit = (specifier: string) => {
    if (reached.has(specifier)) return;
    const module = modules.get(specifier);
    reached.set(specifier, module?.size ?? 0);
    // Runtime imports only, static or literal dynamic (both are analysed at start-up).
    for (const dependency of module?.dependencies ?? []) {
      const target = dependency.code?.specifier;
      if (!target) continue;
      if (!target.startsWith("npm:")) visit(target);
      else if (!dependency.isDynamic) npm.push(`${target} (from ${specifier})`);
    }
  };
  visit(new URL(`file://${root}`).href);
  return { reached, npm };
}

Deno.test("start-up loads no npm package, no node: module and under 300 KB of our code", async () => {
  const { reached: graph, npm } = await startupGraph();
  const names = [...graph.keys()];
  assert.deepEqual(npm, [], "npm imported statically on the start-up path");
  assert.deepEqual(
    names.filter((name) => name.startsWith("node:")),
    [],
    "node: on the start-up path",
  );
  const bytes = [...graph.values()].reduce((sum, size) => sum + size, 0);
  assert.ok(bytes < 300_000, `${bytes} bytes in ${graph.size} modules at start-up`);
  assert.ok(!names.some((name) => /lib\/(tools\/mod|demo\/hub|views\/mod|redact)\.ts$/.test(name)));
});

Deno.test("a first tools/list in --demo needs no npm package: listing, discovery and its parse", async () => {
  // What answering it loads beyond start-up: the offer rule with the stored descriptors, the
  // demo Hub's discovery, and the hand parse of the document (zod alone costs ~35 ms).
  for (const module of ["lib/tools/listing.ts", "lib/demo/hub.ts", "lib/hub/schemas.ts"]) {
    const { reached, npm } = await startupGraph(new URL(`../${module}`, import.meta.url).pathname);
    assert.deepEqual(npm, [], `${module} imports npm packages statically`);
    // Literal import("…") targets are read when the module loads: none may lead to a tool module.
    const heavy = [...reached.keys()].filter((name) =>
      /lib\/(tools\/mod|demo\/(mod|kfl|traffic|pcap|tools\/\w+)|kube\/\w+)\.ts$/.test(name)
    );
    assert.deepEqual(heavy, [], `${module} reaches modules only calls need`);
  }
});
