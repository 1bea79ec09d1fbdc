/** Test scaffolding: a Hub double plus a spawned server, torn down together. */
import assert from "node:assert/strict";
import { HubDouble } from "./hub_double.ts";
import { McpProcess } from "./mcp_process.ts";

/** Runs `body` against a fresh Hub double and a server in URL mode pointed at it. */
export async function withHubAndServer(
  body: (server: McpProcess, hub: HubDouble) => Promise<void>,
  options: { args?: string[]; env?: Record<string, string>; cwd?: string; hub?: HubDouble } = {},
): Promise<void> {
  const hub = options.hub ?? new HubDouble();
  const server = new McpProcess(["--url", hub.url, ...(options.args ?? [])], options);
  try {
    await body(server, hub);
  } finally {
    await server.kill();
    await hub.close();
  }
  assert.deepEqual(server.garbage, [], "stdout carried something other than JSON-RPC");
}

/** Runs `body` against a server started with `args` (no Hub). */
export async function withServer(
  args: string[],
  body: (server: McpProcess) => Promise<void>,
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<void> {
  const server = new McpProcess(args, options);
  try {
    await body(server);
  } finally {
    await server.kill();
  }
  assert.deepEqual(server.garbage, [], "stdout carried something other than JSON-RPC");
}

/** A loopback port nothing listens on (just released). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** The text of a tool result's first content item. */
// deno-lint-ignore no-explicit-any
export function textOf(result: any): string {
  return result.content[0].text;
}
