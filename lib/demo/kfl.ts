/**
 * KFL2 for the demo Hub: CEL (via @marcbachmann/cel-js, type-checked against KFL2's variables)
 * over each entry's KFL2 view. Legacy KFL1 spellings still found in Kubeshark's docs are
 * translated first, and the translation is reported back so the model learns the current syntax.
 */
import { editDistance } from "../suggest.ts";
import { Environment } from "@marcbachmann/cel-js";
import { RE2JS } from "re2js";

import type { ApiCall } from "./types.ts";

/** A filter that did not compile: where, and what was expected. */
export class KflError extends Error {
  readonly position: number;
  readonly kfl: string;

  constructor(message: string, position: number, kfl: string) {
    super(message);
    this.name = "KflError";
    this.position = position;
    this.kfl = kfl;
  }
}

/** A compiled filter. */
export interface KflFilter {
  /** The expression evaluated (after legacy translation). */
  expression: string;
  /** Set when legacy syntax was rewritten. */
  translatedFrom?: string;
  /** Whether an entry matches. Runtime errors (e.g. a missing map key) count as no match. */
  matches(call: ApiCall): boolean;
  /** The first runtime error met, and how many entries raised one. */
  runtimeErrors(): { count: number; first?: string };
}

const PROTOCOL_FLAGS = [
  "http",
  "dns",
  "redis",
  "kafka",
  "grpc",
  "postgresql",
  "tcp",
  "udp",
  "tls",
  "amqp",
  "ldap",
  "ws",
  "gql",
  "gqlv1",
  "gqlv2",
  "mongodb",
  "mysql",
  "sctp",
  "icmp",
  "radius",
  "diameter",
  "conn",
  "flow",
  "tcp_conn",
  "udp_conn",
  "tcp_flow",
  "udp_flow",
];
const BOOLS = [
  ...PROTOCOL_FLAGS,
  "has_pcap",
  "dns_request",
  "dns_response",
  "kafka_request",
  "kafka_response",
  "postgresql_success",
];
const INTS = [
  "status_code",
  "elapsed_time",
  "id",
  "index",
  "conn_id",
  "flow_id",
  "request_headers_size",
  "request_body_size",
  "response_headers_size",
  "response_body_size",
  "dns_request_length",
  "dns_response_length",
  "dns_total_size",
  "redis_request_size",
  "redis_response_size",
  "redis_total_size",
  "kafka_api_key",
  "kafka_size",
  "kafka_request_size",
  "kafka_response_size",
  "grpc_status",
  "postgresql_request_size",
  "postgresql_response_size",
  "postgresql_total_size",
  "capture_source_code",
];
const STRINGS = [
  "method",
  "path",
  "url",
  "protocol",
  "node_id",
  "stream",
  "worker",
  "http_version",
  "capture_source",
  "capture_backend",
  "redis_type",
  "redis_command",
  "redis_key",
  "kafka_api_key_name",
  "kafka_client_id",
  "kafka_request_summary",
  "grpc_method",
  "postgresql_command",
  "postgresql_query",
  "postgresql_database",
  "postgresql_user",
  "postgresql_error_code",
  "postgresql_error_message",
  "node_name",
  "node_ip",
  "local_node_name",
  "remote_node_name",
  "local_process_name",
  "remote_process_name",
  "local_resolution_status",
  "remote_resolution_status",
];
const STRING_LISTS = [
  "dns_questions",
  "dns_answers",
  "dns_question_types",
  "namespaces",
  "pods",
  "services",
  "dns_resolutions",
];
const STRING_MAPS = [
  "query_string",
  "local_labels",
  "remote_labels",
  "local_annotations",
  "remote_annotations",
  "node",
  "capture",
];
const PEER_SCHEMA = {
  ip: "string",
  port: "int",
  name: "string",
  namespace: "string",
  dns: "string",
  pod: { name: "string", namespace: "string" },
  service: { name: "string", namespace: "string" },
};
const MESSAGE_SCHEMA = { headers: "map<string, string>", cookies: "map<string, string>" };

let environment: Environment | undefined;

