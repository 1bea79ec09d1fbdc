/** download_file over stdio: where files land, what is refused, integrity and progress. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { FILE_BYTES } from "./support/hub_double.ts";
import { textOf, withHubAndServer } from "./support/harness.ts";

const PCAP = "/snapshots/s1/data.pcap";

async function withDownloadDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

Deno.test("download_file saves to the download directory under a name unique to the export", async () => {
  await withDownloadDir(async (dir) => {
    await withHubAndServer(async (server, hub) => {
      await server.initialize();
      const result = await server.callTool("download_file", { path: PCAP });
      assert.equal(result.isError, undefined, textOf(result));
      const report = JSON.parse(textOf(result));
      assert.deepEqual(report, {
        url: `${hub.url}/api${PCAP}`,
        path: `${dir}/s1-data.pcap`,
        size: FILE_BYTES.length,
        sha256: sha256(FILE_BYTES),
      });
      assert.deepEqual(await Deno.readFile(`${dir}/s1-data.pcap`), FILE_BYTES);
      assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["s1-data.pcap"]);
    }, { args: ["--download-dir", dir] });
  });
});

Deno.test("download_file with no --download-dir saves in the working directory", async () => {
  await withDownloadDir(async (dir) => {
    await withHubAndServer(async (server) => {
      const result = await server.callTool("download_file", { path: PCAP });
      assert.equal(JSON.parse(textOf(result)).path, `${dir}/s1-data.pcap`);
    }, { cwd: dir });
  });
});

Deno.test("download_file saves to a custom dest, creating directories inside the root", async () => {
  await withDownloadDir(async (dir) => {
    await withHubAndServer(async (server) => {
      const result = await server.callTool("download_file", {
        path: PCAP,
        dest: "captures/today.pcap",
      });
      assert.equal(JSON.parse(textOf(result)).path, `${dir}/captures/today.pcap`);
      const intoDir = await server.callTool("download_file", { path: PCAP, dest: "captures/" });
      assert.equal(JSON.parse(textOf(intoDir)).path, `${dir}/captures/s1-data.pcap`);
      const absolute = await server.callTool("download_file", {
        path: PCAP,
        dest: `${dir}/abs.pcap`,
      });
      assert.equal(JSON.parse(textOf(absolute)).path, `${dir}/abs.pcap`);
    }, { args: ["--download-dir", dir] });
  });
});

Deno.test("download_file refuses a dest outside the download directory, asks the Hub nothing and writes nothing", async () => {
  await withDownloadDir(async (dir) => {
    await Deno.mkdir(`${dir}/root`);
    await Deno.symlink(dir, `${dir}/root/link-out`);
    await withHubAndServer(async (server, hub) => {
      for (
        const dest of [
          "../escape.pcap",
          `${dir}/escape.pcap`,
          "/etc/escape.pcap",
          "link-out/escape.pcap",
        ]
      ) {
        const result = await server.callTool("download_file", { path: PCAP, dest });
        assert.equal(result.isError, true, dest);
        assert.match(textOf(result), /outside the download directory/, dest);
      }
      assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["root"]);
      assert.equal(hub.requests.some((request) => request.path.endsWith("data.pcap")), false);
    }, { args: ["--download-dir", `${dir}/root`] });
  });
});

Deno.test("download_file saves a file whose name starts with two dots: it does not climb out", async () => {
  await withDownloadDir(async (dir) => {
    await withHubAndServer(async (server) => {
      const result = await server.callTool("download_file", { path: PCAP, dest: "..notes.pcap" });
      assert.equal(result.isError, undefined, textOf(result));
      assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["..notes.pcap"]);
    }, { args: ["--download-dir", dir] });
  });
});

Deno.test("download_file never overwrites unless asked", async () => {
  await withDownloadDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/s1-data.pcap`, "precious");
    await withHubAndServer(async (server) => {
      const refused = await server.callTool("download_file", { path: PCAP });
      assert.equal(refused.isError, true);
      assert.match(textOf(refused), /already exists; pass overwrite: true/);
      assert.equal(await Deno.readTextFile(`${dir}/s1-data.pcap`), "precious");
      const replaced = await server.callTool("download_file", { path: PCAP, overwrite: true });
      assert.equal(replaced.isError, undefined);
      assert.deepEqual(await Deno.readFile(`${dir}/s1-data.pcap`), FILE_BYTES);
    }, { args: ["--download-dir", dir] });
  });
});

Deno.test("download_file of a missing file is an isError result and leaves no partial file", async () => {
  await withDownloadDir(async (dir) => {
    await withHubAndServer(async (server) => {
      const result = await server.callTool("download_file", { path: "/snapshots/none/data.pcap" });
      assert.equal(result.isError, true);
      assert.match(textOf(result), /Hub API error \(404\)/);
      assert.deepEqual([...Deno.readDirSync(dir)], []);
    }, { args: ["--download-dir", dir] });
  });
});

Deno.test("download_file sends progress notifications when the client gives a progressToken", async () => {
  const big = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => i % 251);
  await withDownloadDir(async (dir) => {
    await withHubAndServer(async (server, hub) => {
      hub.routes.push((_r, url) => url.pathname === "/api/big.bin" ? new Response(big) : undefined);
      await server.initialize();
      const result = await server.callTool("download_file", { path: "/big.bin" }, {
        progressToken: "p1",
      });
      const report = JSON.parse(textOf(result));
      assert.equal(report.size, big.length);
      assert.equal(report.sha256, sha256(big));
      const progress = server.received.filter((m) => m.method === "notifications/progress");
      assert.ok(progress.length >= 2, `only ${progress.length} progress notifications`);
      assert.ok(progress.every((m) => m.params.progressToken === "p1"));
      const values = progress.map((m) => m.params.progress);
      assert.deepEqual(values, [...values].sort((a, b) => a - b), "progress must increase");
      assert.equal(values.at(-1), big.length);
      assert.equal(progress.at(-1)!.params.total, big.length);
    }, { args: ["--download-dir", dir] });
  });
});

Deno.test("download_file without a progressToken sends no progress", async () => {
  await withDownloadDir(async (dir) => {
    await withHubAndServer(async (server) => {
      await server.callTool("download_file", { path: PCAP });
      assert.equal(server.received.filter((m) => m.method === "notifications/progress").length, 0);
    }, { args: ["--download-dir", dir] });
  });
});

Deno.test("download_file with a missing path names the path argument", async () => {
  await withHubAndServer(async (server) => {
    const result = await server.callTool("download_file", { dest: "x" });
    assert.equal(result.isError, true);
    assert.match(textOf(result), /path/);
  });
});

Deno.test("download_file never creates folders through a symlink that leads out", async () => {
  await withDownloadDir(async (dir) => {
    await Deno.mkdir(`${dir}/root`);
    await Deno.mkdir(`${dir}/outside`);
    await Deno.symlink(`${dir}/outside`, `${dir}/root/link`);
    await withHubAndServer(async (server) => {
      const result = await server.callTool("download_file", {
        path: PCAP,
        dest: "link/newdir/sub/x.pcap",
      });
      assert.equal(result.isError, true);
      assert.match(textOf(result), /outside the download directory/);
      assert.deepEqual([...Deno.readDirSync(`${dir}/outside`)], []);
    }, { args: ["--download-dir", `${dir}/root`] });
  });
});

Deno.test("download_file of a body-less answer, or to an unusable dest, is an isError result", async () => {
  await withDownloadDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/exists.txt`, "x");
    await withHubAndServer(async (server, hub) => {
      hub.routes.push((_r, url) =>
        url.pathname === "/api/empty" ? new Response(null, { status: 204 }) : undefined
      );
      const empty = await server.callTool("download_file", { path: "/empty", dest: "e.bin" });
      assert.equal(empty.isError, true, JSON.stringify(empty));
      for (const dest of ["exists.txt/inner.bin", "a\u0000b"]) {
        const result = await server.callTool("download_file", { path: PCAP, dest });
        assert.equal(result.isError, true, dest);
      }
      assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["exists.txt"]);
    }, { args: ["--download-dir", dir] });
  });
});

Deno.test("download_file of an error answer whose body never ends times out", async () => {
  await withDownloadDir(async (dir) => {
    await withHubAndServer(async (server, hub) => {
      hub.routes.push((_r, url) =>
        url.pathname === "/api/stuck"
          ? new Response(new ReadableStream({ start() {} }), { status: 500 })
          : undefined
      );
      const result = await server.callTool("download_file", { path: "/stuck" });
      assert.equal(result.isError, true);
      assert.match(textOf(result), /did not answer within 0\.5 s/);
    }, { args: ["--download-dir", dir, "--hub-timeout", "0.5"] });
  });
});

Deno.test("download_file stops at --max-download-bytes and leaves no partial file", async () => {
  await withDownloadDir(async (dir) => {
    await withHubAndServer(async (server) => {
      const result = await server.callTool("download_file", { path: PCAP });
      assert.equal(result.isError, true);
      assert.match(
        textOf(result),
        /larger than the download limit of 2048 bytes.*--max-download-bytes/s,
      );
      assert.deepEqual([...Deno.readDirSync(dir)], []);
    }, { args: ["--download-dir", dir, "--max-download-bytes", "2KiB"] });
  });
});

Deno.test("download_file of a missing file says so even when a local file has the default name", async () => {
  await withDownloadDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/none-data.pcap`, "precious");
    await withHubAndServer(async (server) => {
      const result = await server.callTool("download_file", { path: "/snapshots/none/data.pcap" });
      assert.equal(result.isError, true);
      assert.match(textOf(result), /Hub API error \(404\)/);
      assert.doesNotMatch(textOf(result), /already exists/);
    }, { args: ["--download-dir", dir] });
  });
});

Deno.test("two exports of one snapshot with different filters get different default names", async () => {
  const { defaultName } = await import("../lib/files.ts");
  assert.equal(defaultName("/snapshots/s1/data.pcap"), "s1-data.pcap");
  const a = defaultName("/snapshots/s1/data.pcap?bpf=port%2080");
  const b = defaultName("/snapshots/s1/data.pcap?bpf=port%20443");
  assert.match(a, /^s1-data-[0-9a-f]{8}\.pcap$/);
  assert.notEqual(a, b);
});

Deno.test("download_file of a file whose connection drops midway says so, retry first, and saves nothing", async () => {
  await withDownloadDir(async (dir) => {
    await withHubAndServer(async (server, hub) => {
      hub.routes.push((_request, url) => {
        if (!url.pathname.endsWith("/data.pcap")) return undefined;
        return new Response(
          new ReadableStream<Uint8Array>({
            async pull(controller) {
              controller.enqueue(new Uint8Array(64 * 1024));
              await new Promise((resolve) => setTimeout(resolve, 20));
              controller.error(new Error("the Hub went away"));
            },
          }),
        );
      });
      const result = await server.callTool("download_file", { path: PCAP });
      assert.equal(result.isError, true);
      assert.match(textOf(result), /was cut off after \d+ bytes .*nothing was saved\. Retry/s);
      assert.deepEqual([...Deno.readDirSync(dir)], []);
    }, { args: ["--download-dir", dir] });
  });
});
