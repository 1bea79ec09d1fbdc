/** kubeshark-mcp entry point: everything else lives in lib/. */
import { run } from "./lib/cli.ts";

if (import.meta.main) {
  // Exit explicitly: a port-forward or a keep-alive socket must not hold the process open once
  // the work is done (stdin closed, or a print-and-exit mode finished).
  Deno.exit(await run(Deno.args));
}