function kflEnvironment(): Environment {
  if (environment) return environment;
  const env = new Environment({
    unlistedVariablesAreDyn: false,
    homogeneousAggregateLiterals: false,
  });
  for (const name of BOOLS) env.registerVariable(name, "bool");
  for (const name of INTS) env.registerVariable(name, "int");
  for (const name of STRINGS) env.registerVariable(name, "string");
  for (const name of STRING_LISTS) env.registerVariable(name, "list<string>");
  for (const name of STRING_MAPS) env.registerVariable(name, "map<string, string>");
  env.registerVariable("timestamp", "google.protobuf.Timestamp");
  env.registerVariable({ name: "src", schema: PEER_SCHEMA });
  env.registerVariable({ name: "dst", schema: PEER_SCHEMA });
  env.registerVariable({ name: "request", schema: MESSAGE_SCHEMA });
  env.registerVariable({ name: "response", schema: MESSAGE_SCHEMA });
  env.registerFunction(`string.${RE2_MATCHES}(string): bool`, re2Matches);
  env.registerFunction(
    "map_get(map<string, string>, string, string): string",
    (map: unknown, key: string, fallback: string) => lookup(map, key) ?? fallback,
  );
  // KFL2 fixes now() when the filter is created (the demo's hour ends when the server started).
  env.registerFunction("now(): google.protobuf.Timestamp", () => filterNow);
  environment = env;
  return env;
}

const RE2_MATCHES = "kfl_re2_matches";
/** now() of the filter being evaluated: the time it was compiled. */
let filterNow = new Date(0);
const patterns = new Map<string, RE2JS>();

function re2Matches(text: string, pattern: string): boolean {
  let compiled = patterns.get(pattern);
  if (!compiled) {
    compiled = RE2JS.compile(pattern);
    if (patterns.size > 256) patterns.clear();
    patterns.set(pattern, compiled);
  }
  return compiled.matcher(text).find();
}

function lookup(map: unknown, key: string): string | undefined {
  if (map instanceof Map) return map.get(key);
  if (map && typeof map === "object" && Object.hasOwn(map, key)) {
    return (map as Record<string, string>)[key];
  }
  return undefined;
}

/** Compiles a KFL2 (or legacy) filter; an empty filter matches everything. */
export function compileKfl(text: string): KflFilter {
  const source = text.trim();
  if (source === "") {
    return { expression: "", matches: () => true, runtimeErrors: () => ({ count: 0 }) };
  }
  const expression = translateLegacy(source);
  checkAssignment(expression);
  // KFL2's .matches() is RE2: linear time, so no pattern can stall the server. cel-js's own
  // matches() uses JavaScript's backtracking RegExp and cannot be replaced, so calls are routed to
  // an RE2 function under another name (errors are reported with the user's spelling).
  const internal = mapCode(expression, (code) => ({
    code: code.replace(/\.matches\s*\(/g, `.${RE2_MATCHES}(`),
  }));
  const env = kflEnvironment();
  const checked = env.check(internal);
  if (!checked.valid) throw kflError(checked.error, expression, internal);
  if (checked.type !== "bool") {
    throw new KflError(
      `the filter must be a condition (bool), but it is of type ${checked.type}`,
      0,
      expression,
    );
  }
  checkPatterns(expression);
  const evaluate = env.parse(internal);
  const created = new Date();
  let count = 0;
  let first: string | undefined;
  return {
    expression,
    ...(expression !== source ? { translatedFrom: source } : {}),
    matches(call) {
      try {
        filterNow = created;
        return evaluate(kflView(call)) === true;
      } catch (error) {
        count++;
        first ??= String((error as Error).message).split("\n")[0];
        return false;
      }
    },
    runtimeErrors: () => ({ count, first }),
  };
}

// Literal patterns are compiled now, so a bad one is a 400 with its position, not silence.
function checkPatterns(expression: string): void {
  const literal = /\.matches\s*\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')/g;
  for (const match of expression.matchAll(literal)) {
    let pattern: string;
    try {
      pattern = JSON.parse(
        match[1].startsWith("'") ? `"${match[1].slice(1, -1).replaceAll('"', '\\"')}"` : match[1],
      );
    } catch {
      continue; // an escape JSON does not know: leave it to evaluation
    }
    try {
      RE2JS.compile(pattern);
    } catch (error) {
      const position = (match.index ?? 0) + match[0].indexOf(match[1]);
      throw new KflError(
        `invalid regular expression ${
          match[1].length > 60 ? `${match[1].slice(0, 59)}…` : match[1]
        } at position ${position}: ${(error as Error).message} ` +
          "(KFL2 uses RE2 syntax: no lookarounds or backreferences)",
        position,
        expression,
      );
    }
  }
}

function kflError(error: unknown, expression: string, internal: string): KflError {
  const err = error as { message?: string; node?: { pos?: number } };
  const message = String(err.message ?? error).split("\n")[0].replaceAll(RE2_MATCHES, "matches");
  // Map the position back across the renamed matches() calls before it.
  const at = err.node?.pos ?? 0;
  const renamedBefore = internal.slice(0, at).split(`.${RE2_MATCHES}(`).length - 1;
  const position = Math.max(0, at - renamedBefore * (RE2_MATCHES.length - "matches".length));
  let text = `${message} at position ${position}`;
  const unknown = /^(?:Unknown variable|No such key): (\w+)/.exec(message);
  if (unknown) {
    const path = fieldPathAt(expression, position, unknown[1]);
    const suggestions = closestFields(path);
    text = `unknown field \`${path}\` at position ${position}` +
      (suggestions.length
        ? `; did you mean ${suggestions.map((name) => `\`${name}\``).join(" or ")}?`
        : "; see kubeshark://docs/kfl2 for the fields (e.g. status_code, method, path, " +
          "src.pod.namespace, dst.service.name, elapsed_time)");
  } else if (/Unexpected character: '?[A-Z]/.test(message) && /\b(AND|OR|NOT)\b/.test(expression)) {
    text += "; KFL2 combines conditions with && and || (and negates with !), not AND/OR/NOT";
  } else if (/overload/.test(message)) {
    text += `; ${typeHint(message, expression)}`;
  }
  return new KflError(text, position, expression);
}

/** `=` alone is no KFL2 operator: a 400 that says to write `==`. */
function checkAssignment(expression: string): void {
  let offset = 0;
  for (const [index, part] of expression.split(LITERAL).entries()) {
    if (index % 2 === 0) {
      const match = /(?<![=!<>])=(?![=~])/.exec(part);
      if (match) {
        const position = offset + match.index;
        throw new KflError(
          `\`=\` at position ${position} is not a KFL2 operator; compare with \`==\` ` +
            "(e.g. `method == 'GET'`), and combine with && and ||",
          position,
          expression,
        );
      }
    }
    offset += part.length;
  }
}

