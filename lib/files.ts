/** Saving Hub files to disk: inside a root directory only, atomically, hashed as they stream. */
import { createHash } from "node:crypto";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { ActionableError, describeError } from "./errors.ts";
import { unrefTimeout } from "./timers.ts";

/** What went wrong saving a file. */
export type FileErrorKind =
  | "destination"
  | "exists"
  | "write"
  | "aborted"
  | "stalled"
  | "too_large"
  | "cut_off";

/** A download that could not be saved, with what to do about it. */
export class FileError extends ActionableError {
  readonly kind: FileErrorKind;

  constructor(kind: FileErrorKind, message: string) {
    super(message);
    this.name = "FileError";
    this.kind = kind;
  }
}

// A body that sends nothing for this long is treated as dead.
const STALL_TIMEOUT_MS = 30_000;
// Progress notifications at most once per this many bytes (plus the last one).
const PROGRESS_STEP_BYTES = 1 << 20;

/** Where a download goes, checked but not yet created (see {@link makeDestination}). */
export interface PlannedDestination {
  root: string;
  target: string;
  given: string;
}

/**
 * Where a download of `hubPath` goes (`dest`, or a name from the path, inside `root`): every check
 * that needs nothing created, so that a bad dest is refused before anything is asked of the Hub.
 */
export async function planDestination(
  root: string,
  hubPath: string,
  dest: string | undefined,
): Promise<PlannedDestination> {
  const rootReal = await Deno.realPath(root).catch(() => {
    throw new FileError(
      "destination",
      `The download directory "${root}" does not exist; create it or pass another --download-dir.`,
    );
  });
  const name = defaultName(hubPath);
  let target = resolve(rootReal, dest ?? name);
  if (dest === undefined && (name === "" || name === "." || name === "..")) {
    throw new FileError("destination", `"${hubPath}" names no file; pass dest.`);
  }
  if (target.includes("\0")) {
    throw new FileError("destination", "dest must not contain a NUL byte.");
  }
  const stat = await Deno.stat(target).catch(() => undefined);
  if (stat?.isDirectory || dest?.endsWith("/")) target = join(target, name);
  const given = dest ?? name;
  assertInside(rootReal, target, given);
  // Before creating anything: the deepest existing ancestor, links resolved, must be inside too,
  // or a symlink in dest could make mkdir build directories elsewhere.
  let existing = dirname(target);
  while (!(await exists(existing))) existing = dirname(existing);
  assertInside(rootReal, join(await Deno.realPath(existing), relative(existing, target)), given);
  return { root: rootReal, target, given };
}

/**
 * Creates the folders of a planned destination (see {@link planDestination}) and checks the
 * result is still inside the root; returns the file's path.
 */
export async function makeDestination(
  { root: rootReal, target, given }: PlannedDestination,
): Promise<string> {
  try {
    await Deno.mkdir(dirname(target), { recursive: true });
  } catch (error) {
    throw new FileError(
      "destination",
      `Cannot create the folder for "${given}": ${describeError(error)}`,
    );
  }
  assertInside(rootReal, join(await Deno.realPath(dirname(target)), basename(target)), given);
  return target;
}

/**
 * The default file name of a Hub path: unique per export, so a second export does not collide
 * with the first. `/snapshots/abc/data.pcap` → `abc-data.pcap`; a query (an export's filter)
 * adds a short hash of itself: `abc-data-1f2e3d4c.pcap`.
 */
