/** Line framing: the splitter in-process, and the 64 MiB bound on the real process. */
import assert from "node:assert/strict";
import { LineSplitter, MAX_LINE_BYTES } from "../lib/server.ts";
import { withServer } from "./support/harness.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function split(chunks: string[], max = 1_000) {
  const lines: string[] = [];
  const oversized: number[] = [];
  const splitter = new LineSplitter(
    max,
    (line) => lines.push(decode(line)),
    (n) => oversized.push(n),
  );
  for (const chunk of chunks) splitter.push(encode(chunk));
  splitter.end();
  return { lines, oversized };
}

Deno.test("lines split across chunks are joined; several lines in one chunk are split", () => {
  assert.deepEqual(split(["ab", "c\nde", "f\ng\n"]).lines, ["abc", "def", "g"]);
});

Deno.test("a last line without a newline is delivered at end of input", () => {
  assert.deepEqual(split(["one\ntwo"]).lines, ["one", "two"]);
});

Deno.test("empty lines are delivered as nothing at all", () => {
  assert.deepEqual(split(["\n\n", "x\n\n"]).lines, ["x"]);
});

Deno.test("an oversized line is reported once with its size, and the next line still arrives", () => {
  const { lines, oversized } = split(["12345", "67890", "abc\nok\n"], 10);
  assert.deepEqual(oversized, [13]);
  assert.deepEqual(lines, ["ok"]);
});

Deno.test("a line over 64 MiB gets -32600 with id null, and the server keeps serving", async () => {
  await withServer([], async (server) => {
    const chunk = "x".repeat(1024 * 1024);
    for (let sent = 0; sent <= MAX_LINE_BYTES; sent += chunk.length) await server.sendRaw(chunk);
    await server.sendRaw("\n");
    const error = await server.waitFor((m) => m.error?.code === -32600);
    assert.equal(error.id, null);
    assert.equal(error.error.data.limitBytes, MAX_LINE_BYTES);
    assert.deepEqual((await server.request("ping")).result, {});
  });
});
