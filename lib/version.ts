import meta from "../deno.json" with { type: "json" };

/**
 * The server's version, kept in one place: deno.json. `--version`, serverInfo, the JSR package,
 * mcp/server.json, the MCPB manifest, the Claude Code plugin and the Homebrew formula all take it
 * from there (tests/distribution_test.ts checks they agree).
 */
export const VERSION: string = meta.version;

/** The JSR package this server is published as (`deno run -A jsr:@kubeshark/kubeshark-mcp`). */
export const JSR_PACKAGE: string = meta.name;

/**
 * The V8 setting we run with wherever we write the command line: the compiled binary (baked in),
 * the client configs `install` and `mcp-config` write, the plugin's and the registry's `deno run`,
 * the deno tasks. V8 lets the young generation grow to 16 MB per semi-space, sized for throughput;
 * an MCP server answers a few calls at a time, and with 4 MB it grew about half as much RSS over
 * 10,000 Hub calls and answered as fast or faster (bench/memory.ts prints both settings).
 */
export const V8_FLAGS = "--v8-flags=--max-semi-space-size=4";

/** The name we announce in serverInfo, as Kubeshark's own server does. */
export const SERVER_NAME = "kubeshark-mcp";
