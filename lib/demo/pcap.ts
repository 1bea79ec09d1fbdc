/**
 * PCAP files of the demo's traffic (libpcap format, Ethernet). One L4 flow is one conversation:
 * a TCP connection opens with a handshake, carries each of its calls in turn (the request, then the
 * response, in its protocol's wire format where that is simple: HTTP/1.1, RESP, PostgreSQL simple
 * query, DNS) and closes with FIN when it has been idle for the keep-alive timeout (flows still
 * open at the end of the hour have no FIN); a refused connection is a SYN and a RST. The flow
 * table's packet and byte counts are computed from the same layout (`flowPackets`).
 */
import type { ApiCall, L4Flow, Peer } from "./types.ts";

const encoder = new TextEncoder();

const SYN = 0x02;
const RST = 0x04;
const PSH = 0x08;
const ACK = 0x10;
const FIN = 0x01;

/** Bytes of Ethernet + IPv4 + TCP headers (no options), and of Ethernet + IPv4 + UDP. */
export const TCP_OVERHEAD = 54;
const UDP_OVERHEAD = 42;

/** One packet of a flow, as the layout places it. */
export interface FlowPacket {
  /** Capture time, µs since the epoch. */
  tsUs: number;
  fromClient: boolean;
  /** TCP flags (0 for UDP). */
  flags: number;
  seq: number;
  ack: number;
  payload: Uint8Array;
  /** The packet's length on the wire (Ethernet frame). */
  frameBytes: number;
}

/** Which packets a BPF-like filter keeps (the subset the demo understands), packet by packet. */
export type PacketFilter = (src: Peer, dst: Peer, proto: "tcp" | "udp") => boolean;

/** The packets of one flow, in order. */
export function flowPackets(flow: L4Flow): FlowPacket[] {
  const packets: FlowPacket[] = [];
  if (flow.proto === "udp") {
    for (const call of flow.calls) {
      const [request, response] = callPayloads(call);
      const t0 = call.ts * 1000;
      packets.push(udp(t0, true, request), udp(t0 + call.elapsedUs, false, response));
    }
    return packets;
  }
  let c = isn(flow.id, 1);
  let s = isn(flow.id, 2);
  const send = (tsUs: number, fromClient: boolean, flags: number, payload: Uint8Array = EMPTY) => {
    packets.push({
      tsUs,
      fromClient,
      flags,
      seq: fromClient ? c : s,
      ack: flags & ACK ? (fromClient ? s : c) : 0,
      payload,
      frameBytes: TCP_OVERHEAD + payload.length,
    });
    const advance = payload.length + (flags & (SYN | FIN) ? 1 : 0);
    if (fromClient) c = (c + advance) >>> 0;
    else s = (s + advance) >>> 0;
  };
  const open = flow.openUs;
  if (flow.state === "refused") {
    send(open, true, SYN);
    // The RST acknowledges the SYN.
    packets.push({
      tsUs: open + 120,
      fromClient: false,
      flags: RST | ACK,
      seq: 0,
      ack: c,
      payload: EMPTY,
      frameBytes: TCP_OVERHEAD,
    });
    return packets;
  }
  const handshake = flow.handshakeUs ?? 100;
  send(open, true, SYN);
  send(open + Math.floor(handshake / 2), false, SYN | ACK);
  send(open + handshake, true, ACK);
  for (const call of flow.calls) {
    const [request, response] = callPayloads(call);
    const t0 = call.ts * 1000;
    send(t0, true, PSH | ACK, request);
    send(t0 + call.elapsedUs, false, PSH | ACK, response);
  }
  if (flow.closeUs !== undefined) {
    send(flow.closeUs, true, FIN | ACK);
    send(flow.closeUs + 100, false, FIN | ACK);
    send(flow.closeUs + 150, true, ACK);
  }
  return packets;
}

const EMPTY = new Uint8Array();

function udp(tsUs: number, fromClient: boolean, payload: Uint8Array): FlowPacket {
  return {
    tsUs,
    fromClient,
    flags: 0,
    seq: 0,
    ack: 0,
    payload,
    frameBytes: UDP_OVERHEAD + payload.length,
  };
}

function isn(id: number, salt: number): number {
  let hash = 2166136261 ^ salt;
  hash = Math.imul(hash ^ id, 16777619);
  hash = Math.imul(hash ^ (id >>> 16), 16777619);
  return hash >>> 0;
}

/** What an export keeps: a window (µs, end excluded), nodes and a packet filter. */
export interface PcapScope {
  fromUs: number;
  toUs: number;
  nodes: readonly string[];
  filter: PacketFilter;
}

