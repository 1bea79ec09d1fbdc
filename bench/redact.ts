/**
 * The redactor on a 5 MB Hub answer (API calls with headers, query strings and JSON bodies, a few
 * carrying credentials), beside JSON.parse + JSON.stringify of the same answer in the same run:
 * the work every answer costs anyway.
 *
 *   deno run --allow-all bench/redact.ts      (also run by `deno task bench`)
 */
import { createRedactor } from "../lib/redact.ts";

const TARGET_BYTES = 5 * 1024 * 1024;
const RUNS = 15;

function hex(n: number, length: number): string {
  return n.toString(16).padStart(length, "0").repeat(Math.ceil(length / 8)).slice(0, length);
}

/** About 5 MB of Kubeshark-like API calls; one in 20 carries a credential. */
export function sampleAnswer(bytes = TARGET_BYTES): string {
  const calls: unknown[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const secret = i % 20 === 0;
    const call = {
      id: `0191f7a2-6c1e-7a3b-9d2e-${hex(i, 12)}`,
      timestamp: 1_760_000_000_000 + i * 37,
      src: { pod: `frontend-${i % 7}`, namespace: "shop", ip: `10.0.${i % 250}.${i % 200}` },
      dst: { pod: `orders-${i % 5}`, namespace: "shop", port: 8080 },
      request: {
        method: i % 3 ? "GET" : "POST",
        path: `/api/v1/orders/${i}?page=${i % 9}${secret ? "&token=qs-" + hex(i, 16) : ""}`,
        headers: [
          { name: "Host", value: "orders.shop.svc.cluster.local" },
          { name: "Content-Type", value: "application/json" },
          { name: "Traceparent", value: `00-${hex(i, 32)}-${hex(i * 7, 16)}-01` },
          { name: "X-Request-Id", value: `req-${hex(i, 8)}` },
          ...(secret ? [{ name: "Authorization", value: `Bearer tok-${hex(i, 24)}` }] : []),
        ],
        body: JSON.stringify({
          orderId: i,
          items: [{ sku: `SKU-${i % 100}`, qty: 1 + (i % 3) }],
          ...(secret ? { password: `pw-${i}` } : {}),
        }),
      },
      response: {
        status: i % 50 === 0 ? 503 : 200,
        headers: [{ name: "Etag", value: `W/"${hex(i, 12)}"` }],
        body: JSON.stringify({ ok: true, digest: `sha256:${hex(i, 64)}` }),
      },
      elapsedMs: (i % 97) / 3,
    };
    size += JSON.stringify(call).length;
    calls.push(call);
  }
  return JSON.stringify({ calls, total: calls.length });
}

function median(samples: number[]): number {
  return [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];
}

/** Times the redactor on the sample answer; prints figures. */
export function benchRedact(): void {
  const text = sampleAnswer();
  const redactor = createRedactor({ secrets: ["hub-token-5f1c9a7e2b"] });
  const baseline: number[] = [];
  const walk: number[] = [];
  const plain: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let started = performance.now();
    const value = JSON.parse(text);
    JSON.stringify(value);
    baseline.push(performance.now() - started);
    started = performance.now();
    redactor.json(value);
    walk.push(performance.now() - started);
    started = performance.now();
    redactor.text(text);
    plain.push(performance.now() - started);
  }
  const mb = (text.length / 1024 / 1024).toFixed(1);
  console.log(`\nredaction of a ${mb} MB Hub answer (median of ${RUNS})`);
  console.log(`  JSON.parse + stringify (base)  ${median(baseline).toFixed(1)} ms`);
  console.log(
    `  redactor.json (walk)           ${median(walk).toFixed(1)} ms   ${
      (median(walk) / median(baseline)).toFixed(2)
    }× base`,
  );
  console.log(
    `  redactor.text (as plain text)  ${median(plain).toFixed(1)} ms   ${
      (median(plain) / median(baseline)).toFixed(2)
    }× base`,
  );
}

/** Inputs written to make regular expressions backtrack, beside ordinary text of the same size. */
export function benchHostile(bytes = 1024 * 1024): void {
  const redactor = createRedactor({ secrets: ["hub-token-5f1c9a7e2b"] });
  const inputs: Record<string, string> = {
    "ordinary text (base)": "GET /api/v1/orders?page=2 200 12ms trace=4bf92f3577b34da6 ".repeat(
      bytes / 58,
    ),
    '"-eyJ" repeated': "-eyJ".repeat(bytes / 4),
    '"sk-" repeated': "sk-".repeat(bytes / 3),
    '"://" then colons': "://" + ":".repeat(bytes),
    '"x:// a.a.a…"': "x:// " + "a.".repeat(bytes / 2),
    "PEM headers, no END": "-----BEGIN RSA PRIVATE KEY-----\n".repeat(bytes / 32),
    '"secret": pairs': '"secret": "x", '.repeat(bytes / 15),
    "nested arrays": "[".repeat(bytes / 2) + "]".repeat(bytes / 2),
  };
  const times: [string, number][] = [];
  for (const [name, text] of Object.entries(inputs)) {
    redactor.text(text);
    const started = performance.now();
    redactor.text(text);
    times.push([name, performance.now() - started]);
  }
  const base = times[0][1];
  console.log(
    `\nredaction of hostile 1 MB texts (linear time expected; quadratic would take minutes)`,
  );
  for (const [name, ms] of times) {
    console.log(
      `  ${name.padEnd(28)} ${ms.toFixed(1).padStart(8)} ms   ${(ms / base).toFixed(1)}× base`,
    );
  }
}

benchRedact();
benchHostile();
