/**
 * What the Hub offers, cached: discovery with a TTL and single-flight, a background retry while
 * the Hub is unreachable, and a change signal so the server can send `list_changed`.
 */
import type { Logger } from "../log.ts";
import { lightDelay, unrefTimeout } from "../timers.ts";
import { TtlCache } from "./cache.ts";
import type { HubInfo } from "./schemas.ts";

/** Discovery is cached for five minutes, as Kubeshark's CLI does. */
export const DISCOVERY_TTL_MS = 5 * 60_000;

const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/** Options for {@linkcode HubCatalog}. */
export interface HubCatalogOptions {
  /** Fetches the discovery document; throws a HubError-like message on failure. */
  load: (signal?: AbortSignal) => Promise<HubInfo>;
  /** Called when the Hub's tools or prompts differ from what was last known. */
  onChange: () => void;
  log: Logger;
  ttlMs?: number;
  now?: () => number;
}

/** The Hub's tools and prompts as last seen, and why they are missing when they are. */
export class HubCatalog {
  #cache: TtlCache<HubInfo>;
  #load: (signal?: AbortSignal) => Promise<HubInfo>;
  #onChange: () => void;
  #log: Logger;
  #lastGood?: HubInfo;
  #lastError?: Error;
  #signature = "";
  #cancelRetry?: () => void;
  #retryDelayMs = RETRY_FIRST_MS;
  #closed = false;
  #started = false;
  // Whether a caller of current() waited its full time for the load still under way.
  #waitedOut = false;

  constructor(options: HubCatalogOptions) {
    this.#cache = new TtlCache({ ttlMs: options.ttlMs ?? DISCOVERY_TTL_MS, now: options.now });
    this.#load = options.load;
    this.#onChange = options.onChange;
    this.#log = options.log;
  }

  /** The last good discovery, however old; undefined before the Hub first answered. */
  get known(): HubInfo | undefined {
    return this.#lastGood;
  }

  /** Why the last discovery failed, while it is still the latest word. */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  /**
   * The Hub's offer: fresh from cache, else loaded. Waits at most `waitMs` for a load, then
   * answers with what it knows (possibly nothing) while the load finishes in the background.
   */
  async current(waitMs: number): Promise<HubInfo | undefined> {
    const fresh = this.#cache.peek();
    if (fresh) return fresh;
    if (waitMs <= 0 || this.#waitedOut) {
      // Answer now with what is known. Before the first warm() nothing is loaded here: in proxy
      // mode that load blocks the event loop for a while, and warm() picks a quiet moment. A load
      // someone already waited out (a Hub that does not answer) is not waited for again.
      if (this.#started) void this.refresh();
      return this.#lastGood;
    }
    // Not setTimeout: on the way to a client's first tools/list, that would load Node's timers.
    const wait = lightDelay(waitMs);
    try {
      const loading = this.refresh();
      const loaded = await Promise.race([loading.then((info) => ({ info })), wait.promise]);
      if (loaded) return loaded.info ?? this.#lastGood;
      this.#waitedOut = true;
      void loading.finally(() => this.#waitedOut = false);
      return this.#lastGood;
    } finally {
      wait.cancel();
    }
  }

  /** Loads (or joins the load under way); never throws: failures are kept in `lastError`. */
  async refresh(): Promise<HubInfo | undefined> {
    this.#started = true;
    try {
      const info = await this.#cache.get(() => this.#load());
      this.#accept(info);
      return info;
    } catch (error) {
      this.#reject(error as Error);
      return undefined;
    }
  }

  /** Records a discovery made elsewhere (a live status check). */
  record(info: HubInfo): void {
    this.#cache.set(info);
    this.#accept(info);
  }

  /** Forgets the cached offer (after start/stop); the next `current` loads again. */
  invalidate(): void {
    this.#cache.invalidate();
  }

  /** Forgets everything known (the Hub was removed): its tools leave the list, with a change signal. */
  forget(): void {
    this.#cache.invalidate();
    const had = this.#lastGood !== undefined;
    this.#lastGood = undefined;
    this.#signature = "";
    if (had) this.#onChange();
  }

  /** Starts loading in the background, retrying with backoff until the Hub answers. */
  warm(): void {
    void this.refresh();
  }

  /** Stops background retries. */
  close(): void {
    this.#closed = true;
    this.#cancelRetry?.();
  }

  #accept(info: HubInfo): void {
    this.#lastError = undefined;
    this.#retryDelayMs = RETRY_FIRST_MS;
    this.#cancelRetry?.();
    this.#cancelRetry = undefined;
    if (info === this.#lastGood) return;
    for (const skipped of info.skipped) this.#log.warn(`Ignoring a Hub entry: ${skipped}`);
    this.#lastGood = info;
    const signature = JSON.stringify([info.tools, info.prompts]);
    if (signature !== this.#signature) {
      const first = this.#signature === "";
      this.#signature = signature;
      this.#log.info(
        `Hub ${info.name || "(unnamed)"} ${info.version} offers ${info.tools.length} tools, ` +
          `${info.prompts.length} prompts${first ? "" : " (changed)"}`,
      );
      this.#onChange();
    }
  }

  #reject(error: Error): void {
    const firstFailure = !this.#lastError;
    this.#lastError = error;
    if (firstFailure) this.#log.warn(error.message);
    // Keep serving the last good offer; retry in the background only while we have none.
    if (this.#lastGood || this.#closed || this.#cancelRetry) return;
    const wait = this.#retryDelayMs;
    this.#retryDelayMs = Math.min(wait * 2, RETRY_MAX_MS);
    this.#cancelRetry = unrefTimeout(() => {
      this.#cancelRetry = undefined;
      void this.refresh();
    }, wait);
  }
}
