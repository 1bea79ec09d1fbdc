/**
 * MCP client configs: each client's own shape (golden files), secrets only as placeholders, the
 * per-OS config paths, and install/uninstall round trips on JSONC files with comments.
 * UPDATE_GOLDEN=1 rewrites tests/golden/clients/.
 */
import assert from "node:assert/strict";
import { parseCommandLine } from "../lib/cli.ts";
import { installServer, uninstallServer } from "../lib/clients/install.ts";
import {
  CLIENTS,
  configFilePath,
  launchFor,
  printedConfig,
  type Runtime,
} from "../lib/clients/mod.ts";
import { V8_FLAGS, VERSION } from "../lib/version.ts";
import { childEnv } from "./support/env.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const GOLDEN = new URL("./golden/clients/", import.meta.url);

const UNDER_DENO: Runtime = {
  standalone: false,
  execPath: "/usr/local/bin/deno",
  denoVersion: "2.9.6",
};
const COMPILED: Runtime = {
  standalone: true,
  execPath: "/usr/local/bin/kubeshark-mcp",
  denoVersion: "2.9.6",
};
const NO_ENV = new Map<string, string>();

async function configOf(args: string[]) {
  return (await parseCommandLine(args, NO_ENV)).config;
}

const MODES: { name: string; args: string[]; runtime: Runtime }[] = [
  { name: "demo", args: ["--demo"], runtime: UNDER_DENO },
  {
    name: "url-token",
    args: ["--url", "https://ks.example.com", "--token", "s3cret-token"],
    runtime: COMPILED,
  },
  {
    name: "proxy",
    args: ["--kubeconfig", "/home/me/.kube/prod", "--context", "prod", "-n", "kubeshark"],
    runtime: UNDER_DENO,
  },
];

Deno.test("--mcp-config --client prints each client's own shape (golden files)", async () => {
  for (const client of CLIENTS) {
    for (const mode of MODES) {
      const launch = launchFor(await configOf(mode.args), { runtime: mode.runtime, env: NO_ENV });
      // The version is not part of the golden: a release must not rewrite these files.
      const text = printedConfig(client, launch).replaceAll(`@${VERSION}`, "@<version>");
      const name = `${client}-${mode.name}.${client === "claude-code" ? "sh" : "json"}`;
      const file = new URL(name, GOLDEN);
      if (Deno.env.get("UPDATE_GOLDEN")) {
        await Deno.mkdir(GOLDEN, { recursive: true });
        await Deno.writeTextFile(file, text);
      }
      assert.equal(text, await Deno.readTextFile(file), name);
      assert.ok(!text.includes("s3cret-token"), `${name}: the token leaked`);
    }
  }
});

Deno.test("VS Code gets servers with type stdio and a password prompt for the token", async () => {
  const launch = launchFor(await configOf(MODES[1].args), { runtime: COMPILED, env: NO_ENV });
  const document = JSON.parse(printedConfig("vscode", launch));
  assert.equal(document.mcpServers, undefined);
  assert.equal(document.servers.kubeshark.type, "stdio");
  assert.equal(document.servers.kubeshark.command, "/usr/local/bin/kubeshark-mcp");
  assert.equal(document.servers.kubeshark.env.KUBESHARK_HUB_TOKEN, "${input:kubeshark-hub-token}");
  assert.equal(document.inputs[0].id, "kubeshark-hub-token");
  assert.equal(document.inputs[0].password, true);
});

Deno.test("a deno run from npx's cache is named as npx, never by its cache path", async () => {
  const launch = launchFor(await configOf(["--demo"]), {
    runtime: {
      standalone: false,
      execPath: "/home/me/.npm/_npx/1a2b3c/node_modules/deno/deno",
      denoVersion: "2.9.6",
    },
    env: NO_ENV,
  });
  assert.equal(launch.command, "npx");
  assert.deepEqual(launch.args, [
    "--yes",
    "deno@2.9.6",
    "run",
    "-A",
    V8_FLAGS,
    `jsr:@kubeshark/kubeshark-mcp@${VERSION}`,
    "--demo",
  ]);
});

Deno.test("a relative --kubeconfig or --download-dir becomes absolute; none given stays out", async () => {
  const launch = launchFor(await configOf(["--kubeconfig", "kc", "--download-dir", "out"]), {
    runtime: UNDER_DENO,
    env: NO_ENV,
    cwd: "/work/here",
  });
  assert.equal(launch.args[launch.args.indexOf("--kubeconfig") + 1], "/work/here/kc");
  assert.equal(launch.args[launch.args.indexOf("--download-dir") + 1], "/work/here/out");
  const plain = launchFor(await configOf([]), { runtime: UNDER_DENO, env: NO_ENV });
  assert.ok(!plain.args.includes("--kubeconfig"));
  assert.ok(!plain.args.includes("--download-dir"));
});

