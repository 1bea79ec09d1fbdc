/**
 * Invariants of the demo's data, checked over the whole data set (every call, every flow, every
 * packet), not on samples: the clock, calls ↔ flows, flows ↔ PCAP, and list_l4_flows' filters.
 */
import assert from "node:assert/strict";
import { createDemoHub } from "../lib/demo/hub.ts";
import { DEMO_HOUR_MS, DEMO_SEED, demoData, demoEndTs } from "../lib/demo/mod.ts";
import { generateTraffic, KEEP_ALIVE_IDLE_MS } from "../lib/demo/traffic.ts";
import type { L4Flow, Peer } from "../lib/demo/types.ts";
import { HubClient } from "../lib/hub/client.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const data = demoData();

function hub() {
  const client = new HubClient("http://kubeshark-demo.invalid", { transport: createDemoHub() });
  return {
    client,
    call: async (name: string, args: Record<string, unknown> = {}): Promise<Json> =>
      (await client.callTool(name, args)).json,
  };
}

Deno.test("the demo's hour ends when the process started, to the second", () => {
  const started = performance.timeOrigin;
  assert.equal(data.endTs, demoEndTs());
  assert.ok(data.endTs <= started && started - data.endTs < 1000);
  assert.equal(data.startTs, data.endTs - DEMO_HOUR_MS);
  for (const call of data.calls) {
    assert.ok(call.ts >= data.startTs, `${call.id} before the hour`);
    assert.ok(call.ts * 1000 + call.elapsedUs <= data.endTs * 1000, `${call.id} ends after it`);
  }
  for (const flow of data.flows) {
    assert.ok(flow.firstTs >= data.startTs && flow.lastTs <= data.endTs, `flow ${flow.id}`);
  }
  for (const marker of data.markers) assert.ok(marker.ts > data.startTs && marker.ts < data.endTs);
});

Deno.test("another start time gives the same traffic at the same offsets", () => {
  const a = generateTraffic(DEMO_SEED, data.startTs);
  const b = generateTraffic(DEMO_SEED, data.startTs - 86_400_000 + 12_345);
  const shape = (t: ReturnType<typeof generateTraffic>, start: number) => ({
    calls: t.calls.map((
      c,
    ) => [c.id, c.ts - start, c.proto, c.method, c.path, c.status, c.src.port]),
    flows: t.flows.map((f) => [f.id, f.firstTs - start, f.lastTs - start, f.state, f.client.port]),
  });
  assert.deepEqual(
    shape(a, data.startTs),
    shape(b, data.startTs - 86_400_000 + 12_345),
  );
});

Deno.test("every call rides on one flow with the same endpoints, ports, protocol and node", () => {
  const flows = new Map(data.flows.map((flow) => [flow.id, flow]));
  let carried = 0;
  for (const call of data.calls) {
    const flow = flows.get(call.flowId);
    assert.ok(flow, `${call.id} has no flow`);
    assert.deepEqual([call.src.ip, call.src.port], [flow.client.ip, flow.client.port], call.id);
    assert.deepEqual([call.dst.ip, call.dst.port], [flow.server.ip, flow.server.port], call.id);
    assert.equal(flow.proto, call.proto === "dns" ? "udp" : "tcp", call.id);
    assert.equal(flow.node, call.node, call.id);
    assert.ok(flow.calls.includes(call), `${call.id} not in flow ${flow.id}'s calls`);
    assert.ok(call.ts >= flow.firstTs, `${call.id} before its flow opened`);
    assert.ok(Math.ceil((call.ts * 1000 + call.elapsedUs) / 1000) <= flow.lastTs, call.id);
  }
  for (const flow of data.flows) carried += flow.calls.length;
  assert.equal(carried, data.calls.length, "a call is on two flows");
});

Deno.test("no flow ends before it starts; a connection carries one call at a time", () => {
  const reused = data.flows.filter((flow) => flow.calls.length > 1);
  assert.ok(reused.length > 50, "keep-alive connections are reused");
  for (const flow of data.flows) {
    assert.ok(flow.lastTs >= flow.firstTs, `flow ${flow.id} ends before it starts`);
    for (let i = 1; i < flow.calls.length; i++) {
      const previous = flow.calls[i - 1];
      const next = flow.calls[i];
      const previousEnd = previous.ts * 1000 + previous.elapsedUs;
      assert.ok(next.ts * 1000 >= previousEnd, `flow ${flow.id}: ${next.id} overlaps`);
      assert.ok(next.ts * 1000 - previousEnd < KEEP_ALIVE_IDLE_MS * 1000, `flow ${flow.id} idle`);
    }
    if (flow.state === "closed" && flow.proto === "tcp") assert.ok(flow.closeUs, `${flow.id}`);
    if (flow.state === "refused") assert.equal(flow.calls.length, 0);
  }
  const states = new Set(data.flows.map((flow) => flow.state));
  for (const state of ["closed", "open", "refused"]) assert.ok(states.has(state as never), state);
});

interface Conversation {
  proto: "tcp" | "udp";
  clientPackets: number;
  serverPackets: number;
  clientBytes: number;
  serverBytes: number;
  syns: number;
  requests: number;
}