/** Writes the packets of `flows` that fall in `scope`, in time order. */
export function buildPcap(
  flows: readonly L4Flow[],
  scope: PcapScope,
): { bytes: Uint8Array<ArrayBuffer>; packets: number } {
  const kept: { packet: FlowPacket; flow: L4Flow }[] = [];
  let size = 24;
  for (const flow of flows) {
    if (!scope.nodes.includes(flow.node)) continue;
    if (flow.lastTs * 1000 < scope.fromUs || flow.openUs >= scope.toUs) continue;
    for (const packet of flowPackets(flow)) {
      if (packet.tsUs < scope.fromUs || packet.tsUs >= scope.toUs) continue;
      const [src, dst] = packet.fromClient
        ? [flow.client, flow.server]
        : [flow.server, flow.client];
      if (!scope.filter(src, dst, flow.proto)) continue;
      kept.push({ packet, flow });
      size += 16 + packet.frameBytes;
    }
  }
  // A stable sort keeps each conversation's packets in order at equal timestamps.
  kept.sort((a, b) => a.packet.tsUs - b.packet.tsUs);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0xa1b2c3d4, true); // microsecond timestamps
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setUint32(16, 65535, true); // snaplen
  view.setUint32(20, 1, true); // LINKTYPE_ETHERNET
  let offset = 24;
  for (const { packet, flow } of kept) {
    view.setUint32(offset, Math.floor(packet.tsUs / 1e6), true);
    view.setUint32(offset + 4, packet.tsUs % 1e6, true);
    view.setUint32(offset + 8, packet.frameBytes, true);
    view.setUint32(offset + 12, packet.frameBytes, true);
    const [src, dst] = packet.fromClient ? [flow.client, flow.server] : [flow.server, flow.client];
    writeFrame(out, offset + 16, src, dst, flow.proto, packet);
    offset += 16 + packet.frameBytes;
  }
  return { bytes: out, packets: kept.length };
}

/** Writes one Ethernet/IPv4/TCP-or-UDP frame at `at`, checksums included. */
function writeFrame(
  out: Uint8Array,
  at: number,
  src: Peer,
  dst: Peer,
  proto: "tcp" | "udp",
  packet: FlowPacket,
): void {
  const view = new DataView(out.buffer, out.byteOffset + at, packet.frameBytes);
  out.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00], at);
  const ip = 14;
  const transport = ip + 20;
  const segmentLength = packet.frameBytes - transport;
  view.setUint8(ip, 0x45);
  view.setUint16(ip + 2, 20 + segmentLength);
  view.setUint16(ip + 6, 0x4000); // don't fragment
  view.setUint8(ip + 8, 64);
  view.setUint8(ip + 9, proto === "tcp" ? 6 : 17);
  writeAddress(view, ip + 12, src.ip);
  writeAddress(view, ip + 16, dst.ip);
  view.setUint16(ip + 10, checksum(out, at + ip, 20, 0));
  view.setUint16(transport, src.port);
  view.setUint16(transport + 2, dst.port);
  let checksumAt: number;
  if (proto === "tcp") {
    view.setUint32(transport + 4, packet.seq >>> 0);
    view.setUint32(transport + 8, packet.ack >>> 0);
    view.setUint8(transport + 12, 5 << 4);
    view.setUint8(transport + 13, packet.flags);
    view.setUint16(transport + 14, 64240);
    out.set(packet.payload, at + transport + 20);
    checksumAt = transport + 16;
  } else {
    view.setUint16(transport + 4, segmentLength);
    out.set(packet.payload, at + transport + 8);
    checksumAt = transport + 6;
  }
  // The pseudo-header's sum: both addresses, the protocol and the segment's length.
  const pseudo = sumWords(out, at + ip + 12, 8) + (proto === "tcp" ? 6 : 17) + segmentLength;
  const sum = checksum(out, at + transport, segmentLength, pseudo);
  view.setUint16(checksumAt, proto === "udp" && sum === 0 ? 0xffff : sum);
}

function writeAddress(view: DataView, at: number, ip: string): void {
  const parts = ip.split(".");
  for (let i = 0; i < 4; i++) view.setUint8(at + i, Number(parts[i]));
}

function sumWords(bytes: Uint8Array, from: number, length: number): number {
  let sum = 0;
  const end = from + length;
  for (let i = from; i < end; i += 2) sum += (bytes[i] << 8) + (i + 1 < end ? bytes[i + 1] : 0);
  return sum;
}

