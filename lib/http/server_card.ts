/**
 * The MCP server card (SEP-2127, `/.well-known/mcp/server-card`): who we are, where to connect,
 * which revisions and authentication, and the local tools. The Hub's tools depend on the cluster
 * and change at run time, so they are left out and `listChanged` says the list is dynamic.
 */
import type { Authenticator } from "../auth/mod.ts";
import type { Config } from "../config.ts";
import { ALL_PROTOCOL_VERSIONS, SERVER_CAPABILITIES } from "../protocol.ts";
import { VERSION } from "../version.ts";
import { load } from "../lazy.ts";

/** The card's schema address, as SEP-2127 gives it. */
export const SERVER_CARD_SCHEMA =
  "https://static.modelcontextprotocol.io/schemas/v1/server-card.schema.json";

/** Builds the card for a configuration, served at `endpoint`. */
export async function serverCard(config: Config, endpoint: string, auth: Authenticator) {
  const { offeredTools } = await load.toolListing();
  const schemes = [
    ...(auth.options.token ? ["bearer"] : []),
    ...(auth.options.oauth ? ["oauth2"] : []),
  ];
  return {
    $schema: SERVER_CARD_SCHEMA,
    name: "io.github.kubeshark/kubeshark-mcp",
    version: VERSION,
    title: "Kubeshark",
    description: "Query Kubernetes network traffic captured by Kubeshark: L7 API calls, L4 " +
      "flows and PCAP snapshots" +
      (config.allowDestructive ? "; start and stop Kubeshark" : ""),
    websiteUrl: "https://github.com/kubeshark/kubeshark",
    remotes: [{
      type: "streamable-http",
      url: endpoint,
      supportedProtocolVersions: [...ALL_PROTOCOL_VERSIONS],
      authentication: { required: schemes.length > 0, schemes },
    }],
    capabilities: SERVER_CAPABILITIES,
    tools: offeredTools(config, undefined),
  };
}
