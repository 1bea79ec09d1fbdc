/**
 * Preloaded (`deno run --preload`) by tests/first_answers_test.ts: reports on stderr, in program
 * order, each line written to stdout (by its JSON-RPC id) and the process's first setTimeout(),
 * which loads Deno's Node timers layer (~11 ms) and so must not come before the first answers.
 */
const encoder = new TextEncoder();
const report = (event: string) => Deno.stderr.writeSync(encoder.encode(`probe: ${event}\n`));

const setTimeoutOf = globalThis.setTimeout;
let first = true;
globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
  if (first) {
    first = false;
    report("setTimeout");
  }
  return setTimeoutOf(...args);
}) as typeof setTimeout;

const writeOf = Deno.stdout.write.bind(Deno.stdout);
Deno.stdout.write = (bytes: Uint8Array) => {
  const head = new TextDecoder().decode(bytes.subarray(0, 80));
  const id = /"id":("[^"]*"|\d+)/.exec(head)?.[1];
  if (id) report(`answer ${id}`);
  return writeOf(bytes);
};
