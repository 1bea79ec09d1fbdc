/** Saving Hub files to disk: inside a root directory only, atomically, hashed as they stream. */
import { createHash } from "node:crypto";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { McpError } from "./errors.ts";
import { HubError } from "./hub/client.ts";
import { unrefTimeout } from "./timers.ts";

// A body that sends nothing for this long is treated as dead.
const STALL_TIMEOUT_MS = 30_000;
// Progress notifications at most once per this many bytes (plus the last one).
const PROGRESS_STEP_BYTES = 1 << 20;

/** Resolves `dest` (or the path's basename) inside `root`, refusing anything that escapes it. */
export async function resolveDestination(
  root: string,
  hubPath: string,
  dest: string | undefined,
): Promise<string> {
  const rootReal = await Deno.realPath(root).catch(() => {
    throw new McpError(
      "tool_failed",
      `The download directory "${root}" does not exist; create it or pass another --download-dir.`,
    );
  });
  const name = basename(hubPath.split(/[?#]/)[0]);
  let target = resolve(rootReal, dest ?? name);
  if (dest === undefined && (name === "" || name === "." || name === "..")) {
    throw new McpError("tool_failed", `"${hubPath}" names no file; pass dest.`);
  }
  if (target.includes("\0")) throw new McpError("tool_failed", "dest must not contain a NUL byte.");
  const stat = await Deno.stat(target).catch(() => undefined);
  if (stat?.isDirectory || dest?.endsWith("/")) target = join(target, name);
  const given = dest ?? name;
  assertInside(rootReal, target, given);
  // Before creating anything: the deepest existing ancestor, links resolved, must be inside too,
  // or a symlink in dest could make mkdir build directories elsewhere.
  let existing = dirname(target);
  while (!(await exists(existing))) existing = dirname(existing);
  assertInside(rootReal, join(await Deno.realPath(existing), relative(existing, target)), given);
  try {
    await Deno.mkdir(dirname(target), { recursive: true });
  } catch (error) {
    throw new McpError(
      "tool_failed",
      `Cannot create the folder for "${given}": ${(error as Error).message}`,
    );
  }
  assertInside(rootReal, join(await Deno.realPath(dirname(target)), basename(target)), given);
  return target;
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
  if (rel === "" || rel.startsWith("..") || rel.startsWith(sep) || resolve(root, rel) !== target) {
    throw new McpError(
      "tool_failed",
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
    throw new McpError("tool_failed", `${target} is a link or a directory; pass another dest.`);
  }
  if (!overwrite) {
    throw new McpError(
      "tool_failed",
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
    throw new McpError(
      "tool_failed",
      `Cannot write in ${dirname(target)}: ${(error as Error).message}`,
    );
  }
  const hash = createHash("sha256");
  let size = 0;
  const stall = new AbortController();
  let cancelStall = unrefTimeout(() => stall.abort(), STALL_TIMEOUT_MS);
  const reader = response.body!.getReader();
  const onAbort = () => void reader.cancel().catch(() => {});
  const signal = AbortSignal.any([options.signal, stall.signal]);
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (signal.aborted) break;
      if (done) break;
      cancelStall();
      cancelStall = unrefTimeout(() => stall.abort(), STALL_TIMEOUT_MS);
      hash.update(value);
      let written = 0;
      while (written < value.length) written += await file.write(value.subarray(written));
      size += value.length;
      options.onBytes(size, false);
    }
    if (options.signal.aborted) throw new HubError("aborted", "The download was cancelled.");
    if (stall.signal.aborted) {
      throw new HubError(
        "timeout",
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
          throw new McpError(
            "tool_failed",
            `${target} appeared during the download; not replaced.`,
          );
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
    if (error instanceof HubError || error instanceof McpError) throw error;
    throw new McpError("tool_failed", `Saving ${target} failed after ${size} bytes: ${error}`);
  } finally {
    cancelStall();
    signal.removeEventListener("abort", onAbort);
  }
}