/** Reads a PCAP into conversations keyed by flow 4-tuple (client first: the SYN's sender). */
function conversations(bytes: Uint8Array): Map<string, Conversation> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.equal(view.getUint32(0, true), 0xa1b2c3d4);
  const found = new Map<string, Conversation>();
  const ip = (at: number) => [...bytes.subarray(at, at + 4)].join(".");
  const clients = new Map<string, string>();
  for (let offset = 24; offset < bytes.length;) {
    const length = view.getUint32(offset + 8, true);
    const frame = offset + 16;
    const protocol = bytes[frame + 23];
    const src = `${ip(frame + 26)}:${view.getUint16(frame + 34)}`;
    const dst = `${ip(frame + 30)}:${view.getUint16(frame + 36)}`;
    const pair = [src, dst].sort().join("|");
    const flags = protocol === 6 ? bytes[frame + 47] : 0;
    const isSyn = (flags & 0x02) !== 0 && (flags & 0x10) === 0;
    // The client is the side that sent the SYN (TCP) or the first datagram (UDP).
    if (!clients.has(pair) || isSyn) clients.set(pair, src);
    const fromClient = clients.get(pair) === src;
    const key = fromClient ? `${src}>${dst}` : `${dst}>${src}`;
    const entry = found.get(key) ?? {
      proto: protocol === 6 ? "tcp" : "udp",
      clientPackets: 0,
      serverPackets: 0,
      clientBytes: 0,
      serverBytes: 0,
      syns: 0,
      requests: 0,
    };
    if (fromClient) {
      entry.clientPackets++;
      entry.clientBytes += length;
    } else {
      entry.serverPackets++;
      entry.serverBytes += length;
    }
    if (isSyn) entry.syns++;
    const payload = protocol === 6 ? length - 54 : length - 42;
    if (fromClient && payload > 0) entry.requests++;
    found.set(key, entry);
    offset = frame + length;
  }
  return found;
}

Deno.test("the PCAP of the whole hour holds each flow as one conversation with its counts", async () => {
  const { call, client } = await hub();
  const all = await call("create_snapshot", { name: "everything" });
  const exported = await call("export_snapshot_pcap", { snapshot_id: all.id });
  assert.equal(exported.packets, all.packet_count);
  const bytes = new Uint8Array(await (await client.openFile(exported.path)).arrayBuffer());
  assert.equal(bytes.length, all.size_bytes);
  const seen = conversations(bytes);
  const key = (flow: L4Flow) =>
    `${flow.client.ip}:${flow.client.port}>${flow.server.ip}:${flow.server.port}`;
  assert.equal(seen.size, data.flows.length, "one conversation per flow, no 4-tuple shared");
  for (const flow of data.flows) {
    const conversation = seen.get(key(flow));
    assert.ok(conversation, `flow ${flow.id} (${key(flow)}) is not in the PCAP`);
    assert.deepEqual(
      [
        conversation.proto,
        conversation.clientPackets,
        conversation.serverPackets,
        conversation.clientBytes,
        conversation.serverBytes,
      ],
      [flow.proto, flow.clientPackets, flow.serverPackets, flow.clientBytes, flow.serverBytes],
      `flow ${flow.id}`,
    );
    assert.equal(conversation.syns, flow.proto === "tcp" ? 1 : 0, `flow ${flow.id}: one SYN`);
    assert.equal(conversation.requests, flow.calls.length, `flow ${flow.id}: one request a call`);
  }
});

function eitherSide(flow: L4Flow, test: (p: Peer) => boolean): boolean {
  return test(flow.client) || test(flow.server);
}

/** The documented semantics, written independently of the tool. */
function expected(args: Record<string, string>): number[] {
  return data.flows.filter((f) =>
    (!args.l4proto || f.proto === args.l4proto) && (!args.state || f.state === args.state) &&
    (!args.ip || eitherSide(f, (p) => p.ip === args.ip)) &&
    (!args.ns || eitherSide(f, (p) => p.namespace === args.ns)) &&
    (!args.pod || eitherSide(f, (p) => (p.pod ?? "").includes(args.pod))) &&
    (!args.svc || eitherSide(f, (p) => p.service === args.svc))
  ).map((f) => f.id).sort((a, b) => a - b);
}

async function listed(call: ReturnType<typeof hub>["call"], args: Record<string, string>) {
  const ids: number[] = [];
  for (let offset = 0;;) {
    const page = await call("list_l4_flows", { ...args, limit: 1000, offset });
    ids.push(...page.flows.map((f: Json) => f.id));
    if (page.next_offset === undefined) return ids.sort((a, b) => a - b);
    offset = page.next_offset;
  }
}

Deno.test("list_l4_flows filters every value of every filter with one either-side semantics", async () => {
  const { call } = hub();
  const peers = data.flows.flatMap((f) => [f.client, f.server]);
  const values: Record<string, Set<string>> = {
    ip: new Set(peers.map((p) => p.ip)),
    ns: new Set(peers.flatMap((p) => p.namespace ? [p.namespace] : [])),
    pod: new Set(peers.flatMap((p) => p.pod ? [p.pod] : [])),
    svc: new Set(peers.flatMap((p) => p.service ? [p.service] : [])),
    state: new Set(["closed", "open", "refused", "reset"]),
    l4proto: new Set(["tcp", "udp"]),
  };
  for (const [name, set] of Object.entries(values)) {
    for (const value of set) {
      assert.deepEqual(await listed(call, { [name]: value }), expected({ [name]: value }), name);
    }
  }
});

Deno.test("pod=cart svc=redis-cache finds cart's refused connections to redis-cache", async () => {
  const { call } = hub();
  const found = await listed(call, { pod: "cart", svc: "redis-cache" });
  assert.deepEqual(found, expected({ pod: "cart", svc: "redis-cache" }));
  assert.ok(found.length > 0);
  const flows = data.flows.filter((f) => found.includes(f.id));
  assert.ok(flows.every((f) => f.state === "refused" && f.client.service === "cart"));
  assert.deepEqual(await listed(call, { pod: "cart", svc: "redis-cache", state: "closed" }), []);
  const combined = { ns: "shop", svc: "payment", l4proto: "tcp", state: "closed" };
  assert.deepEqual(await listed(call, combined), expected(combined));
});
