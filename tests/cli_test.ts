/** The command line, run as a real process: flags, errors, and the print-and-exit modes. */
import assert from "node:assert/strict";
import { HUB_DOCUMENT, HubDouble } from "./support/hub_double.ts";
import { FLAGS, USAGE } from "../lib/cli.ts";
import { freePort } from "./support/harness.ts";
import { runMain } from "./support/spawn.ts";

function runCli(args: string[], env: Record<string, string> = {}) {
  return runMain(args, { env });
}

Deno.test("--help prints usage on stdout and exits 0", async () => {
  const { code, stdout } = await runCli(["--help"]);
  assert.equal(code, 0);
  assert.match(stdout, /^Usage: kubeshark-mcp/);
  for (
    const flag of [
      "--url",
      "--token",
      "--kubeconfig",
      "--context",
      "--namespace",
      "--set",
      "--list-tools",
      "--mcp-config",
      "--download-dir",
      "--allow-destructive",
      "--config-path",
      "--debug",
      "--version",
    ]
  ) {
    assert.ok(stdout.includes(flag), `usage lacks ${flag}`);
  }
});

Deno.test("--help lists every flag the command line accepts", () => {
  const missing = Object.keys(FLAGS).filter((flag) => !USAGE.includes(`--${flag}`));
  assert.deepEqual(missing, [], "flags missing from --help");
});

Deno.test("--help does not call a mode read-only: it says what --read-only and the modes withhold", () => {
  const lines = USAGE.split("\n");
  const mode = lines.filter((line) => /^\s+--(url|demo)\b/.test(line));
  assert.ok(mode.length >= 3);
  for (const line of mode) assert.doesNotMatch(line, /read-only/i, line);
  assert.match(USAGE, /--read-only +Offer only tools that change nothing/);
  assert.match(USAGE, /create_snapshot/);
});

Deno.test("--version prints the name and the version from deno.json", async () => {
  const { code, stdout } = await runCli(["--version"]);
  const meta = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  assert.equal(code, 0);
  assert.equal(stdout, `kubeshark-mcp ${meta.version}\n`);
});

Deno.test("an unknown flag is one line on stderr plus usage, exit 2, nothing on stdout", async () => {
  const { code, stdout, stderr } = await runCli(["--frobnicate"]);
  assert.equal(code, 2);
  assert.equal(stdout, "");
  assert.match(stderr.split("\n")[0], /^kubeshark-mcp: .*frobnicate/);
  assert.match(stderr, /Usage:/);
});

Deno.test("a bad --url is refused with exit 2 and says what a URL looks like", async () => {
  for (
    const url of [
      "not a url",
      "ftp://hub.example",
      "http://hub.example/?q=1",
      "http://u:pw@hub.example",
    ]
  ) {
    const { code, stdout, stderr } = await runCli(["--url", url]);
    assert.equal(code, 2, url);
    assert.equal(stdout, "");
    assert.match(stderr, /--url/);
  }
});

Deno.test("a stray positional argument is refused, but a leading 'mcp' is accepted", async () => {
  const stray = await runCli(["serve"]);
  assert.equal(stray.code, 2);
  assert.match(stray.stderr, /unexpected argument "serve"/);
  const mcp = await runCli(["mcp", "--version"]);
  assert.equal(mcp.code, 0);
});

