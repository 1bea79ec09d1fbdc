/**
 * The demo Hub over stdio (`main.ts --demo`): the cost of its first discovery, the text size of
 * the default answers, and ten PCAP exports + downloads (export p50, the process's RSS after).
 * Goals (issues #10, #11): default answers ≤ 16 KiB; export p50 ≤ 100 ms; RSS ≤ 150 MB.
 *
 *   deno run --allow-all bench/demo_exports.ts     (also run by deno task bench)
 */
import { HubDouble } from "../tests/support/hub_double.ts";
import { McpProcess } from "../tests/support/mcp_process.ts";

const EXPORTS = 10;
const SPAWNS = 7;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The child's resident set size, MB (Linux /proc; NaN elsewhere). */
async function rssMb(pid: number): Promise<number> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return kb / 1024;
  } catch {
    return NaN;
  }
}

function textOf(result: { content?: { text?: string }[] }): string {
  return result.content?.[0]?.text ?? "";
}

/** Spawn → initialize → first tools/list answered, ms. */
async function firstList(args: string[]): Promise<number> {
  const started = performance.now();
  const server = new McpProcess(args);
  try {
    await server.initialize();
    await server.request("tools/list");
    return performance.now() - started;
  } finally {
    await server.close();
  }
}

// The demo's discovery against URL mode's (a loopback Hub double), interleaved in one run: the
// ratio says what the in-process demo Hub adds to a first tools/list.
const double = new HubDouble();
const demoFirst: number[] = [];
const urlFirst: number[] = [];
try {
  await firstList(["--demo"]);
  await firstList(["--url", double.url]);
  for (let i = 0; i < SPAWNS; i++) {
    demoFirst.push(await firstList(["--demo"]));
    urlFirst.push(await firstList(["--url", double.url]));
  }
} finally {
  await double.close();
}
console.log(`\nspawn → first tools/list answered (median of ${SPAWNS}, interleaved)`);
console.log(`  --url (loopback Hub double)      ${median(urlFirst).toFixed(1)} ms`);
console.log(
  `  --demo (in-process demo Hub)     ${median(demoFirst).toFixed(1)} ms   ${
    (median(demoFirst) / median(urlFirst)).toFixed(2)
  }× URL mode`,
);

const dir = await Deno.makeTempDir({ prefix: "demo-exports-" });
const server = new McpProcess(["--demo", "--download-dir", dir]);
try {
  let started = performance.now();
  await server.initialize();
  const initialize = performance.now() - started;
  started = performance.now();
  await server.request("tools/list");
  const firstList = performance.now() - started;
  const rssAfterList = await rssMb(server.child.pid);

  console.log("\ndemo Hub over stdio (main.ts --demo)");
  console.log(`  initialize                       ${initialize.toFixed(1)} ms`);
  console.log(
    `  first tools/list (discovery)     ${firstList.toFixed(1)} ms   RSS ${
      rssAfterList.toFixed(0)
    } MB (no traffic generated yet)`,
  );
  started = performance.now();
  const first = await server.callTool("list_api_calls", {});
  console.log(
    `  first data call (generates data, loads CEL)  ${(performance.now() - started).toFixed(1)} ms`,
  );
  const sizes: string[] = [];
  for (const name of ["list_api_calls", "list_l4_flows", "get_api_stats"]) {
    const result = name === "list_api_calls" ? first : await server.callTool(name, {});
    const text = textOf(result);
    const compact = JSON.stringify(JSON.parse(text));
    sizes.push(
      `  ${name.padEnd(16)} text ${(text.length / 1024).toFixed(1)} KiB, as compact JSON ${
        (new TextEncoder().encode(compact).length / 1024).toFixed(1)
      } KiB   goal ≤ 16 KiB`,
    );
  }
  console.log("default answers");
  for (const line of sizes) console.log(line);

  const exports: number[] = [];
  const downloads: number[] = [];
  for (let i = 0; i < EXPORTS; i++) {
    started = performance.now();
    const exported = JSON.parse(textOf(
      await server.callTool("export_snapshot_pcap", { snapshot_id: "snap-after-deploy" }),
    ));
    exports.push(performance.now() - started);
    started = performance.now();
    const saved = await server.callTool("download_file", {
      path: exported.path,
      dest: `export-${i}.pcap`,
    });
    if (saved.isError) throw new Error(`download_file failed: ${textOf(saved)}`);
    downloads.push(performance.now() - started);
  }
  const rss = await rssMb(server.child.pid);
  console.log(`PCAP export of snap-after-deploy, ${EXPORTS}× export + download_file`);
  console.log(
    `  export        first ${exports[0].toFixed(1)} ms (builds it), p50 ${
      median(exports).toFixed(1)
    } ms   goal p50 ≤ 100 ms`,
  );
  console.log(`  download_file p50 ${median(downloads).toFixed(1)} ms`);
  console.log(`  RSS after     ${rss.toFixed(0)} MB   goal ≤ 150 MB`);
} finally {
  await server.close();
  await Deno.remove(dir, { recursive: true });
}
