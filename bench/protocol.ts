/**
 * Spawn → first answer, per protocol era: a 2026-07-28 client (pinned) against a 2025 one
 * (legacy), with `@modelcontextprotocol/client` 2.4.0 and on the raw wire. Prints figures and
 * ratios against the legacy figure measured in the same run; never fails on speed.
 *
 *   deno run -A bench/protocol.ts     (and in `deno task bench`, which imports it; BENCH_RUNS=N)
 */
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const MODERN = "2026-07-28";

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

type Mode = "legacy" | "auto" | "pin" | "prior";

/** What a client that remembers the server's era keeps: the discovery result (for `prior`). */
// deno-lint-ignore no-explicit-any
let remembered: any;

/**
 * Spawn → connect → first `tools/list` answer with the 2.4.0 client in `mode`; `prior` is a
 * pinned client that kept the last `server/discover` answer and so skips the probe.
 */
async function viaClient(mode: Mode): Promise<number> {
  const started = performance.now();
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: ["run", "--allow-all", "--quiet", MAIN, "--demo"],
    env: Deno.env.toObject(),
    stderr: "ignore",
  });
  const client = new Client({ name: "bench", version: "1" }, {
    ...(mode === "legacy" ? {} : {
      versionNegotiation: { mode: mode === "auto" ? "auto" as const : { pin: MODERN } },
    }),
  });
  if (mode === "prior") {
    await client.connect(transport, { prior: { kind: "modern", discover: remembered } });
  } else {
    await client.connect(transport);
  }
  if (mode === "pin") remembered = client.getDiscoverResult();
  await client.listTools();
  const elapsed = performance.now() - started;
  await client.close();
  return elapsed;
}

/** Spawn → the first response line to `messages` written at once, on the raw wire. */
async function viaWire(messages: unknown[]): Promise<number> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", MAIN, "--demo"],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(
    new TextEncoder().encode(messages.map((m) => JSON.stringify(m) + "\n").join("")),
  );
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  // The last message's answer: a legacy client needs initialize answered, then its request.
  const want = messages.filter((m) => (m as { id?: unknown }).id !== undefined).length;
  while (text.split("\n").length - 1 < want) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the server exited before answering");
    text += value;
  }
  const elapsed = performance.now() - started;
  await writer.close();
  await reader.cancel();
  await child.status;
  return elapsed;
}

const META = {
  "io.modelcontextprotocol/protocolVersion": MODERN,
  "io.modelcontextprotocol/clientCapabilities": {},
  "io.modelcontextprotocol/clientInfo": { name: "bench", version: "1" },
};

const WIRE = {
  "2025: initialize + initialized + tools/list": [
    {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "bench" } },
    },
    { jsonrpc: "2.0", method: "notifications/initialized" },
    { jsonrpc: "2.0", id: 2, method: "tools/list" },
  ],
  "2026: tools/list alone (no handshake)": [
    { jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: META } },
  ],
  "2026: server/discover + tools/list": [
    { jsonrpc: "2.0", id: 1, method: "server/discover", params: { _meta: META } },
    { jsonrpc: "2.0", id: 2, method: "tools/list", params: { _meta: META } },
  ],
};

/** Runs the protocol benchmarks and prints them. */
export async function benchProtocol(spawns: number): Promise<void> {
  const runs = Math.max(3, Math.floor(spawns / 2));
  const modes = ["legacy", "pin", "auto", "prior"] as const;
  const client: Record<string, number[]> = { legacy: [], pin: [], auto: [], prior: [] };
  const wire: Record<string, number[]> = Object.fromEntries(Object.keys(WIRE).map((k) => [k, []]));
  // Warm-up: caches filled, so no figure pays a first compile.
  for (const mode of modes) await viaClient(mode);
  for (let i = 0; i < runs; i++) {
    // Interleaved so machine drift hits all alike.
    for (const mode of modes) client[mode].push(await viaClient(mode));
    for (const [name, messages] of Object.entries(WIRE)) wire[name].push(await viaWire(messages));
  }
  const legacy = median(client.legacy);
  console.log(`\nspawn → first tools/list answer, --demo (median of ${runs}, interleaved)`);
  console.log("  @modelcontextprotocol/client 2.4.0:");
  for (const mode of modes) {
    const note = {
      legacy: "initialize",
      pin: "server/discover on a probe process it spawns first, then the session process",
      auto: "the same probe, then stays modern",
      prior: "pinned, discovery remembered (connect {prior}): no probe, no handshake",
    }[mode];
    console.log(
      `    ${mode.padEnd(7)} ${ms(median(client[mode])).padStart(9)}   ${
        (median(client[mode]) / legacy).toFixed(2)
      }× legacy   (${note})`,
    );
  }
  const base = median(wire[Object.keys(WIRE)[0]]);
  console.log("  raw wire, all lines written at spawn:");
  for (const [name, samples] of Object.entries(wire)) {
    console.log(
      `    ${name.padEnd(44)} ${ms(median(samples)).padStart(9)}   ${
        (median(samples) / base).toFixed(2)
      }×`,
    );
  }
}

await benchProtocol(Number(Deno.env.get("BENCH_RUNS") ?? 15));