Deno.test("each client's config file is where that client reads it, on each OS", () => {
  const env = new Map([["HOME", "/home/me"], ["USERPROFILE", "C:\\Users\\me"], [
    "APPDATA",
    "C:\\Users\\me\\AppData\\Roaming",
  ]]);
  const expected: Record<string, Record<string, string>> = {
    "claude-desktop": {
      darwin: "/home/me/Library/Application Support/Claude/claude_desktop_config.json",
      linux: "/home/me/.config/Claude/claude_desktop_config.json",
      windows: "C:\\Users\\me\\AppData\\Roaming\\Claude\\claude_desktop_config.json",
    },
    "claude-code": {
      darwin: "/home/me/.claude.json",
      linux: "/home/me/.claude.json",
      windows: "C:\\Users\\me\\.claude.json",
    },
    cursor: {
      darwin: "/home/me/.cursor/mcp.json",
      linux: "/home/me/.cursor/mcp.json",
      windows: "C:\\Users\\me\\.cursor\\mcp.json",
    },
    vscode: {
      darwin: "/home/me/Library/Application Support/Code/User/mcp.json",
      linux: "/home/me/.config/Code/User/mcp.json",
      windows: "C:\\Users\\me\\AppData\\Roaming\\Code\\User\\mcp.json",
    },
    windsurf: {
      darwin: "/home/me/.codeium/windsurf/mcp_config.json",
      linux: "/home/me/.codeium/windsurf/mcp_config.json",
      windows: "C:\\Users\\me\\.codeium\\windsurf\\mcp_config.json",
    },
  };
  for (const client of CLIENTS) {
    for (const os of ["darwin", "linux", "windows"] as const) {
      assert.equal(configFilePath(client, { os, env }), expected[client][os], `${client} on ${os}`);
    }
  }
});

const WITH_COMMENTS = `{
    // Servers I use every day.
    "mcpServers": {
        "github": { "command": "gh-mcp", "args": ["--stdio"] }, /* keep this one */
        "files": {
            "command": "files-mcp"
        }
    },
    "theme": "dark", // not ours
}
`;

