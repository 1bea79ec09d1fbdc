/** The demo's PCAP exports, read back by real pcap readers (tcpdump; tshark when installed). */
import assert from "node:assert/strict";
import { createDemoHub } from "../lib/demo/hub.ts";
import { demoData } from "../lib/demo/mod.ts";
import { HubClient } from "../lib/hub/client.ts";

function installed(tool: string): boolean {
  try {
    return new Deno.Command(tool, { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

const HAS_TCPDUMP = installed("tcpdump");
const HAS_TSHARK = installed("tshark");
// CI installs tcpdump (.ci/run); elsewhere the reader tests are skipped when it is missing.
const IN_CI = Deno.env.get("CI") === "true";
if (!HAS_TCPDUMP && !IN_CI) console.error("pcap_test: tcpdump not installed; reader tests skipped");

async function exportPcap(
  args: Record<string, unknown>,
  client = new HubClient("http://kubeshark-demo.invalid", { transport: createDemoHub() }),
) {
  const exported = (await client.callTool("export_snapshot_pcap", args)).json as {
    path: string;
    packets: number;
  };
  const bytes = new Uint8Array(await (await client.openFile(exported.path)).arrayBuffer());
  const file = await Deno.makeTempFile({ suffix: ".pcap" });
  await Deno.writeFile(file, bytes);
  return { file, packets: exported.packets };
}

async function run(tool: string, args: string[]) {
  const output = await new Deno.Command(tool, { args, stdout: "piped", stderr: "piped" }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

Deno.test({
  name: "tcpdump reads every packet of a snapshot's PCAP",
  ignore: !HAS_TCPDUMP && !IN_CI,
  fn: async () => {
    const { file, packets } = await exportPcap({ snapshot_id: "snap-before-deploy" });
    try {
      const { code, stdout, stderr } = await run("tcpdump", ["-nn", "-r", file]);
      assert.equal(code, 0, stderr);
      assert.doesNotMatch(stderr, /truncated|bogus|bad/i);
      assert.equal(stdout.trim().split("\n").length, packets);
      assert.match(stdout, /Flags \[S\]/);
      assert.match(stdout, /Flags \[R\.\]/, "the refused connections are in the capture");
    } finally {
      await Deno.remove(file);
    }
  },
});

Deno.test({
  name: "a bpf_filter export holds only matching packets, as tcpdump sees them",
  ignore: !HAS_TCPDUMP && !IN_CI,
  fn: async () => {
    const { file, packets } = await exportPcap({
      snapshot_id: "snap-before-deploy",
      bpf_filter: "port 53",
    });
    try {
      const { stdout } = await run("tcpdump", ["-nn", "-r", file]);
      const lines = stdout.trim().split("\n");
      assert.equal(lines.length, packets);
      assert.ok(lines.every((line) => /\.53[: ]/.test(line)), "a packet without port 53");
      const again = await run("tcpdump", ["-nn", "-r", file, "not", "port", "53"]);
      assert.equal(again.stdout.trim(), "");
    } finally {
      await Deno.remove(file);
    }
  },
});

Deno.test({
  name: "tshark decodes the HTTP requests and the NXDOMAIN answers",
  ignore: !HAS_TSHARK,
  fn: async () => {
    const { file } = await exportPcap({ snapshot_id: "snap-after-deploy" });
    try {
      const snapshot = demoData().snapshots[1];
      const inWindow = demoData().calls.filter((c) =>
        c.ts >= snapshot.startTs && c.ts < snapshot.endTs
      );
      const http = await run("tshark", [
        "-r",
        file,
        "-Y",
        "http.request",
        "-T",
        "fields",
        "-e",
        "http.request.method",
      ]);
      assert.equal(http.code, 0, http.stderr);
      assert.equal(
        http.stdout.trim().split("\n").length,
        inWindow.filter((c) => c.proto === "http").length,
      );
      const nxdomain = await run("tshark", [
        "-r",
        file,
        "-Y",
        "dns.flags.rcode == 3 && dns.flags.response == 1",
      ]);
      assert.equal(
        nxdomain.stdout.trim().split("\n").filter(Boolean).length,
        inWindow.filter((c) => c.dns?.rcodeName === "NXDOMAIN").length,
      );
    } finally {
      await Deno.remove(file);
    }
  },
});

Deno.test("PCAP records are in time order", async () => {
  const { file, packets } = await exportPcap({ snapshot_id: "snap-before-deploy" });
  try {
    const bytes = await Deno.readFile(file);
    const view = new DataView(bytes.buffer);
    let offset = 24;
    let last = 0;
    let count = 0;
    while (offset < bytes.length) {
      const ts = view.getUint32(offset, true) * 1e6 + view.getUint32(offset + 4, true);
      assert.ok(ts >= last, `packet ${count} goes back in time`);
      last = ts;
      offset += 16 + view.getUint32(offset + 8, true);
      count++;
    }
    assert.equal(count, packets);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("an export is built once: the tool and the file route serve the same cached bytes", async () => {
  const { DemoState } = await import("../lib/demo/state.ts");
  const { exportSnapshotPcap } = await import("../lib/demo/tools/snapshots.ts");
  const { snapshotPcap } = await import("../lib/demo/exports.ts");
  const state = new DemoState(() => Promise.resolve(demoData()));
  await state.load();
  let builds = 0;
  const build = state.export.bind(state);
  state.export = (key, make) =>
    build(key, () => {
      builds++;
      return make();
    });
  const args = { snapshot_id: "snap-before-deploy", bpf_filter: "tcp  and port 8080", nodes: [] };
  const first = await exportSnapshotPcap.handler(args as never, state) as { path: string };
  const query = new URL(first.path, "http://hub.invalid/api/").searchParams;
  const served = await snapshotPcap(state, "snap-before-deploy", query);
  const again = await snapshotPcap(state, "snap-before-deploy", query);
  assert.equal(served, again);
  await exportSnapshotPcap.handler(args as never, state);
  assert.equal(builds, 1, "built once for the tool, the file route and a repeated export");
  await snapshotPcap(state, "snap-before-deploy", new URLSearchParams({ bpf_filter: "udp" }));
  assert.equal(builds, 2, "other options are another export");
});

Deno.test({
  name: "tcpdump sees one SYN per TCP flow: reused connections are one conversation each",
  ignore: !HAS_TCPDUMP && !IN_CI,
  fn: async () => {
    const client = new HubClient("http://kubeshark-demo.invalid", { transport: createDemoHub() });
    const all = (await client.callTool("create_snapshot", {})).json as { id: string };
    const { file } = await exportPcap({ snapshot_id: all.id }, client);
    try {
      const { stdout } = await run("tcpdump", ["-nn", "-r", file, "tcp[tcpflags] == tcp-syn"]);
      const syns = stdout.trim().split("\n").filter(Boolean).length;
      const tcpFlows = demoData().flows.filter((f) => f.proto === "tcp");
      assert.equal(syns, tcpFlows.length);
      const tcpCalls = demoData().calls.filter((c) => c.proto !== "dns").length;
      assert.ok(tcpCalls > syns, "keep-alive: fewer handshakes than calls");
    } finally {
      await Deno.remove(file);
    }
  },
});
