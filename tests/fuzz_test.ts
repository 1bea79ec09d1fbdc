/**
 * A seeded fuzz run against the real process over stdio (`--demo`): thousands of lines of random
 * bytes, bad UTF-8, truncated JSON, wrong types, odd ids, deep nesting, batches, unknown methods
 * and wrong params, sent in large writes. Every stdout line must be one valid JSON-RPC message;
 * every request id gets exactly one answer, with the code its line deserves; the process stays
 * up and answers a last ping. FUZZ_SEED=N replays a run; a failure prints its seed.
 */
import assert from "node:assert/strict";
import { mainCommand } from "./support/spawn.ts";
const LINES = 12_000;
const DEADLINE_MS = 60_000;

/** What one request (or an id-less error) must get back. */
type Expected =
  | { kind: "result" }
  | { kind: "tool_error" }
  | { kind: "error"; code: number };

/** One generated line: its bytes and the answers it must produce. */
interface Case {
  bytes: Uint8Array;
  /** By id key (JSON of the id); "null" entries are counted, not keyed. */
  answers: [string, Expected][];
  /** Whether the answers come as one batch array. */
  batch: boolean;
  label: string;
}

const PARSE = -32700, INVALID = -32600, NO_METHOD = -32601, BAD_PARAMS = -32602;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

class Generator {
  #random: () => number;
  #next = 0;
  #emptyStringUsed = false;

  constructor(seed: number) {
    this.#random = mulberry32(seed);
  }

