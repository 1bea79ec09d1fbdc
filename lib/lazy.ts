/**
 * Our modules that start-up does not need, loaded on first use. Deno reads and analyses the target
 * of every literal `import("./x.ts")` when the module holding it loads, even one that never runs;
 * these specifiers are computed, so the start-up graph holds only what answering `initialize`
 * needs, and a lazily loaded module does not drag in what only some of its paths use.
 * `deno compile` cannot see them either: it must embed LAZY_MODULES (see .ci/compile.ts).
 */

const LIB = new URL("./", import.meta.url);
const paths: string[] = [];

function lazy<T>(path: string): () => Promise<T> {
  paths.push(path);
  let loaded: Promise<T> | undefined;
  return () => loaded ??= import(new URL(path, LIB).href) as Promise<T>;
}

/** Loaders, one per module; each imports its module once. */
export const load = {
  tools: lazy<typeof import("./tools/mod.ts")>("./tools/mod.ts"),
  toolListing: lazy<typeof import("./tools/listing.ts")>("./tools/listing.ts"),
  toolNames: lazy<typeof import("./tools/names.ts")>("./tools/names.ts"),
  hubHints: lazy<typeof import("./hub/hints.ts")>("./hub/hints.ts"),
  hubSchemas: lazy<typeof import("./hub/schemas.ts")>("./hub/schemas.ts"),
  demoHub: lazy<typeof import("./demo/hub.ts")>("./demo/hub.ts"),
  demoServe: lazy<typeof import("./demo/serve.ts")>("./demo/serve.ts"),
  demoData: lazy<typeof import("./demo/mod.ts")>("./demo/mod.ts"),
  demoTools: lazy<typeof import("./demo/tools/mod.ts")>("./demo/tools/mod.ts"),
  demoPcap: lazy<typeof import("./demo/pcap.ts")>("./demo/pcap.ts"),
  kfl: lazy<typeof import("./demo/kfl.ts")>("./demo/kfl.ts"),
  kubeAccess: lazy<typeof import("./kube/hub_access.ts")>("./kube/hub_access.ts"),
  kubeLifecycle: lazy<typeof import("./kube/lifecycle.ts")>("./kube/lifecycle.ts"),
  kubeStatus: lazy<typeof import("./kube/status.ts")>("./kube/status.ts"),
  manifests: lazy<typeof import("./kube/manifests/mod.ts")>("./kube/manifests/mod.ts"),
  manifestValues: lazy<typeof import("./kube/manifests/values.ts")>("./kube/manifests/values.ts"),
  printModes: lazy<typeof import("./print_modes.ts")>("./print_modes.ts"),
  clientInstall: lazy<typeof import("./clients/install.ts")>("./clients/install.ts"),
  kflGuide: lazy<typeof import("./kfl_guide.ts")>("./kfl_guide.ts"),
  redact: lazy<typeof import("./redact.ts")>("./redact.ts"),
  views: lazy<typeof import("./views/mod.ts")>("./views/mod.ts"),
  viewPages: lazy<typeof import("./views/generated.ts")>("./views/generated.ts"),
  httpServer: lazy<typeof import("./http/mod.ts")>("./http/mod.ts"),
  jwt: lazy<typeof import("./auth/jwt.ts")>("./auth/jwt.ts"),
  mcpServerManifests: lazy<typeof import("./kube/manifests/mcp_server.ts")>(
    "./kube/manifests/mcp_server.ts",
  ),
  inCluster: lazy<typeof import("./kube/in_cluster.ts")>("./kube/in_cluster.ts"),
  hubToken: lazy<typeof import("./kube/hub_token.ts")>("./kube/hub_token.ts"),
};

/** The files behind `load`, relative to the repository root, for `deno compile --include`. */
export const LAZY_MODULES: readonly string[] = paths.map((path) => `lib/${path.slice(2)}`);
