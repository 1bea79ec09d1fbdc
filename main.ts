/** kubeshark-mcp entry point: everything else lives in lib/. */
import { run } from "./lib/cli.ts";

if (import.meta.main) {
  Deno.exitCode = await run(Deno.args);
}
