/**
 * Benchmarks over real stdio against a loopback Hub. Prints figures and ratios against baselines
 * measured in the same run; never fails on speed.
 *
 *   deno task bench            (BENCH_RUNS=N to change the number of spawns)
 */
import { HubDouble } from "../tests/support/hub_double.ts";
import { McpProcess } from "../tests/support/mcp_process.ts";
import { KubeDouble } from "../integration/support/kube_double.ts";
import { installKubeshark, startHubTarget } from "../integration/support/kubeshark.ts";

const SPAWNS = Number(Deno.env.get("BENCH_RUNS") ?? 15);
const ROUND_TRIPS = 2_000;
const BARE = new URL("./bare_echo.ts", import.meta.url).pathname;
const MAIN = new URL("../main.ts", import.meta.url).pathname;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function ms(value: number): string {
  return `${value.toFixed(value < 1 ? 3 : 1)} ms`;
}

const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bench" } },
};
const FIRST_LIST = [
  INITIALIZE,
  { jsonrpc: "2.0", method: "notifications/initialized" },
  { jsonrpc: "2.0", id: 2, method: "tools/list" },
];

/** A program under test: how to start it, and which answer ends the timing. */
interface Contestant {
  name: string;
  command: string[];
  /** Lines to send; the timing stops at the answer with the highest id. */
  messages?: unknown[];
}

