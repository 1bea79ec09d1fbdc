/**
 * Shutdown time: from stdin EOF, SIGTERM or SIGINT to the process's exit, for kubeshark-mcp
 * (URL mode) idle and while a Hub call hangs, beside the bare stdio loop (bench/bare_echo.ts) at
 * EOF in the same run. Goal (#11): under 1 s even while a Hub call hangs.
 *
 *   deno run --allow-all bench/shutdown.ts    (also run by `deno task bench`)
 */
import { HubDouble } from "../tests/support/hub_double.ts";
import { McpProcess } from "../tests/support/mcp_process.ts";

const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 7);
const BARE = new URL("./bare_echo.ts", import.meta.url).pathname;
const TARGET_MS = 1_000;

type How = "stdin EOF" | "SIGTERM" | "SIGINT";

function median(samples: number[]): number {
  return [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];
}

async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("the Hub never received the call");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Time from the stop request to the exit, optionally with a Hub call hanging. */
async function timeShutdown(hub: HubDouble, how: How, hung: boolean): Promise<number> {
  const server = new McpProcess(["--url", hub.url]);
  await server.initialize();
  await server.request("ping");
  if (hung) {
    const before = hub.hanging;
    await server.send({
      jsonrpc: "2.0",
      id: server.nextId(),
      method: "tools/call",
      params: { name: "list_workloads", arguments: {} },
    });
    await waitUntil(() => hub.hanging > before);
  }
  const started = performance.now();
  if (how === "stdin EOF") await server.close();
  else {
    server.child.kill(how);
    await server.child.status;
  }
  const elapsed = performance.now() - started;
  await server.close();
  return elapsed;
}

/** The same for the bare loop at EOF: the floor of a Deno process ending. */
async function timeBare(): Promise<number> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", BARE],
    stdin: "piped",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode('{"jsonrpc":"2.0","id":1,"method":"x"}\n'));
  await new Promise((resolve) => setTimeout(resolve, 300));
  const started = performance.now();
  await writer.close();
  await child.status;
  return performance.now() - started;
}

/** Runs every case RUNS times, interleaved, and prints medians. */
export async function benchShutdown(): Promise<void> {
  const hub = new HubDouble();
  hub.routes.push((_request, url) =>
    url.pathname === "/api/mcp/tools/call" ? hub.hang() : undefined
  );
  const cases: [How, boolean][] = [
    ["stdin EOF", false],
    ["stdin EOF", true],
    ["SIGTERM", false],
    ["SIGTERM", true],
    ["SIGINT", true],
  ];
  const samples = new Map<string, number[]>();
  const bare: number[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      bare.push(await timeBare());
      for (const [how, hung] of cases) {
        const key = `${how}, ${hung ? "a Hub call hanging" : "idle"}`;
        samples.set(key, [...(samples.get(key) ?? []), await timeShutdown(hub, how, hung)]);
      }
    }
  } finally {
    await hub.close();
  }
  console.log(`\nshutdown: stop request → exit (median of ${RUNS}; target < ${TARGET_MS} ms)`);
  console.log(
    `  bare stdio loop, stdin EOF          ${
      median(bare).toFixed(1)
    } ms   (exits by draining its event loop)`,
  );
  for (const [key, values] of samples) {
    const value = median(values);
    console.log(
      `  kubeshark-mcp, ${key.padEnd(29)} ${value.toFixed(1)} ms   max ${
        Math.max(...values).toFixed(1)
      } ms${value < TARGET_MS ? "" : "   (over target)"}`,
    );
  }
}

await benchShutdown();
