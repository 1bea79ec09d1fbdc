/**
 * `install` / `uninstall --client X`: adds or removes the `kubeshark` server in a client's config
 * file. Edits go through jsonc-parser, so comments, other servers and the file's formatting stay
 * as they were; only the inserted entry is formatted (in the file's own indentation).
 */
import { dirname } from "node:path";
import type { Config } from "../config.ts";
import {
  type ClientId,
  configFilePath,
  launchFor,
  type Runtime,
  SERVER_KEY,
  serverEntry,
  serversKey,
  VSCODE_TOKEN_INPUT,
} from "./mod.ts";
import { isRecord } from "../json.ts";

/** A config file we will not touch, or an entry we will not replace; nothing was written. */
export class ClientConfigError extends Error {}

/** What `install`/`uninstall` was asked. */
export interface ClientFileOptions {
  client: ClientId;
  /** Default: the client's per-user file for this OS. */
  configFile?: string;
  dryRun?: boolean;
  force?: boolean;
  runtime?: Runtime;
}

/** What happened (or, with dryRun, would happen). */
export interface ClientFileResult {
  file: string;
  changed: boolean;
  /** The file's new text when it changed. */
  text?: string;
  backup?: string;
  message: string;
}

type Jsonc = typeof import("jsonc-parser");
let jsoncModule: Promise<Jsonc> | undefined;

// Loaded only by install/uninstall: the server itself never parses JSONC.
function jsonc(): Promise<Jsonc> {
  return jsoncModule ??= import("jsonc-parser");
}

/** Adds the server to the client's config file. A second identical install changes nothing. */
export async function installServer(
  config: Config,
  options: ClientFileOptions,
): Promise<ClientFileResult> {
  const { client } = options;
  const file = options.configFile ?? configFilePath(client);
  const launch = launchFor(config, { runtime: options.runtime });
  const entry = serverEntry(client, launch);
  const wantsInput = client === "vscode" && launch.secrets.length > 0;
  const { text, existed } = await readConfig(file);
  const parser = await jsonc();
  const root = parseRoot(parser, text, file);
  const key = serversKey(client);
  refuseNonObject(root, key, file);
  const current = objectAt(root, key)?.[SERVER_KEY];
  const inputs = Array.isArray(root[`inputs`]) ? root.inputs as unknown[] : [];
  const hasInput = inputs.some((input) => objectId(input) === VSCODE_TOKEN_INPUT.id);
  if (sameJson(current, entry) && (!wantsInput || hasInput)) {
    return { file, changed: false, message: `${file} already has this "${SERVER_KEY}" server.` };
  }
  if (current !== undefined && !sameJson(current, entry) && !options.force) {
    throw new ClientConfigError(
      `${file} already has a different "${SERVER_KEY}" server (${describe(current)}); ` +
        `pass --force to replace it, or run uninstall --client ${client} first. Nothing was written.`,
    );
  }
  let next: string;
  if (!text.trim()) {
    const document: Record<string, unknown> = { [key]: { [SERVER_KEY]: entry } };
    if (wantsInput) document.inputs = [VSCODE_TOKEN_INPUT];
    next = JSON.stringify(document, null, 2) + "\n";
  } else {
    next = edit(parser, text, [key, SERVER_KEY], entry);
    if (wantsInput && !hasInput) {
      next = Array.isArray(root.inputs)
        ? edit(parser, next, ["inputs", -1], VSCODE_TOKEN_INPUT, true)
        : edit(parser, next, ["inputs"], [VSCODE_TOKEN_INPUT]);
    }
  }
  // The edit must round-trip: the file still parses and holds exactly our entry.
  if (!sameJson(objectAt(parseRoot(parser, next, file), key)?.[SERVER_KEY], entry)) {
    throw new ClientConfigError(`could not edit ${file} safely; nothing was written.`);
  }
  const secrets = launch.secrets.length ? ` Then give the Hub token: ${tokenAdvice(client)}` : "";
  return await commit(file, existed ? text : undefined, next, options, {
    message: `${current === undefined ? "Added" : "Replaced"} the "${SERVER_KEY}" server in ` +
      `${file}. Restart ${clientName(client)} to load it.${secrets}`,
  });
}

/** Removes the server (and, for VS Code, its token prompt) from the client's config file. */
export async function uninstallServer(options: ClientFileOptions): Promise<ClientFileResult> {
  const { client } = options;
  const file = options.configFile ?? configFilePath(client);
  const { text, existed } = await readConfig(file);
  const parser = await jsonc();
  const root = parseRoot(parser, text, file);
  const key = serversKey(client);
  if (objectAt(root, key)?.[SERVER_KEY] === undefined) {
    return { file, changed: false, message: `${file} has no "${SERVER_KEY}" server.` };
  }
  let next = edit(parser, text, [key, SERVER_KEY], undefined);
  if (client === "vscode" && Array.isArray(root.inputs)) {
    const index = root.inputs.findIndex((input) => objectId(input) === VSCODE_TOKEN_INPUT.id);
    if (index >= 0) next = edit(parser, next, ["inputs", index], undefined);
  }
  return await commit(file, existed ? text : undefined, next, options, {
    message: `Removed the "${SERVER_KEY}" server from ${file}. Restart ${
      clientName(client)
    } to unload it.`,
  });
}

