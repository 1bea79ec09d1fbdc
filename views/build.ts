/**
 * `deno task build-views`: bundles each view (views/<id>.ts, with uPlot where used) with esbuild
 * into one self-contained HTML page — scripts and styles inline, no network — and writes them to
 * lib/views/generated.ts, which the server imports. Run time then reads no files, compiled or
 * from JSR, and esbuild and uPlot stay build-time packages. The views talk to the host through
 * views/bridge.ts, not the ext-apps SDK's `App` class: that class alone is over a view's
 * VIEW_BUDGET_BYTES however it is bundled (views/app_size.ts measures it).
 */
import { createRequire } from "node:module";
import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The views, by id (the keys of VIEW_HTML). */
export const VIEW_IDS = ["service_map", "latency", "flows"] as const;
const TITLES: Record<(typeof VIEW_IDS)[number], string> = {
  service_map: "Service map",
  latency: "Latency and errors",
  flows: "L4 flows",
};
/** The size budget of one view's HTML, bytes. */
export const VIEW_BUDGET_BYTES = 150 * 1024;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUTPUT = join(ROOT, "lib/views/generated.ts");

/** The files a build reads, relative to the repository root (their digest dates the output). */
export async function sourceFiles(): Promise<string[]> {
  const files = ["lib/views/shapes.ts", "deno.json"];
  for await (const entry of Deno.readDir(join(ROOT, "views"))) {
    if (/\.(ts|css)$/.test(entry.name) && !/^(build|screenshots|app_size)\.ts$/.test(entry.name)) {
      files.push(`views/${entry.name}`);
    }
  }
  return files.sort();
}

/** SHA-256 over the sources (names and contents), hex. */
export async function sourcesDigest(): Promise<string> {
  const parts: string[] = [];
  for (const file of await sourceFiles()) {
    let text = await Deno.readTextFile(join(ROOT, file));
    // Only the pinned build packages matter in deno.json, not the rest of it.
    if (file === "deno.json") {
      text = text.split("\n").filter((line) => /"(esbuild|uplot)"/.test(line)).join("\n");
    }
    parts.push(`${file}\n${text.replaceAll("\r\n", "\n")}`);
  }
  const bytes = new TextEncoder().encode(parts.join("\u0000"));
  const hash = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(hash)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The esbuild plugin shape used here (esbuild's own types are not worth importing for it). */
interface ResolvePlugin {
  name: string;
  setup(build: {
    onResolve(
      options: { filter: RegExp },
      callback: (args: { path: string; importer: string }) => { path: string } | undefined,
    ): void;
  }): void;
}

const CONDITIONS = ["browser", "import", "default"];

/**
 * esbuild resolves bare imports from node_modules, which a Deno project has none of (and must not
 * grow: the server is one binary). This plugin resolves them through Deno's npm cache instead:
 * Node's `createRequire` — as Deno implements it, from the lockfile's npm snapshot, hence
 * `--lock=deno.lock` in the task — finds the package the importer would get (the view's
 * deno.json entry, or a package's own dependency), and the package's `exports` map is read with
 * the browser/ESM conditions esbuild would apply.
 */
export function denoNpmPlugin(): ResolvePlugin {
  const self = fileURLToPath(import.meta.url);
  return {
    name: "deno-npm",
    setup(build) {
      build.onResolve(
        { filter: /^[^./]/ },
        (args) =>
          args.path.startsWith("node:")
            ? undefined
            // An entry given as text (stdin) has no file: resolve as from this one.
            : { path: resolveNpm(args.path, isAbsolute(args.importer) ? args.importer : self) },
      );
    },
  };
}

/** The file a bare specifier (`pkg`, `@scope/pkg/sub`) names, for a module at `importer`. */
export function resolveNpm(specifier: string, importer: string): string {
  const parts = specifier.split("/");
  const name = parts.slice(0, specifier.startsWith("@") ? 2 : 1).join("/");
  const subpath = "." + specifier.slice(name.length);
  let root = dirname(createRequire(importer).resolve(name));
  while (readPackage(root)?.name !== name) {
    if (dirname(root) === root) throw new Error(`${specifier}: no package.json of ${name}`);
    root = dirname(root);
  }
  const pkg = readPackage(root)!;
  const exported = exportTarget(pkg.exports, subpath);
  const target = exported ??
    (pkg.exports === undefined ? (subpath === "." ? pkg.module ?? pkg.main : subpath) : undefined);
  if (!target) throw new Error(`${specifier}: ${name} exports no "${subpath}"`);
  return join(root, target);
}

interface PackageJson {
  name?: string;
  module?: string;
  main?: string;
  exports?: unknown;
}

function readPackage(dir: string): PackageJson | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(join(dir, "package.json")));
  } catch {
    return undefined;
  }
}

