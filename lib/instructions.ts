/** The `instructions` string of `initialize`, which differs by mode (Kubeshark's own wording, adapted). */
import type { Config } from "./config.ts";

const FILES = `
Files: when a tool such as export_snapshot_pcap returns a relative path, do not fetch it yourself. \
Call download_file with that path to save it locally (it returns the local path, size and sha256), \
or get_file_url for a link to give the user. Typical flow: export_snapshot_pcap -> relative path -> \
download_file -> tell the user where the file is.`;

const COMMON = `
Start with check_kubeshark_status when unsure whether Kubeshark is up. Then list_workloads shows \
what talks, list_api_calls queries L7 calls (HTTP, gRPC, Redis, Kafka, DNS…) with KFL filters, \
get_api_stats aggregates, list_l4_flows shows TCP/UDP flows; tools/list has the full set.
KFL2 filters (the kfl argument) are CEL expressions such as \`http && status_code >= 500\`; the \
resource kubeshark://docs/kfl2 (resources/read) lists the fields, operators and common mistakes.
Use these tools, not kubectl, helm or curl: they know where Kubeshark is and how to authenticate.`;

// Which of the offered tools change state: all of them only under --read-only.
function stateNote(config: Config): string {
  return config.readOnly
    ? `
Started with --read-only: only tools that change nothing are offered (not download_file: give \
the user get_file_url's link instead).`
    : `
Some tools change state: create_snapshot, start_snapshot_dissection, enable_dissection, \
disable_dissection and the cloud copies change Kubeshark's, download_file writes a local file \
(readOnlyHint in tools/list says which).`;
}

/** Instructions for the configured mode. */
export function instructionsFor(config: Config): string {
  return modeInstructions(config) + stateNote(config);
}

function modeInstructions(config: Config): string {
  if (config.mode === "demo") {
    return `Kubeshark MCP server in DEMO mode: a built-in Hub serving one hour of SYNTHETIC traffic \
from a sample shop (web, api-gateway, catalog, cart, checkout, inventory, recommendations, payment, \
postgres, redis, kafka across seven namespaces); the hour ends when this server started, so "the \
last hour" covers all of it. It is not the user's cluster: say so when you report findings. \
start_kubeshark and stop_kubeshark are disabled.` + COMMON + FILES;
  }
  if (config.mode === "url") {
    return `Kubeshark MCP server, connected to ${config.url} (URL mode).
Access to Kubeshark's captured Kubernetes traffic. Kubeshark is managed externally: \
start_kubeshark and stop_kubeshark are disabled in URL mode.` + COMMON + FILES;
  }
  // --read-only hides start/stop even with --allow-destructive.
  if (config.allowDestructive && !config.readOnly) {
    return `Kubeshark MCP server, proxy mode with DESTRUCTIVE operations ENABLED \
(--allow-destructive), release namespace '${config.namespace}'.
start_kubeshark deploys Kubeshark into the cluster and stop_kubeshark removes it (captured data \
is lost). Both change the cluster: ALWAYS confirm with the user before calling either.
check_kubeshark_status is safe and read-only.` + COMMON + FILES;
  }
  return `Kubeshark MCP server, proxy mode (start/stop disabled), release namespace \
'${config.namespace}'.
Reaches an existing Kubeshark deployment in the Kubernetes cluster. start/stop are disabled for \
safety; restart the server with --allow-destructive to enable them.
check_kubeshark_status is safe and read-only.` + COMMON + FILES;
}
