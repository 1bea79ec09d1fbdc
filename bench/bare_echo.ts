/**
 * The start-up baseline: a bare Deno stdio loop that imports zod, parses each line, and answers
 * `initialize`. Our server's spawn→initialize is measured against this.
 */
import { z } from "zod";

const Request = z.object({ jsonrpc: z.literal("2.0"), id: z.number(), method: z.string() });
const encoder = new TextEncoder();
let buffer = "";
for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
  buffer += chunk;
  let newline;
  while ((newline = buffer.indexOf("\n")) !== -1) {
    const request = Request.parse(JSON.parse(buffer.slice(0, newline)));
    buffer = buffer.slice(newline + 1);
    const result = {
      protocolVersion: "2025-06-18",
      capabilities: {},
      serverInfo: { name: "echo" },
    };
    await Deno.stdout.write(
      encoder.encode(JSON.stringify({ jsonrpc: "2.0", id: request.id, result }) + "\n"),
    );
  }
}
