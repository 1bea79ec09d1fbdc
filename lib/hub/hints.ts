/**
 * What each Hub tool does to state, for Hubs that send no annotations of their own. Clients treat a
 * tool without hints as destructive and ask for confirmation; these hints say what is true:
 *
 * | names                                   | hints                                        |
 * |-----------------------------------------|----------------------------------------------|
 * | list_*, get_*, export_*                 | read-only, idempotent                        |
 * | create_snapshot, enable/disable_dissection, start_snapshot_dissection | changes state, not destructive |
 * | upload_snapshot_to_cloud, download_snapshot_from_cloud | changes state, not destructive, open world |
 * | delete_*                                | destructive                                  |
 * | anything else                           | changes state, not destructive               |
 *
 * No zod here: `--tools` names are checked against this table at start-up.
 */
import type { ToolHints } from "../protocol.ts";

/** The Hub tools Kubeshark documents (names `--tools` and `--disable-tools` may use). */
export const KNOWN_HUB_TOOLS = [
  "list_workloads",
  "list_ips",
  "list_api_calls",
  "get_api_call",
  "get_api_call_details",
  "get_api_stats",
  "list_l4_flows",
  "get_l4_flow_summary",
  "get_data_boundaries",
  "get_l7_data_boundaries",
  "list_snapshots",
  "create_snapshot",
  "get_snapshot",
  "delete_snapshot",
  "export_snapshot_pcap",
  "start_snapshot_dissection",
  "get_snapshot_dissection_status",
  "list_snapshot_dissections",
  "delete_snapshot_dissection",
  "get_dissection_status",
  "enable_dissection",
  "disable_dissection",
  "get_cloud_storage_status",
  "upload_snapshot_to_cloud",
  "download_snapshot_from_cloud",
  "get_cloud_job_status",
] as const;

const READ_ONLY: ToolHints = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};
const CHANGES_STATE: ToolHints = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
};
const DESTRUCTIVE: ToolHints = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: true,
  openWorldHint: false,
};

const CLOUD = new Set(["upload_snapshot_to_cloud", "download_snapshot_from_cloud"]);

const HINT_NAMES = new Set(["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"]);

/**
 * A Hub tool's hints: its own where it sends them as booleans, the table's for the rest. A hint
 * that is not a boolean is read in the cautious direction: one that plainly spells the careless
 * value (`destructiveHint: "false"`, `readOnlyHint: "yes"`) counts as absent, so it cannot weaken
 * the offer rule; any other (`destructiveHint: "true"`, `2`, `{}`) counts as the cautious value.
 * Every hint listed is a boolean; a `title` that is not a string is dropped.
 */
export function hubToolAnnotations(
  name: string,
  given: Record<string, unknown> | null | undefined,
): ToolHints & Record<string, unknown> {
  const table = hubToolHints(name);
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(given ?? {})) {
    if (value === undefined || value === null) continue;
    if (key === "title") {
      if (typeof value === "string") own.title = value;
    } else if (!HINT_NAMES.has(key)) {
      own[key] = value;
    } else if (typeof value === "boolean") {
      own[key] = value;
    } else {
      // Only a value that plainly says the careless thing defers to the table.
      const cautious = CAUTIOUS[key as keyof ToolHints];
      if (literalBoolean(value) !== !cautious) own[key] = cautious;
    }
  }
  // A destructive tool is not read-only (clients ignore destructiveHint on a read-only one),
  // unless the Hub said both in so many words.
  if (own.destructiveHint === true && typeof own.readOnlyHint !== "boolean") {
    own.readOnlyHint = false;
  }
  return { ...table, ...own };
}

// Which value of each hint asks for more care (hides the tool sooner, or warns the client).
const CAUTIOUS: Required<ToolHints> = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: true,
};

// The boolean a malformed hint plainly spells ("true", "yes", "on", 1 / "false", "no", "off", 0),
// else undefined.
function literalBoolean(value: unknown): boolean | undefined {
  if (typeof value === "number") return value === 0 ? false : Number.isFinite(value) || undefined;
  if (typeof value !== "string") return undefined;
  const word = value.trim().toLowerCase();
  if (["true", "yes", "y", "on", "1"].includes(word)) return true;
  if (["false", "no", "n", "off", "0"].includes(word)) return false;
  return undefined;
}

/** The table's hints for a Hub tool name. */
export function hubToolHints(name: string): ToolHints {
  if (/^(list|get|export)_/.test(name)) return READ_ONLY;
  if (/^delete_/.test(name)) return DESTRUCTIVE;
  if (CLOUD.has(name)) return { ...CHANGES_STATE, openWorldHint: true };
  if (name === "enable_dissection" || name === "disable_dissection") {
    return { ...CHANGES_STATE, idempotentHint: true };
  }
  return CHANGES_STATE;
}
