/** `kubeshark-mcp demo-hub`: the demo Hub over HTTP, until interrupted. */
import { createDemoHub } from "./hub.ts";

/** Serves the demo Hub on `listen` (HOST:PORT); returns the exit code. */
export async function serveDemoHub(listen: string): Promise<number> {
  const separator = listen.lastIndexOf(":");
  const hostname = listen.slice(0, separator).replace(/^\[|\]$/g, "");
  const port = Number(listen.slice(separator + 1));
  const handler = createDemoHub();
  const controller = new AbortController();
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname,
      port,
      signal: controller.signal,
      onListen: ({ hostname, port }) => {
        const host = hostname.includes(":") ? `[${hostname}]` : hostname;
        console.error(
          `[kubeshark-mcp] Demo Hub listening on http://${host}:${port} ` +
            `(try: kubeshark-mcp --url http://${host}:${port})`,
        );
      },
    }, handler);
  } catch (error) {
    console.error(`[kubeshark-mcp] Cannot listen on ${listen}: ${(error as Error).message}`);
    return 1;
  }
  const stop = () => controller.abort();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(signal, stop);
    } catch {
      // SIGTERM cannot be listened for on Windows.
    }
  }
  await server.finished;
  return 0;
}