/** The dotted field path around `position` (where cel-js reports the unknown part). */
function fieldPathAt(expression: string, position: number, part: string): string {
  const found = expression.indexOf(part, position) >= 0
    ? expression.indexOf(part, position)
    : expression.indexOf(part);
  if (found < 0) return part;
  let start = found;
  while (start > 0 && /[\w.]/.test(expression[start - 1])) start--;
  return expression.slice(start, found + part.length);
}

/** Every field a filter can name, dotted, with its type. */
function fieldTypes(): Map<string, string> {
  const fields = new Map<string, string>();
  for (const name of BOOLS) fields.set(name, "bool");
  for (const name of INTS) fields.set(name, "int");
  for (const name of STRINGS) fields.set(name, "string");
  for (const name of STRING_LISTS) fields.set(name, "list of strings");
  for (const name of STRING_MAPS) fields.set(name, "map of strings");
  fields.set("timestamp", "timestamp");
  for (const side of ["src", "dst"]) {
    for (const [key, type] of Object.entries(PEER_SCHEMA)) {
      if (typeof type === "string") fields.set(`${side}.${key}`, type);
      else for (const sub of Object.keys(type)) fields.set(`${side}.${key}.${sub}`, "string");
    }
  }
  for (const message of ["request", "response"]) {
    for (const key of Object.keys(MESSAGE_SCHEMA)) {
      fields.set(`${message}.${key}`, "map of strings");
    }
  }
  return fields;
}

/** The one or two known fields closest to `path` (edit distance), if any is close enough. */
export function closestFields(path: string): string[] {
  const scored = [...fieldTypes().keys()]
    .map((name) => ({ name, distance: editDistance(path.toLowerCase(), name) }))
    .filter(({ name, distance }) => distance <= Math.max(2, Math.floor(name.length / 4)))
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name));
  return scored.filter(({ distance }) => distance === scored[0].distance).slice(0, 2)
    .map(({ name }) => name);
}

/** A hint for a type mismatch that names the fields of the filter whose type is involved. */
function typeHint(message: string, expression: string): string {
  if (/list\.contains/.test(message)) {
    return 'lists have no .contains(): write "value" in list, or ' +
      'list.exists(x, x.contains("part")) for a substring';
  }
  const types = /overload[^:]*: (\w+) [^\w\s]+ (\w+)/.exec(message);
  const code = expression.split(LITERAL).filter((_, index) => index % 2 === 0).join(" ");
  const fields = [...fieldTypes()].filter(([name]) =>
    new RegExp(`(?<![\\w.])${name.replaceAll(".", "\\.")}(?![\\w.])`).test(code)
  );
  const left = types?.[1];
  const named = fields.filter(([, type]) => !left || type === left || type.startsWith(left));
  const described = (named.length ? named : fields).slice(0, 3)
    .map(([name, type]) => `${name} is ${/^[aeiou]/.test(type) ? "an" : "a"} ${type}`);
  const fix = left === "int"
    ? "compare ints with numbers, no quotes (e.g. status_code == 500, elapsed_time > 100000)"
    : left === "string"
    ? 'compare strings with quoted text (e.g. method == "GET"); status_code, elapsed_time and ' +
      "the ports are ints"
    : /matching overload for '(.+)'/.test(message)
    ? `the arguments of ${/matching overload for '(.+)'/.exec(message)![1]} have the wrong ` +
      'types: text goes in quotes (path.contains("/api")), numbers without'
    : "compare values of the same type";
  return described.length ? `${described.join(", ")}: ${fix}` : fix;
}

