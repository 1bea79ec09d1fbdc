/** The task store and the sealed requestState, below the wire. */
import assert from "node:assert/strict";
import { REQUEST_STATE_TTL_MS, sealState, verifyState } from "../lib/request_state.ts";
import { TASK_TTL_MS, TaskStore } from "../lib/tasks.ts";

const fail = (error: unknown) => ({ code: -32603, message: String(error) });

Deno.test("a task exists as soon as it is created and keeps the work's result once done", async () => {
  const store = new TaskStore();
  const gate = Promise.withResolvers<void>();
  const task = store.create(async () => {
    await gate.promise;
    return { content: [{ type: "text", text: "done" }] };
  }, { fail });
  assert.equal(store.get(task.taskId)?.status, "working");
  gate.resolve();
  const settled = await store.settled(task.taskId);
  assert.equal(settled?.status, "completed");
  assert.deepEqual(settled?.result?.content, [{ type: "text", text: "done" }]);
});

Deno.test("cancelling a task aborts its work's signal and it stays cancelled", async () => {
  const store = new TaskStore();
  let aborted = false;
  const task = store.create(({ signal }) =>
    new Promise((_, reject) => {
      signal.addEventListener("abort", () => {
        aborted = true;
        reject(signal.reason);
      });
    }), { fail });
  store.cancel(task.taskId);
  const settled = await store.settled(task.taskId);
  assert.ok(aborted, "the work saw the abort");
  assert.equal(settled?.status, "cancelled");
});

Deno.test("a task that throws is failed with the error the store is told to give", async () => {
  const store = new TaskStore();
  const task = store.create(() => Promise.reject(new Error("boom")), { fail });
  const settled = await store.settled(task.taskId);
  assert.equal(settled?.status, "failed");
  assert.match(settled?.error?.message ?? "", /boom/);
});

Deno.test("a task's TTL is the client's when shorter, never longer than ours", () => {
  const store = new TaskStore();
  const work = () => new Promise<never>(() => {});
  assert.equal(store.create(work, { fail, ttlMs: 1_000 }).ttlMs, 1_000);
  assert.equal(store.create(work, { fail, ttlMs: TASK_TTL_MS * 10 }).ttlMs, TASK_TTL_MS);
  store.abortAll();
});

Deno.test("a sealed requestState verifies only for the same call, and not once expired", async () => {
  const subject = { method: "tools/call", name: "start_kubeshark", args: { a: 1, b: [2] } };
  const state = await sealState(subject);
  assert.ok(await verifyState(state, { ...subject, args: { b: [2], a: 1 } }), "key order is free");
  assert.equal(await verifyState(state, { ...subject, name: "stop_kubeshark" }), false);
  assert.equal(await verifyState(state, { ...subject, args: { a: 2, b: [2] } }), false);
  // Tampered: the MAC's first character changed (the last one also holds padding bits, which
  // the decoder ignores).
  const at = state.lastIndexOf(".") + 1;
  const tampered = state.slice(0, at) + (state[at] === "A" ? "B" : "A") + state.slice(at + 1);
  assert.equal(await verifyState(tampered, subject), false);
  assert.equal(await verifyState("not-a-state", subject), false);
  const later = Date.now() + REQUEST_STATE_TTL_MS + 1_000;
  assert.equal(await verifyState(state, subject, later), false);
});
