/** Running the real program: one place that knows how to start main.ts, and deadlines for waits. */
import { childEnv } from "./env.ts";

/** main.ts, as every test starts it. */
export const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** The `deno run` arguments that start main.ts with `args` (and runtime flags before it). */
export function mainArgs(args: string[], runtimeFlags: string[] = []): string[] {
  return ["run", "--allow-all", "--quiet", ...runtimeFlags, MAIN, ...args];
}

/** A command that runs main.ts with `args` (stdio and environment as given). */
export function mainCommand(
  args: string[],
  options: {
    env?: Record<string, string>;
    cwd?: string;
    stdin?: "piped" | "null";
    stdout?: "piped" | "null";
    stderr?: "piped" | "null";
    /** Flags for `deno run` itself, e.g. `--preload`. */
    runtimeFlags?: string[];
  } = {},
): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: mainArgs(args, options.runtimeFlags),
    stdin: options.stdin ?? "null",
    stdout: options.stdout ?? "piped",
    stderr: options.stderr ?? "piped",
    env: childEnv(options.env),
    cwd: options.cwd,
  });
}

/** Runs main.ts to the end (stdin closed): exit code and both outputs as text. */
export async function runMain(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await mainCommand(args, options).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Polls `condition` until it holds; fails with `what` after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
