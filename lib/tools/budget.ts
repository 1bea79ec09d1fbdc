/**
 * Hub answers within a budget: compact JSON text, cut at a record boundary when it is over, with a
 * note giving the full count, the size and how to narrow. A model's context is the scarce thing;
 * a 2 MB answer crowds out the question it was asked for.
 */
import type { CallToolResult } from "../protocol.ts";

const encoder = new TextEncoder();

function bytes(text: string): number {
  // Most answers are ASCII: the string length is exact then, and cheap.
  // deno-lint-ignore no-control-regex
  return /^[\x00-\x7f]*$/.test(text) ? text.length : encoder.encode(text).length;
}

/** How to narrow a given tool's answer: the arguments it takes, to name the ones that help. */
export interface NarrowingHints {
  arguments: string[];
  /** The offset the call used (to say where the next page starts). */
  offset?: number;
}

/** A Hub answer as a result: JSON as compact text (+ structuredContent), cut to `maxBytes`. */
export function budgetedResult(
  answer: { text: string; json?: unknown },
  maxBytes: number,
  hints: NarrowingHints,
): CallToolResult {
  if (answer.json === undefined) return textWithin(answer.text, maxBytes, hints);
  const text = JSON.stringify(answer.json);
  if (bytes(text) <= maxBytes) return jsonContent(answer.json, text);
  const records = largestArray(answer.json);
  if (!records) return textWithin(text, maxBytes, hints);
  const { holder, key, items } = records;
  // Binary search for the most records that fit, leaving room for the note.
  const room = maxBytes - 600;
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (bytes(JSON.stringify(withItems(answer.json, holder, key, items.slice(0, mid)))) <= room) {
      low = mid;
    } else {
      high = mid - 1;
    }
  }
  const trimmed = withItems(answer.json, holder, key, items.slice(0, low));
  const trimmedText = JSON.stringify(trimmed);
  const result = jsonContent(trimmed, trimmedText);
  const what = key === undefined ? "records" : `"${key}"`;
  result.content.push({
    type: "text",
    text: `Cut to fit the ${maxBytes}-byte result budget: showing ${low} of ${items.length} ` +
      `${what} (${bytes(trimmedText)} of ${bytes(text)} bytes). ${howToNarrow(hints, low)}`,
  });
  return result;
}

function howToNarrow(hints: NarrowingHints, shown: number): string {
  const has = (name: string) => hints.arguments.includes(name);
  const ways: string[] = [];
  if (has("kfl")) ways.push("a KFL filter (kfl)");
  if (has("start") || has("end")) ways.push("a time range (start/end)");
  if (has("limit")) ways.push("a smaller limit");
  if (has("offset")) ways.push(`offset=${(hints.offset ?? 0) + shown} for the next page`);
  if (has("format")) ways.push('format "compact"');
  if (!ways.length) ways.push("narrower arguments");
  return `Narrow with ${ways.join(", ")}; or raise --max-result-bytes.`;
}

function jsonContent(json: unknown, text: string): CallToolResult {
  const result: CallToolResult = { content: [{ type: "text", text }] };
  if (json !== null && typeof json === "object" && !Array.isArray(json)) {
    result.structuredContent = json as Record<string, unknown>;
  }
  return result;
}

function textWithin(text: string, maxBytes: number, hints: NarrowingHints): CallToolResult {
  if (bytes(text) <= maxBytes) return { content: [{ type: "text", text }] };
  let cut = text.slice(0, maxBytes - 600);
  // A line boundary is the record boundary of plain text.
  const newline = cut.lastIndexOf("\n");
  if (newline > cut.length / 2) cut = cut.slice(0, newline);
  while (bytes(cut) > maxBytes - 600) cut = cut.slice(0, Math.floor(cut.length * 0.9));
  return {
    content: [
      { type: "text", text: cut },
      {
        type: "text",
        text: `Cut to fit the ${maxBytes}-byte result budget: showing ${bytes(cut)} of ` +
          `${bytes(text)} bytes. ${howToNarrow(hints, 0)}`,
      },
    ],
  };
}

interface Records {
  /** The object holding the array, or undefined when the answer is the array. */
  holder?: Record<string, unknown>;
  key?: string;
  items: unknown[];
}

// The array that makes the answer big: the answer itself, or the largest array among its
// properties (one level down too: `{data: {calls: [...]}}`).
function largestArray(json: unknown): Records | undefined {
  if (Array.isArray(json)) return { items: json };
  let best: Records | undefined;
  let bestSize = 0;
  const visit = (holder: Record<string, unknown>, depth: number) => {
    for (const [key, value] of Object.entries(holder)) {
      if (Array.isArray(value) && value.length > 1) {
        const size = bytes(JSON.stringify(value));
        if (size > bestSize) [best, bestSize] = [{ holder, key, items: value }, size];
      } else if (depth < 1 && value !== null && typeof value === "object") {
        visit(value as Record<string, unknown>, depth + 1);
      }
    }
  };
  if (json !== null && typeof json === "object") visit(json as Record<string, unknown>, 0);
  return best;
}

// A copy of the answer with the records replaced (the original is left alone).
function withItems(
  json: unknown,
  holder: Record<string, unknown> | undefined,
  key: string | undefined,
  items: unknown[],
): unknown {
  if (!holder || key === undefined) return items;
  const copy = (value: unknown): unknown => {
    if (value === holder) return { ...holder, [key]: items };
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)]));
    }
    return value;
  };
  return copy(json);
}