/** The error's fields for the Hub's 400 body: the filter once, shortened to 200 characters. */
export function describeKflError(error: KflError): Record<string, unknown> {
  const kfl = error.kfl.length > 200 ? `${error.kfl.slice(0, 199)}…` : error.kfl;
  return { kfl, position: error.position };
}

// Legacy (KFL1) spellings from Kubeshark's older docs, rewritten outside string literals.
const LEGACY_REWRITES: [RegExp, string][] = [
  [/\band\b/gi, "&&"],
  [/\bor\b/gi, "||"],
  [/\bnot\s+/gi, "!"],
  [/\bresponse\.status\b/g, "status_code"],
  [/\brequest\.path\b/g, "path"],
  [/\brequest\.method\b/g, "method"],
  [/\bresponse\.latency\b/g, "(elapsed_time / 1000)"],
  [/\b(src|dst)\.ns\b/g, "$1.pod.namespace"],
  [/\b(src|dst)\.svc\b/g, "$1.service.name"],
  [/\b(src|dst)\.pod(?=\s*(==|!=))/g, "$1.pod.name"],
  [/(?<![.\w])status(?=\s*(==|!=|>=|<=|>|<|\s+in\b))/g, "status_code"],
];

/** Rewrites legacy KFL1 spellings to KFL2, leaving string literals alone. */
export function translateLegacy(source: string): string {
  return mapCode(source, (code, nextLiteral) => {
    for (const [pattern, replacement] of LEGACY_REWRITES) code = code.replace(pattern, replacement);
    // KFL1's infix `x contains "y"` → `x.contains("y")`: the operand is the literal that follows.
    // On a list (dns_questions, namespaces…) it means "an element contains y".
    const infix = /([\w.]+)\s+contains\s*$/.exec(code);
    if (nextLiteral !== undefined && infix) {
      if (STRING_LISTS.includes(infix[1])) {
        return {
          code: code.slice(0, infix.index) + `${infix[1]}.exists(x, x.contains(`,
          close: "))",
        };
      }
      return { code: code.replace(/\s+contains\s*$/, ".contains("), close: ")" };
    }
    return { code };
  });
}

// String literals, triple-quoted ones first, so rewrites never reach inside them.
const LITERAL = /("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')/;

/**
 * Rewrites the code between string literals. `rewrite` sees each code part and whether a literal
 * follows; it may ask for text (`close`) to be put after that literal.
 */
function mapCode(
  source: string,
  rewrite: (code: string, nextLiteral?: string) => { code: string; close?: string },
): string {
  const parts = source.split(LITERAL);
  let out = "";
  let close = "";
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 1) {
      out += parts[i] + close;
      close = "";
      continue;
    }
    const rewritten = rewrite(parts[i], parts[i + 1]);
    out += rewritten.code;
    close = rewritten.close ?? "";
  }
  return out + close;
}

const views = new WeakMap<ApiCall, Record<string, unknown>>();

