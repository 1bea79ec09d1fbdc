/**
 * The distribution files: generated from deno.json and committed as generated, valid against the
 * MCP registry's server.json schema (2025-12-11) and the MCPB manifest schema (0.4), and all
 * showing the one version that `--version` and serverInfo show.
 */
import assert from "node:assert/strict";
import { Ajv } from "ajv";
import formats from "ajv-formats";
import {
  claudeMarketplace,
  committedFiles,
  homebrewFormula,
  mcpbManifest,
  serverJson,
  TARGETS,
} from "../.ci/distribution.ts";
import { V8_FLAGS, VERSION } from "../lib/version.ts";
import { McpProcess } from "./support/mcp_process.ts";

const ROOT = new URL("../", import.meta.url);
const FAKE_SHA = (seed: number) => seed.toString(16).padStart(2, "0").repeat(32);

async function readJson(path: string) {
  return JSON.parse(await Deno.readTextFile(new URL(path, ROOT)));
}

async function validator(schemaFile: string) {
  const schema = await readJson(`tests/schemas/${schemaFile}`);
  // The registry's schema carries OpenAPI keywords (example, discriminator): not strict.
  const ajv = new Ajv({ strict: false, allErrors: true });
  // A CommonJS default export: the plugin function sits on `.default` under Deno's interop.
  const addFormats = (formats as unknown as { default: (ajv: Ajv) => void }).default;
  addFormats(ajv);
  const validate = ajv.compile(schema);
  return (document: unknown, name: string) => {
    const ok = validate(document);
    assert.ok(ok, `${name}: ${JSON.stringify(validate.errors, null, 2)}`);
  };
}

Deno.test("the committed distribution files are exactly what .ci/distribution.ts generates", async () => {
  for (const [path, text] of Object.entries(committedFiles())) {
    assert.equal(
      await Deno.readTextFile(new URL(path, ROOT)),
      text,
      `${path} is stale: run deno task manifests`,
    );
  }
});

Deno.test("mcp/server.json and the release's server.json are valid against the 2025-12-11 schema", async () => {
  const check = await validator("server.schema.json");
  const committed = await readJson("mcp/server.json");
  assert.equal(
    committed.$schema,
    "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
  );
  check(committed, "mcp/server.json");
  const release = serverJson(TARGETS.map((target, i) => ({ target, sha256: FAKE_SHA(i + 1) })));
  check(release, "release server.json");
  const bundles = release.packages.filter((p) => p.registryType === "mcpb") as {
    identifier: string;
    fileSha256?: string;
  }[];
  assert.equal(bundles.length, TARGETS.length);
  for (const bundle of bundles) {
    assert.match(bundle.identifier, /^https:\/\/github\.com\/.+\/releases\/download\/v.+\.mcpb$/);
    assert.match(bundle.fileSha256 ?? "", /^[0-9a-f]{64}$/);
  }
  assert.ok(
    committed.packages.every((p: { transport: { type: string } }) => p.transport.type === "stdio"),
  );
  // The schema must be able to fail: a wrong SHA-256 is refused.
  assert.throws(() =>
    check(serverJson([{ target: TARGETS[0], sha256: "not-a-sha" }]), "bad sha256")
  );
});

Deno.test("mcp/manifest.json and each bundle's manifest are valid MCPB 0.4 manifests", async () => {
  const check = await validator("mcpb-manifest-v0.4.schema.json");
  const committed = await readJson("mcp/manifest.json");
  check(committed, "mcp/manifest.json");
  assert.equal(committed.manifest_version, "0.4");
  assert.deepEqual(Object.keys(committed.user_config), ["hub_url", "hub_token", "kubeconfig"]);
  assert.equal(committed.user_config.hub_token.sensitive, true);
  for (const target of TARGETS) {
    const manifest = mcpbManifest(target);
    check(manifest, `manifest for ${target.triple}`);
    assert.equal(manifest.server.entry_point.endsWith(".exe"), target.os === "windows");
  }
  // Unknown keys are refused by 0.4 (the schema must be able to fail).
  assert.throws(() => check({ ...committed, extra: true }, "extra key"));
});

