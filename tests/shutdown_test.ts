/**
 * Shutdown over real stdio: stdin EOF, SIGTERM and SIGINT end the process with 0 promptly even
 * while a Hub call hangs; a second signal ends it at once. Deadlines here are generous bounds
 * against hanging, not timing figures (bench/shutdown.ts measures those).
 */
import assert from "node:assert/strict";
import { withHubAndServer } from "./support/harness.ts";
import { downloadStarted, endlessFile, type HubDouble } from "./support/hub_double.ts";
import type { McpProcess } from "./support/mcp_process.ts";
import { mainCommand, waitUntil } from "./support/spawn.ts";

/**
 * The process must end before this after being asked to stop. Not a timing figure: typical is
 * ~50 ms after a signal and ~600 ms after EOF (its 500 ms grace); the bound sits below the fixed
 * 2 s grace this replaced, so a return of that fails here, and far above any normal run.
 */
const EXIT_DEADLINE_MS = 1_800;

/** Resolves with the exit status, or fails (killing the process) after `ms`. */
async function exitWithin(child: Deno.ChildProcess, ms: number): Promise<Deno.CommandStatus> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => timer = setTimeout(() => resolve("late"), ms));
  const status = await Promise.race([child.status, late]);
  clearTimeout(timer);
  if (status === "late") {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await child.status;
    assert.fail(`the server was still running ${ms} ms after being asked to stop`);
  }
  return status;
}

/** Starts a tools/call the Hub never answers; resolves once the Hub holds it. */
async function startHungCall(server: McpProcess, hub: HubDouble): Promise<number> {
  hub.routes.push((_request, url) =>
    url.pathname === "/api/mcp/tools/call" ? hub.hang() : undefined
  );
  await server.initialize();
  const id = server.nextId();
  await server.send({
    jsonrpc: "2.0",
    id,
    method: "tools/call",
    params: { name: "list_workloads", arguments: {} },
  });
  await waitUntil(() => hub.hanging === 1, "the Hub to receive the call");
  return id;
}

for (const how of ["stdin EOF", "SIGTERM", "SIGINT", "SIGHUP"] as const) {
  Deno.test(`${how} while a Hub call hangs ends the server with 0, leaving the call unanswered`, async () => {
    await withHubAndServer(async (server, hub) => {
      const id = await startHungCall(server, hub);
      // close() ends stdin and waits; for the signals stdin stays open.
      const closed = how === "stdin EOF" ? server.close() : undefined;
      if (how !== "stdin EOF") server.child.kill(how);
      const status = await exitWithin(server.child, EXIT_DEADLINE_MS);
      await closed;
      assert.equal(status.code, 0, `exit code; stderr:\n${server.stderr}`);
      assert.equal(
        server.received.some((m) => m.id === id),
        false,
        "the aborted call was answered",
      );
    });
  });
}

Deno.test("SIGTERM with stdin still open ends an idle server with 0", async () => {
  await withHubAndServer(async (server) => {
    await server.initialize();
    server.child.kill("SIGTERM");
    assert.equal((await exitWithin(server.child, EXIT_DEADLINE_MS)).code, 0);
  });
});

Deno.test("a second SIGTERM while shutdown waits on a client that stopped reading exits at once with 143", async () => {
  // Nobody reads this process's stdout: once the pipe is full, writing the queued answers blocks,
  // which is what holds the first shutdown; the second signal must not wait for it.
  const child = mainCommand(["--demo"], { stdin: "piped" }).spawn();
  let stderr = "";
  const stderrDone = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) stderr += chunk;
  })();
  const writer = child.stdin.getWriter();
  try {
    const ping = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }) + "\n";
    // About 700 KB of answers: far more than a pipe holds.
    await writer.write(new TextEncoder().encode(ping.repeat(20_000)));
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill("SIGTERM");
    await waitUntil(
      () => stderr.includes("SIGTERM: shutting down"),
      "the first SIGTERM's log line",
    );
    child.kill("SIGTERM");
    const status = await exitWithin(child, EXIT_DEADLINE_MS);
    assert.equal(status.code, 143, `exit code; stderr:\n${stderr}`);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await child.status;
    await writer.close().catch(() => {});
    await child.stdout.cancel();
    await stderrDone;
  }
});

for (const how of ["stdin EOF", "SIGTERM", "SIGINT", "SIGHUP"] as const) {
  Deno.test(`${how} during a download ends the server with 0 and leaves no partial file`, async () => {
    // Three rounds: without waiting for the aborted download's cleanup, the process exits before
    // it removes its file most of the time, not every time.
    for (let round = 0; round < 3; round++) {
      const dir = await Deno.makeTempDir();
      try {
        await withHubAndServer(async (server, hub) => {
          hub.routes.push((_request, url) =>
            url.pathname.endsWith("/data.pcap") ? endlessFile() : undefined
          );
          await server.initialize();
          await server.send({
            jsonrpc: "2.0",
            id: server.nextId(),
            method: "tools/call",
            params: { name: "download_file", arguments: { path: "/snapshots/s1/data.pcap" } },
          });
          await downloadStarted(dir);
          const closed = how === "stdin EOF" ? server.close() : undefined;
          if (how !== "stdin EOF") server.child.kill(how);
          const status = await exitWithin(server.child, EXIT_DEADLINE_MS);
          await closed;
          assert.equal(status.code, 0, `exit code; stderr:\n${server.stderr}`);
          assert.deepEqual([...Deno.readDirSync(dir)].map((entry) => entry.name), []);
        }, { args: ["--download-dir", dir] });
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    }
  });
}

Deno.test("SIGTERM during a download run as a task ends the server with 0 and leaves no partial file", async () => {
  for (let round = 0; round < 2; round++) {
    const dir = await Deno.makeTempDir();
    try {
      await withHubAndServer(async (server, hub) => {
        hub.routes.push((_request, url) =>
          url.pathname.endsWith("/data.pcap") ? endlessFile() : undefined
        );
        await server.request("initialize", {
          protocolVersion: "2025-11-25",
          capabilities: { tasks: { requests: { tools: { call: {} } }, cancel: {} } },
          clientInfo: { name: "test", version: "1" },
        });
        await server.notify("notifications/initialized");
        const created = await server.request("tools/call", {
          name: "download_file",
          arguments: { path: "/snapshots/s1/data.pcap" },
          task: { ttl: 60_000 },
        });
        assert.equal(created.result?.task?.status, "working", JSON.stringify(created));
        await downloadStarted(dir);
        server.child.kill("SIGTERM");
        const status = await exitWithin(server.child, EXIT_DEADLINE_MS);
        assert.equal(status.code, 0, `exit code; stderr:\n${server.stderr}`);
        assert.deepEqual([...Deno.readDirSync(dir)].map((entry) => entry.name), []);
      }, { args: ["--download-dir", dir] });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});
