/** --demo and demo-hub as a user meets them: over stdio, and over HTTP. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { textOf, withServer } from "./support/harness.ts";
import { McpProcess } from "./support/mcp_process.ts";
import { mainCommand, runMain } from "./support/spawn.ts";

Deno.test("--demo: initialize says the data is synthetic and offers resources", async () => {
  await withServer(["--demo"], async (server) => {
    const result = await server.initialize();
    assert.match(result.instructions, /DEMO mode/);
    assert.match(result.instructions, /SYNTHETIC/);
    assert.match(result.instructions, /kubeshark:\/\/docs\/kfl2/);
    assert.deepEqual(result.capabilities.resources, {});
  });
});

Deno.test("--demo: the local tools and the demo Hub's 22 tools are listed, never start/stop", async () => {
  await withServer(["--demo", "--allow-destructive"], async (server) => {
    const { tools } = (await server.request("tools/list")).result;
    const names = tools.map((t: { name: string }) => t.name);
    assert.equal(names.length, 3 + 22);
    assert.ok(!names.includes("start_kubeshark"));
    const refusal = await server.callTool("start_kubeshark", {});
    assert.equal(refusal.isError, true);
    assert.match(textOf(refusal), /not available in demo mode/);
  });
});

Deno.test("--demo: check_kubeshark_status reports the in-process demo Hub", async () => {
  await withServer(["--demo"], async (server) => {
    await server.initialize();
    const status = await server.callTool("check_kubeshark_status", {});
    assert.equal(status.structuredContent.reachable, true);
    assert.equal(status.structuredContent.hub.name, "kubeshark-demo-hub");
    assert.match(textOf(status), /demo mode/);
    assert.equal(status.structuredContent.tools, 22);
  });
});

Deno.test("--demo: export a snapshot's PCAP and download it in-process", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    await withServer(["--demo", "--download-dir", dir], async (server) => {
      await server.initialize();
      const exported = JSON.parse(
        textOf(
          await server.callTool("export_snapshot_pcap", { snapshot_id: "snap-before-deploy" }),
        ),
      );
      const url = await server.callTool("get_file_url", { path: exported.path });
      assert.match(textOf(url), /^http:\/\/kubeshark-demo\.invalid\/api\/snapshots\//);
      assert.match(textOf(url), /Demo mode: nothing serves this address/);
      const saved = await server.callTool("download_file", {
        path: exported.path,
        dest: "before.pcap",
      });
      assert.equal(saved.isError, undefined, textOf(saved));
      const report = JSON.parse(textOf(saved));
      const bytes = await Deno.readFile(`${dir}/before.pcap`);
      assert.equal(report.size, bytes.length);
      assert.equal(report.sha256, createHash("sha256").update(bytes).digest("hex"));
      assert.deepEqual([...bytes.subarray(0, 4)], [0xd4, 0xc3, 0xb2, 0xa1]);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("resources: the KFL2 guide is listed and readable in every mode", async () => {
  for (const args of [["--demo"], ["--url", "http://127.0.0.1:9"], []]) {
    await withServer(args, async (server) => {
      const { resources } = (await server.request("resources/list")).result;
      assert.deepEqual(resources.map((r: { uri: string }) => r.uri), ["kubeshark://docs/kfl2"]);
      assert.equal(resources[0].mimeType, "text/markdown");
      const { contents } =
        (await server.request("resources/read", { uri: "kubeshark://docs/kfl2" })).result;
      assert.equal(contents[0].uri, "kubeshark://docs/kfl2");
      assert.match(contents[0].text, /# KFL2/);
      assert.match(contents[0].text, /status_code/);
      const templates = (await server.request("resources/templates/list")).result;
      assert.deepEqual(templates, { resourceTemplates: [] });
    });
  }
});

Deno.test("resources/read of an unknown URI answers -32002 naming it", async () => {
  await withServer([], async (server) => {
    const response = await server.request("resources/read", { uri: "kubeshark://nope" });
    assert.equal(response.error.code, -32002);
    assert.equal(response.error.data.uri, "kubeshark://nope");
    const bad = await server.request("resources/read", {});
    assert.equal(bad.error.code, -32602);
  });
});

Deno.test("demo-hub serves the Hub over HTTP for --url, PCAP URLs included", async () => {
  const hub = mainCommand(["demo-hub", "--listen", "127.0.0.1:0"]).spawn();
  const stderr = hub.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let log = "";
  let match: RegExpMatchArray | null = null;
  while (!(match = log.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/))) {
    const { value, done } = await stderr.read();
    if (done) assert.fail(`demo-hub exited: ${log}`);
    log += value;
  }
  const url = match[1];
  const server = new McpProcess(["--url", url]);
  try {
    await server.initialize();
    const { tools } = (await server.request("tools/list")).result;
    assert.equal(tools.length, 3 + 22);
    const stats = await server.callTool("get_api_stats", { group_by: "proto" });
    assert.ok(stats.structuredContent.calls > 1000);
    const exported = JSON.parse(
      textOf(
        await server.callTool("export_snapshot_pcap", {
          snapshot_id: "snap-after-deploy",
          bpf_filter: "tcp",
        }),
      ),
    );
    const link = textOf(await server.callTool("get_file_url", { path: exported.path }));
    assert.ok(link.startsWith(`${url}/api/snapshots/snap-after-deploy/data.pcap?`));
    const response = await fetch(link);
    assert.equal(response.status, 200);
    assert.equal((await response.arrayBuffer()).byteLength, exported.size_bytes);
  } finally {
    await server.kill();
    hub.kill("SIGTERM");
    const status = await hub.status;
    await stderr.cancel();
    await hub.stdout.cancel();
    assert.equal(status.code, 0);
  }
  assert.deepEqual(server.garbage, []);
});

Deno.test("--demo with --url, and --listen without demo-hub, are usage errors", async () => {
  for (
    const args of [["--demo", "--url", "http://127.0.0.1:1"], ["--listen", "127.0.0.1:1"], [
      "demo-hub",
      "--listen",
      "nowhere",
    ]]
  ) {
    const output = await runMain(args);
    assert.equal(output.code, 2, args.join(" "));
    assert.equal(output.stdout.length, 0);
  }
});
