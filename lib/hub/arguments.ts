/**
 * A Hub tool's arguments, checked against the schema the Hub advertised before they leave: unknown
 * names (with the closest valid ones), wrong types and ranges (with the path and what was
 * expected). Time arguments also take ISO-8601 and relative forms and are sent as the Hub expects
 * them, Unix milliseconds. A misspelt filter silently ignored would hand the model an unfiltered
 * answer it takes for a filtered one.
 */
import { ActionableError } from "../errors.ts";
import type { ToolDescriptor } from "../protocol.ts";
import { closest } from "../suggest.ts";
import { isRecord } from "../json.ts";

/** Arguments a tool's schema refuses; the message says which and how to fix them. */
export class ArgumentError extends ActionableError {
  readonly kind = "invalid_arguments";

  constructor(message: string) {
    super(message);
    this.name = "ArgumentError";
  }
}

/** Argument names that hold a point in time (Unix ms on the Hub's side). */
export const TIME_ARGUMENTS = new Set([
  "start",
  "end",
  "start_time",
  "end_time",
  "from",
  "to",
  "since",
  "until",
  "timestamp",
]);

// Before 5138-11-16 in seconds, after 1973-03-03 in milliseconds: a number below this is seconds.
const SECONDS_LIMIT = 1e11;

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

type Validate = ((data: unknown) => boolean) & {
  errors?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] | null;
};

// One compiled validator per advertised schema object: a new discovery brings new objects.
const compiled = new WeakMap<object, Validate | null>();
// deno-lint-ignore no-explicit-any
let ajv: Promise<any> | undefined;

/**
 * Checks and normalises `args` for `tool` (as the Hub described it). Returns what to send; throws
 * ArgumentError. A tool the catalog does not know is passed through for the Hub to judge.
 */
export async function prepareArguments(
  tool: ToolDescriptor | undefined,
  args: Record<string, unknown>,
  now = Date.now(),
): Promise<Record<string, unknown>> {
  if (!tool) return args;
  const schema = tool.inputSchema;
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const names = Object.keys(properties);
  if (schema.additionalProperties !== true && names.length) {
    const unknown = Object.keys(args).filter((name) => !Object.hasOwn(properties, name));
    if (unknown.length) throw unknownArguments(tool.name, unknown, names);
  }
  const prepared: Record<string, unknown> = { ...args };
  for (const [name, value] of Object.entries(args)) {
    const property = properties[name];
    if (TIME_ARGUMENTS.has(name) && isRecord(property) && takesNumber(property)) {
      prepared[name] = toUnixMs(tool.name, name, value, now);
    }
  }
  const validate = await validatorFor(schema);
  if (validate && !validate(prepared)) throw invalidArguments(tool, validate.errors ?? []);
  return prepared;
}

function unknownArguments(tool: string, unknown: string[], names: string[]): ArgumentError {
  const each = unknown.map((name) => {
    const near = closest(name, names);
    return near.length
      ? `"${name}" (did you mean ${near.map((n) => `"${n}"`).join(" or ")}?)`
      : `"${name}"`;
  });
  return new ArgumentError(
    `${tool} has no argument ${each.join(", ")}; nothing was sent. Its arguments are: ` +
      `${names.join(", ")}.`,
  );
}

function invalidArguments(
  tool: ToolDescriptor,
  errors: NonNullable<Validate["errors"]>,
): ArgumentError {
  const lines = errors.slice(0, 5).map((error) => {
    const path = error.instancePath
      ? error.instancePath.slice(1).replaceAll("/", ".")
      : String(error.params?.missingProperty ?? "arguments");
    const allowed = error.params?.allowedValues;
    const detail = Array.isArray(allowed)
      ? `must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`
      : error.message ?? "is invalid";
    return error.params?.missingProperty ? `${path} is required` : `${path} ${detail}`;
  });
  return new ArgumentError(
    `Invalid arguments for ${tool.name}: ${lines.join("; ")}. Nothing was sent; fix them ` +
      "(tools/list has the schema).",
  );
}

/** A point in time as Unix ms: a number of ms, ISO-8601, `now`, `-1h`, `now-15m`. */
export function toUnixMs(tool: string, name: string, value: unknown, now: number): unknown {
  if (typeof value === "number") {
    if (value > 0 && value < SECONDS_LIMIT) {
      throw new ArgumentError(
        `${tool}: ${name} ${value} looks like seconds; the Hub takes Unix milliseconds: pass ` +
          `${
            Math.round(value * 1000)
          } (or an ISO-8601 time such as "2026-11-20T14:30:00Z", or "-1h").`,
      );
    }
    return value;
  }
  if (typeof value !== "string") return value;
  const text = value.trim();
  if (/^\d+$/.test(text)) return toUnixMs(tool, name, Number(text), now);
  if (text === "now") return now;
  const relative = /^(?:now\s*)?-\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/i.exec(text);
  if (relative) return Math.round(now - Number(relative[1]) * UNIT_MS[relative[2].toLowerCase()]);
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const parsed = Date.parse(text);
    if (Number.isFinite(parsed)) return parsed;
  }
  throw new ArgumentError(
    `${tool}: ${name} "${value.slice(0, 60)}" is not a time. Pass Unix milliseconds ` +
      `(${now}), an ISO-8601 time ("2026-11-20T14:30:00Z"), or a relative one ("-1h", "now-15m").`,
  );
}

/**
 * Loads Ajv and runs its compiler once (~80 ms to import, ~55 ms for the first compile measured
 * here; later compiles take a few ms), so that the first Hub call need not.
 */
export async function warmArgumentChecks(): Promise<void> {
  await validatorFor({ type: "object", properties: { warm: { type: "string", minLength: 1 } } });
}

async function validatorFor(schema: Record<string, unknown>): Promise<Validate | null> {
  if (compiled.has(schema)) return compiled.get(schema)!;
  // Ajv (the MCP SDK's validator) on first use: its compiler is start-up time we don't need.
  ajv ??= import("ajv/dist/2020.js").then(({ Ajv2020 }) =>
    new Ajv2020({ strict: false, allErrors: true, validateFormats: false })
  );
  let validate: Validate | null;
  try {
    validate = (await ajv).compile(schema);
  } catch {
    // A schema Ajv cannot compile is the Hub's to judge; unknown names were checked already.
    validate = null;
  }
  compiled.set(schema, validate);
  return validate;
}

function takesNumber(property: Record<string, unknown>): boolean {
  const type = property.type;
  return type === "integer" || type === "number" ||
    (Array.isArray(type) && (type.includes("integer") || type.includes("number")));
}
