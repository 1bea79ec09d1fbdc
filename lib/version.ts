import meta from "../deno.json" with { type: "json" };

/**
 * The server's version, kept in one place: deno.json. `--version`, serverInfo, the JSR package,
 * mcp/server.json, the MCPB manifest, the Claude Code plugin and the Homebrew formula all take it
 * from there (tests/distribution_test.ts checks they agree).
 */
export const VERSION: string = meta.version;

/** The JSR package this server is published as (`deno run -A jsr:@kubeshark/kubeshark-mcp`). */
export const JSR_PACKAGE: string = meta.name;

/** The name we announce in serverInfo, as Kubeshark's own server does. */
export const SERVER_NAME = "kubeshark-mcp";
