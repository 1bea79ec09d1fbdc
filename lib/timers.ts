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
