/**
 * The official MCP conformance suite against the real server over HTTP. Scenarios that need the
 * suite's fixture tools, resources and prompts do not apply; they are listed, with reasons, in
 * tests/conformance/ (and the README). The run fails on any other failing scenario, and on a listed
 * one that starts to pass. The suite needs Node ≥ 22 APIs, so it runs under Deno from npm.
 */
import assert from "node:assert/strict";
import { childEnv } from "./support/env.ts";
import { withHttpServer } from "./support/http_process.ts";

/** The suite release whose server scenarios cover the stateless 2026-07-28 revision. */
const SUITE_2026 = "@modelcontextprotocol/conformance@0.2.0-alpha.12";
const NOT_APPLICABLE_2026 = new URL("./conformance/not-applicable-2026.json", import.meta.url);

/** The suite release whose server scenarios cover the 2025 revisions. */
const SUITE_2025 = "@modelcontextprotocol/conformance@0.1.16";
const BASELINE_2025 = new URL("./conformance/expected-failures-2025.yaml", import.meta.url)
  .pathname;
const SUITE_DEADLINE_MS = 180_000;

async function runSuite(suite: string, args: string[]) {
  const command = new Deno.Command(Deno.execPath(), {
    // --no-config, --no-lock: the suite is not ours; it must not enter deno.json or deno.lock.
    args: [
      "run",
      "--allow-all",
      "--quiet",
      "--no-config",
      "--no-lock",
      `npm:${suite}`,
      "server",
      ...args,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    // The suite's own npm dependencies come from the shared Deno cache.
    env: { ...Deno.env.toObject(), ...childEnv(), NO_COLOR: "1" },
    signal: AbortSignal.timeout(SUITE_DEADLINE_MS),
  });
  const output = await command.output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, text: decode(output.stdout) + decode(output.stderr) };
}

Deno.test("conformance 0.1.16: every applicable server scenario passes over HTTP (2025 revisions)", async () => {
  await withHttpServer(["--demo", "--http-rate-limit", "0"], async (server) => {
    const { code, text } = await runSuite(SUITE_2025, [
      "--url",
      server.endpoint,
      "--expected-failures",
      BASELINE_2025,
    ]);
    const summary = text.slice(text.indexOf("=== SUMMARY ==="));
    assert.equal(code, 0, summary || text);
    for (const scenario of ["server-initialize", "tools-list", "dns-rebinding-protection"]) {
      assert.match(summary, new RegExp(`✓ ${scenario}:`), `${scenario} ran and passed`);
    }
  });
});

/** Every failing or warning check the suite wrote to `dir`, as "scenario: check — message". */
async function failingChecks(
  dir: string,
): Promise<{ scenario: string; name: string; text: string }[]> {
  const found: { scenario: string; name: string; text: string }[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const scenario = /^server-(.+)-\d{4}-\d{2}-\d{2}T/.exec(entry.name)?.[1] ?? entry.name;
    let checks: { name: string; status: string; errorMessage?: string }[];
    try {
      checks = JSON.parse(await Deno.readTextFile(`${dir}/${entry.name}/checks.json`));
    } catch {
      found.push({ scenario, name: "(no checks.json)", text: `${scenario}: wrote no results` });
      continue;
    }
    for (const check of checks) {
      if (check.status !== "FAILURE" && check.status !== "WARNING") continue;
      found.push({
        scenario,
        name: check.name,
        text: `${scenario}: ${check.name} — ${check.errorMessage ?? check.status}`,
      });
    }
  }
  return found;
}

Deno.test("conformance 0.2.0-alpha.12: every applicable 2026-07-28 check passes over HTTP (stateless)", async () => {
  const notApplicable: Record<string, string> = JSON.parse(
    await Deno.readTextFile(NOT_APPLICABLE_2026),
  );
  const dir = await Deno.makeTempDir();
  try {
    await withHttpServer(["--demo", "--http-rate-limit", "0"], async (server) => {
      const { text } = await runSuite(SUITE_2026, [
        "--url",
        server.endpoint,
        "--requirements",
        "2026-07-28",
        "-o",
        dir,
      ]);
      const failing = await failingChecks(dir);
      assert.ok(failing.length + text.length > 0);
      const unexpected = failing.filter((check) =>
        // The tasks extension is run but not scored by the suite.
        !check.scenario.startsWith("tasks-") && !Object.hasOwn(notApplicable, check.name)
      );
      assert.deepEqual(unexpected.map((check) => check.text), []);
      const ran = new Set<string>();
      for await (const entry of Deno.readDir(dir)) ran.add(entry.name);
      for (const scenario of ["server-stateless", "http-header-validation", "caching"]) {
        assert.ok([...ran].some((name) => name.startsWith(`server-${scenario}-`)), scenario);
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
