/**
 * `@modelcontextprotocol/client` 2.4.0 drives the real server over stdio in its three negotiation
 * modes (legacy, auto, pinned 2026-07-28): discovery, lists, a Hub call, a prompt, a resource,
 * list_changed once the Hub appears, progress, cancellation and tasks. The 1.x SDK test
 * (sdk_client_test.ts) stays as it is beside these.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { HUB_DOCUMENT, HubDouble } from "./support/hub_double.ts";
import { freePort } from "./support/harness.ts";
import { connectClient, type Mode, MODERN, MODES, rawRequest } from "./support/sdk2.ts";

const LOCAL = ["check_kubeshark_status", "get_file_url", "download_file"];

function expectedVersion(mode: Mode): string {
  return mode === "legacy" ? "2025-11-25" : MODERN;
}

for (const mode of MODES) {
  Deno.test(`2.4.0 client (${mode}): connects, lists, calls the Hub, reads a prompt and a resource, sees list_changed`, async () => {
    const port = freePort();
    let notified = () => {};
    const listChanged = new Promise<void>((resolve) => notified = resolve);
    const client = await connectClient(mode, ["--url", `http://127.0.0.1:${port}`], {
      listChanged: { tools: { autoRefresh: false, onChanged: () => notified() } },
    });
    let hub: HubDouble | undefined;
    try {
      assert.equal(client.getNegotiatedProtocolVersion(), expectedVersion(mode));
      assert.equal(client.getServerVersion()?.name, "kubeshark-mcp");
      assert.ok(client.getServerCapabilities()?.tools?.listChanged);
      assert.match(client.getInstructions() ?? "", /check_kubeshark_status/);
      if (mode !== "legacy") {
        assert.ok(client.getDiscoverResult()?.supportedVersions.includes(MODERN));
      }

      const before = await client.listTools();
      assert.deepEqual(before.tools.map((tool) => tool.name), LOCAL);

      // The Hub appears after the server started: its tools arrive with list_changed (through
      // subscriptions/listen in the modern era).
      hub = new HubDouble(port);
      await listChanged;
      const after = await client.listTools(undefined, { cacheMode: "refresh" });
      assert.equal(after.tools.length, LOCAL.length + HUB_DOCUMENT.tools.length);
      const download = after.tools.find((tool) => tool.name === "download_file");
      assert.ok(download?.title, "local tools have titles");
      assert.ok(download?.outputSchema, "local JSON tools declare an outputSchema");
      assert.ok(download?.icons?.length, "local tools have icons");

      const call = await client.callTool({
        name: "list_workloads",
        arguments: { namespace: "shop" },
      });
      assert.equal(call.isError, undefined);
      assert.deepEqual(call.structuredContent, {
        tool: "list_workloads",
        arguments: { namespace: "shop" },
        items: [1, 2, 3],
      });

      const prompts = await client.listPrompts();
      assert.deepEqual(prompts.prompts.map((prompt) => prompt.name), [
        "kubeshark_usage",
        "find_errors",
        "trace_request",
      ]);
      const prompt = await client.getPrompt({
        name: "find_errors",
        arguments: { namespace: "shop" },
      });
      const content = prompt.messages[0].content;
      assert.match(content.type === "text" ? content.text : "", /^Task: find_errors/);

      const resources = await client.listResources();
      assert.deepEqual(resources.resources.map((resource) => resource.uri), [
        "kubeshark://docs/kfl2",
      ]);
      const read = await client.readResource({ uri: "kubeshark://docs/kfl2" });
      const first = read.contents[0];
      assert.match("text" in first ? first.text : "", /KFL2/);
    } finally {
      await client.close();
      await hub?.close();
    }
  });

  Deno.test(`2.4.0 client (${mode}): progress arrives for a download, and a cancelled call leaves the server responsive`, async () => {
    const hub = new HubDouble();
    const hang = Promise.withResolvers<void>();
    hub.routes.push((_request, url) => {
      if (url.pathname === "/api/snapshots/s1/big.pcap") return slowFile();
      if (url.pathname !== "/api/mcp/tools/call") return undefined;
      hang.resolve();
      return hub.hang();
    });
    const dir = await Deno.makeTempDir();
    const client = await connectClient(mode, ["--url", hub.url, "--download-dir", dir]);
    try {
      const progress: number[] = [];
      const saved = await client.callTool(
        { name: "download_file", arguments: { path: "/snapshots/s1/big.pcap" } },
        { onprogress: (update) => progress.push(update.progress) },
      );
      assert.equal(saved.isError, undefined);
      assert.equal((saved.structuredContent as { size: number }).size, SLOW_FILE_BYTES);
      assert.ok(progress.length >= 1, "at least one progress notification");
      assert.deepEqual(progress, [...progress].sort((a, b) => a - b), "progress increases");

      const abort = new AbortController();
      const pending = client.callTool({ name: "list_workloads", arguments: {} }, {
        signal: abort.signal,
      });
      await hang.promise;
      abort.abort("the user gave up");
      await assert.rejects(pending);
      const tools = await client.listTools(undefined, { cacheMode: "refresh" });
      assert.ok(tools.tools.length >= LOCAL.length, "the server still answers");
    } finally {
      await client.close();
      await hub.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

const MIB = 1 << 20;
const SLOW_FILE_BYTES = 3 * MIB;

/**
 * A 3 MiB file sent in 1 MiB pieces 150 ms apart, so progress notifications reach the client well
 * before the result. (The 2.4.0 client handles a notification a microtask after the line that
 * carried it, but a response at once: a progress line read in the same chunk as the response is
 * dropped. A file that arrives at once would make this test depend on pipe timing.)
 */
