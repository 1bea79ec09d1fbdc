/** The MCP clients `--client` names (no imports: the command line reads it at start-up). */

/** The clients `--client` accepts. */
export const CLIENTS = ["claude-desktop", "claude-code", "cursor", "vscode", "windsurf"] as const;

/** One of CLIENTS. */
export type ClientId = typeof CLIENTS[number];
