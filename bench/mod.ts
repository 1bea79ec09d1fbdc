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

/** Spawns `script` and times until the initialize response arrives. */
async function spawnToInitialize(script: string, args: string[]): Promise<number> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", script, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(
    JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bench" } },
    }) + "\n",
  ));
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${script} exited before answering initialize`);
    text += value;
  }
  const elapsed = performance.now() - started;
  await writer.close();
  await reader.cancel();
  await child.status;
  return elapsed;
}

async function benchStartup(hubUrl: string, kubeconfig: string) {
  const url: number[] = [];
  const demo: number[] = [];
  const proxy: number[] = [];
  const bare: number[] = [];
  const proxyArgs = ["--kubeconfig", kubeconfig];
  // Warm-up: fills caches for all, so none pays a first-run compile in the figures.
  await spawnToInitialize(MAIN, ["--url", hubUrl]);
  await spawnToInitialize(MAIN, ["--demo"]);
  await spawnToInitialize(MAIN, proxyArgs);
  await spawnToInitialize(BARE, []);
  for (let i = 0; i < SPAWNS; i++) {
    // Interleaved so machine drift hits all alike.
    url.push(await spawnToInitialize(MAIN, ["--url", hubUrl]));
    demo.push(await spawnToInitialize(MAIN, ["--demo"]));
    proxy.push(await spawnToInitialize(MAIN, proxyArgs));
    bare.push(await spawnToInitialize(BARE, []));
  }
  const ratio = (samples: number[], base = bare) =>
    percentile(samples.map((value, i) => value / base[i]), 50);
  return {
    url: percentile(url, 50),
    demo: percentile(demo, 50),
    proxy: percentile(proxy, 50),
    bare: percentile(bare, 50),
    urlRatio: ratio(url),
    demoRatio: ratio(demo),
    proxyVsUrl: ratio(proxy, url),
  };
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
  const { DEMO_SEED, DEMO_START_TS, demoData } = await import("../lib/demo/mod.ts");
  const { compileKfl } = await import("../lib/demo/kfl.ts");
  const generation: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    generateTraffic(DEMO_SEED, DEMO_START_TS);
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
  console.log(`\nspawn → initialize (median of ${SPAWNS}, interleaved runs)`);
  console.log(`  bare Deno stdio loop + zod     ${ms(startup.bare)}`);
  console.log(
    `  kubeshark-mcp --url            ${ms(startup.url)}   ${
      startup.urlRatio.toFixed(2)
    }× bare (target ≤ 1.10×)`,
  );
  console.log(
    `  kubeshark-mcp --demo           ${ms(startup.demo)}   ${startup.demoRatio.toFixed(2)}× bare`,
  );
  console.log(
    `  kubeshark-mcp --kubeconfig     ${ms(startup.proxy)}   ${
      startup.proxyVsUrl.toFixed(2)
    }× URL mode (target ≤ 1.10×)`,
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
} finally {
  await hub.close();
}
await (await import("./first_run.ts")).benchFirstRun(new URL("..", import.meta.url).pathname);