/** Spawns `command` and times until the last request's answer arrives. */
async function spawnToAnswer(contestant: Contestant): Promise<number> {
  const messages = contestant.messages ?? [INITIALIZE];
  const lastId = Math.max(...messages.map((m) => (m as { id?: number }).id ?? 0));
  const started = performance.now();
  const [program, ...args] = contestant.command;
  const child = new Deno.Command(program, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
    env: { HOME: "/nonexistent-home", NO_COLOR: "1" },
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(
    new TextEncoder().encode(messages.map((m) => JSON.stringify(m) + "\n").join("")),
  );
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!new RegExp(`"id":\\s*${lastId}\\b`).test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${contestant.name} exited before answering`);
    text += value;
  }
  const elapsed = performance.now() - started;
  await writer.close().catch(() => {});
  await reader.cancel();
  try {
    child.kill("SIGKILL");
  } catch {
    // Already gone.
  }
  await child.status;
  return elapsed;
}

function denoScript(script: string, args: string[]): string[] {
  return [Deno.execPath(), "run", "--allow-all", "--quiet", script, ...args];
}

// Peer servers, when installed (`deno task bench-peers` puts them under bench/_peers).
function peers(kubeconfig: string): Contestant[] {
  const dir = new URL("./_peers/node_modules/", import.meta.url).pathname;
  const found: Contestant[] = [];
  const go = `${dir}kubernetes-mcp-server-linux-amd64/bin/kubernetes-mcp-server-linux-amd64`;
  try {
    Deno.statSync(go);
    found.push({ name: "kubernetes-mcp-server (Go)", command: [go, "--kubeconfig", kubeconfig] });
  } catch {
    // Not installed.
  }
  const node = `${dir}mcp-server-kubernetes/dist/index.js`;
  try {
    Deno.statSync(node);
    found.push({ name: "mcp-server-kubernetes (Node)", command: ["node", node] });
  } catch {
    // Not installed.
  }
  return found;
}

/** Every contestant spawned in turn, round after round (so machine drift hits all alike). */
async function benchStartup(hubUrl: string, kubeconfig: string) {
  const contestants: Contestant[] = [
    { name: "bare Deno stdio loop + zod", command: denoScript(BARE, []) },
    { name: "kubeshark-mcp --url", command: denoScript(MAIN, ["--url", hubUrl]) },
    { name: "kubeshark-mcp --demo", command: denoScript(MAIN, ["--demo"]) },
    { name: "kubeshark-mcp --kubeconfig", command: denoScript(MAIN, ["--kubeconfig", kubeconfig]) },
    {
      name: "kubeshark-mcp --demo, first tools/list",
      command: denoScript(MAIN, ["--demo"]),
      messages: FIRST_LIST,
    },
    ...peers(kubeconfig),
  ];
  const samples = new Map<string, number[]>(contestants.map((c) => [c.name, []]));
  // Warm-up: fills caches for all, so none pays a first-run compile in the figures.
  for (const contestant of contestants) await spawnToAnswer(contestant);
  for (let i = 0; i < SPAWNS; i++) {
    for (const contestant of contestants) {
      samples.get(contestant.name)!.push(await spawnToAnswer(contestant));
    }
  }
  return samples;
}

/** Spawn → first Hub tool answer, in proxy mode (port-forward) and URL mode. */
async function benchFirstCall(args: string[]): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < Math.max(3, Math.floor(SPAWNS / 3)); i++) {
    const started = performance.now();
    const server = new McpProcess(args);
    await server.initialize();
    const result = await server.callTool("list_workloads", {});
    if (result.isError) throw new Error(`first call failed: ${JSON.stringify(result)}`);
    samples.push(performance.now() - started);
    await server.close();
  }
  return samples;
}

/** The demo Hub in-process: data generation, and KFL2 over the whole hour. */
async function benchDemo() {
  const { generateTraffic } = await import("../lib/demo/traffic.ts");
  const { DEMO_HOUR_MS, DEMO_SEED, demoData, demoEndTs } = await import("../lib/demo/mod.ts");
  const { compileKfl } = await import("../lib/demo/kfl.ts");
  const generation: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    generateTraffic(DEMO_SEED, demoEndTs() - DEMO_HOUR_MS);
    generation.push(performance.now() - t);
  }
  const calls = demoData().calls;
  const filters = [
    "http && status_code >= 500",
    'http && dst.pod.namespace == "payments" && path.startsWith("/v1/")',
    'dns && dns_questions.exists(q, q.contains("minexmr"))',
    'map_get(request.headers, "x-request-id", "") == "req-7f3a9c2e"',
  ];
  // The first pass builds each entry's KFL2 view (cached after); measured apart.
  let t = performance.now();
  const first = compileKfl(filters[0]);
  calls.filter((call) => first.matches(call));
  const firstPass = performance.now() - t;
  const warm: number[] = [];
  for (let i = 0; i < 20; i++) {
    for (const text of filters) {
      t = performance.now();
      const filter = compileKfl(text);
      calls.filter((call) => filter.matches(call));
      warm.push(performance.now() - t);
    }
  }
  return { generation: percentile(generation, 50), firstPass, warm, entries: calls.length };
}

/** The text a model receives for the default call of each list tool in --demo (budget applied). */
async function benchAnswerSizes(): Promise<[string, number, boolean][]> {
  const server = new McpProcess(["--demo"]);
  try {
    await server.initialize();
    const sizes: [string, number, boolean][] = [];
    for (const tool of ["list_api_calls", "list_l4_flows", "get_api_stats"]) {
      const result = await server.callTool(tool, {});
      const text = result.content.map((item: { text: string }) => item.text).join("");
      sizes.push([tool, new TextEncoder().encode(text).length, result.content.length > 1]);
    }
    return sizes;
  } finally {
    await server.close();
  }
}

/**
 * A model's first call in --demo: initialize and tools/list, a pause while it chooses (1 s), then
 * get_api_stats; the same call again is the baseline. Median of five processes.
 */
async function benchFirstDemoCall(): Promise<{ first: number; again: number }> {
  const firsts: number[] = [];
  const agains: number[] = [];
  for (let i = 0; i < 5; i++) {
    const server = new McpProcess(["--demo"]);
    try {
      await server.initialize();
      await server.request("tools/list");
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      let started = performance.now();
      await server.callTool("get_api_stats", {});
      firsts.push(performance.now() - started);
      started = performance.now();
      await server.callTool("get_api_stats", {});
      agains.push(performance.now() - started);
    } finally {
      await server.close();
    }
  }
  return { first: percentile(firsts, 50), again: percentile(agains, 50) };
}

async function benchRoundTrips(hub: HubDouble) {
  const server = new McpProcess(["--url", hub.url]);
  try {
    await server.initialize();
    await server.request("tools/list");
    const list: number[] = [];
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const started = performance.now();
      await server.request("tools/list");
      list.push(performance.now() - started);
    }
    const ping: number[] = [];
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const started = performance.now();
      await server.request("ping");
      ping.push(performance.now() - started);
    }
    const viaServer: number[] = [];
    const direct: number[] = [];
    const body = JSON.stringify({ name: "list_workloads", arguments: { namespace: "shop" } });
    for (let i = 0; i < ROUND_TRIPS / 4; i++) {
      let started = performance.now();
      await server.callTool("list_workloads", { namespace: "shop" });
      viaServer.push(performance.now() - started);
      started = performance.now();
      const response = await fetch(`${hub.url}/api/mcp/tools/call`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      JSON.stringify(await response.json(), null, 2);
      direct.push(performance.now() - started);
    }
    return { list, ping, viaServer, direct };
  } finally {
    await server.close();
  }
}

const hub = new HubDouble();
try {
  console.log(
    `kubeshark-mcp bench: Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs`,
  );
  const kube = await KubeDouble.start();
  const target = startHubTarget();
  const kubeconfig = await kube.writeKubeconfig(await Deno.makeTempFile({ suffix: ".kubeconfig" }));
  installKubeshark(kube, "default", { target: target.target });
  const targetUrl = `http://127.0.0.1:${target.target.port}`;
  const startup = await benchStartup(hub.url, kubeconfig);
  const bare = startup.get("bare Deno stdio loop + zod")!;
  const median = (name: string) => percentile(startup.get(name)!, 50);
  console.log(`\nspawn → answer (median of ${SPAWNS} interleaved rounds; ratio to the bare loop)`);
  for (const [name, values] of startup) {
    const ratio = percentile(values.map((value, i) => value / bare[i]), 50);
    console.log(
      `  ${name.padEnd(40)} ${ms(percentile(values, 50)).padStart(10)}   ${ratio.toFixed(2)}×`,
    );
  }
  console.log(
    `  targets: --url initialize ≤ 1.15× the loop and below kubernetes-mcp-server; --demo first ` +
      `tools/list ≤ 1.5× the loop's initialize; proxy ≤ 1.10× URL mode ` +
      `(now ${(median("kubeshark-mcp --kubeconfig") / median("kubeshark-mcp --url")).toFixed(2)}×)`,
  );
  const viaForward = await benchFirstCall(["--kubeconfig", kubeconfig]);
  const viaUrl = await benchFirstCall(["--url", targetUrl]);
  console.log(`\nspawn → first Hub tool answer (list_workloads, demo Hub behind the pod)`);
  console.log(`  proxy mode, port-forward       ${ms(percentile(viaForward, 50))}`);
  console.log(`  URL mode, same Hub             ${ms(percentile(viaUrl, 50))}`);
  await kube.close();
  await target.close();

  const trips = await benchRoundTrips(hub);
  console.log(`\nround trips over stdio (${ROUND_TRIPS} sequential)`);
  console.log(
    `  ping             p50 ${ms(percentile(trips.ping, 50))}  p99 ${
      ms(percentile(trips.ping, 99))
    }`,
  );
  console.log(
    `  tools/list       p50 ${ms(percentile(trips.list, 50))}  p99 ${
      ms(percentile(trips.list, 99))
    }   target p50 ≤ 0.3 ms`,
  );
  const overhead50 = percentile(trips.viaServer, 50) - percentile(trips.direct, 50);
  const overhead99 = percentile(trips.viaServer, 99) - percentile(trips.direct, 99);
  console.log(`\nHub call (list_workloads, ${trips.direct.length} each, interleaved)`);
  console.log(
    `  through kubeshark-mcp  p50 ${ms(percentile(trips.viaServer, 50))}  p99 ${
      ms(percentile(trips.viaServer, 99))
    }`,
  );
  console.log(
    `  direct fetch           p50 ${ms(percentile(trips.direct, 50))}  p99 ${
      ms(percentile(trips.direct, 99))
    }`,
  );
  console.log(
    `  overhead               p50 ${ms(overhead50)}  p99 ${ms(overhead99)}   target ≤ 1 ms`,
  );
  console.log(`\nanswer size of the default call in --demo (text a model reads; goal ≤ 16 KiB)`);
  for (const [tool, bytes, cut] of await benchAnswerSizes()) {
    console.log(
      `  ${tool.padEnd(18)} ${(bytes / 1024).toFixed(1).padStart(6)} KiB${
        cut ? "  (cut to the budget)" : ""
      }`,
    );
  }
  const firstCall = await benchFirstDemoCall();
  console.log(`\n--demo: a model's first call (get_api_stats after initialize, tools/list, 1 s)`);
  console.log(
    `  first call   ${ms(firstCall.first)}   the same call again ${ms(firstCall.again)}   ` +
      `(${(firstCall.first / firstCall.again).toFixed(1)}×; the idle moment loads the tools, ` +
      "Ajv, the redactor and the demo traffic)",
  );
  const demo = await benchDemo();
  console.log(`\ndemo Hub in-process (${demo.entries} entries)`);
  console.log(
    `  traffic generated              ${ms(demo.generation)} (median of 20)   target < 100 ms`,
  );
  console.log(`  first KFL2 pass (builds views) ${ms(demo.firstPass)}`);
  console.log(
    `  KFL2 compile + filter, warm    p50 ${ms(percentile(demo.warm, 50))}  p99 ${
      ms(percentile(demo.warm, 99))
    }   target < 20 ms`,
  );
  await import("./redact.ts");
  await import("./memory.ts");
  await import("./shutdown.ts");
  await import("./protocol.ts");
  await (await import("./http.ts")).benchHttp(hub.url);
} finally {
  await hub.close();
}
await import("./demo_exports.ts");
await (await import("./first_run.ts")).benchFirstRun(new URL("..", import.meta.url).pathname);
