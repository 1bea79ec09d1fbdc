/**
 * MCP over HTTP (`--http`): requests/s and p50/p99 latency for tools/list and a Hub call
 * (list_workloads), with 1 and 50 concurrent clients, each its own 2025-era session. Baseline,
 * measured in the same run: the same Hub call sent straight to the Hub double.
 */
import { HttpProcess, initializeBody, POST_HEADERS } from "../tests/support/http_process.ts";

const REQUESTS = Number(Deno.env.get("BENCH_HTTP_REQUESTS") ?? 2_000);

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

interface Figures {
  perSecond: number;
  p50: number;
  p99: number;
}

/** Runs `total` calls of `send` from `clients` concurrent loops. */
async function drive(
  clients: number,
  total: number,
  prepare: () => Promise<() => Promise<void>>,
): Promise<Figures> {
  const senders = await Promise.all(Array.from({ length: clients }, prepare));
  const latencies: number[] = [];
  let left = total;
  const started = performance.now();
  await Promise.all(senders.map(async (send) => {
    while (left-- > 0) {
      const begun = performance.now();
      await send();
      latencies.push(performance.now() - begun);
    }
  }));
  const elapsed = performance.now() - started;
  return {
    perSecond: (latencies.length / elapsed) * 1000,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** A session on `endpoint`; returns a function sending `body` (a fresh id each time). */
async function session(endpoint: string, body: Record<string, unknown>) {
  const init = await fetch(endpoint, {
    method: "POST",
    headers: POST_HEADERS,
    body: JSON.stringify(initializeBody()),
  });
  const id = init.headers.get("mcp-session-id")!;
  await init.body?.cancel();
  const headers = {
    "content-type": "application/json",
    accept: "application/json",
    "mcp-session-id": id,
  };
  let next = 1;
  return async () => {
    const response = await fetch(endpoint, {
      method: "POST",
      headers,
      body: JSON.stringify({ jsonrpc: "2.0", id: ++next, ...body }),
    });
    const answer = await response.json();
    if (!answer.result) throw new Error(`unexpected answer: ${JSON.stringify(answer)}`);
  };
}

function line(label: string, figures: Figures): string {
  return `  ${label.padEnd(34)} ${figures.perSecond.toFixed(0).padStart(6)} req/s  p50 ${
    figures.p50.toFixed(2)
  } ms  p99 ${figures.p99.toFixed(2)} ms`;
}

/** Prints the HTTP figures against a running Hub double at `hubUrl`. */
export async function benchHttp(hubUrl: string): Promise<void> {
  const server = await HttpProcess.start(["--url", hubUrl, "--http-rate-limit", "0"]);
  const list = { method: "tools/list" };
  const call = {
    method: "tools/call",
    params: { name: "list_workloads", arguments: { namespace: "shop" } },
  };
  const direct = () =>
    Promise.resolve(async () => {
      const response = await fetch(`${hubUrl}/api/mcp/tools/call`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "list_workloads", arguments: { namespace: "shop" } }),
      });
      await response.arrayBuffer();
    });
  try {
    // Warm-up: the first requests load the tool table and discover the Hub.
    await drive(4, 200, () => session(server.endpoint, list));
    await drive(4, 200, () => session(server.endpoint, call));
    console.log(`\nMCP over HTTP (${REQUESTS} requests per row, one session per client)`);
    for (const clients of [1, 50]) {
      const listed = await drive(clients, REQUESTS, () => session(server.endpoint, list));
      const called = await drive(clients, REQUESTS, () => session(server.endpoint, call));
      const baseline = await drive(clients, REQUESTS, direct);
      console.log(line(`tools/list, ${clients} client(s)`, listed));
      console.log(line(`Hub call, ${clients} client(s)`, called));
      console.log(line(`  baseline: Hub direct, ${clients}`, baseline));
      console.log(
        `  Hub call vs direct: ${(baseline.perSecond / called.perSecond).toFixed(2)}× the time ` +
          `per request, p50 +${(called.p50 - baseline.p50).toFixed(2)} ms`,
      );
    }
  } finally {
    await server.kill();
  }
}

if (import.meta.main) {
  const { HubDouble } = await import("../tests/support/hub_double.ts");
  const hub = new HubDouble();
  try {
    await benchHttp(hub.url);
  } finally {
    await hub.close();
  }
}