async function tempFile(text?: string): Promise<string> {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/mcp.json`;
  if (text !== undefined) await Deno.writeTextFile(file, text);
  return file;
}

async function backups(file: string): Promise<string[]> {
  const dir = file.slice(0, file.lastIndexOf("/"));
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.endsWith(".bak")) names.push(entry.name);
  }
  return names;
}

Deno.test("install keeps comments and other servers; a second install is a no-op", async () => {
  const file = await tempFile(WITH_COMMENTS);
  const config = await configOf(["--demo"]);
  const first = await installServer(config, {
    client: "cursor",
    configFile: file,
    runtime: UNDER_DENO,
  });
  assert.equal(first.changed, true);
  const text = await Deno.readTextFile(file);
  for (
    const kept of [
      "// Servers I use every day.",
      '"github": { "command": "gh-mcp", "args": ["--stdio"] }',
      "/* keep this one */",
      '"theme": "dark", // not ours',
      '        "files": {\n            "command": "files-mcp"\n        }',
    ]
  ) {
    assert.ok(text.includes(kept), `lost: ${kept}\n${text}`);
  }
  // The new entry is in the file's own indentation (4 spaces here).
  assert.match(text, /\n {8}"kubeshark": \{\n {12}"command": "deno",/);
  assert.equal((await backups(file)).length, 1);
  assert.equal(await Deno.readTextFile(first.backup!), WITH_COMMENTS);

  const second = await installServer(config, {
    client: "cursor",
    configFile: file,
    runtime: UNDER_DENO,
  });
  assert.equal(second.changed, false);
  assert.equal(await Deno.readTextFile(file), text);
  assert.equal((await backups(file)).length, 1, "a no-op must not leave another backup");
});

Deno.test("uninstall after install gives back the file as it was", async () => {
  const file = await tempFile(WITH_COMMENTS);
  await installServer(await configOf(["--url", "https://ks.example.com"]), {
    client: "windsurf",
    configFile: file,
    runtime: COMPILED,
  });
  const removed = await uninstallServer({ client: "windsurf", configFile: file });
  assert.equal(removed.changed, true);
  assert.equal(await Deno.readTextFile(file), WITH_COMMENTS);
  const again = await uninstallServer({ client: "windsurf", configFile: file });
  assert.equal(again.changed, false);
});

Deno.test("install refuses to replace a different kubeshark entry unless --force", async () => {
  const file = await tempFile(
    `{"mcpServers": {"kubeshark": {"command": "kubeshark", "args": ["mcp"]}}}`,
  );
  const config = await configOf(["--demo"]);
  await assert.rejects(
    installServer(config, { client: "claude-desktop", configFile: file, runtime: COMPILED }),
    /already has a different "kubeshark" server \(command: kubeshark mcp\); pass --force/,
  );
  assert.deepEqual(await backups(file), []);
  const forced = await installServer(config, {
    client: "claude-desktop",
    configFile: file,
    runtime: COMPILED,
    force: true,
  });
  assert.equal(forced.changed, true);
  const written = JSON.parse(await Deno.readTextFile(file));
  assert.deepEqual(written.mcpServers.kubeshark, {
    command: "/usr/local/bin/kubeshark-mcp",
    args: ["--demo"],
  });
});

Deno.test("an unparsable config file is a clear error and nothing is written", async () => {
  const broken = `{\n  "mcpServers": {\n    "a": { "command": "x" }\n  \n`;
  const file = await tempFile(broken);
  await assert.rejects(
    installServer(await configOf(["--demo"]), { client: "cursor", configFile: file }),
    /mcp\.json is not valid JSON: .* at line \d+, column \d+\..*nothing was written/,
  );
  assert.equal(await Deno.readTextFile(file), broken);
  assert.deepEqual(await backups(file), []);
});

Deno.test("install creates a missing config file and its directory; dry run writes nothing", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/Code/User/mcp.json`;
  const config = await configOf(["--url", "https://ks.example.com", "--token", "t0k3n"]);
  const dry = await installServer(config, {
    client: "vscode",
    configFile: file,
    runtime: COMPILED,
    dryRun: true,
  });
  assert.equal(dry.changed, true);
  await assert.rejects(Deno.stat(file), Deno.errors.NotFound);
  await installServer(config, { client: "vscode", configFile: file, runtime: COMPILED });
  const written = await Deno.readTextFile(file);
  assert.equal(written, dry.text);
  assert.ok(!written.includes("t0k3n"), "the token leaked into the file");
  const document = JSON.parse(written);
  assert.equal(document.servers.kubeshark.type, "stdio");
  assert.equal(document.inputs.length, 1);
  // VS Code: uninstall also drops the token prompt it added.
  await uninstallServer({ client: "vscode", configFile: file });
  assert.deepEqual(JSON.parse(await Deno.readTextFile(file)), { servers: {}, inputs: [] });
});

Deno.test("install keeps a tab-indented file tab-indented", async () => {
  const file = await tempFile(`{\n\t"mcpServers": {\n\t\t"x": {"command": "y"}\n\t}\n}\n`);
  await installServer(await configOf(["--demo"]), {
    client: "claude-desktop",
    configFile: file,
    runtime: COMPILED,
  });
  assert.match(await Deno.readTextFile(file), /\n\t\t"kubeshark": \{\n\t\t\t"command": /);
});

async function runCli(args: string[], env: Record<string, string> = {}) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", MAIN, ...args],
    stdin: "null",
    env: childEnv(env),
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

Deno.test("kubeshark-mcp install and uninstall --client edit the named file", async () => {
  const file = await tempFile(WITH_COMMENTS);
  const installed = await runCli([
    "install",
    "--client",
    "cursor",
    "--config-file",
    file,
    "--demo",
  ]);
  assert.equal(installed.code, 0, installed.stderr);
  assert.match(installed.stdout, /Added the "kubeshark" server in .*mcp\.json/);
  assert.match(installed.stdout, /Restart Cursor/);
  const again = await runCli(["install", "--client", "cursor", "--config-file", file, "--demo"]);
  assert.match(again.stdout, /already has this "kubeshark" server/);
  const other = await runCli([
    "install",
    "--client",
    "cursor",
    "--config-file",
    file,
    "--url",
    "http://h",
  ]);
  assert.equal(other.code, 1);
  assert.match(other.stderr, /pass --force/);
  const removed = await runCli(["uninstall", "--client", "cursor", "--config-file", file]);
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal(await Deno.readTextFile(file), WITH_COMMENTS);
});

Deno.test("install without --client, or with an unknown client, is a usage error", async () => {
  const missing = await runCli(["install", "--demo"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /install needs --client \(one of claude-desktop, claude-code/);
  const unknown = await runCli(["--mcp-config", "--client", "emacs"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--client "emacs" is not one of/);
  const stray = await runCli(["--demo", "--dry-run"]);
  assert.equal(stray.code, 2);
});

Deno.test("the printed command parses back to the same configuration (every flag carried)", async () => {
  const given = [
    "--kubeconfig",
    "/k/config",
    "--context",
    "prod",
    "-n",
    "ks",
    "--allow-destructive",
    "--read-only",
    "--tools",
    "list_api_calls,get_api_call",
    "--disable-tools",
    "export_snapshot_pcap",
    "--set",
    "tap.docker.tag=v53.3",
    "--hub-timeout",
    "10",
    "--max-result-bytes",
    "128KiB",
    "--max-hub-bytes",
    "8MiB",
    "--max-download-bytes",
    "1GiB",
    "--no-redact",
    "--download-dir",
    "/tmp/downloads",
    "--proxy",
    "service",
  ];
  const original = await configOf(given);
  const launch = launchFor(original, { runtime: COMPILED, env: NO_ENV });
  const again = await configOf(launch.args);
  assert.deepEqual({ ...again, values: undefined }, { ...original, values: undefined });
});
