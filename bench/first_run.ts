/**
 * First run on an empty Deno cache: what `deno run -A main.ts --demo` and `--url` download before
 * they answer `initialize` (npm packages, their megabytes, seconds; DENO_DIR's total beside). A new
 * user's first start pays all of it, and MCP clients give a server about 60 s.
 *
 *   deno run -A bench/first_run.ts            print the figures
 *   deno run -A bench/first_run.ts --check    also exit 1 above the goals (CI's lean-graph check)
 *   deno run -A bench/first_run.ts --root DIR measure another checkout (e.g. an older commit)
 *
 * It needs the npm registry (an empty cache has to fetch), so it is not part of `deno task test`.
 */
import { HubDouble } from "../tests/support/hub_double.ts";

/** The goal for `--demo` and `--url` (issue #13). */
export const FIRST_RUN_GOAL = { packages: 25, megabytes: 15 };

/** What one first run cost. */
export interface FirstRun {
  packages: number;
  /** The npm packages as unpacked in DENO_DIR/npm: what the first run had to fetch. */
  megabytes: number;
  /** All of DENO_DIR, Deno's own caches included (their SQLite journals vary run to run). */
  denoDirMegabytes: number;
  seconds: number;
  names: string[];
}

/** Starts `main.ts` in `root` with an empty DENO_DIR and times it to the `initialize` answer. */
export async function firstRun(root: string, args: string[]): Promise<FirstRun> {
  const denoDir = await Deno.makeTempDir({ prefix: "kubeshark-mcp-first-run-" });
  try {
    const started = performance.now();
    const child = new Deno.Command(Deno.execPath(), {
      // `deno run -A main.ts` exactly as a user types it in a clone: the project's deno.json
      // (and whatever lockfile setting it has) applies.
      args: ["run", "-A", "main.ts", ...args],
      cwd: root,
      env: { DENO_DIR: denoDir, NO_COLOR: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bench" } },
      }) + "\n",
    ));
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const deadline = setTimeout(() => child.kill(), 180_000);
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const seconds = (performance.now() - started) / 1000;
    clearTimeout(deadline);
    await writer.close().catch(() => {});
    await reader.cancel();
    await child.status;
    const log = await stderr;
    if (!text.includes('"result"')) {
      throw new Error(`main.ts ${args.join(" ")} did not answer initialize:\n${log.slice(-2000)}`);
    }
    // One tarball download per npm package (metadata requests are not counted).
    const names = [...log.matchAll(/Download https:\/\/\S+\/-\/(\S+)\.tgz/g)].map((m) => m[1]);
    return {
      packages: names.length,
      megabytes: await megabytes(`${denoDir}/npm`),
      denoDirMegabytes: await megabytes(denoDir),
      seconds,
      names,
    };
  } finally {
    await Deno.remove(denoDir, { recursive: true }).catch(() => {});
  }
}

async function megabytes(dir: string): Promise<number> {
  let bytes = 0;
  async function walk(path: string) {
    if (!(await Deno.stat(path).catch(() => undefined))?.isDirectory) return;
    for await (const entry of Deno.readDir(path)) {
      const child = `${path}/${entry.name}`;
      if (entry.isDirectory) await walk(child);
      else if (entry.isFile) bytes += (await Deno.stat(child)).size;
    }
  }
  await walk(dir);
  return bytes / 1_000_000;
}

/** Prints both first runs; returns false when one is over the goal. */
export async function benchFirstRun(root: string): Promise<boolean> {
  const hub = new HubDouble();
  try {
    console.log(`\nfirst run on an empty DENO_DIR (${root}), to the initialize answer`);
    let ok = true;
    for (const args of [["--demo"], ["--url", hub.url]]) {
      const run = await firstRun(root, args);
      const over = run.packages > FIRST_RUN_GOAL.packages ||
        run.megabytes > FIRST_RUN_GOAL.megabytes;
      ok &&= !over;
      console.log(
        `  ${args[0].padEnd(8)} ${String(run.packages).padStart(4)} npm packages  ${
          run.megabytes.toFixed(1).padStart(6)
        } MB (DENO_DIR ${run.denoDirMegabytes.toFixed(1)} MB)  ${
          run.seconds.toFixed(1).padStart(5)
        } s   goal ≤ ${FIRST_RUN_GOAL.packages} packages, ≤ ${FIRST_RUN_GOAL.megabytes} MB${
          over ? "   OVER" : ""
        }`,
      );
      if (over) console.log(`           ${run.names.slice(0, 20).join(" ")} …`);
    }
    return ok;
  } finally {
    await hub.close();
  }
}

if (import.meta.main) {
  const rootAt = Deno.args.indexOf("--root");
  const root = rootAt >= 0
    ? Deno.args[rootAt + 1]
    : new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const ok = await benchFirstRun(root);
  if (Deno.args.includes("--check") && !ok) {
    console.error("first run: over the goal (see above): a test-only or proxy-only package is on");
    console.error("the run path, or the lockfile lists packages --demo/--url do not import.");
    Deno.exit(1);
  }
}
