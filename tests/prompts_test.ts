/** Prompts that lead: the demo Hub's steps, kubeshark_usage, and the local Hub-prompt renderer. */
import assert from "node:assert/strict";
import { DEMO_PROMPTS } from "../lib/demo/prompts.ts";
import { renderHubPrompt, usagePromptMessages } from "../lib/prompts.ts";

const DEMO_TOOLS = JSON.parse(
  await Deno.readTextFile(new URL("../lib/demo/discovery.json", import.meta.url)),
) as { name: string }[];
const TOOL_NAMES = DEMO_TOOLS.map((tool) => tool.name);

Deno.test("each demo prompt lists numbered steps naming real tools, with example arguments", () => {
  for (const prompt of DEMO_PROMPTS) {
    const text = prompt.description ?? "";
    assert.match(text, /\nSteps:\n1\. /, prompt.name);
    const named = TOOL_NAMES.filter((name) => new RegExp(`\\b${name}\\b`).test(text));
    assert.ok(named.length >= 2, `${prompt.name} names ${named.join(", ")}`);
    assert.match(text, /\{[a-z_]+: /, `${prompt.name} shows arguments`);
    for (const mark of text.matchAll(/<([a-z_]+)>/g)) {
      const known = (prompt.arguments ?? []).some((arg) => arg.name === mark[1]);
      const placeholder = ["host", "slow service", "before", "after"].includes(mark[1]);
      assert.ok(known || placeholder, `${prompt.name}: <${mark[1]}> is no argument`);
    }
  }
  const filters = DEMO_PROMPTS.filter((p) => /kfl: "/.test(p.description ?? ""));
  assert.ok(filters.length >= 6, "most prompts show a KFL2 filter");
});

Deno.test("a rendered Hub prompt keeps the Hub's text and says which given value fills <name>", () => {
  const prompt = DEMO_PROMPTS.find((p) => p.name === "debug_connection")!;
  const text = renderHubPrompt(prompt, { source: "cart", destination: "redis-cache" });
  assert.ok(text.startsWith(`Task: debug_connection\n\n${prompt.description}\n\nParameters:\n`));
  assert.match(text, /- source \(required\): .* = "cart"/);
  assert.match(
    text,
    /In the steps above, use "cart" for <source>, "redis-cache" for <destination>\./,
  );
  assert.match(text, /Use the appropriate Kubeshark MCP tools to complete this task\.$/);
  const plain = renderHubPrompt({ name: "x", description: "Do it.", arguments: [] });
  assert.equal(
    plain,
    "Task: x\n\nDo it.\n\nUse the appropriate Kubeshark MCP tools to complete this task.",
  );
});

Deno.test("kubeshark_usage names the tools in order, with example filters", () => {
  const [{ content }] = usagePromptMessages();
  const order = [
    "check_kubeshark_status",
    "get_l7_data_boundaries",
    "list_workloads",
    "get_api_stats",
    "list_api_calls",
    "get_api_call",
    "list_l4_flows",
    "export_snapshot_pcap",
    "download_file",
  ];
  const positions = order.map((name) => content.text.indexOf(name));
  assert.ok(positions.every((p) => p >= 0), `missing: ${order.filter((_, i) => positions[i] < 0)}`);
  assert.deepEqual([...positions].sort((a, b) => a - b), positions, "in this order");
  assert.match(content.text, /kfl: "http && status_code >= 500"/);
  assert.match(content.text, /kubectl/);
});
