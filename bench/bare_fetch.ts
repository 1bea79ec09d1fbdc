/**
 * The memory baseline: a bare Deno loop making the same Hub call as kubeshark-mcp does, with the
 * same parse and serialize. Prints its RSS in bytes after the warm-up call and after each count
 * given: `deno run -A bench/bare_fetch.ts URL 1000 10000`.
 */
const [url, ...marks] = Deno.args;
const counts = marks.map(Number);
const body = JSON.stringify({ name: "list_workloads", arguments: { namespace: "shop" } });

async function call(): Promise<void> {
  const response = await fetch(`${url}/api/mcp/tools/call`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  JSON.stringify(await response.json());
}

await call();
console.log(JSON.stringify({ calls: 0, rss: Deno.memoryUsage().rss }));
let done = 0;
for (const count of counts) {
  while (done < count) {
    await call();
    done++;
  }
  console.log(JSON.stringify({ calls: done, rss: Deno.memoryUsage().rss }));
}
