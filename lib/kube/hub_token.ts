/**
 * The Hub token in proxy mode: minted with the TokenRequest API for ServiceAccount kubeshark-cli
 * (audience kubeshark-hub, one hour), renewed five minutes before it expires, never sent expired,
 * and not retried for 30 s after a failed mint. Without that ServiceAccount (the chart creates it
 * when tap.auth.cli.enabled is true) there is no token and the license is sent instead.
 */
import { describeError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { KubeApi } from "./api.ts";
import { CLI_SERVICE_ACCOUNT, HUB_TOKEN_AUDIENCE as AUDIENCE } from "./names.ts";

// The Hub token's lifetime (as Kubeshark's CLI mints it) and when it is renewed.
const LIFETIME_SECONDS = 3600;
const RENEW_BEFORE_MS = 5 * 60_000;
const BACKOFF_MS = 30_000;
const ACCOUNT_RECHECK_MS = 60_000;

/** Mints and caches the Hub token for one release namespace. */
export class HubTokenMinter {
  #api: () => Promise<KubeApi>;
  #namespace: string;
  #log: Logger;
  #now: () => number;
  #token?: { value: string; expiresAt: number };
  // Each minted token is a secret to mask from then on.
  #onToken: (token: string) => void;
  #minting?: Promise<string | undefined>;
  #retryAt = 0;
  #accountCheckedAt = -Infinity;
  #accountExists = false;

  constructor(
    api: () => Promise<KubeApi>,
    namespace: string,
    log: Logger,
    options: { now?: () => number; onToken?: (token: string) => void } = {},
  ) {
    this.#api = api;
    this.#namespace = namespace;
    this.#log = log;
    this.#now = options.now ?? Date.now;
    this.#onToken = options.onToken ?? (() => {});
  }

  /** Why the last mint failed, while that is the latest word. */
  lastError?: string;

  /** Forgets the token (the Hub rejected it); the next call mints a new one. */
  invalidate(): void {
    this.#token = undefined;
    this.#accountCheckedAt = -Infinity;
  }

  /** Whether kubeshark-cli existed when last checked. */
  get accountExists(): boolean {
    return this.#accountExists;
  }

  /** A valid token, or undefined (no ServiceAccount, or minting failed and none is valid). */
  token(): Promise<string | undefined> {
    const now = this.#now();
    const current = this.#token;
    if (current && now < current.expiresAt - RENEW_BEFORE_MS) return Promise.resolve(current.value);
    const valid = current && now < current.expiresAt ? current.value : undefined;
    if (now < this.#retryAt) return Promise.resolve(valid);
    // Concurrent calls share one mint.
    this.#minting ??= this.#mint().finally(() => this.#minting = undefined);
    return this.#minting.then((minted) => minted ?? valid);
  }

  async #mint(): Promise<string | undefined> {
    const api = await this.#api();
    const path = `/api/v1/namespaces/${this.#namespace}/serviceaccounts/${CLI_SERVICE_ACCOUNT}`;
    try {
      if (this.#now() - this.#accountCheckedAt > ACCOUNT_RECHECK_MS) {
        this.#accountExists = (await api.get(path)) !== undefined;
        this.#accountCheckedAt = this.#now();
      }
      if (!this.#accountExists) return undefined;
      const answer = await api.request("POST", `${path}/token`, {
        body: {
          apiVersion: "authentication.k8s.io/v1",
          kind: "TokenRequest",
          spec: { audiences: [AUDIENCE], expirationSeconds: LIFETIME_SECONDS },
        },
      });
      const value = answer.status?.token;
      const expiresAt = Date.parse(answer.status?.expirationTimestamp ?? "");
      if (typeof value !== "string" || !Number.isFinite(expiresAt)) {
        throw new Error("the TokenRequest answer has no token or expiry");
      }
      this.#onToken(value);
      this.#token = { value, expiresAt: this.#now() + (expiresAt - Date.now()) };
      this.lastError = undefined;
      this.#log.debug(
        `Minted a Hub token for ${CLI_SERVICE_ACCOUNT}, valid until ${answer.status.expirationTimestamp}`,
      );
      return value;
    } catch (error) {
      this.#retryAt = this.#now() + BACKOFF_MS;
      this.lastError = describeError(error);
      this.#log.warn(
        `Cannot mint a Hub token for ServiceAccount ${this.#namespace}/${CLI_SERVICE_ACCOUNT}: ` +
          `${describeError(error)} (retrying in ${
            BACKOFF_MS / 1000
          } s; the license is sent meanwhile)`,
      );
      return undefined;
    }
  }
}
