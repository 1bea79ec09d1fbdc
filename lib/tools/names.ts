/** The names `--tools` and `--disable-tools` accept: ours and the Hub tools Kubeshark documents. */
import { KNOWN_HUB_TOOLS } from "../hub/hints.ts";

/** Our own tools, in listing order (tools/mod.ts holds their definitions; a test keeps both equal). */
export const LOCAL_TOOL_NAMES = [
  "check_kubeshark_status",
  "get_file_url",
  "download_file",
  "start_kubeshark",
  "stop_kubeshark",
] as const;

/** Every name a tool selection may use. */
export const KNOWN_TOOL_NAMES: readonly string[] = [...LOCAL_TOOL_NAMES, ...KNOWN_HUB_TOOLS];

/** The names in `names` that no tool has. */
export function unknownToolNames(names: string[]): string[] {
  return names.filter((name) => !KNOWN_TOOL_NAMES.includes(name));
}