Deno.test("the deno tasks that run the server use the V8 setting every command we write has", async () => {
  const { tasks } = await readJson("deno.json");
  for (const task of ["start", "demo", "demo-hub"]) {
    assert.ok(tasks[task].includes(` ${V8_FLAGS} main.ts`), `${task}: ${tasks[task]}`);
  }
});

Deno.test("the Claude Code marketplace names its owner and the plugin", async () => {
  const marketplace = await readJson(".claude-plugin/marketplace.json");
  assert.deepEqual(marketplace, claudeMarketplace());
  assert.equal(typeof marketplace.owner.name, "string");
  assert.equal(marketplace.plugins[0].source, "./");
  const mcp = await readJson(".mcp.json");
  assert.deepEqual(mcp.mcpServers.kubeshark.args, [
    "run",
    "-A",
    V8_FLAGS,
    `jsr:@kubeshark/kubeshark-mcp@${VERSION}`,
  ]);
});

Deno.test("the Homebrew formula has a URL and SHA-256 per platform and tests --version", () => {
  const sums = Object.fromEntries(TARGETS.map((target, i) => [target.triple, FAKE_SHA(i + 1)]));
  const formula = homebrewFormula(sums);
  for (const target of TARGETS.filter((t) => t.os !== "windows")) {
    assert.ok(formula.includes(`v${VERSION}/kubeshark-mcp-${VERSION}-${target.triple}.tar.gz`));
    assert.ok(formula.includes(`sha256 "${sums[target.triple]}"`));
  }
  assert.match(formula, /version "[^"]+"/);
  assert.match(
    formula,
    /test do\n\s+assert_equal "kubeshark-mcp #\{version\}\\n", shell_output\("#\{bin\}\/kubeshark-mcp --version"\)/,
  );
  assert.throws(() => homebrewFormula({}), /no SHA-256 for/);
});

Deno.test("one version: deno.json, --version, serverInfo and every distribution file agree", async () => {
  const deno = await readJson("deno.json");
  const versions: Record<string, string> = {
    "lib/version.ts": VERSION,
    "mcp/server.json": (await readJson("mcp/server.json")).version,
    "mcp/server.json jsr package": (await readJson("mcp/server.json")).packages.at(-1).version,
    "mcp/manifest.json": (await readJson("mcp/manifest.json")).version,
    ".claude-plugin/plugin.json": (await readJson(".claude-plugin/plugin.json")).version,
    ".claude-plugin/marketplace.json": (await readJson(".claude-plugin/marketplace.json"))
      .plugins[0].version,
    ".mcp.json": (await readJson(".mcp.json")).mcpServers.kubeshark.args.at(-1).split("@").at(-1),
    "Homebrew formula": /version "([^"]+)"/.exec(
      homebrewFormula(Object.fromEntries(TARGETS.map((t) => [t.triple, FAKE_SHA(1)]))),
    )![1],
  };
  const server = new McpProcess(["--demo"]);
  try {
    versions["serverInfo"] = (await server.initialize()).serverInfo.version;
  } finally {
    await server.close();
  }
  const printed = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", new URL("main.ts", ROOT).pathname, "--version"],
  }).output();
  versions["--version"] = new TextDecoder().decode(printed.stdout).trim().split(" ")[1];
  for (const [where, version] of Object.entries(versions)) {
    assert.equal(version, deno.version, `${where} shows ${version}, deno.json ${deno.version}`);
  }
});

Deno.test("the bundle's description says what is offered without flags: state-changing Hub tools, not start/stop", async () => {
  const { long_description: text } = await readJson("mcp/manifest.json");
  // It used to say "read-only unless --allow-destructive", while snapshots, dissection switches,
  // cloud copies and downloads are offered unless --read-only.
  assert.doesNotMatch(text, /read-only unless/);
  assert.match(text, /--read-only/);
  assert.match(text, /--allow-destructive/);
  const server = await readJson("mcp/server.json");
  const url = server.packages[0].packageArguments.find((a: { name: string }) => a.name === "--url");
  assert.doesNotMatch(url.description, /read-only/);
});