Deno.test("a malformed --set and a bad --hub-timeout exit 2", async () => {
  assert.equal((await runCli(["--set", "novalue"])).code, 2);
  const unknown = await runCli(["--set", "tap.docker.tagg=v1", "--version"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /did you mean "tap\.docker\.tag"/);
  assert.equal((await runCli(["--hub-timeout", "soon"])).code, 2);
});

Deno.test("a --config-path that does not exist exits 2 naming it", async () => {
  const { code, stderr } = await runCli([
    "--config-path",
    "/nonexistent/config.yaml",
    "--list-tools",
  ]);
  assert.equal(code, 2);
  assert.match(stderr, /\/nonexistent\/config\.yaml/);
});

Deno.test("the config file's license is sent as License-Key", async () => {
  const hub = new HubDouble();
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/config.yaml`,
      "license: LIC-FROM-FILE\ntap:\n  release:\n    namespace: ks\n",
    );
    const { code } = await runCli([
      "--url",
      hub.url,
      "--config-path",
      `${dir}/config.yaml`,
      "--list-tools",
    ]);
    assert.equal(code, 0);
    assert.equal(hub.requests[0].headers.get("license-key"), "LIC-FROM-FILE");
  } finally {
    await hub.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--mcp-config in URL mode carries --url and never the token", async () => {
  const printed = await runCli([
    "--url",
    "https://ks.example.com/",
    "--token",
    "s3cret",
    "--set",
    "license=LIC",
    "--set",
    "tap.docker.tag=v1",
    "--mcp-config",
  ]);
  assert.equal(printed.code, 0);
  const config = JSON.parse(printed.stdout);
  const entry = config.mcpServers.kubeshark;
  // Not compiled: the published package at this version, never a path into a cache or clone.
  assert.equal(entry.command, "deno");
  assert.match(
    entry.args.join(" "),
    /^run -A --v8-flags=--max-semi-space-size=4,--heap-growing-percent=50 jsr:@kubeshark\/kubeshark-mcp@\d+\.\d+\.\d+ /,
  );
  assert.ok(entry.args.includes("--url"));
  assert.equal(entry.args[entry.args.indexOf("--url") + 1], "https://ks.example.com");
  assert.ok(entry.args.includes("tap.docker.tag=v1"));
  assert.ok(!entry.args.includes("--download-dir"), "no download dir was given");
  assert.equal(entry.env.KUBESHARK_HUB_TOKEN, "<your Kubeshark Hub token>");
  assert.ok(!printed.stdout.includes("s3cret"), "the token leaked");
  assert.ok(!printed.stdout.includes("LIC"), "the license leaked");
  assert.ok(!printed.stderr.includes("s3cret"), "the token leaked to stderr");
});

Deno.test("--mcp-config in proxy mode names a kubeconfig only when one was given", async () => {
  const printed = await runCli(["--mcp-config"], { KUBECONFIG: "/tmp/a-config:/tmp/b-config" });
  const entry = JSON.parse(printed.stdout).mcpServers.kubeshark;
  assert.ok(!entry.args.includes("--kubeconfig"));
  assert.deepEqual(entry.env, { KUBECONFIG: "/tmp/a-config:/tmp/b-config" });
  const none = JSON.parse((await runCli(["--mcp-config"], { KUBECONFIG: "" })).stdout);
  assert.ok(!none.mcpServers.kubeshark.args.includes("--kubeconfig"));
  assert.equal(none.mcpServers.kubeshark.env, undefined);
  const explicit = await runCli([
    "--kubeconfig",
    "/k/config",
    "--context",
    "prod",
    "--allow-destructive",
    "--mcp-config",
  ]);
  const args = JSON.parse(explicit.stdout).mcpServers.kubeshark.args;
  assert.deepEqual(args.slice(args.indexOf("--kubeconfig"), args.indexOf("--kubeconfig") + 5), [
    "--kubeconfig",
    "/k/config",
    "--context",
    "prod",
    "--allow-destructive",
  ]);
});

Deno.test("--list-tools in URL mode prints local tools, the Hub's tools and prompts", async () => {
  const hub = new HubDouble();
  try {
    const { code, stdout } = await runCli(["--url", hub.url, "--list-tools"]);
    assert.equal(code, 0);
    for (
      const name of [
        "check_kubeshark_status",
        "get_file_url",
        "download_file",
        "list_workloads",
        "export_snapshot_pcap",
        "kubeshark_usage",
        "find_errors",
      ]
    ) {
      assert.ok(stdout.includes(name), `missing ${name}`);
    }
    assert.ok(!stdout.includes("start_kubeshark"));
  } finally {
    await hub.close();
  }
});

Deno.test("--list-tools warns on stderr about a --tools choice the mode or flags hide", async () => {
  const hub = new HubDouble();
  try {
    const { code, stdout, stderr } = await runCli([
      "--url",
      hub.url,
      "--read-only",
      "--tools",
      "create_snapshot",
      "--list-tools",
    ]);
    assert.equal(code, 0);
    assert.ok(!stdout.includes("create_snapshot"));
    assert.match(stderr, /--tools names create_snapshot, but it is not offered/);
    assert.match(stderr, /No tool is offered/);
  } finally {
    await hub.close();
  }
});

Deno.test("--list-tools lists only what tools/list would offer under --read-only, --tools and the mode", async () => {
  const hub = new HubDouble();
  hub.document = {
    ...structuredClone(HUB_DOCUMENT),
    tools: [
      ...structuredClone(HUB_DOCUMENT.tools),
      { name: "delete_snapshot", description: "Delete a snapshot." },
    ],
  };
  const listed = async (args: string[]) => {
    const { code, stdout } = await runCli(["--url", hub.url, "--list-tools", ...args]);
    assert.equal(code, 0);
    return [...stdout.matchAll(/^ {2}(\w+) /gm)].map((match) => match[1]);
  };
  try {
    const all = await listed([]);
    assert.ok(all.includes("create_snapshot") && all.includes("download_file"));
    assert.ok(!all.includes("delete_snapshot"), "URL mode offers no destructive tool");
    const readOnly = await listed(["--read-only"]);
    assert.ok(readOnly.includes("list_workloads"));
    for (const name of ["create_snapshot", "download_file", "delete_snapshot"]) {
      assert.ok(!readOnly.includes(name), `${name} listed under --read-only`);
    }
    const chosen = await listed(["--tools", "list_api_calls,get_file_url"]);
    assert.deepEqual(
      chosen.filter((name) =>
        name !== "kubeshark_usage" && !/^(find_errors|trace_request)$/.test(name)
      ),
      [
        "get_file_url",
        "list_api_calls",
      ],
    );
  } finally {
    await hub.close();
  }
});

Deno.test("--list-tools masks the Hub token a Hub echoes in descriptions, from --token or the env", async () => {
  const token = "hub-token-0123456789abcdef";
  const hub = new HubDouble();
  hub.document = {
    ...structuredClone(HUB_DOCUMENT),
    tools: [
      ...structuredClone(HUB_DOCUMENT.tools),
      // Whole, and cut by the 70-character shortening in the middle of the token.
      { name: "echo_token", description: `Accepts ${token} as its key` },
      { name: "echo_cut", description: `${"a".repeat(50)} ${token}` },
    ],
  };
  try {
    for (
      const [args, env] of [
        [["--token", token], {}],
        [[], { KUBESHARK_HUB_TOKEN: token }],
      ] as const
    ) {
      const { code, stdout, stderr } = await runCli(
        ["--url", hub.url, "--list-tools", ...args],
        env,
      );
      assert.equal(code, 0, stderr);
      assert.match(stdout, /echo_token +Accepts \[redacted/);
      assert.match(stdout, /echo_cut/);
      assert.ok(!stdout.includes(token.slice(0, 12)), `the token (or part of it) was printed`);
      assert.ok(!stderr.includes(token.slice(0, 12)));
    }
  } finally {
    await hub.close();
  }
});

Deno.test("--list-tools with an unreachable Hub still lists local tools, says why, exits 1", async () => {
  const { code, stdout } = await runCli([
    "--url",
    `http://127.0.0.1:${freePort()}`,
    "--list-tools",
  ]);
  assert.equal(code, 1);
  assert.match(stdout, /check_kubeshark_status/);
  assert.match(stdout, /Hub tools: unavailable\. Cannot reach the Hub/);
});
