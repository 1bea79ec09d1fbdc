/**
 * `deno task compile`: builds kubeshark-mcp for every release target into dist/<target>/, then
 * smoke-tests the binary built for this machine (`--version` prints ours, `initialize` answers
 * over stdio). A binary that fails is deleted and the task fails: a wrong runtime (e.g.
 * DENORT_BIN=/bin/true) must never produce a "successful" build.
 *
 *   deno task compile                        all targets (Deno downloads each target's runtime)
 *   deno task compile --target <triple>      one target (repeatable)
 *   DENORT_BIN=/path/to/denort deno task compile
 *                                            this machine's target only, with that runtime
 *   deno run -A .ci/compile.ts --smoke-test dist/<target>/kubeshark-mcp
 *                                            smoke-test a built binary (the release workflow runs
 *                                            this on each target's own OS)
 */
import meta from "../deno.json" with { type: "json" };
import { LAZY_MODULES } from "../lib/lazy.ts";
import { V8_FLAGS } from "../lib/version.ts";
import { binaryName, type Target, TARGETS } from "./distribution.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const HOST = Deno.build.target;
const SMOKE_TIMEOUT_MS = 30_000;

/** A failed build or smoke test, reported in one line. */
class CompileError extends Error {}

/**
 * Checks a built binary: `--version` prints ours, then over stdio in --demo `initialize`,
 * `tools/list` and a tool call answer.
 */
export async function smokeTest(binary: string): Promise<void> {
  const expected = `kubeshark-mcp ${meta.version}`;
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(binary, {
      args: ["--version"],
      stdin: "null",
      signal: AbortSignal.timeout(SMOKE_TIMEOUT_MS),
    }).output();
  } catch (error) {
    throw new CompileError(`${binary} does not run: ${(error as Error).message}`);
  }
  const printed = new TextDecoder().decode(output.stdout).trim();
  if (output.code !== 0 || printed !== expected) {
    throw new CompileError(
      `${binary} --version printed ${JSON.stringify(printed.split("\n")[0] ?? "")} ` +
        `(exit ${output.code}), not "${expected}": the runtime it was built with is not denort ` +
        `${Deno.version.deno} (DENORT_BIN must be the denort binary of the same Deno version).`,
    );
  }
  // Then the demo: initialize, tools/list and a data call, which load the modules imported
  // through computed specifiers (LAZY_MODULES): a module missing from --include fails here.
  const child = new Deno.Command(binary, {
    args: ["--demo"],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
    signal: AbortSignal.timeout(SMOKE_TIMEOUT_MS),
  }).spawn();
  const writer = child.stdin.getWriter();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const answers = new Map<number, Record<string, unknown>>();
  let buffered = "";
  const answerTo = async (id: number) => {
    while (!answers.has(id)) {
      const { value, done } = await lines.read();
      if (done) break;
      buffered += value;
      let newline;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          const message = JSON.parse(line);
          if (typeof message.id === "number") answers.set(message.id, message);
        } catch {
          // reported below, as a missing answer
        }
      }
    }
    return answers.get(id);
  };
  const send = (message: Record<string, unknown>) =>
    writer.write(new TextEncoder().encode(JSON.stringify({ jsonrpc: "2.0", ...message }) + "\n"));
  const fail = (what: string, answer: unknown) =>
    new CompileError(`${binary} ${what}: ${JSON.stringify(answer ?? null).slice(0, 200)}`);
  try {
    await send({
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "smoke" } },
    });
    const initialize = await answerTo(1);
    const info = (initialize?.result as { serverInfo?: { name?: string; version?: string } })
      ?.serverInfo;
    if (info?.name !== "kubeshark-mcp" || info.version !== meta.version) {
      throw fail(`did not answer initialize as kubeshark-mcp ${meta.version}`, initialize);
    }
    await send({ method: "notifications/initialized" });
    await send({ id: 2, method: "tools/list" });
    const list = await answerTo(2);
    const tools = (list?.result as { tools?: unknown[] })?.tools;
    if (!Array.isArray(tools) || tools.length < 10) throw fail("listed no demo tools", list);
    await send({ id: 3, method: "tools/call", params: { name: "list_workloads", arguments: {} } });
    const call = await answerTo(3);
    const result = call?.result as { isError?: boolean } | undefined;
    if (!result || result.isError) throw fail("failed a demo tool call", call);
  } finally {
    await writer.close().catch(() => {});
    await lines.cancel().catch(() => {});
    await child.status;
  }
}

