/**
 * An hour of the demo shop's traffic, generated from a seed. Besides ordinary browsing and
 * checkouts it plants what each Hub prompt should find:
 * - find_errors: 404s for missing products, a burst of payment 503s, a duplicate-key SQL error;
 * - latency_analysis: recommendations is slow (p50 ≈ 0.9 s, long tail);
 * - trace_request: one checkout (x-request-id req-7f3a9c2e) through gateway → checkout →
 *   inventory (gRPC) → payment → postgres → kafka, failing at payment;
 * - show_topology: services across frontend, shop, payments, fulfillment, data, kube-system;
 * - security_audit: Basic credentials and a password in plaintext HTTP, an IMDS request, and a
 *   call to pool.minexmr.com (203.0.113.66) from recommendations;
 * - debug_connection: cart's connections to redis-cache:6380 are refused;
 * - compare_traffic: checkout v2, deployed at minute 30, adds an NXDOMAIN lookup and latency, and
 *   payment's retry storm (minutes 42–44) follows it.
 */
import { buildCluster, type Cluster, DEPLOY_OFFSET_MS } from "./cluster.ts";
import { flowPackets } from "./pcap.ts";
import { Random } from "./random.ts";
import type { ApiCall, DemoMarker, DemoPod, L4Flow, Peer, Protocol, Snapshot } from "./types.ts";

/** The traced checkout's request id. */
export const TRACED_REQUEST_ID = "req-7f3a9c2e";
/** The external host recommendations calls. */
export const SUSPICIOUS_HOST = { name: "pool.minexmr.com", ip: "203.0.113.66" };

const HOUR_MS = 3_600_000;
const MISSING_PRODUCTS = [901, 907, 913];
const STORM_FROM_MS = 42 * 60_000;
const STORM_TO_MS = 44 * 60_000;
const BASIC_CREDENTIALS = "Basic YWRtaW46aHVudGVyMg=="; // admin:hunter2

interface CallInput {
  ts: number;
  elapsedUs: number;
  proto: Protocol;
  src: Peer;
  dst: Peer;
  method: string;
  path: string;
  url?: string;
  status: number;
  requestHeaders?: Record<string, string>;
  responseHeaders?: Record<string, string>;
  requestBody?: string;
  responseBody?: string;
  extra?: Partial<ApiCall>;
}

/** How long an idle keep-alive connection stays open before its client closes it. */
export const KEEP_ALIVE_IDLE_MS = 60_000;

/** Records calls and refused connections, then lays the calls onto the L4 flows they ride on. */
class Recorder {
  readonly calls: ApiCall[] = [];
  #refused: { src: Peer; dst: Peer; ts: number }[] = [];

  record(input: CallInput): ApiCall {
    const call: ApiCall = {
      id: "",
      ts: input.ts,
      elapsedUs: input.elapsedUs,
      node: input.dst.node ?? input.src.node ?? "",
      proto: input.proto,
      src: input.src,
      dst: input.dst,
      method: input.method,
      path: input.path,
      url: input.url ?? input.path,
      status: input.status,
      requestHeaders: input.requestHeaders ?? {},
      responseHeaders: input.responseHeaders ?? {},
      requestBody: input.requestBody ?? "",
      responseBody: input.responseBody ?? "",
      flowId: 0,
      ...input.extra,
    };
    this.calls.push(call);
    return call;
  }

  refused(src: Peer, dst: Peer, ts: number): void {
    this.#refused.push({ src, dst, ts });
  }

