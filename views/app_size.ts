/**
 * `deno task app-size`: what the ext-apps SDK's `App` class would weigh inside a view, measured the
 * way views/build.ts bundles (esbuild, minified, tree-shaken, ES2022, browser), with and without
 * each build-time substitution tried to shrink it. It explains why the views speak the protocol
 * through views/bridge.ts: a view's whole HTML page has VIEW_BUDGET_BYTES (150 KB), and the App
 * alone stays above that (about 220 KB at best) while keeping its Protocol and zod validation.
 *
 * The substitutions, each harmless to what the App does at run time:
 * - `client`: ext-apps imports only `Protocol` from `@modelcontextprotocol/client`, whose entry
 *   module also pulls in the HTTP/SSE transports, OAuth and the JSON Schema validators as side
 *   effects; import `Protocol` from the chunk that defines it instead.
 * - `zod-namespace`: ext-apps does `import { z } from "zod/v4"`, which makes esbuild keep the whole
 *   `z` namespace object (every locale, `fromJSONSchema`, the JIT compiler); `import * as z` names
 *   the same bindings and lets esbuild drop the ones never used.
 * - `zod-json-schema`: zod's JSON Schema conversion (`toJSONSchema`), referenced by every schema
 *   class but never called by the App, replaced by functions that throw.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { denoNpmPlugin, resolveNpm, VIEW_BUDGET_BYTES, VIEW_ESBUILD_OPTIONS } from "./build.ts";

/** The App as a view would use it: connect, tool input/result, host context, tool calls. */
const ENTRY = `
import { App, applyDocumentTheme, applyHostStyleVariables } from "@modelcontextprotocol/ext-apps";
const app = new App({ name: "view", version: "1" });
app.ontoolinput = (params) => console.log(params);
app.ontoolresult = (result) => console.log(result);
app.onhostcontextchanged = (context) => {
  applyDocumentTheme(context.theme);
  applyHostStyleVariables(context.styles?.variables);
};
await app.connect();
console.log(await app.callServerTool({ name: "get_api_stats", arguments: {} }));
`;

type Substitution = "client" | "zod-namespace" | "zod-json-schema";
const STAGES: Substitution[][] = [
  [],
  ["client"],
  ["client", "zod-namespace"],
  ["client", "zod-namespace", "zod-json-schema"],
];

interface BuildApi {
  onResolve(
    options: { filter: RegExp; namespace?: string },
    callback: (args: { path: string; importer: string }) => unknown,
  ): void;
  onLoad(
    options: { filter: RegExp; namespace?: string },
    callback: (args: { path: string; pluginData?: unknown }) => unknown,
  ): void;
}

function substitutions(active: Substitution[]) {
  return {
    name: "substitutions",
    setup(build: BuildApi) {
      if (active.includes("client")) {
        build.onResolve({ filter: /^@modelcontextprotocol\/client$/ }, (args) => {
          if (!args.importer.includes("ext-apps")) return undefined;
          const index = resolveNpm(args.path, args.importer);
          // The entry re-exports `Protocol` under a chunk-local name: find which, and where.
          const text = Deno.readTextFileSync(index);
          for (const [, names, chunk] of text.matchAll(/import \{([^}]*)\} from "(\.\/[^"]+)"/g)) {
            const local = names.split(",").map((n) => n.trim().split(" as "))
              .find(([, exported]) => exported === "Protocol")?.[0];
            if (!local) continue;
            const file = join(dirname(index), chunk);
            return {
              path: "protocol",
              namespace: "substitute",
              pluginData: `export { ${local} as Protocol } from ${JSON.stringify(file)};`,
            };
          }
          throw new Error(`no Protocol re-export in ${index}`);
        });
      }
      if (active.includes("zod-json-schema")) {
        build.onResolve({ filter: /\/(json-schema-processors|to-json-schema)\.js$/ }, (args) => {
          if (!args.importer.includes("/zod/")) return undefined;
          const file = join(dirname(args.importer), args.path);
          const names = [
            ...Deno.readTextFileSync(file).matchAll(/^export (?:const|function) (\w+)/gm),
          ]
            .map(([, name]) => name);
          const stubs = names.map((name) =>
            `export function ${name}() { throw new Error("JSON Schema conversion is not bundled"); }`
          );
          if (file.endsWith("to-json-schema.js")) {
            stubs.push("export { processSchema as process };");
          }
          return { path: file, namespace: "substitute", pluginData: stubs.join("\n") };
        });
      }
      build.onLoad({ filter: /.*/, namespace: "substitute" }, (args) => ({
        contents: args.pluginData,
        loader: "js",
        resolveDir: "/",
      }));
      if (active.includes("zod-namespace")) {
        build.onLoad({ filter: /ext-apps\/.*\.js$/ }, (args) => ({
          contents: Deno.readTextFileSync(args.path)
            .replace(/import\{z as ([\w$]+)\}from"zod\/v4"/g, 'import*as $1 from"zod/v4"'),
          loader: "js",
        }));
      }
    },
  };
}

// "zod v4/core", "@modelcontextprotocol/client dist": a package and its top folder.
function bucket(input: string): string {
  const match = input.match(/registry\.npmjs\.org\/((?:@[^/]+\/)?[^/]+)\/[^/]+\/(.*)/);
  if (!match) return input;
  const [, name, rest] = match;
  const parts = rest.split("/");
  return `${name} ${parts.slice(0, Math.min(parts.length - 1, name === "zod" ? 2 : 1)).join("/")}`;
}

if (import.meta.main) {
  const esbuild = await import("esbuild");
  const resolveDir = dirname(fileURLToPath(import.meta.url));
  try {
    for (const stage of STAGES) {
      const result = await esbuild.build({
        ...VIEW_ESBUILD_OPTIONS,
        stdin: { contents: ENTRY, resolveDir, loader: "js" },
        metafile: true,
        plugins: [substitutions(stage) as never, denoNpmPlugin() as never],
      });
      const size = result.outputFiles[0].contents.length;
      const output = Object.values(result.metafile.outputs)[0];
      const buckets = new Map<string, number>();
      for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
        buckets.set(bucket(file), (buckets.get(bucket(file)) ?? 0) + bytesInOutput);
      }
      const over = size > VIEW_BUDGET_BYTES ? "over" : "within";
      console.log(
        `App with ${stage.join(" + ") || "no substitution"}: ${(size / 1024).toFixed(1)} KB ` +
          `(${over} the ${VIEW_BUDGET_BYTES / 1024} KB budget of a whole view)`,
      );
      for (const [name, bytes] of [...buckets].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
        console.log(`  ${(bytes / 1024).toFixed(1).padStart(6)} KB  ${name}`);
      }
    }
  } finally {
    await esbuild.stop();
  }
}
