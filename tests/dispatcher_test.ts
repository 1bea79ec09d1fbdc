/** The dispatcher in-process: what it sends for each message, against a Hub double. */
import assert from "node:assert/strict";
import { createModeAccess } from "../lib/access.ts";
import { parseCommandLine } from "../lib/cli.ts";
import { Dispatcher } from "../lib/dispatcher.ts";
import { Logger } from "../lib/log.ts";
import { Session } from "../lib/session.ts";
import { HubDouble } from "./support/hub_double.ts";

async function withDispatcher(
  body: (d: { dispatcher: Dispatcher; sent: unknown[]; hub: HubDouble }) => Promise<void>,
): Promise<void> {
  const hub = new HubDouble();
  const log = new Logger();
  log.setStderrLevel("emergency");
  const { config } = await parseCommandLine(["--url", hub.url, "--hub-timeout", "2"]);
  const session = new Session(config, log, createModeAccess(config, log));
  const sent: unknown[] = [];
  const dispatcher = new Dispatcher(session, (message) => sent.push(message));
  try {
    await body({ dispatcher, sent, hub });
  } finally {
    dispatcher.abortAll();
    await dispatcher.drain(1_000);
    session.close();
    await hub.close();
  }
}

// deno-lint-ignore no-explicit-any
type Sent = any;

Deno.test("each request gets exactly one response; notifications get none", async () => {
  await withDispatcher(async ({ dispatcher, sent }) => {
    dispatcher.receive({ jsonrpc: "2.0", id: 1, method: "ping" });
    dispatcher.receive({ jsonrpc: "2.0", method: "notifications/initialized" });
    dispatcher.receive({ jsonrpc: "2.0", id: 2, method: "prompts/list" });
    await dispatcher.drain(5_000);
    const responses = sent.filter((m: Sent) => !m.method);
    assert.deepEqual(responses.map((m: Sent) => m.id).sort(), [1, 2]);
  });
});

Deno.test("no notification is sent before initialize has been answered", async () => {
  await withDispatcher(async ({ dispatcher, sent }) => {
    dispatcher.receive({ jsonrpc: "2.0", id: 1, method: "tools/list" });
    await dispatcher.drain(5_000);
    assert.equal(sent.filter((m: Sent) => m.method).length, 0);
  });
});

Deno.test("a response from the client (to nothing we asked) is ignored", async () => {
  await withDispatcher(async ({ dispatcher, sent }) => {
    dispatcher.receive({ jsonrpc: "2.0", id: 77, result: {} });
    dispatcher.receive({ jsonrpc: "2.0", id: 78, error: { code: 1, message: "x" } });
    await dispatcher.drain(1_000);
    assert.deepEqual(sent, []);
  });
});

Deno.test("cancelling one request leaves the others to complete", async () => {
  await withDispatcher(async ({ dispatcher, sent, hub }) => {
    hub.routes.push((_r, url) => url.pathname.endsWith("/tools/call") ? hub.hang() : undefined);
    dispatcher.receive({
      jsonrpc: "2.0",
      id: "slow",
      method: "tools/call",
      params: { name: "list_workloads" },
    });
    dispatcher.receive({ jsonrpc: "2.0", id: "quick", method: "ping" });
    while (hub.hanging === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    dispatcher.receive({
      jsonrpc: "2.0",
      method: "notifications/cancelled",
      params: { requestId: "slow" },
    });
    await dispatcher.drain(5_000);
    assert.deepEqual(sent.map((m: Sent) => m.id), ["quick"]);
  });
});

Deno.test("a Hub tool named like a local tool is not listed twice", async () => {
  await withDispatcher(async ({ dispatcher, sent, hub }) => {
    hub.document = {
      name: "hub",
      tools: [{ name: "get_file_url", description: "the Hub's own" }, { name: "list_workloads" }],
    };
    dispatcher.receive({ jsonrpc: "2.0", id: 1, method: "tools/list" });
    await dispatcher.drain(5_000);
    const names = (sent[0] as Sent).result.tools.map((t: Sent) => t.name);
    assert.equal(names.filter((n: string) => n === "get_file_url").length, 1);
    assert.ok(names.includes("list_workloads"));
  });
});

Deno.test("the funnel turns any library error into isError, and a bug into a short isError", async () => {
  const { toolFailure } = await import("../lib/dispatcher.ts");
  const { KubeError } = await import("../lib/kube/api.ts");
  const { FileError } = await import("../lib/files.ts");
  const { HubError } = await import("../lib/hub/client.ts");
  const { McpError } = await import("../lib/errors.ts");
  const logged: string[] = [];
  const log = new Logger();
  log.setStderrLevel("emergency");
  log.connectClient((_level, data) => logged.push(String(data)));
  log.setClientLevel("debug");
  for (
    const error of [
      new KubeError("forbidden", "pods is forbidden: ask for get on pods"),
      new FileError("exists", "x already exists; pass overwrite: true"),
      new HubError("timeout", "The Hub did not answer within 30 s."),
    ]
  ) {
    assert.deepEqual(toolFailure("t", error, log), {
      content: [{ type: "text", text: error.message }],
      isError: true,
    });
  }
  const bug = toolFailure("t", new TypeError("x.y is undefined"), log);
  assert.equal(bug.isError, true);
  assert.match(
    bug.content[0].text,
    /^t failed unexpectedly \(x\.y is undefined\)\. The server's log/,
  );
  assert.doesNotMatch(bug.content[0].text, /at .*\.ts:\d+/, "a stack reached the client's text");
  assert.ok(
    logged.some((line) => /TypeError: x\.y is undefined\n\s+at /.test(line)),
    "no stack logged",
  );
  assert.throws(() => toolFailure("t", new McpError("invalid_params", "bad"), log), McpError);
});

Deno.test("progress only ever increases: repeated and smaller reports are dropped, none after cancel", async () => {
  const { progressSender } = await import("../lib/dispatcher.ts");
  const sent: { params: { progress: number } }[] = [];
  const controller = new AbortController();
  const report = progressSender("p1", controller.signal, (m) => sent.push(m as never));
  for (const value of [1, 1, 0.5, 2, 3, 2.5, 3]) report(value, 10);
  controller.abort();
  report(4, 10);
  assert.deepEqual(sent.map((m) => m.params.progress), [1, 2, 3]);
  const silent: unknown[] = [];
  progressSender(undefined, new AbortController().signal, (m) => silent.push(m))(1);
  assert.deepEqual(silent, []);
});