// Node's "exports": a string, a conditions object, or a map of subpaths (with one "*" at most).
function exportTarget(exports: unknown, subpath: string): string | undefined {
  if (exports === undefined || exports === null) return undefined;
  const isMap = typeof exports === "object" && Object.keys(exports).some((k) => k.startsWith("."));
  const map = (isMap ? exports : { ".": exports }) as Record<string, unknown>;
  if (subpath in map) return conditionTarget(map[subpath]);
  for (const [key, value] of Object.entries(map)) {
    const star = key.indexOf("*");
    if (star < 0) continue;
    const [before, after] = [key.slice(0, star), key.slice(star + 1)];
    if (subpath.startsWith(before) && subpath.endsWith(after)) {
      const match = subpath.slice(before.length, subpath.length - after.length);
      return conditionTarget(value)?.replace("*", match);
    }
  }
  return undefined;
}

function conditionTarget(target: unknown): string | undefined {
  if (typeof target === "string") return target;
  if (!target || typeof target !== "object") return undefined;
  for (const [condition, value] of Object.entries(target)) {
    if (!CONDITIONS.includes(condition)) continue;
    const found = conditionTarget(value);
    if (found) return found;
  }
  return undefined;
}

/** How a view's script is bundled (views/app_size.ts measures the App the same way). */
export const VIEW_ESBUILD_OPTIONS = {
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  platform: "browser",
  write: false,
  legalComments: "none",
  logLevel: "silent",
} as const;

/** Builds every view's HTML page. */
export async function buildViews(): Promise<Record<(typeof VIEW_IDS)[number], string>> {
  const esbuild = await import("esbuild");
  const baseCss = await Deno.readTextFile(join(ROOT, "views/style.css"));
  const uplotCss = await Deno.readTextFile(
    join(dirname(resolveNpm("uplot", fileURLToPath(import.meta.url))), "uPlot.min.css"),
  );
  const pages = {} as Record<(typeof VIEW_IDS)[number], string>;
  try {
    for (const id of VIEW_IDS) {
      const result = await esbuild.build({
        ...VIEW_ESBUILD_OPTIONS,
        entryPoints: [join(ROOT, "views", `${id}.ts`)],
        plugins: [denoNpmPlugin() as never],
      });
      const script = result.outputFiles[0].text.replaceAll("</script", "<\\/script");
      const css = (id === "latency" ? uplotCss + "\n" : "") + minifyCss(baseCss);
      pages[id] = `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
        `<meta name="viewport" content="width=device-width,initial-scale=1">` +
        `<title>${TITLES[id]} · Kubeshark</title><style>${css}</style></head>` +
        `<body><script type="module">${script}</script></body></html>`;
    }
  } finally {
    await esbuild.stop();
  }
  return pages;
}

function minifyCss(css: string): string {
  return css.replace(/\s*\n\s*/g, "").replace(/\s*([{};:,])\s*/g, "$1");
}

/** The text of lib/views/generated.ts for these pages. */
export function generatedModule(pages: Record<string, string>, digest: string): string {
  const entries = Object.entries(pages).map(([id, html]) => `  ${id}: ${JSON.stringify(html)},`);
  return `// Generated by \`deno task build-views\` from views/: do not edit.\n` +
    `/** Each view's self-contained HTML page. */\n` +
    `export const VIEW_HTML = {\n${entries.join("\n")}\n} as const;\n` +
    `/** SHA-256 of the sources these pages were built from. */\n` +
    `export const SOURCES_SHA256 = ${JSON.stringify(digest)};\n`;
}

if (import.meta.main) {
  const pages = await buildViews();
  for (const [id, html] of Object.entries(pages)) {
    const size = new TextEncoder().encode(html).length;
    console.error(`${id}: ${(size / 1024).toFixed(1)} KB`);
    if (size > VIEW_BUDGET_BYTES) {
      console.error(`${id} is over the ${VIEW_BUDGET_BYTES / 1024} KB budget`);
      Deno.exit(1);
    }
  }
  await Deno.writeTextFile(OUTPUT, generatedModule(pages, await sourcesDigest()));
  console.error(`wrote ${OUTPUT}`);
}