export function defaultName(hubPath: string): string {
  const [path, query = ""] = hubPath.split("#")[0].split("?");
  const segments = path.split("/").filter(Boolean);
  const file = segments.at(-1) ?? "";
  if (file === "." || file === "..") return file;
  const parent = segments.length >= 2 ? segments.at(-2)! : "";
  const base = parent && parent !== "." && parent !== ".." ? `${parent}-${file}` : file;
  if (!query) return base;
  const tag = createHash("sha256").update(query).digest("hex").slice(0, 8);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? `${base.slice(0, dot)}-${tag}${base.slice(dot)}` : `${base}-${tag}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

function assertInside(root: string, target: string, given: string): void {
  const rel = relative(root, target);
  // ".." or "../x" climbs out; "..foo" is an ordinary name.
  const climbs = rel === ".." || rel.startsWith(`..${sep}`);
  if (rel === "" || climbs || isAbsolute(rel) || resolve(root, rel) !== target) {
    throw new FileError(
      "destination",
      `dest "${given}" is outside the download directory ${root}; pass a path inside it, ` +
        "or start the server with another --download-dir.",
    );
  }
}

/** Refuses to replace a link, a directory, or (unless asked) an existing file. */
export async function refuseExisting(target: string, overwrite: boolean): Promise<void> {
  const existing = await Deno.lstat(target).catch(() => undefined);
  if (!existing) return;
  if (existing.isSymlink || existing.isDirectory) {
    throw new FileError("destination", `${target} is a link or a directory; pass another dest.`);
  }
  if (!overwrite) {
    throw new FileError(
      "exists",
      `${target} already exists; pass overwrite: true to replace it, or another dest.`,
    );
  }
}

/** Throttles progress to one report per PROGRESS_STEP_BYTES, plus the final one. */
export function progressReporter(
  progress: (done: number, total?: number, message?: string) => void,
  total: number | undefined,
): (done: number, final: boolean) => void {
  let next = PROGRESS_STEP_BYTES;
  return (done, final) => {
    if (!final && done < next) return;
    next = done + PROGRESS_STEP_BYTES;
    progress(done, total, final ? "download complete" : undefined);
  };
}

/** Streams a response body into `target` via a temporary file, hashing as it goes. */
export async function saveAtomically(
  response: Response,
  target: string,
  options: {
    signal: AbortSignal;
    overwrite: boolean;
    /** Larger files stop here, the partial file removed. */
    maxBytes: number;
    onBytes: (done: number, final: boolean) => void;
  },
): Promise<{ size: number; sha256: string }> {
  const temporary = join(
    dirname(target),
    `.${basename(target)}.part-${crypto.randomUUID().slice(0, 8)}`,
  );
  let file: Deno.FsFile;
  try {
    file = await Deno.open(temporary, { write: true, createNew: true });
  } catch (error) {
    await response.body?.cancel();
    throw new FileError("write", `Cannot write in ${dirname(target)}: ${describeError(error)}`);
  }
  const hash = createHash("sha256");
  let size = 0;
  const stall = new AbortController();
  let cancelStall = unrefTimeout(() => stall.abort(), STALL_TIMEOUT_MS);
  const reader = response.body!.getReader();
  const onAbort = () => void reader.cancel().catch(() => {});
  const signal = AbortSignal.any([options.signal, stall.signal]);
  signal.addEventListener("abort", onAbort, { once: true });
  // Whether the failure was the Hub's connection (retry) rather than writing here (disk, rights).
  let reading = false;
  try {
    while (true) {
      reading = true;
      const { done, value } = await reader.read();
      reading = false;
      if (signal.aborted) break;
      if (done) break;
      cancelStall();
      cancelStall = unrefTimeout(() => stall.abort(), STALL_TIMEOUT_MS);
      if (size + value.length > options.maxBytes) {
        await reader.cancel().catch(() => {});
        throw new FileError(
          "too_large",
          `The file is larger than the download limit of ${options.maxBytes} bytes; nothing was ` +
            "saved. Export less (a shorter time range, a BPF filter) or raise --max-download-bytes.",
        );
      }
      hash.update(value);
      let written = 0;
      while (written < value.length) written += await file.write(value.subarray(written));
      size += value.length;
      options.onBytes(size, false);
    }
    if (options.signal.aborted) throw new FileError("aborted", "The download was cancelled.");
    if (stall.signal.aborted) {
      throw new FileError(
        "stalled",
        `The download stalled: no data for ${
          STALL_TIMEOUT_MS / 1000
        } s after ${size} bytes. Retry.`,
      );
    }
    file.close();
    if (options.overwrite) {
      await Deno.rename(temporary, target);
    } else {
      // link() fails when the target exists: no window in which another file could be replaced.
      try {
        await Deno.link(temporary, target);
      } catch (error) {
        if (error instanceof Deno.errors.AlreadyExists) {
          throw new FileError("exists", `${target} appeared during the download; not replaced.`);
        }
        throw error;
      }
      await Deno.remove(temporary);
    }
    options.onBytes(size, true);
    return { size, sha256: hash.digest("hex") };
  } catch (error) {
    try {
      file.close();
    } catch {
      // Already closed.
    }
    await Deno.remove(temporary).catch(() => {});
    if (error instanceof FileError) throw error;
    if (reading) {
      throw new FileError(
        "cut_off",
        `The download of ${target} was cut off after ${size} bytes (${
          describeError(error)
        }); nothing was saved. Retry; if it repeats, check_kubeshark_status tells whether the ` +
          "Hub is up.",
      );
    }
    throw new FileError(
      "write",
      `Saving ${target} failed after ${size} bytes: ${describeError(error)}. Check the space ` +
        "and permissions in --download-dir, then retry.",
    );
  } finally {
    cancelStall();
    signal.removeEventListener("abort", onAbort);
  }
}
