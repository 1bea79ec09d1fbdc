/**
 * KFL2 for the demo Hub: CEL (via @marcbachmann/cel-js, type-checked against KFL2's variables)
 * over each entry's KFL2 view. Legacy KFL1 spellings still found in Kubeshark's docs are
 * translated first, and the translation is reported back so the model learns the current syntax.
 */
import { Environment } from "@marcbachmann/cel-js";
import { RE2JS } from "re2js";
import { DEMO_START_TS } from "./mod.ts";
import type { ApiCall } from "./types.ts";

const DEMO_END_TS = DEMO_START_TS + 3_600_000;

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
  // KFL2 fixes now() when the filter is created; the demo's "now" is the end of its hour.
  env.registerFunction("now(): google.protobuf.Timestamp", () => new Date(DEMO_END_TS));
  environment = env;
  return env;
}

const RE2_MATCHES = "kfl_re2_matches";
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
  let count = 0;
  let first: string | undefined;
  return {
    expression,
    ...(expression !== source ? { translatedFrom: source } : {}),
    matches(call) {
      try {
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
        `invalid regular expression ${match[1]} at position ${position}: ${
          (error as Error).message
        } ` +
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
  let hint = "";
  if (/Unknown variable|No such key/.test(message)) {
    hint = " (see kubeshark://docs/kfl2 for the fields; e.g. status_code, method, path, " +
      "src.pod.namespace, dst.service.name, elapsed_time)";
  } else if (/overload/.test(message)) {
    hint = " (check the types: status_code and elapsed_time are ints, names are strings)";
  }
  return new KflError(`${message} at position ${position}${hint}`, position, expression);
}

// Legacy (KFL1) spellings from Kubeshark's older docs, rewritten outside string literals.
const LEGACY_REWRITES: [RegExp, string][] = [
  [/\band\b/g, "&&"],
  [/\bor\b/g, "||"],
  [/\bnot\s+/g, "!"],
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
    if (nextLiteral !== undefined && /\s+contains\s*$/.test(code)) {
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