async function readConfig(file: string): Promise<{ text: string; existed: boolean }> {
  try {
    return { text: await Deno.readTextFile(file), existed: true };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { text: "", existed: false };
    throw new ClientConfigError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

function parseRoot(parser: Jsonc, text: string, file: string): Record<string, unknown> {
  if (!text.trim()) return {};
  const errors: import("jsonc-parser").ParseError[] = [];
  const root = parser.parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length) {
    const { offset, error } = errors[0];
    const before = text.slice(0, offset).split("\n");
    throw new ClientConfigError(
      `${file} is not valid JSON: ${parser.printParseErrorCode(error)} at line ${before.length}, ` +
        `column ${before.at(-1)!.length + 1}. Fix the file (or name another with --config-file); ` +
        "nothing was written.",
    );
  }
  if (!isRecord(root)) {
    throw new ClientConfigError(`${file} does not hold a JSON object; nothing was written.`);
  }
  return root;
}

// One jsonc-parser edit, then formatting of the inserted text alone: formatting the whole edit
// with modify()'s own option re-wraps sibling entries, which must stay as the user wrote them.
function edit(
  parser: Jsonc,
  text: string,
  path: (string | number)[],
  value: unknown,
  isArrayInsertion = false,
): string {
  const edits = parser.modify(text, path, value, { isArrayInsertion });
  let next = parser.applyEdits(text, edits);
  if (value === undefined) return next;
  const formatting = detectFormatting(text);
  for (const change of edits) {
    const range = { offset: change.offset, length: change.content.length };
    next = parser.applyEdits(next, parser.format(next, range, formatting));
  }
  return next;
}

function detectFormatting(text: string) {
  const indent = /^([ \t]+)["}\]]/m.exec(text)?.[1] ?? "  ";
  return {
    insertSpaces: !indent.startsWith("\t"),
    tabSize: indent.startsWith("\t") ? 1 : indent.length,
    eol: text.includes("\r\n") ? "\r\n" : "\n",
  };
}

async function commit(
  file: string,
  original: string | undefined,
  next: string,
  options: ClientFileOptions,
  result: { message: string },
): Promise<ClientFileResult> {
  if (options.dryRun) {
    return { file, changed: true, text: next, message: `Dry run: would write ${file}.` };
  }
  await Deno.mkdir(dirname(file), { recursive: true });
  let backup: string | undefined;
  let mode: number | undefined;
  if (original !== undefined) {
    mode = (await Deno.stat(file)).mode ?? undefined;
    backup = `${file}.${new Date().toISOString().replace(/[:.]/g, "-")}.bak`;
    await Deno.writeTextFile(backup, original, { mode });
  }
  // Written beside the file, then renamed over it: a crash never leaves half a config.
  const temporary = `${file}.kubeshark-mcp-${Deno.pid}.tmp`;
  await Deno.writeTextFile(temporary, next, { mode });
  await Deno.rename(temporary, file);
  return {
    file,
    changed: true,
    text: next,
    backup,
    message: result.message + (backup ? ` (previous file kept as ${backup})` : ""),
  };
}

function tokenAdvice(client: ClientId): string {
  switch (client) {
    case "vscode":
      return "VS Code asks for it when it starts the server.";
    case "cursor":
    case "claude-code":
      return `set KUBESHARK_HUB_TOKEN in the environment ${
        clientName(client)
      } starts from (it expands the reference in the file).`;
    default:
      return "replace the KUBESHARK_HUB_TOKEN placeholder in the file with a token.";
  }
}

function clientName(client: ClientId): string {
  return {
    "claude-desktop": "Claude Desktop",
    "claude-code": "Claude Code",
    cursor: "Cursor",
    vscode: "VS Code",
    windsurf: "Windsurf",
  }[client];
}

function describe(entry: unknown): string {
  if (!isRecord(entry)) return JSON.stringify(entry);
  const args = Array.isArray(entry.args) ? ` ${entry.args.join(" ")}` : "";
  return `command: ${entry.command}${args}`;
}

function refuseNonObject(root: Record<string, unknown>, key: string, file: string): void {
  if (root[key] !== undefined && !isRecord(root[key])) {
    throw new ClientConfigError(`${file}: "${key}" is not an object; nothing was written.`);
  }
}

function objectAt(root: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const value = root[key];
  return isRecord(value) ? value : undefined;
}

function objectId(value: unknown): unknown {
  return isRecord(value) ? value.id : undefined;
}

// Key order does not matter: a client may have re-written the file with its own order.
function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length &&
      a.every((item, i) => sameJson(item, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => sameJson(a[key], b[key]));
  }
  return a === b;
}

/** Runs `install`/`uninstall` for the command line: reports on stdout/stderr, returns the exit code. */
export async function runClientFileCommand(
  action: "install" | "uninstall",
  config: Config,
  options: ClientFileOptions & {
    io: { out(text: string): Promise<void>; err(text: string): Promise<void> };
  },
): Promise<number> {
  const { io } = options;
  try {
    const result = action === "install"
      ? await installServer(config, options)
      : await uninstallServer(options);
    // A dry run prints the file it would write; the report then goes to stderr.
    if (options.dryRun && result.changed) {
      await io.out(result.text ?? "");
      await io.err(result.message + "\n");
    } else {
      await io.out(result.message + "\n");
    }
    return 0;
  } catch (error) {
    if (!(error instanceof ClientConfigError) && !(error instanceof Deno.errors.PermissionDenied)) {
      throw error;
    }
    await io.err(`kubeshark-mcp ${action}: ${error.message}\n`);
    return 1;
  }
}
