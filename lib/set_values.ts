/**
 * Helm's `--set` syntax: `a.b=c`, several assignments split by commas, `{x,y}` lists, `a[0]=x`
 * indexes, `\,` escapes, and typed scalars (numbers, booleans, null).
 */

/** A nested values object as `--set` builds it. */
export type Values = Record<string, unknown>;

/** Parses one `--set` argument into `values` (merged in place). Throws on malformed input. */
export function applySet(values: Values, argument: string): Values {
  for (const assignment of splitTopLevel(argument, ",")) {
    if (assignment === "") continue;
    const eq = findUnescaped(assignment, "=");
    if (eq <= 0) {
      throw new Error(`"${assignment}" is not key=value (for example tap.docker.tag=v53.3)`);
    }
    const key = assignment.slice(0, eq);
    const raw = assignment.slice(eq + 1);
    assign(values, parseKey(key), parseValue(raw));
  }
  return values;
}

/** Reads a dotted path (`tap.release.namespace`) out of values. */
export function getValue(values: Values, path: string): unknown {
  let current: unknown = values;
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

type KeyPart = string | number;

function parseKey(key: string): KeyPart[] {
  const parts: KeyPart[] = [];
  for (const segment of splitTopLevel(key, ".")) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(segment);
    if (!match || match[1] === "") {
      throw new Error(`"${key}" is not a valid key (expected a.b.c or list[0])`);
    }
    parts.push(unescape(match[1]));
    for (const index of match[2].matchAll(/\[(\d+)\]/g)) parts.push(Number(index[1]));
  }
  return parts;
}

function parseValue(raw: string): unknown {
  if (raw.startsWith("{") && raw.endsWith("}")) {
    const inner = raw.slice(1, -1);
    return inner === "" ? [] : splitTopLevel(inner, ",").map((item) => typed(unescape(item)));
  }
  return typed(unescape(raw));
}

function typed(text: string): unknown {
  if (text === "true") return true;
  if (text === "false") return false;
  if (text === "null") return null;
  // Helm keeps leading-zero strings ("007") and very long digit runs as strings.
  if (/^-?(0|[1-9]\d{0,15})$/.test(text)) return Number(text);
  return text;
}

function assign(values: Values, path: KeyPart[], value: unknown): void {
  let current: Record<string | number, unknown> = values;
  for (let i = 0; i < path.length - 1; i++) {
    const part = path[i];
    const nextIsIndex = typeof path[i + 1] === "number";
    const existing = current[part];
    if (existing === null || typeof existing !== "object") {
      current[part] = nextIsIndex ? [] : {};
    }
    current = current[part] as Record<string | number, unknown>;
  }
  const last = path[path.length - 1];
  // Helm pads a list with nulls up to the index it sets.
  if (Array.isArray(current) && typeof last === "number") {
    while (current.length < last) current.push(null);
  }
  current[last] = value;
}

// Splits on `separator` outside `{…}` and not escaped with a backslash.
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === "\\") {
      i++;
      continue;
    }
    if (char === "{") depth++;
    else if (char === "}") depth = Math.max(0, depth - 1);
    else if (char === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function findUnescaped(text: string, char: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === char) return i;
  }
  return -1;
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, "$1");
}
