/**
 * Our modules that start-up does not need, loaded on first use. Deno reads and analyses the target
 * of every literal `import("./x.ts")` when the program starts, even one that never runs; these
 * specifiers are computed, so the start-up graph holds only what answering `initialize` needs.
 * `deno compile` cannot see them either: it must embed LAZY_MODULES (see .ci/compile).
 */

const LIB = new URL("./", import.meta.url);

function lazy<T>(path: string): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => loaded ??= import(new URL(path, LIB).href) as Promise<T>;
}

/** Loaders, one per module; each imports its module once. */
export const load = {
  tools: lazy<typeof import("./tools/mod.ts")>("./tools/mod.ts"),
  toolNames: lazy<typeof import("./tools/names.ts")>("./tools/names.ts"),
  hubSchemas: lazy<typeof import("./hub/schemas.ts")>("./hub/schemas.ts"),
  demoHub: lazy<typeof import("./demo/hub.ts")>("./demo/hub.ts"),
  demoServe: lazy<typeof import("./demo/serve.ts")>("./demo/serve.ts"),
  kubeAccess: lazy<typeof import("./kube/hub_access.ts")>("./kube/hub_access.ts"),
  manifests: lazy<typeof import("./kube/manifests/mod.ts")>("./kube/manifests/mod.ts"),
  manifestValues: lazy<typeof import("./kube/manifests/values.ts")>("./kube/manifests/values.ts"),
  printModes: lazy<typeof import("./print_modes.ts")>("./print_modes.ts"),
  clientInstall: lazy<typeof import("./clients/install.ts")>("./clients/install.ts"),
  kflGuide: lazy<typeof import("./kfl_guide.ts")>("./kfl_guide.ts"),
  redact: lazy<typeof import("./redact.ts")>("./redact.ts"),
  views: lazy<typeof import("./views/mod.ts")>("./views/mod.ts"),
  httpServer: lazy<typeof import("./http/mod.ts")>("./http/mod.ts"),
  mcpServerManifests: lazy<typeof import("./kube/manifests/mcp_server.ts")>(
    "./kube/manifests/mcp_server.ts",
  ),
  inCluster: lazy<typeof import("./kube/in_cluster.ts")>("./kube/in_cluster.ts"),
  hubToken: lazy<typeof import("./kube/hub_token.ts")>("./kube/hub_token.ts"),
};

/** The files behind `load`, relative to the repository root, for `deno compile --include`. */
export const LAZY_MODULES = [
  "lib/tools/mod.ts",
  "lib/tools/names.ts",
  "lib/hub/schemas.ts",
  "lib/demo/hub.ts",
  "lib/demo/serve.ts",
  "lib/kube/hub_access.ts",
  "lib/kube/manifests/mod.ts",
  "lib/kube/manifests/values.ts",
  "lib/print_modes.ts",
  "lib/clients/install.ts",
  "lib/kfl_guide.ts",
  "lib/redact.ts",
  "lib/views/mod.ts",
  "lib/http/mod.ts",
  "lib/kube/manifests/mcp_server.ts",
  "lib/kube/in_cluster.ts",
  "lib/kube/hub_token.ts",
];