  int(n: number): number {
    return Math.floor(this.#random() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** A request id never used before in this run, in one of many odd shapes. */
  id(): string | number {
    const n = ++this.#next;
    switch (this.int(9)) {
      case 0:
        return -n;
      case 1:
        return n + 0.5;
      case 2:
        return 1e15 + n;
      case 3:
        return `ü-🙂-\u2028-${n}`;
      case 4:
        return `${"x".repeat(500)}${n}`;
      case 5:
        if (!this.#emptyStringUsed) {
          this.#emptyStringUsed = true;
          return "";
        }
        return `"quoted\\${n}"`;
      case 6:
        return String(n);
      default:
        return n;
    }
  }

  /** A single message (object) and what it must get, or undefined for none. */
  message(): { value: unknown; answer?: [string, Expected] } {
    const id = this.id();
    const key = JSON.stringify(id);
    const request = (method: string, params?: unknown) => ({
      jsonrpc: "2.0",
      id,
      method,
      ...(params === undefined ? {} : { params }),
    });
    const result: Expected = { kind: "result" };
    const error = (code: number): Expected => ({ kind: "error", code });
    switch (this.int(21)) {
      case 0:
        return { value: request("ping"), answer: [key, result] };
      case 1:
        return { value: request("ping", null), answer: [key, result] };
      case 2:
        return {
          value: request(this.pick(["tools/list", "prompts/list", "resources/list"])),
          answer: [key, result],
        };
      case 3:
        return { value: request("resources/templates/list", {}), answer: [key, result] };
      case 4:
        return {
          value: request(
            this.pick(["nope", "tools/lists", "__proto__", "constructor", "toString", "PING"]),
          ),
          answer: [key, error(NO_METHOD)],
        };
      case 5:
        return {
          value: request(
            this.pick(["tools/call", "prompts/get", "resources/read", "logging/setLevel"]),
            this.pick([{}, [], { name: 5 }, { uri: "" }, { level: "loud" }, { name: "" }]),
          ),
          answer: [key, error(BAD_PARAMS)],
        };
      case 6:
        return {
          value: request(this.pick(["tools/list", "prompts/list"]), { cursor: this.int(9) }),
          answer: [key, error(BAD_PARAMS)],
        };
      case 7:
        return {
          value: request("initialize", this.pick([{}, { protocolVersion: 2025 }, []])),
          answer: [key, error(BAD_PARAMS)],
        };
      case 8:
        return { value: { ...request("ping"), params: "text" }, answer: [key, error(INVALID)] };
      case 9:
        return {
          value: { ...request("ping"), jsonrpc: this.pick(["1.0", 2, null, "2.0 "]) },
          answer: [key, error(INVALID)],
        };
      case 10:
        return {
          value: { ...request("ping"), method: this.pick([7, null, "", ["ping"], { a: 1 }]) },
          answer: [key, error(INVALID)],
        };
      case 11: {
        // A missing jsonrpc, or no method at all: invalid, but the id is still answered.
        const { jsonrpc: _, ...rest } = request("ping");
        return {
          value: this.int(2) ? rest : { jsonrpc: "2.0", id },
          answer: [key, error(INVALID)],
        };
      }
      case 12:
        // An id JSON-RPC does not allow: answered with id null.
        return {
          value: { jsonrpc: "2.0", id: this.pick([true, null, {}, [1], false]), method: "ping" },
          answer: ["null", error(INVALID)],
        };
      case 13:
        // Notifications, known and unknown, and cancels of ids nobody sent: no answer.
        return {
          value: this.pick([
            { jsonrpc: "2.0", method: "notifications/whatever" },
            {
              jsonrpc: "2.0",
              method: "notifications/cancelled",
              params: { requestId: `gone-${id}` },
            },
            { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: true } },
            { jsonrpc: "2.0", method: "notifications/initialized" },
            { jsonrpc: "2.0", method: "tools/list" },
          ]),
        };
      case 14:
        // A stray response (we send no requests): no answer.
        return { value: { jsonrpc: "2.0", id, result: { ok: this.int(2) } } };
      case 15:
        return {
          value: request("tools/call", { name: "get_file_url", arguments: { path: this.int(9) } }),
          answer: [key, { kind: "tool_error" }],
        };
      case 16: {
        // Deep nesting inside params.
        const depth = 100 + this.int(1_500);
        const nested = JSON.parse("[".repeat(depth) + "]".repeat(depth));
        return { value: request("ping", { deep: nested }), answer: [key, result] };
      }
      case 17:
        return { value: this.pick([1, "str", true, null, 0.5]), answer: ["null", error(INVALID)] };
      case 19:
        // A notification with params of the wrong type is an invalid message: id null.
        return {
          value: { jsonrpc: "2.0", method: "notifications/cancelled", params: "x" },
          answer: ["null", error(INVALID)],
        };
      case 18:
        return {
          value: request("resources/read", { uri: `kubeshark://nope/${this.int(99)}` }),
          answer: [key, error(-32002)],
        };
      default:
        return { value: request("logging/setLevel", { level: "debug" }), answer: [key, result] };
    }
  }

  /** One line of input. */
  line(): Case {
    const kind = this.int(100);
    if (kind < 10) return this.#randomBytes();
    if (kind < 18) return this.#truncated();
    if (kind < 24) return this.#badUtf8();
    if (kind < 30) return this.#batch();
    if (kind < 32) return this.#deepGarbage();
    const { value, answer } = this.message();
    return {
      bytes: encoder.encode(JSON.stringify(value)),
      answers: answer ? [answer] : [],
      batch: false,
      label: "message",
    };
  }

  #randomBytes(): Case {
    while (true) {
      const bytes = new Uint8Array(1 + this.int(200));
      for (let i = 0; i < bytes.length; i++) {
        let byte = this.int(256);
        if (byte === 0x0a) byte = 0x0b;
        bytes[i] = byte;
      }
      const text = decoder.decode(bytes).trim();
      if (text === "") continue;
      try {
        JSON.parse(text);
        continue; // Random bytes that happen to be JSON: draw again.
      } catch {
        return {
          bytes,
          answers: [["null", { kind: "error", code: PARSE }]],
          batch: false,
          label: "bytes",
        };
      }
    }
  }

