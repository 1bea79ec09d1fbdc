/**
 * Loads @kubernetes/client-node on first use. The specifier sits in a variable on purpose: Deno
 * pre-fetches every statically written `import("…")` when it starts, which made a first `--demo`
 * or `--url` run download the client and its ~140 npm packages (over 100 MB) it never uses.
 * `deno compile` must `--include` the module for the same reason (see .ci/compile).
 */
type ClientNode = typeof import("./client_node.ts");

const CLIENT_NODE = "./client_node.ts";
let loaded: Promise<ClientNode> | undefined;

/** The client library, imported once. */
export function loadClientNode(): Promise<ClientNode> {
  return loaded ??= import(CLIENT_NODE);
}