/** The entry as KFL2's variables (absent ones take their zero values), computed once. */
export function kflView(call: ApiCall): Record<string, unknown> {
  const cached = views.get(call);
  if (cached) return cached;
  const isHttp = call.proto === "http" || call.proto === "grpc";
  const view: Record<string, unknown> = {};
  for (const name of BOOLS) view[name] = false;
  for (const name of INTS) view[name] = 0n;
  for (const name of STRINGS) view[name] = "";
  for (const name of STRING_LISTS) view[name] = [];
  for (const name of STRING_MAPS) view[name] = {};
  Object.assign(view, {
    [call.proto]: true,
    http: isHttp,
    tcp: call.proto !== "dns",
    udp: call.proto === "dns",
    has_pcap: true,
    id: BigInt(Number(call.id.split("/")[1] ?? 0)),
    flow_id: BigInt(call.flowId),
    conn_id: BigInt(call.flowId),
    status_code: BigInt(call.status),
    elapsed_time: BigInt(call.elapsedUs),
    timestamp: new Date(call.ts),
    method: call.method,
    path: call.path,
    url: call.url,
    protocol: call.proto === "postgresql" ? "PostgreSQL" : call.proto.toUpperCase(),
    node_id: call.node,
    node_name: call.node,
    worker: call.node,
    capture_source: "af_packet",
    capture_backend: "af_packet",
    capture_source_code: 1n,
    capture: { source: "af_packet", backend: "af_packet" },
    node: { name: call.node },
    local_node_name: call.src.node ?? "",
    remote_node_name: call.dst.node ?? "",
    src: peerView(call.src),
    dst: peerView(call.dst),
    namespaces: unique([call.src.namespace, call.dst.namespace]),
    pods: unique([call.src.pod, call.dst.pod]),
    services: unique([call.src.service, call.dst.service]),
    local_labels: call.src.labels ?? {},
    remote_labels: call.dst.labels ?? {},
    request: { headers: call.requestHeaders, cookies: {} },
    response: { headers: call.responseHeaders, cookies: {} },
    grpc_status: call.grpc ? BigInt(call.grpc.status) : -1n,
  });
  if (isHttp) {
    Object.assign(view, {
      http_version: call.proto === "grpc" ? "HTTP/2" : "HTTP/1.1",
      query_string: Object.fromEntries(new URLSearchParams(call.url.split("?")[1] ?? "")),
      request_body_size: BigInt(call.requestBody.length),
      response_body_size: BigInt(call.responseBody.length),
      request_headers_size: BigInt(headerSize(call.requestHeaders)),
      response_headers_size: BigInt(headerSize(call.responseHeaders)),
      grpc_method: call.grpc?.method ?? "",
    });
  }
  if (call.dns) {
    Object.assign(view, {
      dns_questions: call.dns.questions,
      dns_answers: call.dns.answers,
      dns_question_types: call.dns.types,
      dns_request: true,
      dns_response: true,
      dns_request_length: 40n,
      dns_response_length: BigInt(40 + 16 * call.dns.answers.length),
      dns_total_size: BigInt(80 + 16 * call.dns.answers.length),
    });
  }
  if (call.redis) {
    Object.assign(view, {
      redis_type: call.redis.type,
      redis_command: call.redis.command,
      redis_key: call.redis.key.slice(0, 64),
      redis_request_size: BigInt(call.requestBody.length),
      redis_response_size: BigInt(call.responseBody.length),
      redis_total_size: BigInt(call.requestBody.length + call.responseBody.length),
    });
  }
  if (call.kafka) {
    Object.assign(view, {
      kafka_api_key: BigInt(call.kafka.apiKey),
      kafka_api_key_name: call.kafka.apiKeyName,
      kafka_client_id: call.kafka.clientId,
      kafka_request_summary: call.kafka.topic,
      kafka_request: true,
      kafka_response: true,
      kafka_request_size: BigInt(call.requestBody.length + 60),
      kafka_response_size: 40n,
      kafka_size: BigInt(call.requestBody.length + 100),
    });
  }
  if (call.postgresql) {
    const pg = call.postgresql;
    Object.assign(view, {
      postgresql_command: pg.command,
      postgresql_query: pg.query,
      postgresql_database: pg.database,
      postgresql_user: pg.user,
      postgresql_success: pg.success,
      postgresql_error_code: pg.errorCode,
      postgresql_error_message: pg.errorMessage,
      postgresql_request_size: BigInt(pg.query.length + 5),
      postgresql_response_size: BigInt(call.responseBody.length),
      postgresql_total_size: BigInt(pg.query.length + 5 + call.responseBody.length),
    });
  }
  views.set(call, view);
  return view;
}

function peerView(peer: ApiCall["src"]) {
  return {
    ip: peer.ip,
    port: BigInt(peer.port),
    // KFL2's summary name: pod > service > dns.
    name: peer.pod ?? peer.service ?? peer.dns ?? "",
    namespace: peer.namespace ?? "",
    dns: peer.dns ?? "",
    pod: { name: peer.pod ?? "", namespace: peer.namespace ?? "" },
    service: { name: peer.service ?? "", namespace: peer.service ? peer.namespace ?? "" : "" },
  };
}

function unique(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((value): value is string => !!value))];
}

function headerSize(headers: Record<string, string>): number {
  return Object.entries(headers).reduce((sum, [k, v]) => sum + k.length + v.length + 4, 0);
}
