/** Timers that never keep the process alive: stdin EOF must end it promptly. */

/** Calls `callback` after `ms` unless cancelled; returns the cancel function. */
export function unrefTimeout(callback: () => void, ms: number): () => void {
  const id = setTimeout(callback, ms);
  // Deno's timers are numbers at run time; Number() also satisfies Node's typings.
  Deno.unrefTimer(Number(id));
  return () => clearTimeout(id);
}

/** Resolves after `ms` (without keeping the process alive); `cancel` resolves it at once. */
export function delay(ms: number): { promise: Promise<void>; cancel: () => void } {
  let cancelTimer = () => {};
  let done = () => {};
  const promise = new Promise<void>((resolve) => {
    done = resolve;
    cancelTimer = unrefTimeout(resolve, ms);
  });
  return {
    promise,
    cancel: () => {
      cancelTimer();
      done();
    },
  };
}

/** A signal that aborts when another does or after a time, and says which; see {@linkcode deadline}. */
export interface Deadline {
  signal: AbortSignal;
  /** Whether the time ran out (rather than `signal` being aborted). */
  timedOut(): boolean;
  /** Clears the timer and stops following the other signal. */
  dispose(): void;
}

/**
 * A signal aborted when `signal` is, or after `ms`, whichever comes first. `dispose` when the work
 * ends: nothing then outlives it. AbortSignal.any() would link each call's signal to the caller's
 * through weak references that only a full GC clears, and AbortSignal.timeout() keeps its timer for
 * the whole time: 10,000 Hub calls in a loop grew V8's heap to ~60 MB with it, ~35 MB without.
 */
export function deadline(signal: AbortSignal | undefined, ms: number): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  const cancelTimer = unrefTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException("The deadline passed", "TimeoutError"));
  }, ms);
  const follow = () => controller.abort(signal?.reason);
  if (signal?.aborted) follow();
  else signal?.addEventListener("abort", follow, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose: () => {
      cancelTimer();
      signal?.removeEventListener("abort", follow);
    },
  };
}