function checksum(bytes: Uint8Array, from: number, length: number, initial: number): number {
  let sum = initial + sumWords(bytes, from, length);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const payloadCache = new WeakMap<ApiCall, [Uint8Array, Uint8Array]>();

/** The request and response bytes of a call in its protocol's wire format (computed once). */
export function callPayloads(call: ApiCall): [Uint8Array, Uint8Array] {
  let cached = payloadCache.get(call);
  if (!cached) {
    cached = payloads(call);
    payloadCache.set(call, cached);
  }
  return cached;
}

function payloads(call: ApiCall): [Uint8Array, Uint8Array] {
  switch (call.proto) {
    case "http": {
      const request = `${call.method} ${call.url} HTTP/1.1\r\n` +
        Object.entries({
          ...call.requestHeaders,
          "content-length": String(call.requestBody.length),
        })
          .map(([key, value]) => `${key}: ${value}\r\n`).join("") +
        `\r\n${call.requestBody}`;
      const response = `HTTP/1.1 ${call.status} ${reason(call.status)}\r\n` +
        Object.entries(call.responseHeaders).map(([key, value]) => `${key}: ${value}\r\n`).join(
          "",
        ) +
        `\r\n${call.responseBody}`;
      return [encoder.encode(request), encoder.encode(response)];
    }
    case "redis": {
      const words = call.requestBody.split(" ");
      const request = `*${words.length}\r\n` +
        words.map((w) => `$${w.length}\r\n${w}\r\n`).join("");
      const response = call.responseBody === "(nil)"
        ? "$-1\r\n"
        : call.responseBody.startsWith("(integer)")
        ? `:${call.responseBody.split(" ")[1]}\r\n`
        : `$${call.responseBody.length}\r\n${call.responseBody}\r\n`;
      return [encoder.encode(request), encoder.encode(response)];
    }
    case "postgresql": {
      const query = encoder.encode(call.path + "\0");
      const request = new Uint8Array(5 + query.length);
      request[0] = 0x51; // 'Q'
      new DataView(request.buffer).setUint32(1, 4 + query.length);
      request.set(query, 5);
      const tag = encoder.encode(call.responseBody + "\0");
      const response = new Uint8Array(5 + tag.length);
      response[0] = call.postgresql?.success === false ? 0x45 : 0x43; // 'E' or 'C'
      new DataView(response.buffer).setUint32(1, 4 + tag.length);
      response.set(tag, 5);
      return [request, response];
    }
    case "dns":
      return dnsMessages(call);
    default:
      // gRPC and Kafka are binary framings; the demo carries their bodies as opaque bytes.
      return [encoder.encode(call.requestBody || call.path), encoder.encode(call.responseBody)];
  }
}

function reason(status: number): string {
  return ({
    200: "OK",
    201: "Created",
    404: "Not Found",
    502: "Bad Gateway",
    503: "Service Unavailable",
  } as Record<number, string>)[status] ?? "Status";
}

function dnsMessages(call: ApiCall): [Uint8Array, Uint8Array] {
  const id = Number(call.id.split("/")[1] ?? 0) & 0xffff;
  const question = dnsName(call.path);
  const qtype = call.method === "AAAA" ? 28 : 1;
  const header = (flags: number, answers: number) => {
    const view = new DataView(new ArrayBuffer(12));
    view.setUint16(0, id);
    view.setUint16(2, flags);
    view.setUint16(4, 1);
    view.setUint16(6, answers);
    return new Uint8Array(view.buffer);
  };
  const questionSection = concat(question, u16(qtype), u16(1));
  const request = concat(header(0x0100, 0), questionSection);
  const answers = call.dns?.answers ?? [];
  const records = answers.map((ip) =>
    concat(u16(0xc00c), u16(1), u16(1), u32(30), u16(4), new Uint8Array(ip.split(".").map(Number)))
  );
  const rcode = call.status & 0x0f;
  const response = concat(header(0x8180 | rcode, records.length), questionSection, ...records);
  return [request, response];
}

function dnsName(name: string): Uint8Array {
  const labels = name.split(".").filter(Boolean).map((label) => {
    const bytes = encoder.encode(label);
    return concat(new Uint8Array([bytes.length]), bytes);
  });
  return concat(...labels, new Uint8Array([0]));
}

function u16(value: number): Uint8Array {
  return new Uint8Array([(value >> 8) & 0xff, value & 0xff]);
}

function u32(value: number): Uint8Array {
  return new Uint8Array([
    (value >>> 24) & 0xff,
    (value >> 16) & 0xff,
    (value >> 8) & 0xff,
    value & 0xff,
  ]);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
