/**
 * PCAP files of the demo's traffic (libpcap format, Ethernet). Each TCP call becomes a real
 * conversation (handshake, request, response, close) with its protocol's wire format where that is
 * simple (HTTP/1.1, RESP, PostgreSQL simple query, DNS); refused connections are a SYN and a RST.
 */
import type { ApiCall, L4Flow, Peer } from "./types.ts";

const encoder = new TextEncoder();

const SYN = 0x02;
const RST = 0x04;
const PSH = 0x08;
const ACK = 0x10;
const FIN = 0x01;

/** Accumulates frames, and lays them out in time order (conversations interleave). */
class PcapWriter {
  #frames: { tsUs: number; frame: Uint8Array }[] = [];

  get packets(): number {
    return this.#frames.length;
  }

  /** Adds one frame captured at `tsUs` (µs since the epoch). */
  frame(tsUs: number, frame: Uint8Array): void {
    this.#frames.push({ tsUs, frame });
  }

  bytes(): Uint8Array<ArrayBuffer> {
    // A stable sort keeps each conversation's packets in order at equal timestamps.
    const frames = [...this.#frames].sort((a, b) => a.tsUs - b.tsUs);
    const out = new Uint8Array(24 + frames.reduce((sum, f) => sum + 16 + f.frame.length, 0));
    const view = new DataView(out.buffer);
    view.setUint32(0, 0xa1b2c3d4, true); // microsecond timestamps
    view.setUint16(4, 2, true);
    view.setUint16(6, 4, true);
    view.setUint32(16, 65535, true); // snaplen
    view.setUint32(20, 1, true); // LINKTYPE_ETHERNET
    let offset = 24;
    for (const { tsUs, frame } of frames) {
      view.setUint32(offset, Math.floor(tsUs / 1e6), true);
      view.setUint32(offset + 4, tsUs % 1e6, true);
      view.setUint32(offset + 8, frame.length, true);
      view.setUint32(offset + 12, frame.length, true);
      out.set(frame, offset + 16);
      offset += 16 + frame.length;
    }
    return out;
  }
}

/** Which packets a BPF-like filter keeps (the subset the demo understands). */
export type PacketFilter = (src: Peer, dst: Peer, proto: "tcp" | "udp") => boolean;

/** Writes the calls and refused flows in time order, keeping what `filter` accepts. */
export function buildPcap(
  calls: ApiCall[],
  refused: L4Flow[],
  filter: PacketFilter = () => true,
): { bytes: Uint8Array<ArrayBuffer>; packets: number } {
  const writer = new PcapWriter();
  for (const call of calls) {
    if (filter(call.src, call.dst, call.proto === "dns" ? "udp" : "tcp")) writeCall(writer, call);
  }
  for (const flow of refused) {
    if (filter(flow.client, flow.server, "tcp")) writeRefused(writer, flow);
  }
  return { bytes: writer.bytes(), packets: writer.packets };
}

function writeCall(writer: PcapWriter, call: ApiCall): void {
  const [request, response] = payloads(call);
  const t0 = call.ts * 1000;
  const t1 = t0 + call.elapsedUs;
  if (call.proto === "dns") {
    writer.frame(t0, udpFrame(call.src, call.dst, request));
    writer.frame(t1, udpFrame(call.dst, call.src, response));
    return;
  }
  // Each call its own sequence space: keep-alive calls share ports, not conversations.
  const clientIsn = isn(call.id, 1);
  const serverIsn = isn(call.id, 2);
  let c = clientIsn;
  let s = serverIsn;
  const toServer = (ts: number, flags: number, data: Uint8Array = new Uint8Array()) => {
    writer.frame(ts, tcpFrame(call.src, call.dst, c, s, flags, data));
    c += data.length + (flags & (SYN | FIN) ? 1 : 0);
  };
  const toClient = (ts: number, flags: number, data: Uint8Array = new Uint8Array()) => {
    writer.frame(ts, tcpFrame(call.dst, call.src, s, c, flags, data));
    s += data.length + (flags & (SYN | FIN) ? 1 : 0);
  };
  writer.frame(t0 - 300, tcpFrame(call.src, call.dst, c, 0, SYN));
  c += 1;
  toClient(t0 - 200, SYN | ACK);
  toServer(t0 - 100, ACK);
  toServer(t0, PSH | ACK, request);
  toClient(t1, PSH | ACK, response);
  toServer(t1 + 50, FIN | ACK);
  toClient(t1 + 100, FIN | ACK);
  toServer(t1 + 150, ACK);
}

function isn(id: string, salt: number): number {
  let hash = 2166136261 ^ salt;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 16777619);
  return hash >>> 0;
}

function writeRefused(writer: PcapWriter, flow: L4Flow): void {
  const isn = (flow.client.port * 7919) >>> 0;
  writer.frame(flow.firstTs * 1000, tcpFrame(flow.client, flow.server, isn, 0, SYN));
  writer.frame(
    flow.firstTs * 1000 + 120,
    tcpFrame(flow.server, flow.client, 0, isn + 1, RST | ACK),
  );
}

/** The request and response bytes of a call in its protocol's wire format. */
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

function tcpFrame(
  src: Peer,
  dst: Peer,
  seq: number,
  ack: number,
  flags: number,
  data: Uint8Array = new Uint8Array(),
): Uint8Array {
  const tcp = new Uint8Array(20 + data.length);
  const view = new DataView(tcp.buffer);
  view.setUint16(0, src.port);
  view.setUint16(2, dst.port);
  view.setUint32(4, seq >>> 0);
  view.setUint32(8, ack >>> 0);
  tcp[12] = 5 << 4;
  tcp[13] = flags;
  view.setUint16(14, 64240);
  tcp.set(data, 20);
  view.setUint16(16, transportChecksum(src.ip, dst.ip, 6, tcp));
  return ethernet(ipv4(src.ip, dst.ip, 6, tcp));
}

function udpFrame(src: Peer, dst: Peer, data: Uint8Array): Uint8Array {
  const udp = new Uint8Array(8 + data.length);
  const view = new DataView(udp.buffer);
  view.setUint16(0, src.port);
  view.setUint16(2, dst.port);
  view.setUint16(4, udp.length);
  udp.set(data, 8);
  view.setUint16(6, transportChecksum(src.ip, dst.ip, 17, udp) || 0xffff);
  return ethernet(ipv4(src.ip, dst.ip, 17, udp));
}

function ipv4(src: string, dst: string, protocol: number, payload: Uint8Array): Uint8Array {
  const packet = new Uint8Array(20 + payload.length);
  const view = new DataView(packet.buffer);
  packet[0] = 0x45;
  view.setUint16(2, packet.length);
  view.setUint16(6, 0x4000); // don't fragment
  packet[8] = 64;
  packet[9] = protocol;
  packet.set(address(src), 12);
  packet.set(address(dst), 16);
  view.setUint16(10, checksum(packet.subarray(0, 20)));
  packet.set(payload, 20);
  return packet;
}

function ethernet(payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(14 + payload.length);
  frame.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00]);
  frame.set(payload, 14);
  return frame;
}

function transportChecksum(src: string, dst: string, protocol: number, segment: Uint8Array) {
  const pseudo = concat(
    address(src),
    address(dst),
    new Uint8Array([0, protocol]),
    u16(segment.length),
  );
  return checksum(concat(pseudo, segment));
}

function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) + (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function address(ip: string): Uint8Array {
  return new Uint8Array(ip.split(".").map(Number));
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
