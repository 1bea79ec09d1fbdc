/**
 * The demo Hub's mutable state (snapshots, the dissection switch, cached exports) over the demo
 * data, which is generated on the first data call: discovery never pays for it.
 */
import type { DemoData, Snapshot } from "./types.ts";

/** A Hub answer other than 200: status and a JSON body. */
export class HubRequestError extends Error {
  readonly status: number;
  readonly details: Record<string, unknown>;

  constructor(status: number, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = "HubRequestError";
    this.status = status;
    this.details = details;
  }
}

/** A built PCAP export. */
export interface PcapExport {
  bytes: Uint8Array<ArrayBuffer>;
  packets: number;
}

/** How many built exports are kept (each is at most a few MB). */
const EXPORT_CACHE_SIZE = 4;

/** Mutable Hub state over the immutable demo data. */
export class DemoState {
  dissectionEnabled = true;
  #data?: DemoData;
  #snapshots?: Snapshot[];
  #load: () => Promise<DemoData>;
  #nextSnapshot = 1;
  #exports = new Map<string, PcapExport>();
  /** Packet counts and file sizes of whole snapshots, by id. */
  readonly snapshotTotals = new Map<string, { packets: number; bytes: number }>();

  /** `load` produces the data; it runs once, on the first data call. */
  constructor(load: () => Promise<DemoData>) {
    this.#load = load;
  }

  /** Generates the data if that has not happened yet. */
  async load(): Promise<void> {
    if (this.#data) return;
    const data = await this.#load();
    this.#data ??= data;
    this.#snapshots ??= data.snapshots.map((snapshot) => structuredClone(snapshot));
  }

  /** The data; `load()` must have run. */
  get data(): DemoData {
    if (!this.#data) throw new Error("demo data used before load()");
    return this.#data;
  }

  /** The snapshots, those created in this session included. */
  get snapshots(): Snapshot[] {
    if (!this.#snapshots) throw new Error("demo data used before load()");
    return this.#snapshots;
  }

  /** A snapshot by id (or, failing that, by name); 404 naming the ones there are. */
  snapshot(id: string): Snapshot {
    // Ids first: a snapshot may be named like another's id.
    const found = this.snapshots.find((s) => s.id === id) ??
      this.snapshots.find((s) => s.name === id);
    if (!found) {
      throw new HubRequestError(404, `snapshot "${id}" not found`, {
        available: this.snapshots.map((s) => s.id),
      });
    }
    return found;
  }

  /** A fresh snapshot id. */
  newSnapshotId(): string {
    return `snap-${String(this.#nextSnapshot++).padStart(4, "0")}`;
  }

  /** The export built under `key`, building it with `build` the first time (least recent out). */
  async export(key: string, build: () => Promise<PcapExport>): Promise<PcapExport> {
    const found = this.#exports.get(key);
    if (found) {
      this.#exports.delete(key);
      this.#exports.set(key, found);
      return found;
    }
    const built = await build();
    this.#exports.set(key, built);
    while (this.#exports.size > EXPORT_CACHE_SIZE) {
      this.#exports.delete(this.#exports.keys().next().value!);
    }
    return built;
  }
}
