/** A one-value cache with a time to live and single-flight loading. */

/** Options for {@linkcode TtlCache}. */
export interface TtlCacheOptions {
  ttlMs: number;
  /** Clock, injectable for tests. */
  now?: () => number;
}

/**
 * Holds one value for `ttlMs`. Concurrent `get` calls while a load runs share that load, so
 * many `tools/list` requests make one Hub request. A failed load is not cached.
 */
export class TtlCache<T> {
  #ttlMs: number;
  #now: () => number;
  #value?: { value: T; at: number };
  #loading?: Promise<T>;
  #generation = 0;

  constructor(options: TtlCacheOptions) {
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  /** The cached value while it is fresh, without loading. */
  peek(): T | undefined {
    if (this.#value && this.#now() - this.#value.at < this.#ttlMs) return this.#value.value;
    return undefined;
  }

  /** The fresh value, or the result of `load` (shared with every concurrent caller). */
  get(load: () => Promise<T>): Promise<T> {
    const fresh = this.#value && this.#now() - this.#value.at < this.#ttlMs;
    if (fresh) return Promise.resolve(this.#value!.value);
    if (this.#loading) return this.#loading;
    const generation = this.#generation;
    const loading = load().then(
      (value) => {
        // A load that began before invalidate() must not repopulate the cache with old data.
        if (generation === this.#generation) this.#value = { value, at: this.#now() };
        return value;
      },
    ).finally(() => {
      if (this.#loading === loading) this.#loading = undefined;
    });
    this.#loading = loading;
    return loading;
  }

  /** Stores a value obtained elsewhere (e.g. by a live status check). */
  set(value: T): void {
    this.#value = { value, at: this.#now() };
  }

  /** Forgets the value and detaches any load under way. */
  invalidate(): void {
    this.#generation++;
    this.#value = undefined;
    this.#loading = undefined;
  }
}
