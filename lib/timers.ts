/**
 * Timers. unrefTimeout, delay and deadline never keep the process alive: stdin EOF must end it
 * promptly. lightTimeout and lightDelay are for the first answers (see lightTimeout).
 */

// Whether unrefTimeout (setTimeout) has run in this process; see lightTimeout.
let nodeTimersLoaded = false;

/**
 * Calls `callback` after `ms` unless cancelled; returns the cancel function. An infinite `ms`
 * arms no timer (setTimeout would fire at once).
 */
export function unrefTimeout(callback: () => void, ms: number): () => void {
  if (ms === Infinity) return () => {};
  nodeTimersLoaded = true;
  const id = setTimeout(callback, ms);
  // Deno's timers are numbers at run time; Number() also satisfies Node's typings.
  Deno.unrefTimer(Number(id));
  return () => clearTimeout(id);
}

/**
 * A one-shot timer for the first moments of a process: it runs on the timers behind
 * AbortSignal.timeout(), while the first setTimeout() of a process loads Deno's Node timers layer
 * (~11 ms measured here, once), which would delay the first answers. Until then it cannot be
 * cleared — `cancel` only makes it do nothing — and it keeps the process alive until it fires
 * (main.ts exits explicitly); once a setTimeout has run it is an ordinary unrefTimeout. For short
 * waits, not per-call deadlines.
 */
export function lightTimeout(callback: () => void, ms: number): () => void {
  // Once setTimeout has run, the light timer saves nothing: use one that can be cleared.
  if (nodeTimersLoaded) return unrefTimeout(callback, ms);
  let live = true;
  AbortSignal.timeout(ms).addEventListener("abort", () => live && callback(), { once: true });
  return () => {
    live = false;
  };
}

/** {@linkcode delay} on {@linkcode lightTimeout}: for a short wait on the way to a first answer. */
export function lightDelay(ms: number): { promise: Promise<void>; cancel: () => void } {
  return delay(ms, lightTimeout);
}

/**
 * Resolves after `ms` (without keeping the process alive, on the default timer); `cancel`
 * resolves it at once.
 */
export function delay(
  ms: number,
  timeout: (callback: () => void, ms: number) => () => void = unrefTimeout,
): { promise: Promise<void>; cancel: () => void } {
  const { promise, resolve } = Promise.withResolvers<void>();
  const cancelTimer = timeout(resolve, ms);
  return {
    promise,
    cancel: () => {
      cancelTimer();
      resolve();
    },
  };
}

/** Waits for `work` (its outcome ignored), but no longer than `ms`. */
export async function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  const wait = delay(ms);
  await Promise.race([work, wait.promise]);
  wait.cancel();
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
