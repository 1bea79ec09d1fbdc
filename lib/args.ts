/**
 * A small command-line parser: long flags (`--name value`, `--name=value`), short aliases (`-n`),
 * repeatable string flags, positionals, and `--` to end flags. Our own because `node:util`'s
 * parseArgs boots Deno's Node compatibility layer, 15–20 ms of every start.
 */
import { closest } from "./suggest.ts";

/** One flag: a boolean switch or a string that takes a value. */
export interface FlagSpec {
  type: "boolean" | "string";
  short?: string;
  /** A string flag given several times keeps every value (in order). */
  multiple?: boolean;
}

/** What the parser returns for a table of flags. */
export type ParsedFlags<T extends Record<string, FlagSpec>> = {
  [K in keyof T]?: T[K]["type"] extends "boolean" ? boolean
    : T[K]["multiple"] extends true ? string[]
    : string;
};

/** A command line that does not fit the table; the message is one line naming the flag. */
export class ArgsError extends Error {}

/** Splits `args` into flags (by the table) and positionals. Throws ArgsError. */
export function parseFlags<T extends Record<string, FlagSpec>>(
  args: string[],
  table: T,
): { flags: ParsedFlags<T>; positionals: string[] } {
  const flags: Record<string, boolean | string | string[]> = {};
  const positionals: string[] = [];
  const byShort = new Map(
    Object.entries(table).filter(([, spec]) => spec.short).map(([name, spec]) => [
      spec.short!,
      name,
    ]),
  );
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      if (!Object.hasOwn(table, name)) {
        throw new ArgsError(`unknown flag "--${name}"${hint(name, table)}`);
      }
    } else {
      name = byShort.get(arg.slice(1, 2));
      if (!name) throw new ArgsError(`unknown flag "${arg}"`);
      if (arg.length > 2) inline = arg.slice(2).replace(/^=/, "");
    }
    const spec = table[name];
    const shown = arg.startsWith("--") ? `--${name}` : arg.slice(0, 2);
    if (spec.type === "boolean") {
      if (inline !== undefined) throw new ArgsError(`${shown} takes no value (got "${inline}")`);
      flags[name] = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = args[i + 1];
      // A value may start with "-" only when it is a number ("--hub-timeout -5" gets its own
      // message about the range rather than "missing value").
      if (next === undefined || (next.startsWith("-") && !/^-\d/.test(next))) {
        throw new ArgsError(`${shown} needs a value`);
      }
      value = next;
      i++;
    }
    if (spec.multiple) ((flags[name] ??= []) as string[]).push(value);
    else flags[name] = value;
  }
  return { flags: flags as ParsedFlags<T>, positionals };
}

function hint(name: string, table: Record<string, FlagSpec>): string {
  const [close] = closest(name, Object.keys(table), 1);
  return close ? `; did you mean "--${close}"?` : "";
}