function slowFile(): Response {
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent === SLOW_FILE_BYTES) return controller.close();
      await new Promise((resolve) => setTimeout(resolve, 150));
      controller.enqueue(new Uint8Array(MIB).fill(0x61));
      sent += MIB;
    },
  });
  return new Response(body, { headers: { "content-length": String(SLOW_FILE_BYTES) } });
}

// --- tasks -----------------------------------------------------------------------------------

const Task2026 = z.looseObject({
  taskId: z.string(),
  status: z.enum(["working", "input_required", "completed", "failed", "cancelled"]),
  createdAt: z.string(),
  lastUpdatedAt: z.string(),
  ttlMs: z.number().nullable(),
  pollIntervalMs: z.number().optional(),
  statusMessage: z.string().optional(),
  result: z.looseObject({}).optional(),
});

const Task2025 = z.looseObject({
  taskId: z.string(),
  status: z.enum(["working", "input_required", "completed", "failed", "cancelled"]),
  createdAt: z.string(),
  lastUpdatedAt: z.string(),
  ttl: z.number().nullable(),
  pollInterval: z.number().optional(),
  statusMessage: z.string().optional(),
});

const TASKS_2026 = { extensions: { "io.modelcontextprotocol/tasks": {} } };
const TASKS_2025 = { tasks: { requests: { tools: { call: {} } }, cancel: {} } };

/** Starts a tool call as a task in the client's era; returns the task id. */
async function startTask(
  client: Awaited<ReturnType<typeof connectClient>>,
  mode: Mode,
  name: string,
  args: Record<string, unknown>,
): Promise<string> {
  if (mode === "legacy") {
    const created = await client.request(
      { method: "tools/call", params: { name, arguments: args, task: { ttl: 60_000 } } },
      z.looseObject({ task: Task2025 }),
    );
    assert.equal(created.task.status, "working");
    return created.task.taskId;
  }
  const response = await rawRequest(client, "tools/call", { name, arguments: args }, TASKS_2026);
  assert.equal(response.result?.resultType, "task", JSON.stringify(response));
  assert.equal(response.result.status, "working");
  assert.ok(Number.isInteger(response.result.pollIntervalMs));
  return response.result.taskId;
}

async function getTask(
  client: Awaited<ReturnType<typeof connectClient>>,
  mode: Mode,
  taskId: string,
) {
  return await client.request(
    { method: "tasks/get", params: { taskId } },
    mode === "legacy" ? Task2025 : Task2026,
  );
}

for (const mode of MODES) {
  Deno.test(`2.4.0 client (${mode}): a Hub export runs as a task, is polled to completion and links the file`, async () => {
    const hub = new HubDouble();
    const client = await connectClient(mode, ["--url", hub.url], {
      capabilities: mode === "legacy" ? TASKS_2025 : TASKS_2026,
    });
    try {
      const taskId = await startTask(client, mode, "export_snapshot_pcap", { id: "s1" });
      let task = await getTask(client, mode, taskId);
      for (let i = 0; i < 100 && task.status === "working"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 150));
        task = await getTask(client, mode, taskId);
      }
      assert.equal(task.status, "completed");
      const result = mode === "legacy"
        ? await client.request(
          { method: "tasks/result", params: { taskId } },
          z.looseObject({ content: z.array(z.looseObject({ type: z.string() })) }),
        )
        : (task as z.infer<typeof Task2026>).result!;
      const link = (result.content as { type: string; uri?: string }[]).find((item) =>
        item.type === "resource_link"
      );
      assert.equal(link?.uri, `${hub.url}/api/snapshots/s1/data.pcap`);
    } finally {
      await client.close();
      await hub.close();
    }
  });

  Deno.test(`2.4.0 client (${mode}): a task is created, polled while working, and cancelled`, async () => {
    const hub = new HubDouble();
    const reached = Promise.withResolvers<void>();
    hub.routes.push((_request, url) => {
      if (url.pathname !== "/api/mcp/tools/call") return undefined;
      reached.resolve();
      return hub.hang();
    });
    const client = await connectClient(mode, ["--url", hub.url], {
      capabilities: mode === "legacy" ? TASKS_2025 : TASKS_2026,
    });
    try {
      const taskId = await startTask(client, mode, "create_snapshot", {});
      await reached.promise;
      assert.equal((await getTask(client, mode, taskId)).status, "working");
      await client.request(
        { method: "tasks/cancel", params: { taskId } },
        z.looseObject({}),
      );
      const task = await getTask(client, mode, taskId);
      assert.equal(task.status, "cancelled");
      // The same tool without the tasks capability runs as before: a plain result.
      hub.routes = [];
      const plain = await connectClient(mode, ["--url", hub.url]);
      try {
        const result = await plain.callTool({ name: "create_snapshot", arguments: {} });
        assert.equal(result.isError, undefined);
      } finally {
        await plain.close();
      }
    } finally {
      await client.close();
      await hub.close();
    }
  });
}