// Type declarations and source maps of the npm packages in the graph: never read at run time,
// and half of @kubernetes/client-node's 53 MB. (--exclude takes paths, not globs.)
async function unusedNpmFiles(): Promise<string[]> {
  const info = async (...args: string[]) => {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", ...args],
      cwd: ROOT,
      stderr: "inherit",
    }).output();
    return JSON.parse(new TextDecoder().decode(output.stdout));
  };
  const { npmCache } = await info();
  const packages = new Set<string>();
  // Modules loaded through computed specifiers are roots of their own.
  for (const root of ["main.ts", "lib/kube/client_node.ts", ...LAZY_MODULES]) {
    for (const id of Object.keys((await info(root)).npmPackages ?? {})) {
      const [, name, version] = /^(@?[^@]+)@([^_]+)/.exec(id) ?? [];
      if (name) packages.add(`${npmCache}/registry.npmjs.org/${name}/${version}`);
    }
  }
  const files: string[] = [];
  async function walk(dir: string) {
    for await (const entry of Deno.readDir(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (/\.(map|d\.ts|d\.mts|d\.cts)$/.test(entry.name)) files.push(path);
    }
  }
  for (const dir of packages) await walk(dir).catch(() => {});
  return files.sort();
}

async function compile(target: Target, excludes: string[]): Promise<string> {
  const output = `${ROOT}dist/${target.triple}/${binaryName(target)}`;
  await Deno.mkdir(`${ROOT}dist/${target.triple}`, { recursive: true });
  const args = [
    "compile",
    "--allow-all",
    "--quiet",
    // Baked into the binary: the V8 setting every command we write uses (lib/version.ts).
    V8_FLAGS,
    "--lock=deno.lock",
    "--frozen",
    // Only what the entry point reaches: not the lockfile's test-only packages.
    "--exclude-unused-npm",
    // Imported through computed specifiers (kept off the start-up graph and the first run's
    // downloads), so deno compile cannot see them: named here.
    ...[...LAZY_MODULES, "lib/kube/client_node.ts"].flatMap((module) => ["--include", module]),
    ...excludes.flatMap((file) => ["--exclude", file]),
    "--target",
    target.triple,
    "--output",
    output,
    "main.ts",
  ];
  const result = await new Deno.Command(Deno.execPath(), { args, cwd: ROOT, stderr: "piped" })
    .output();
  if (result.code !== 0) {
    const stderr = new TextDecoder().decode(result.stderr).trim();
    const offline = /download|network|dns|connect|tcp/i.test(stderr);
    throw new CompileError(
      `deno compile for ${target.triple} failed${
        offline
          ? ": it could not download the denort runtime (this machine reaches no Deno download " +
            "server). Build there in CI, or for this machine's target set DENORT_BIN to the " +
            `denort ${Deno.version.deno} binary`
          : ""
      }.\n${stderr.split("\n").slice(0, 8).join("\n")}`,
    );
  }
  return output;
}

async function main(args: string[]): Promise<void> {
  const smokeAt = args.indexOf("--smoke-test");
  if (smokeAt >= 0) {
    await smokeTest(args[smokeAt + 1]);
    console.log(`smoke test passed: ${args[smokeAt + 1]}`);
    return;
  }
  const asked = args.flatMap((arg, i) => args[i - 1] === "--target" ? [arg] : []);
  for (const triple of asked) {
    if (!TARGETS.some((target) => target.triple === triple)) {
      throw new CompileError(
        `unknown --target ${triple}; one of ${TARGETS.map((t) => t.triple).join(", ")}`,
      );
    }
  }
  const runtime = Deno.env.get("DENORT_BIN");
  let targets = asked.length ? TARGETS.filter((t) => asked.includes(t.triple)) : TARGETS;
  if (runtime) {
    const stat = await Deno.stat(runtime).catch(() => undefined);
    if (!stat?.isFile || !((stat.mode ?? 0o111) & 0o111)) {
      throw new CompileError(`DENORT_BIN=${runtime} is not an executable file.`);
    }
    // One runtime binary serves one target: this machine's.
    const others = targets.filter((t) => t.triple !== HOST);
    if (others.length) {
      console.error(
        `compile: DENORT_BIN is a runtime for this machine (${HOST}) only; not building ` +
          others.map((t) => t.triple).join(", "),
      );
    }
    targets = targets.filter((t) => t.triple === HOST);
    if (!targets.length) throw new CompileError(`no target left to build with DENORT_BIN`);
  }
  const excludes = await unusedNpmFiles();
  for (const target of targets) {
    const output = await compile(target, excludes);
    if (target.triple === HOST) {
      try {
        await smokeTest(output);
      } catch (error) {
        await Deno.remove(output).catch(() => {});
        throw error;
      }
      console.log(`built and smoke-tested ${output.slice(ROOT.length)}`);
    } else {
      console.log(`built ${output.slice(ROOT.length)} (smoke-tested on its own OS by CI)`);
    }
  }
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (error) {
    if (!(error instanceof CompileError)) throw error;
    console.error(`compile: ${error.message}`);
    Deno.exit(1);
  }
}
