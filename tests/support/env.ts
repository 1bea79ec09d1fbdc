/** The environment for spawned servers: isolated from the user's files, sharing Deno's cache. */

function denoDir(): string {
  const explicit = Deno.env.get("DENO_DIR");
  if (explicit) return explicit;
  const cache = Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME")}/.cache`;
  return `${cache}/deno`;
}

/**
 * HOME points nowhere so a developer's ~/.kubeshark/config.yaml and ~/.kube/config never leak in;
 * DENO_DIR keeps the npm cache the test runner already filled.
 */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    NO_COLOR: "1",
    HOME: "/nonexistent-home",
    DENO_DIR: denoDir(),
    KUBECONFIG: "",
    KUBESHARK_HUB_TOKEN: "",
    ...extra,
  };
}