  /**
   * Puts each call (taken in time order) on a connection: an idle keep-alive connection from the
   * same client pod to the same server address when one is left, else a new one. A connection
   * carries one call at a time (HTTP/1.1), so concurrent calls open more connections, and every
   * call's ports are its connection's. Flows idle for KEEP_ALIVE_IDLE_MS are closed; those the hour
   * ends on are open. Packet and byte counts come from the PCAP layout, so both agree.
   */
  flows(startTs: number, endTs: number): L4Flow[] {
    const idleUs = KEEP_ALIVE_IDLE_MS * 1000;
    const pools = new Map<string, { flow: L4Flow; busyUntilUs: number }[]>();
    const flows: L4Flow[] = [];
    const open = (call: ApiCall, proto: "tcp" | "udp"): L4Flow => {
      const handshakeUs = 80 + ((call.ts - startTs) % 170);
      const flow = newFlow(proto, call.src, call.dst, {
        node: call.node,
        state: "closed",
        ...(proto === "tcp" ? { handshakeUs } : {}),
        openUs: call.ts * 1000 - (proto === "tcp" ? handshakeUs + 100 : 0),
      });
      flows.push(flow);
      return flow;
    };
    for (const call of this.calls) {
      const startUs = call.ts * 1000;
      const endUs = startUs + call.elapsedUs;
      let flow: L4Flow;
      if (call.proto === "dns") {
        flow = open(call, "udp");
      } else {
        const key = `${call.src.pod ?? call.src.ip}|${call.dst.ip}:${call.dst.port}`;
        const pool = (pools.get(key) ?? []).filter((c) => startUs - c.busyUntilUs < idleUs);
        pools.set(key, pool);
        const idle = pool.filter((c) => c.busyUntilUs <= startUs)
          .sort((a, b) => b.busyUntilUs - a.busyUntilUs)[0];
        if (idle) {
          flow = idle.flow;
          idle.busyUntilUs = endUs;
        } else {
          flow = open(call, "tcp");
          pool.push({ flow, busyUntilUs: endUs });
        }
      }
      call.src = flow.client;
      call.dst = flow.server;
      flow.calls.push(call);
    }
    for (const { src, dst, ts } of this.#refused) {
      flows.push(
        newFlow("tcp", src, dst, {
          node: dst.node ?? src.node ?? "",
          state: "refused",
          openUs: ts * 1000,
        }),
      );
    }
    flows.sort((a, b) => a.openUs - b.openUs);
    flows.forEach((flow, index) => {
      flow.id = index + 1;
      for (const call of flow.calls) call.flowId = flow.id;
      const last = flow.calls.at(-1);
      if (flow.proto === "tcp" && last) {
        const closeUs = last.ts * 1000 + last.elapsedUs + idleUs;
        if (closeUs + 150 < endTs * 1000) flow.closeUs = closeUs;
        else flow.state = "open";
      }
      const packets = flowPackets(flow);
      for (const packet of packets) {
        if (packet.fromClient) {
          flow.clientPackets++;
          flow.clientBytes += packet.frameBytes;
        } else {
          flow.serverPackets++;
          flow.serverBytes += packet.frameBytes;
        }
      }
      flow.firstTs = Math.floor(packets[0].tsUs / 1000);
      flow.lastTs = Math.ceil(Math.max(...packets.map((p) => p.tsUs)) / 1000);
    });
    return flows;
  }
}

/** Generates the hour that starts at `startTs`. */
export function generateTraffic(seed: number, startTs: number) {
  const random = new Random(seed);
  const cluster = buildCluster(random, startTs);
  const recorder = new Recorder();
  const shop = new Shop(random, cluster, recorder, startTs);

  // ~125 visits an hour, spread at random; a planted traced checkout in the retry storm.
  // Visits stop a minute before the hour ends, so every checkout they lead to ends within it.
  const visits = Array.from({ length: 125 }, () => startTs + random.int(0, HOUR_MS - 60_000))
    .sort((a, b) => a - b);
  for (const ts of visits) shop.visit(ts);
  shop.checkout(startTs + STORM_FROM_MS + 41_000, TRACED_REQUEST_ID);
  // More checkouts meet the storm, so it stands out from the 1% of ordinary payment failures.
  for (const offset of [9_000, 27_000, 66_000, 98_000]) {
    shop.checkout(startTs + STORM_FROM_MS + offset, `req-${random.suffix(8)}`);
  }
  for (let ts = startTs; ts < startTs + HOUR_MS; ts += 30_000) shop.background(ts);
  for (let ts = startTs + 7 * 60_000; ts < startTs + HOUR_MS; ts += 5 * 60_000) shop.beacon(ts);
  shop.metadataProbe(startTs + 12 * 60_000 + 4_210);
  for (let ts = startTs + 3 * 60_000; ts < startTs + HOUR_MS; ts += 3 * 60_000) {
    shop.legacyReport(ts);
  }

  const calls = recorder.calls.sort((a, b) => a.ts - b.ts || a.elapsedUs - b.elapsedUs);
  const sequence = new Map<string, number>();
  for (const call of calls) {
    const next = (sequence.get(call.node) ?? 100) + 1;
    sequence.set(call.node, next);
    call.id = `${call.node}/${next}/0`;
  }
  const flows = recorder.flows(startTs, startTs + HOUR_MS);
  const markers: DemoMarker[] = [{
    ts: startTs + DEPLOY_OFFSET_MS,
    label: "deploy: shop/checkout v1 → v2 (pod replaced)",
  }];
  const snapshots: Snapshot[] = [
    {
      id: "snap-before-deploy",
      name: "before-deploy",
      status: "completed",
      createdAt: startTs + DEPLOY_OFFSET_MS + 60_000,
      startTs,
      endTs: startTs + DEPLOY_OFFSET_MS,
      nodes: cluster.nodes.map((node) => node.name),
      dissection: {
        id: "dis-before",
        name: "before-deploy",
        status: "completed",
        createdAt: startTs + DEPLOY_OFFSET_MS + 120_000,
      },
    },
    {
      id: "snap-after-deploy",
      name: "after-deploy",
      status: "completed",
      createdAt: startTs + HOUR_MS,
      startTs: startTs + DEPLOY_OFFSET_MS,
      endTs: startTs + HOUR_MS,
      nodes: cluster.nodes.map((node) => node.name),
    },
  ];
  return { cluster, calls, flows, snapshots, markers };
}

