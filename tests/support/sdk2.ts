/**
 * The official dual-era client (`@modelcontextprotocol/client` 2.4.0) connected to the real server
 * over stdio, in one of its three negotiation modes.
 *
 * - `legacy` (its default): `initialize`, as a 2025 client; it offers 2025-11-25.
 * - `auto`: probes with `server/discover` (on a short-lived sibling process it spawns from the same
 *   command), stays modern when we offer 2026-07-28, else falls back to `initialize`.
 * - `pin`: `server/discover` must offer 2026-07-28, or the connect fails.
 *
 * In the modern era every request it sends carries `_meta` with
 * `io.modelcontextprotocol/protocolVersion`, `…/clientInfo` and `…/clientCapabilities` (its
 * constructor capabilities); it requires `resultType` on every result and `ttlMs`/`cacheScope`
 * on lists, and opens `subscriptions/listen` itself for the `listChanged` option. It answers an
 * `input_required` result through its registered `elicitation/create` handler and retries the
 * call with `inputResponses` and `requestState`. It has no runtime for tasks: a `resultType:
 * "task"` answer to `tools/call` is an error to it, so task tests send that one call raw.
 */
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { childEnv } from "./env.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** The client's three negotiation modes. */
export type Mode = "legacy" | "auto" | "pin";

/** Every mode, for tests that run once per mode. */
export const MODES: Mode[] = ["legacy", "auto", "pin"];

/** The modern revision the client pins. */
export const MODERN = "2026-07-28";

/** Options for {@linkcode connectClient}. */
export interface ConnectOptions {
  // deno-lint-ignore no-explicit-any
  capabilities?: Record<string, any>;
  // deno-lint-ignore no-explicit-any
  listChanged?: Record<string, any>;
  env?: Record<string, string>;
  /** Called before connect, e.g. to register request handlers. */
  prepare?: (client: Client) => void;
}

/** Spawns `main.ts` with `args` and connects a 2.4.0 client in `mode`. */
export async function connectClient(
  mode: Mode,
  args: string[],
  options: ConnectOptions = {},
): Promise<Client> {
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: ["run", "--allow-all", "--quiet", MAIN, ...args],
    // The whole environment: the spawned deno needs its cache and certificate settings.
    env: { ...Deno.env.toObject(), ...childEnv(options.env) },
    stderr: "pipe",
  });
  const client = new Client({ name: "sdk2-test", version: "2.4.0" }, {
    capabilities: options.capabilities ?? {},
    ...(options.listChanged ? { listChanged: options.listChanged } : {}),
    ...(mode === "legacy" ? {} : {
      versionNegotiation: { mode: mode === "auto" ? "auto" as const : { pin: MODERN } },
    }),
  });
  options.prepare?.(client);
  await client.connect(transport);
  return client;
}

let rawIds = 0;

/**
 * Sends one request through the client's own transport and resolves with the raw response, past
 * the client's result decoding (for shapes it has no runtime for, such as a task handle). In the
 * modern era it carries the envelope the client attaches, with `capabilities` (pass the client's).
 */
export function rawRequest(
  client: Client,
  method: string,
  params: Record<string, unknown>,
  capabilities: Record<string, unknown> = {},
  // deno-lint-ignore no-explicit-any
): Promise<Record<string, any>> {
  const transport = client.transport;
  if (!transport) throw new Error("not connected");
  const id = `raw-${++rawIds}`;
  const version = client.getNegotiatedProtocolVersion();
  const meta = version === MODERN
    ? {
      "io.modelcontextprotocol/protocolVersion": version,
      "io.modelcontextprotocol/clientInfo": { name: "sdk2-test", version: "2.4.0" },
      "io.modelcontextprotocol/clientCapabilities": capabilities,
    }
    : {};
  return new Promise((resolve, reject) => {
    const previous = transport.onmessage;
    // deno-lint-ignore no-explicit-any
    transport.onmessage = (message: any, extra?: any) => {
      if (message.id === id && !("method" in message)) {
        transport.onmessage = previous;
        resolve(message);
        return;
      }
      previous?.(message, extra);
    };
    transport.send({
      jsonrpc: "2.0",
      id,
      method,
      params: { ...params, _meta: { ...meta, ...(params._meta as object ?? {}) } },
    }).catch(reject);
  });
}
