/** TtlCache: time to live, single-flight, failures not cached, invalidation. */
import assert from "node:assert/strict";
import { TtlCache } from "../lib/hub/cache.ts";

function clock() {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => now += ms };
}

Deno.test("a loaded value is served from cache until the TTL passes", async () => {
  const time = clock();
  const cache = new TtlCache<number>({ ttlMs: 100, now: time.now });
  let loads = 0;
  const load = () => Promise.resolve(++loads);
  assert.equal(await cache.get(load), 1);
  time.advance(99);
  assert.equal(await cache.get(load), 1);
  assert.equal(cache.peek(), 1);
  time.advance(1);
  assert.equal(cache.peek(), undefined);
  assert.equal(await cache.get(load), 2);
});

Deno.test("concurrent gets share one load", async () => {
  const cache = new TtlCache<string>({ ttlMs: 1_000 });
  let loads = 0;
  let release = (_: string) => {};
  const load = () => {
    loads++;
    return new Promise<string>((resolve) => release = resolve);
  };
  const all = Promise.all(Array.from({ length: 10 }, () => cache.get(load)));
  release("hub");
  assert.deepEqual(await all, Array(10).fill("hub"));
  assert.equal(loads, 1);
});

Deno.test("a failed load is not cached", async () => {
  const cache = new TtlCache<string>({ ttlMs: 1_000 });
  await assert.rejects(cache.get(() => Promise.reject(new Error("down"))), /down/);
  assert.equal(cache.peek(), undefined);
  assert.equal(await cache.get(() => Promise.resolve("up")), "up");
});

Deno.test("invalidate forgets the value, and a load begun before it does not repopulate", async () => {
  const cache = new TtlCache<string>({ ttlMs: 1_000 });
  cache.set("old");
  cache.invalidate();
  assert.equal(cache.peek(), undefined);
  let release = (_: string) => {};
  const stale = cache.get(() => new Promise<string>((resolve) => release = resolve));
  cache.invalidate();
  assert.equal(cache.peek(), undefined);
  release("from before");
  assert.equal(await stale, "from before");
  assert.equal(cache.peek(), undefined);
  assert.equal(await cache.get(() => Promise.resolve("new")), "new");
});

Deno.test("set stores a value obtained elsewhere", () => {
  const time = clock();
  const cache = new TtlCache<string>({ ttlMs: 10, now: time.now });
  cache.set("live");
  assert.equal(cache.peek(), "live");
  time.advance(10);
  assert.equal(cache.peek(), undefined);
});
