import assert from "node:assert/strict";
import { deadline, lightDelay, lightTimeout } from "../lib/timers.ts";
import { waitUntil } from "./support/spawn.ts";

Deno.test("deadline aborts when the caller's signal does, and says the time did not run out", () => {
  const caller = new AbortController();
  const bound = deadline(caller.signal, 60_000);
  try {
    caller.abort("cancelled");
    assert.equal(bound.signal.aborted, true);
    assert.equal(bound.signal.reason, "cancelled");
    assert.equal(bound.timedOut(), false);
  } finally {
    bound.dispose();
  }
});

Deno.test("deadline aborts when its time runs out, and says so", async () => {
  const bound = deadline(new AbortController().signal, 10);
  try {
    await waitUntil(() => bound.signal.aborted, "the deadline to pass", 5_000);
    assert.equal(bound.timedOut(), true);
  } finally {
    bound.dispose();
  }
});

Deno.test("deadline starts aborted under a caller's signal that already is", () => {
  const bound = deadline(AbortSignal.abort("gone"), 60_000);
  bound.dispose();
  assert.equal(bound.signal.aborted, true);
  assert.equal(bound.signal.reason, "gone");
});

Deno.test("a disposed deadline leaves the caller's signal: neither its listener nor its timer stays", async () => {
  const caller = new AbortController();
  const bound = deadline(caller.signal, 10);
  bound.dispose();
  caller.abort();
  await new Promise((resolve) => setTimeout(resolve, 30));
  // Neither the caller's abort nor the cleared timer reached the call's signal.
  assert.equal(bound.signal.aborted, false);
  assert.equal(bound.timedOut(), false);
});

Deno.test("lightTimeout calls back after its time, and not at all once cancelled", async () => {
  const calls: string[] = [];
  lightTimeout(() => calls.push("kept"), 5);
  const cancel = lightTimeout(() => calls.push("cancelled"), 5);
  cancel();
  await lightDelay(30).promise;
  assert.deepEqual(calls, ["kept"]);
});

Deno.test("lightDelay's cancel resolves it at once", async () => {
  const wait = lightDelay(60_000);
  wait.cancel();
  await wait.promise; // Would hang the test (and fail its sanitizer deadline) without the cancel.
});

Deno.test("an infinite deadline arms no timer and follows the caller's signal", () => {
  const caller = new AbortController();
  const bound = deadline(caller.signal, Infinity);
  assert.equal(bound.signal.aborted, false);
  caller.abort("stop");
  assert.equal(bound.signal.aborted, true);
  assert.equal(bound.timedOut(), false);
  bound.dispose();
});