  #truncated(): Case {
    let value: unknown;
    do value = this.message().value; while (value === null || typeof value !== "object");
    const text = JSON.stringify(value);
    // Any proper prefix of a JSON object or array text is not JSON (and never blank: it starts
    // with "{" or "[").
    const cut = text.slice(0, 1 + this.int(text.length - 1));
    return {
      bytes: encoder.encode(cut),
      answers: [["null", { kind: "error", code: PARSE }]],
      batch: false,
      label: "truncated",
    };
  }

  #badUtf8(): Case {
    // Invalid UTF-8 inside a string decodes to U+FFFD: the request itself is fine.
    const id = this.id();
    const head = encoder.encode(
      `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":"ping","params":{"x":"`,
    );
    const junk = this.pick([[0xff], [0xc3, 0x28], [0xe2, 0x82], [0xf0, 0x28, 0x8c, 0xbc], [
      0x80,
      0xbf,
    ]]);
    const tail = encoder.encode('"}}');
    const bytes = new Uint8Array([...head, ...junk, ...tail]);
    // Or outside a string, where it breaks the JSON.
    if (this.int(2)) {
      const broken = new Uint8Array([...junk, ...encoder.encode('{"jsonrpc":"2.0"}')]);
      return {
        bytes: broken,
        answers: [["null", { kind: "error", code: PARSE }]],
        batch: false,
        label: "bad utf-8 outside",
      };
    }
    return {
      bytes,
      answers: [[JSON.stringify(id), { kind: "result" }]],
      batch: false,
      label: "bad utf-8",
    };
  }

  #batch(): Case {
    if (this.int(10) === 0) {
      return {
        bytes: encoder.encode("[]"),
        answers: [["null", { kind: "error", code: INVALID }]],
        batch: false,
        label: "empty batch",
      };
    }
    const items: unknown[] = [];
    const answers: [string, Expected][] = [];
    const size = 1 + this.int(8);
    for (let i = 0; i < size; i++) {
      const { value, answer } = this.message();
      items.push(value);
      if (answer) answers.push(answer);
    }
    return {
      bytes: encoder.encode(JSON.stringify(items)),
      answers,
      batch: answers.length > 0,
      label: "batch",
    };
  }

  #deepGarbage(): Case {
    const depth = 1_000 + this.int(4_000);
    if (this.int(2)) {
      // Balanced: a batch of one array, which is an invalid request.
      return {
        bytes: encoder.encode("[".repeat(depth) + "]".repeat(depth)),
        answers: [["null", { kind: "error", code: INVALID }]],
        batch: true,
        label: "deep batch",
      };
    }
    return {
      bytes: encoder.encode('{"a":'.repeat(depth)),
      answers: [["null", { kind: "error", code: PARSE }]],
      batch: false,
      label: "deep unbalanced",
    };
  }
}

/** Whether `m` is one JSON-RPC response or notification as MCP allows it on our stdout. */
function validMessage(m: unknown): boolean {
  if (m === null || typeof m !== "object" || Array.isArray(m)) return false;
  const message = m as Record<string, unknown>;
  if (message.jsonrpc !== "2.0") return false;
  if ("method" in message) return typeof message.method === "string" && !("id" in message);
  if (!("id" in message)) return false;
  const id = message.id;
  if (id !== null && typeof id !== "string" && typeof id !== "number") return false;
  if (("result" in message) === ("error" in message)) return false;
  if ("error" in message) {
    const error = message.error as Record<string, unknown>;
    return Number.isInteger(error?.code) && typeof error?.message === "string";
  }
  return true;
}

function matches(expected: Expected, response: Record<string, unknown>): boolean {
  if (expected.kind === "error") {
    return (response.error as { code?: number } | undefined)?.code === expected.code;
  }
  const result = response.result as Record<string, unknown> | undefined;
  if (!result) return false;
  return expected.kind === "tool_error" ? result.isError === true : result.isError !== true;
}

