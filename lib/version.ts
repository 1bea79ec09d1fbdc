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
 * The V8 settings we run with wherever we write the command line: the compiled binary (baked in),
 * the client configs `install` and `mcp-config` write, the plugin's and the registry's `deno run`,
 * the deno tasks. V8's defaults are sized for throughput: the young generation grows to 16 MB per
 * semi-space (any process allocating ~40 KB per call gets there within 10,000 calls), and the old
 * generation may fill with dead objects to a multiple of the live heap before a full GC. An MCP
 * server answers a few calls at a time: with 4 MB semi-spaces and a growing factor of 1.5, RSS over
 * 10,000 Hub calls grew about a third as much, and calls answered as fast or faster
 * (bench/memory.ts prints both settings).
 */
export const V8_FLAGS = "--v8-flags=--max-semi-space-size=4,--heap-growing-percent=50";

/** The name we announce in serverInfo, as Kubeshark's own server does. */
export const SERVER_NAME = "kubeshark-mcp";
