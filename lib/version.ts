import meta from "../deno.json" with { type: "json" };

/** The server's version, kept in one place: deno.json. */
export const VERSION: string = meta.version;

/** The name we announce in serverInfo, as Kubeshark's own server does. */
export const SERVER_NAME = "kubeshark-mcp";