/** The shop's behaviour: who calls whom, how fast, and what goes wrong. */
class Shop {
  #random: Random;
  #cluster: Cluster;
  #recorder: Recorder;
  #startTs: number;
  #charges = 0;

  constructor(random: Random, cluster: Cluster, recorder: Recorder, startTs: number) {
    this.#random = random;
    this.#cluster = cluster;
    this.#recorder = recorder;
    this.#startTs = startTs;
  }

  /** One shopper: home page, products, recommendations, cart, sometimes a checkout. */
  visit(ts: number): void {
    const random = this.#random;
    const requestId = this.#newRequestId();
    const ingress = this.#cluster.pod("ingress-nginx-controller", ts);
    const browser: Peer = {
      ip: `198.51.100.${random.int(2, 250)}`,
      port: random.int(40000, 60000),
    };
    this.#http(ts, browser, ingress, "ingress-nginx-controller", "GET", "/", 200, 4, {
      requestId,
      userAgent: true,
    });
    const web = this.#cluster.pod("web", ts + 3);
    this.#http(ts + 3, this.#cluster.client(ingress), web, "web", "GET", "/", 200, 6, {
      requestId,
    });
    let at = ts + 40;
    at = this.#products(at, web, requestId);
    const product = random.chance(0.1) ? random.pick(MISSING_PRODUCTS) : random.int(100, 160);
    at = this.#productDetail(at, web, product, requestId);
    if (random.chance(0.8)) at = this.#recommendations(at, web, product, requestId);
    if (random.chance(0.6)) at = this.#addToCart(at, web, product, requestId);
    if (random.chance(0.15)) this.#login(at + 500, web);
    if (random.chance(0.35)) this.checkout(at + random.int(2_000, 20_000), requestId);
  }

  /** A checkout; `requestId` is carried through every hop as x-request-id. */
  checkout(ts: number, requestId: string): void {
    const random = this.#random;
    const gateway = this.#cluster.pod("api-gateway", ts);
    const web = this.#cluster.pod("web", ts);
    const checkout = this.#cluster.pod("checkout", ts + 2);
    const afterDeploy = ts - this.#startTs >= DEPLOY_OFFSET_MS;
    const inStorm = ts - this.#startTs >= STORM_FROM_MS && ts - this.#startTs < STORM_TO_MS;
    let at = ts + 3;
    if (afterDeploy) {
      // checkout v2 first looks for a payments-v2 service that does not exist.
      at = this.#dns(at, checkout, "payments-v2.payments.svc.cluster.local", "A", []);
      at += 2;
    }
    at = this.#dns(at, checkout, "inventory.shop.svc.cluster.local", "A", [
      this.#cluster.service("inventory").clusterIp,
    ]);
    const inventory = this.#cluster.pod("inventory", at);
    const reserveUs = random.latencyUs(6, 0.4);
    this.#recorder.record({
      ts: at,
      elapsedUs: reserveUs,
      proto: "grpc",
      src: this.#cluster.client(checkout),
      dst: this.#cluster.server(inventory, this.#cluster.service("inventory")),
      method: "POST",
      path: "/inventory.v1.InventoryService/Reserve",
      status: 200,
      requestHeaders: {
        "content-type": "application/grpc",
        "x-request-id": requestId,
        ":authority": "inventory.shop:50051",
      },
      responseHeaders: { "content-type": "application/grpc", "grpc-status": "0" },
      requestBody: JSON.stringify({ sku: `sku-${random.int(100, 160)}`, quantity: 1 }),
      responseBody: JSON.stringify({ reservation: `rsv-${random.suffix(8)}` }),
      extra: { grpc: { method: "Reserve", status: 0 } },
    });
    at += Math.ceil(reserveUs / 1000) + 1;

    const payment = this.#cluster.pod("payment", at);
    const attempts = inStorm ? 4 : 1;
    let charged = false;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const failing = inStorm || random.chance(0.01);
      const elapsedUs = failing ? random.latencyUs(35, 0.3) : random.latencyUs(48, 0.35);
      this.#http(
        at,
        this.#cluster.client(checkout),
        payment,
        "payment",
        "POST",
        "/v1/charges",
        failing ? 503 : 201,
        elapsedUs / 1000,
        {
          requestId,
          requestBody: JSON.stringify({
            order: `ord-${random.suffix(6)}`,
            amount_cents: random.int(999, 25999),
            currency: "USD",
          }),
          responseBody: failing
            ? JSON.stringify({ error: "upstream connect error: payment processor unavailable" })
            : JSON.stringify({ charge: `ch_${random.suffix(10)}`, status: "succeeded" }),
          extraHeaders: { "x-retry-attempt": String(attempt) },
        },
      );
      at += Math.ceil(elapsedUs / 1000) + (inStorm ? random.int(20, 60) : 2);
      if (!failing) {
        // Every 12th charge hits a duplicate order id (find_errors' SQL failure).
        this.#charges++;
        this.#postgres(
          at - 30,
          payment,
          "INSERT",
          "INSERT INTO charges (order_id, amount_cents, currency) VALUES ($1, $2, $3)",
          this.#charges % 12 === 0 ? "23505" : "",
        );
        charged = true;
        break;
      }
    }
    if (charged) {
      at = this.#kafkaProduce(at + 1, checkout, requestId);
    }
    const total = at - ts + (afterDeploy ? random.int(60, 140) : random.int(8, 20));
    const status = charged ? 200 : 502;
    this.#http(
      ts + 2,
      this.#cluster.client(gateway),
      checkout,
      "checkout",
      "POST",
      "/checkout",
      status,
      total - 1,
      {
        requestId,
        requestBody: JSON.stringify({ cart: `cart-${random.suffix(6)}` }),
        responseBody: charged
          ? JSON.stringify({ order: "confirmed" })
          : JSON.stringify({ error: "payment failed" }),
      },
    );
    this.#http(
      ts,
      this.#cluster.client(web),
      gateway,
      "api-gateway",
      "POST",
      "/api/checkout",
      status,
      total + 1,
      {
        requestId,
      },
    );
  }

  /** Kafka consumers and DNS refreshes that run regardless of shoppers. */
  background(ts: number): void {
    const shipping = this.#cluster.pod("shipping", ts);
    const kafka = this.#cluster.pod("kafka", ts);
    this.#recorder.record({
      ts: ts + 11,
      elapsedUs: this.#random.latencyUs(500, 0.2),
      proto: "kafka",
      src: this.#cluster.client(shipping),
      dst: this.#cluster.server(kafka, this.#cluster.service("kafka")),
      method: "FETCH",
      path: "orders",
      status: 0,
      extra: {
        kafka: { apiKey: 1, apiKeyName: "FETCH", clientId: "shipping-consumer", topic: "orders" },
      },
    });
    // cart keeps trying its cache at the wrong port: refused at the TCP level, no L7 entry.
    const cart = this.#cluster.pod("cart", ts);
    const cache = this.#cluster.service("redis-cache");
    this.#dns(ts + 200, cart, "redis-cache.data.svc.cluster.local", "A", [cache.clusterIp]);
    this.#recorder.refused(this.#cluster.client(cart), {
      ip: cache.clusterIp,
      port: cache.port,
      service: cache.name,
      namespace: cache.namespace,
    }, ts + 203);
  }

  /** recommendations phones home to a mining pool: DNS, then HTTP to an outside address. */
  beacon(ts: number): void {
    const recommendations = this.#cluster.pod("recommendations", ts);
    const at = this.#dns(ts, recommendations, SUSPICIOUS_HOST.name, "A", [SUSPICIOUS_HOST.ip]);
    const external: Peer = { ip: SUSPICIOUS_HOST.ip, port: 80, dns: SUSPICIOUS_HOST.name };
    this.#recorder.record({
      ts: at + 1,
      elapsedUs: this.#random.latencyUs(140, 0.2),
      proto: "http",
      src: this.#cluster.client(recommendations),
      dst: external,
      method: "POST",
      path: "/submit",
      url: "/submit?worker=rx-4471",
      status: 200,
      requestHeaders: {
        host: SUSPICIOUS_HOST.name,
        "content-type": "application/json",
        "user-agent": "xmrig/6.21.0",
      },
      responseHeaders: { "content-type": "application/json" },
      requestBody: JSON.stringify({
        id: 1,
        jsonrpc: "2.0",
        method: "submit",
        params: { job_id: "7731" },
      }),
      responseBody: JSON.stringify({ id: 1, jsonrpc: "2.0", result: { status: "OK" } }),
    });
  }

  /** A request for cloud credentials from the instance metadata service. */
  metadataProbe(ts: number): void {
    const recommendations = this.#cluster.pod("recommendations", ts);
    this.#recorder.record({
      ts,
      elapsedUs: 900,
      proto: "http",
      src: this.#cluster.client(recommendations),
      dst: { ip: "169.254.169.254", port: 80 },
      method: "GET",
      path: "/latest/meta-data/iam/security-credentials/",
      status: 200,
      requestHeaders: { host: "169.254.169.254", "user-agent": "curl/8.5.0" },
      responseHeaders: { "content-type": "text/plain" },
      responseBody: "eks-node-role",
    });
  }

  /** The gateway pulls a report from a legacy service with Basic credentials over plain HTTP. */
  legacyReport(ts: number): void {
    const gateway = this.#cluster.pod("api-gateway", ts);
    const reports = this.#cluster.pod("legacy-reports", ts);
    this.#http(
      ts,
      this.#cluster.client(gateway),
      reports,
      "legacy-reports",
      "GET",
      "/reports/daily",
      200,
      85,
      {
        extraHeaders: { authorization: BASIC_CREDENTIALS },
        responseBody: JSON.stringify({ rows: 412, generated: "daily" }),
      },
    );
  }

  #products(at: number, web: DemoPod, requestId: string): number {
    const gateway = this.#cluster.pod("api-gateway", at);
    const catalog = this.#cluster.pod("catalog", at);
    const redis = this.#cluster.pod("redis", at);
    const cacheHit = this.#random.chance(0.7);
    this.#redis(at + 2, catalog, redis, "GET", "product:list", cacheHit);
    if (!cacheHit) {
      this.#postgres(
        at + 3,
        catalog,
        "SELECT",
        "SELECT id, name, price_cents FROM products ORDER BY popularity DESC LIMIT 20",
        "",
      );
    }
    const inner = cacheHit ? 3 : 14;
    this.#http(
      at + 1,
      this.#cluster.client(gateway),
      catalog,
      "catalog",
      "GET",
      "/products",
      200,
      inner,
      { requestId },
    );
    this.#http(
      at,
      this.#cluster.client(web),
      gateway,
      "api-gateway",
      "GET",
      "/api/products",
      200,
      inner + 2,
      { requestId },
    );
    return at + inner + 30;
  }

  #productDetail(at: number, web: DemoPod, product: number, requestId: string): number {
    const gateway = this.#cluster.pod("api-gateway", at);
    const catalog = this.#cluster.pod("catalog", at);
    const missing = MISSING_PRODUCTS.includes(product);
    const status = missing ? 404 : 200;
    if (!missing) {
      this.#postgres(at + 2, catalog, "SELECT", "SELECT * FROM products WHERE id = $1", "");
    }
    const body = missing
      ? JSON.stringify({ error: `product ${product} not found` })
      : JSON.stringify({ id: product, name: `Product ${product}` });
    this.#http(
      at + 1,
      this.#cluster.client(gateway),
      catalog,
      "catalog",
      "GET",
      `/products/${product}`,
      status,
      7,
      { requestId, responseBody: body },
    );
    this.#http(
      at,
      this.#cluster.client(web),
      gateway,
      "api-gateway",
      "GET",
      `/api/products/${product}`,
      status,
      9,
      { requestId, responseBody: body },
    );
    return at + 400;
  }

  #recommendations(at: number, web: DemoPod, product: number, requestId: string): number {
    const gateway = this.#cluster.pod("api-gateway", at);
    const recommendations = this.#cluster.pod("recommendations", at);
    const catalog = this.#cluster.pod("catalog", at);
    const elapsedUs = this.#random.latencyUs(900, 0.55);
    this.#http(
      at + 5,
      this.#cluster.client(recommendations),
      catalog,
      "catalog",
      "GET",
      "/products",
      200,
      4,
      { requestId },
    );
    this.#http(
      at + 1,
      this.#cluster.client(gateway),
      recommendations,
      "recommendations",
      "GET",
      "/recommendations",
      200,
      elapsedUs / 1000,
      {
        requestId,
        url: `/recommendations?product=${product}`,
      },
    );
    this.#http(
      at,
      this.#cluster.client(web),
      gateway,
      "api-gateway",
      "GET",
      "/api/recommendations",
      200,
      elapsedUs / 1000 + 2,
      {
        requestId,
        url: `/api/recommendations?product=${product}`,
      },
    );
    return at + Math.ceil(elapsedUs / 1000) + 200;
  }

  #addToCart(at: number, web: DemoPod, product: number, requestId: string): number {
    const gateway = this.#cluster.pod("api-gateway", at);
    const cart = this.#cluster.pod("cart", at);
    const redis = this.#cluster.pod("redis", at);
    this.#redis(at + 2, cart, redis, "HSET", `session:${this.#random.suffix(12)}`, true);
    this.#http(at + 1, this.#cluster.client(gateway), cart, "cart", "POST", "/cart/items", 201, 4, {
      requestId,
    });
    this.#http(
      at,
      this.#cluster.client(web),
      gateway,
      "api-gateway",
      "POST",
      "/api/cart/items",
      201,
      6,
      {
        requestId,
        requestBody: JSON.stringify({ product, quantity: 1 }),
      },
    );
    return at + 300;
  }

  #login(at: number, web: DemoPod): void {
    const gateway = this.#cluster.pod("api-gateway", at);
    const user = this.#random.pick(["alice", "bob", "carol", "dave"]);
    this.#http(
      at,
      this.#cluster.client(web),
      gateway,
      "api-gateway",
      "POST",
      "/api/login",
      200,
      22,
      {
        requestBody: JSON.stringify({ username: user, password: `${user}-Winter2026!` }),
        responseBody: JSON.stringify({ token: `eyJhbGciOiJIUzI1NiJ9.${this.#random.suffix(16)}` }),
      },
    );
  }

  #http(
    ts: number,
    src: Peer | DemoPod,
    dstPod: DemoPod,
    service: string,
    method: string,
    path: string,
    status: number,
    elapsedMs: number,
    options: {
      requestId?: string;
      requestBody?: string;
      responseBody?: string;
      url?: string;
      userAgent?: boolean;
      extraHeaders?: Record<string, string>;
    } = {},
  ): void {
    const svc = this.#cluster.service(service);
    const client = "port" in src ? src : this.#cluster.client(src);
    const responseBody = options.responseBody ??
      (status < 400 ? JSON.stringify({ ok: true }) : JSON.stringify({ error: `HTTP ${status}` }));
    this.#recorder.record({
      ts,
      // Jitter, so percentiles spread as real ones do.
      elapsedUs: Math.max(200, Math.round(elapsedMs * 1000 * (0.8 + this.#random.next() * 0.5))),
      proto: "http",
      src: client,
      dst: this.#cluster.server(dstPod, svc),
      method,
      path,
      url: options.url ?? path,
      status,
      requestHeaders: {
        host: `${svc.name}.${svc.namespace}.svc.cluster.local`,
        "user-agent": options.userAgent ? "Mozilla/5.0 (Macintosh)" : "Go-http-client/1.1",
        accept: "application/json",
        ...(options.requestBody ? { "content-type": "application/json" } : {}),
        ...(options.requestId ? { "x-request-id": options.requestId } : {}),
        ...options.extraHeaders,
      },
      responseHeaders: {
        "content-type": "application/json",
        "content-length": String(responseBody.length),
        ...(status === 503 ? { "retry-after": "1" } : {}),
      },
      requestBody: options.requestBody ?? "",
      responseBody,
    });
  }

  #redis(
    ts: number,
    client: DemoPod,
    redis: DemoPod,
    verb: string,
    key: string,
    hit: boolean,
  ): void {
    this.#recorder.record({
      ts,
      elapsedUs: this.#random.latencyUs(0.4, 0.3),
      proto: "redis",
      src: this.#cluster.client(client),
      dst: this.#cluster.server(redis, this.#cluster.service("redis")),
      method: verb,
      path: key,
      status: 0,
      requestBody: `${verb} ${key}${verb === "HSET" ? " items 1" : ""}`,
      responseBody: verb === "GET" ? (hit ? "[cached product list]" : "(nil)") : "(integer) 1",
      extra: { redis: { type: verb, command: `${verb} ${key}`, key } },
    });
  }

  #postgres(ts: number, client: DemoPod, command: string, query: string, errorCode: string): void {
    const postgres = this.#cluster.pod("postgres", ts);
    const failed = errorCode !== "";
    this.#recorder.record({
      ts,
      elapsedUs: this.#random.latencyUs(command === "INSERT" ? 3 : 1.5, 0.4),
      proto: "postgresql",
      src: this.#cluster.client(client),
      dst: this.#cluster.server(postgres, this.#cluster.service("postgres")),
      method: command,
      path: query,
      status: failed ? 1 : 0,
      requestBody: query,
      responseBody: failed
        ? 'ERROR: duplicate key value violates unique constraint "charges_order_id_key"'
        : `${command} 1`,
      extra: {
        postgresql: {
          command,
          query,
          database: "shop",
          user: client.service ?? "app",
          success: !failed,
          errorCode,
          errorMessage: failed
            ? 'duplicate key value violates unique constraint "charges_order_id_key"'
            : "",
        },
      },
    });
  }

  #kafkaProduce(ts: number, client: DemoPod, requestId: string): number {
    const kafka = this.#cluster.pod("kafka", ts);
    const elapsedUs = this.#random.latencyUs(2.5, 0.3);
    this.#recorder.record({
      ts,
      elapsedUs,
      proto: "kafka",
      src: this.#cluster.client(client),
      dst: this.#cluster.server(kafka, this.#cluster.service("kafka")),
      method: "PRODUCE",
      path: "orders",
      status: 0,
      requestBody: JSON.stringify({ event: "order.created", request_id: requestId }),
      extra: {
        kafka: { apiKey: 0, apiKeyName: "PRODUCE", clientId: "checkout-producer", topic: "orders" },
      },
    });
    return ts + Math.ceil(elapsedUs / 1000);
  }

  /** A DNS lookup from `client` to kube-dns; an empty answer list means NXDOMAIN. */
  #dns(ts: number, client: DemoPod, name: string, type: string, answers: string[]): number {
    const dns = this.#cluster.pod("kube-dns", ts);
    const elapsedUs = this.#random.latencyUs(0.6, 0.3);
    const rcodeName = answers.length ? "NOERROR" : "NXDOMAIN";
    this.#recorder.record({
      ts,
      elapsedUs,
      proto: "dns",
      src: this.#cluster.client(client),
      dst: this.#cluster.server(dns, this.#cluster.service("kube-dns")),
      method: type,
      path: name,
      status: answers.length ? 0 : 3,
      extra: { dns: { questions: [name], answers, types: [type], rcodeName } },
    });
    return ts + Math.ceil(elapsedUs / 1000);
  }

  #newRequestId(): string {
    return `req-${this.#random.suffix(8)}`;
  }
}

// A flow with nothing counted yet (ids, times and counts are filled in once all are known).
function newFlow(
  proto: L4Flow["proto"],
  client: Peer,
  server: Peer,
  rest: Pick<L4Flow, "node" | "state" | "openUs" | "handshakeUs">,
): L4Flow {
  return {
    id: 0,
    proto,
    client,
    server,
    node: rest.node,
    state: rest.state,
    firstTs: 0,
    lastTs: 0,
    clientPackets: 0,
    serverPackets: 0,
    clientBytes: 0,
    serverBytes: 0,
    ...(rest.handshakeUs !== undefined ? { handshakeUs: rest.handshakeUs } : {}),
    openUs: rest.openUs,
    calls: [],
  };
}
