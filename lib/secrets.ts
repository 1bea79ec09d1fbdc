/**
 * The secrets this process holds (Hub token, license, kubeconfig credentials, minted tokens),
 * collected as they become known. The redactor (lib/redact.ts, loaded after start-up) masks them
 * in everything we write; this registry is cheap, so it can exist from the first instruction.
 */

/** A set of secret values, with listeners for ones learned later. */
export class Secrets {
  readonly #values = new Set<string>();
  readonly #listeners: ((secret: string) => void)[] = [];

  constructor(initial: Iterable<string | null | undefined> = []) {
    for (const value of initial) this.add(value);
  }

  /** Adds a secret (ignored when empty); listeners hear of it. */
  add(value: string | null | undefined): void {
    if (!value || this.#values.has(value)) return;
    this.#values.add(value);
    for (const listener of this.#listeners) listener(value);
  }

  /** Every secret known so far. */
  values(): string[] {
    return [...this.#values];
  }

  /** Calls `listener` for each secret added from now on. */
  onAdd(listener: (secret: string) => void): void {
    this.#listeners.push(listener);
  }
}
