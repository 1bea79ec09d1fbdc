/**
 * `deno task release` (after `deno task compile`): packs what dist/<target>/ holds into
 * dist/release/ — an archive per target (tar.gz; zip for Windows), an MCPB bundle per target,
 * SHA256SUMS, the server.json that lists the bundles with their SHA-256, and the Homebrew formula
 * (when all four macOS/Linux archives are there).
 *
 * MCPB bundles are packed by `mcpb pack` (npm @anthropic-ai/mcpb): $MCPB names the command, else
 * it runs through npx.
 */
import meta from "../deno.json" with { type: "json" };
import {
  assetNames,
  binaryName,
  homebrewFormula,
  mcpbManifest,
  serverJson,
  type Target,
  TARGETS,
} from "./distribution.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const DIST = `${ROOT}dist`;
const OUT = `${DIST}/release`;
const MCPB_PACKAGE = "@anthropic-ai/mcpb@2.1.2";

async function run(command: string[], cwd = ROOT): Promise<void> {
  const result = await new Deno.Command(command[0], { args: command.slice(1), cwd }).output();
  if (result.code !== 0) {
    const stderr = new TextDecoder().decode(result.stderr);
    throw new Error(`${command.join(" ")} failed (exit ${result.code}):\n${stderr}`);
  }
}

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function exists(path: string): Promise<boolean> {
  return (await Deno.stat(path).catch(() => undefined))?.isFile ?? false;
}

function mcpbCommand(): string[] {
  const explicit = Deno.env.get("MCPB");
  return explicit ? [explicit] : ["npx", "--yes", MCPB_PACKAGE];
}

async function packTarget(target: Target) {
  const binary = `${DIST}/${target.triple}/${binaryName(target)}`;
  const names = assetNames(target);
  const archive = `${OUT}/${names.archive}`;
  if (target.os === "windows") {
    await run(["zip", "-j", "-q", archive, binary]);
  } else {
    await run(["tar", "-C", `${DIST}/${target.triple}`, "-czf", archive, binaryName(target)]);
  }
  // An MCPB bundle is a zip of manifest.json plus the binary under server/.
  const staging = `${DIST}/mcpb/${target.triple}`;
  await Deno.remove(staging, { recursive: true }).catch(() => {});
  await Deno.mkdir(`${staging}/server`, { recursive: true });
  await Deno.copyFile(binary, `${staging}/server/${binaryName(target)}`);
  await Deno.chmod(`${staging}/server/${binaryName(target)}`, 0o755).catch(() => {});
  await Deno.writeTextFile(
    `${staging}/manifest.json`,
    JSON.stringify(mcpbManifest(target), null, 2) + "\n",
  );
  const bundle = `${OUT}/${names.bundle}`;
  await run([...mcpbCommand(), "pack", staging, bundle]);
  return {
    target,
    archive: { name: names.archive, sha256: await sha256(archive) },
    bundle: { name: names.bundle, sha256: await sha256(bundle) },
  };
}

if (import.meta.main) {
  const built: Target[] = [];
  for (const target of TARGETS) {
    if (await exists(`${DIST}/${target.triple}/${binaryName(target)}`)) built.push(target);
  }
  if (!built.length) {
    console.error("release: dist/ holds no binaries; run `deno task compile` first");
    Deno.exit(1);
  }
  await Deno.remove(OUT, { recursive: true }).catch(() => {});
  await Deno.mkdir(OUT, { recursive: true });
  const packed = [];
  for (const target of built) {
    packed.push(await packTarget(target));
    console.log(`packed ${target.triple}`);
  }
  const sums = packed.flatMap(({ archive, bundle }) => [archive, bundle])
    .map(({ name, sha256 }) => `${sha256}  ${name}\n`).join("");
  await Deno.writeTextFile(`${OUT}/SHA256SUMS`, sums);
  const server = serverJson(
    packed.map(({ target, bundle }) => ({ target, sha256: bundle.sha256 })),
  );
  await Deno.writeTextFile(`${OUT}/server.json`, JSON.stringify(server, null, 2) + "\n");
  const missing = TARGETS.filter((t) => !built.includes(t));
  if (missing.some((t) => t.os !== "windows")) {
    console.log(
      `no Homebrew formula: missing ${missing.map((t) => t.triple).join(", ")} ` +
        "(the formula needs all four macOS/Linux archives)",
    );
  } else {
    const archives = Object.fromEntries(packed.map((p) => [p.target.triple, p.archive.sha256]));
    await Deno.writeTextFile(`${OUT}/kubeshark-mcp.rb`, homebrewFormula(archives));
  }
  console.log(`dist/release/ holds kubeshark-mcp ${meta.version}:`);
  for (const entry of [...Deno.readDirSync(OUT)].map((e) => e.name).sort()) {
    console.log(`  ${entry}`);
  }
}
