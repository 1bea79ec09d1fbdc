/**
 * The official MCP conformance suite against the real server over HTTP. Scenarios that need the
 * suite's fixture tools, resources and prompts do not apply; they are listed, with reasons, in
 * tests/conformance/ (and the README). The run fails on any other failing scenario, and on a listed
 * one that starts to pass. The suite needs Node ≥ 22 APIs, so it runs under Deno from npm.
 */
import assert from "node:assert/strict";
import { childEnv } from "./support/env.ts";
import { withHttpServer } from "./support/http_process.ts";

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