Deno.test("fuzzed stdin: one valid message per stdout line, one right answer per id, still alive", async () => {
  const seed = Number(Deno.env.get("FUZZ_SEED") ?? Math.floor(Math.random() * 2 ** 31));
  const generator = new Generator(seed);
  const cases = Array.from({ length: LINES }, () => generator.line());

  const expected = new Map<string, Expected>();
  const expectedNull = new Map<number, number>();
  for (const c of cases) {
    for (const [key, answer] of c.answers) {
      if (key === "null") {
        const code = answer.kind === "error" ? answer.code : 0;
        expectedNull.set(code, (expectedNull.get(code) ?? 0) + 1);
      } else {
        assert.equal(expected.has(key), false, `generator reused id ${key}`);
        expected.set(key, answer);
      }
    }
  }

  const child = mainCommand(["--demo"], { stdin: "piped" }).spawn();
  // Every stdout line, parsed once as it arrives (undefined: not JSON), and a count of answers.
  const lines: { text: string; value: unknown }[] = [];
  let answers = 0;
  const accept = (text: string) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    lines.push({ text, value });
    if (Array.isArray(value)) answers += value.length;
    else if (value !== null && typeof value === "object" && "id" in value) answers++;
  };
  const stdoutDone = (async () => {
    let buffer = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      let start = 0;
      let newline;
      while ((newline = buffer.indexOf("\n", start)) !== -1) {
        accept(buffer.slice(start, newline));
        start = newline + 1;
      }
      buffer = buffer.slice(start);
    }
    if (buffer) accept(buffer);
  })();
  let stderr = "";
  const stderrDone = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) stderr += chunk;
  })();
  const writer = child.stdin.getWriter();

  try {
    const init = {
      jsonrpc: "2.0",
      id: "init",
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "fuzz" } },
    };
    const parts: Uint8Array[] = [encoder.encode(JSON.stringify(init) + "\n")];
    for (const c of cases) parts.push(c.bytes, encoder.encode("\n"));
    const total = parts.reduce((sum, part) => sum + part.length, 0);
    const all = new Uint8Array(total);
    let offset = 0;
    for (const part of parts) {
      all.set(part, offset);
      offset += part.length;
    }
    for (let start = 0; start < all.length; start += 1 << 20) {
      await writer.write(all.subarray(start, start + (1 << 20)));
    }

    // Wait for every answer (ids and id-less errors), then a last ping proves it still serves.
    const needed = expected.size + [...expectedNull.values()].reduce((a, b) => a + b, 0) + 1;
    const deadline = Date.now() + DEADLINE_MS;
    while (answers < needed && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(
      answers >= needed,
      `only ${answers} of ${needed} answers arrived; stderr:\n${stderr.slice(-2000)}`,
    );
    await writer.write(encoder.encode('{"jsonrpc":"2.0","id":"final","method":"ping"}\n'));
    while (answers < needed + 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const answered = new Map<string, number>();
    const nullCodes = new Map<number, number>();
    const wrong: string[] = [];
    for (const { text: line, value } of lines) {
      if (value === undefined) assert.fail(`stdout line is not JSON: ${line.slice(0, 200)}`);
      const messages = Array.isArray(value) ? value : [value];
      if (Array.isArray(value)) assert.ok(value.length > 0, "an empty batch answer");
      for (const message of messages) {
        assert.ok(validMessage(message), `not a valid JSON-RPC message: ${line.slice(0, 300)}`);
        if ("method" in message) {
          assert.equal(Array.isArray(value), false, "a notification inside a batch answer");
          continue;
        }
        if (message.id === null) {
          const code = message.error.code;
          nullCodes.set(code, (nullCodes.get(code) ?? 0) + 1);
          continue;
        }
        const key = JSON.stringify(message.id);
        answered.set(key, (answered.get(key) ?? 0) + 1);
        const want = expected.get(key);
        if (want && !matches(want, message)) {
          wrong.push(
            `${key}: wanted ${JSON.stringify(want)}, got ${JSON.stringify(message).slice(0, 300)}`,
          );
        }
      }
    }
    assert.deepEqual(wrong, [], "answers with the wrong code");
    for (const key of expected.keys()) {
      assert.equal(
        answered.get(key),
        1,
        `id ${key.slice(0, 80)} answered ${answered.get(key) ?? 0} times`,
      );
    }
    const extra = [...answered.keys()].filter((key) =>
      !expected.has(key) && key !== '"init"' && key !== '"final"'
    );
    assert.deepEqual(extra, [], "answers to ids nobody sent (or to notifications)");
    assert.equal(answered.get('"final"'), 1, "the last ping was not answered");
    assert.deepEqual(
      Object.fromEntries([...nullCodes].sort()),
      Object.fromEntries([...expectedNull].sort()),
      "id-null errors by code",
    );

    await writer.close();
    const status = await child.status;
    assert.equal(status.code, 0, `exit code; stderr:\n${stderr.slice(-2000)}`);
  } catch (error) {
    throw new Error(`fuzz run failed with FUZZ_SEED=${seed}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await child.status;
    await writer.close().catch(() => {});
    await stdoutDone;
    await stderrDone;
  }
});
