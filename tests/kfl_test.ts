/** KFL2 on the demo's entries: the variable mapping, operators, errors and legacy spellings. */
import assert from "node:assert/strict";
import { compileKfl, KflError, translateLegacy } from "../lib/demo/kfl.ts";
import { demoData } from "../lib/demo/mod.ts";
import { KFL_GUIDE } from "../lib/kfl_guide.ts";

const calls = demoData().calls;

function count(kfl: string): number {
  const filter = compileKfl(kfl);
  return calls.filter((call) => filter.matches(call)).length;
}

function compileError(kfl: string): KflError {
  try {
    compileKfl(kfl);
  } catch (error) {
    assert.ok(error instanceof KflError, String(error));
    return error;
  }
  assert.fail(`"${kfl}" compiled`);
}

Deno.test("an empty filter matches every entry", () => {
  assert.equal(count(""), calls.length);
  assert.equal(count("   "), calls.length);
});

Deno.test("protocol flags partition the entries; grpc entries are also http", () => {
  const protocols = ["dns", "redis", "kafka", "postgresql"].map(count);
  const http = count("http");
  assert.equal(http + protocols.reduce((a, b) => a + b, 0), calls.length);
  assert.ok(count("grpc") > 0);
  assert.equal(count("grpc && http"), count("grpc"));
  assert.equal(count("tcp") + count("udp"), calls.length);
  assert.equal(count("udp"), count("dns"));
});

Deno.test("status_code, method and path map to the HTTP fields", () => {
  const errors = calls.filter((c) => c.proto === "http" && c.status >= 500).length;
  assert.equal(count("http && status_code >= 500"), errors);
  assert.equal(
    count('method == "POST" && path == "/v1/charges"'),
    calls.filter((c) => c.method === "POST" && c.path === "/v1/charges").length,
  );
});

Deno.test("elapsed_time is in microseconds", () => {
  const slow = calls.filter((c) => c.elapsedUs > 1_000_000).length;
  assert.ok(slow > 0);
  assert.equal(count("elapsed_time > 1000000"), slow);
});

Deno.test("src/dst pod, service and namespace fields resolve", () => {
  const n = calls.filter((c) => c.src.namespace === "shop" && c.dst.service === "payment").length;
  assert.ok(n > 0);
  assert.equal(count('src.pod.namespace == "shop" && dst.service.name == "payment"'), n);
  assert.equal(count('src.namespace == "shop" && dst.name.startsWith("payment-")'), n);
  assert.equal(
    count('"payments" in namespaces && "shop" in namespaces'),
    count('src.pod.namespace == "shop" && dst.pod.namespace == "payments"') +
      count('src.pod.namespace == "payments" && dst.pod.namespace == "shop"'),
  );
});

Deno.test("&& binds tighter than ||, and parentheses change it", () => {
  const a = count("dns || http && status_code == 404");
  assert.equal(a, count("dns") + count("http && status_code == 404"));
  const b = count("(dns || http) && status_code == 404");
  assert.equal(b, count("http && status_code == 404"));
  assert.notEqual(a, b);
  assert.equal(count("!(dns)"), calls.length - count("dns"));
});

Deno.test("in, regex and string functions work on lists, maps and strings", () => {
  assert.equal(
    count("status_code in [404, 503]"),
    count("status_code == 404 || status_code == 503"),
  );
  assert.ok(count('path.matches("^/api/products/[0-9]+$")') > 0);
  assert.equal(
    count('path.matches("^/api/products/[0-9]+$")'),
    calls.filter((c) => /^\/api\/products\/\d+$/.test(c.path)).length,
  );
  assert.ok(count('dns && dns_questions.exists(q, q.endsWith(".svc.cluster.local"))') > 0);
  assert.ok(count('"authorization" in request.headers') > 0);
  assert.equal(
    count('query_string["product"] == "120"'),
    calls.filter((c) => c.url.endsWith("?product=120")).length,
  );
});

Deno.test("protocol-specific fields: DNS rcode, Redis keys, Kafka API names, SQL failures, gRPC", () => {
  assert.equal(
    count("dns && status_code == 3"),
    calls.filter((c) => c.dns?.rcodeName === "NXDOMAIN").length,
  );
  assert.ok(count('redis && redis_key.startsWith("session:")') > 0);
  assert.ok(count('kafka && kafka_api_key_name == "PRODUCE"') > 0);
  assert.ok(count('postgresql && postgresql_error_code == "23505"') > 0);
  assert.equal(count("grpc && grpc_status == 0"), count("grpc"));
  assert.equal(count("!grpc && grpc_status == -1"), calls.length - count("grpc"));
});

Deno.test("timestamps compare with timestamp() and now() - duration() (now is the wall clock)", () => {
  const before = Date.now();
  const recent = count('timestamp > now() - duration("10m")');
  const after = Date.now();
  assert.ok(recent > 0, "the hour ends when the process started: its last minutes are recent");
  assert.ok(recent <= calls.filter((c) => c.ts > before - 600_000).length);
  assert.ok(recent >= calls.filter((c) => c.ts > after - 600_000).length);
  const middle = demoData().startTs + 30 * 60_000;
  assert.equal(
    count(`timestamp < timestamp("${new Date(middle).toISOString()}")`),
    calls.filter((c) => c.ts < middle).length,
  );
});

Deno.test("a missing map key makes that entry not match, and is reported", () => {
  const filter = compileKfl('request.headers["x-request-id"] == "nope"');
  assert.equal(calls.filter((c) => filter.matches(c)).length, 0);
  assert.ok(filter.runtimeErrors().count > 0);
  assert.match(filter.runtimeErrors().first!, /No such key/);
});

Deno.test("syntax errors carry the position and what was expected", () => {
  const error = compileError("http && (status_code >= 500");
  assert.equal(error.position, 27);
  assert.match(error.message, /Expected RPAREN, got EOF at position 27/);
  assert.match(compileError("http &&& dns").message, /Unexpected character/);
});

Deno.test("unknown fields and type mix-ups are caught before evaluation, with a hint", () => {
  assert.match(
    compileError("statuscode == 500").message,
    /unknown field `statuscode` at position 0; did you mean `status_code`\?/,
  );
  assert.match(
    compileError('src.pod.nmae == "x"').message,
    /unknown field `src.pod.nmae` at position 8; did you mean `src.pod.name`\?/,
  );
  assert.match(
    compileError("zzzqqq == 1").message,
    /unknown field `zzzqqq`.*kubeshark:\/\/docs\/kfl2/,
  );
  assert.match(
    compileError('status_code == "500"').message,
    /no such overload: int == string.*ints/,
  );
  assert.match(compileError("status_code").message, /must be a condition \(bool\)/);
});

Deno.test("legacy spellings translate to KFL2, and string literals are left alone", () => {
  assert.equal(translateLegacy("http and response.status == 500"), "http && status_code == 500");
  assert.equal(translateLegacy("not dns or redis"), "!dns || redis");
  assert.equal(
    translateLegacy('src.ns == "shop" and dst.svc == "payment"'),
    'src.pod.namespace == "shop" && dst.service.name == "payment"',
  );
  assert.equal(translateLegacy('dst.pod == "postgres-0"'), 'dst.pod.name == "postgres-0"');
  assert.equal(translateLegacy('request.path contains "/api"'), 'path.contains("/api")');
  assert.equal(translateLegacy("status >= 400"), "status_code >= 400");
  assert.equal(translateLegacy('path == "/search and more"'), 'path == "/search and more"');
  assert.equal(translateLegacy("http && status_code == 500"), "http && status_code == 500");
  const legacy = compileKfl("http and response.status == 404");
  assert.equal(legacy.translatedFrom, "http and response.status == 404");
  assert.equal(count("http and response.status == 404"), count("http && status_code == 404"));
});

Deno.test("every example in the KFL2 guide compiles", () => {
  const block = KFL_GUIDE.split("## Examples")[1].split("```")[1];
  const examples = block.split("\n").map((line) => line.split(/\s{2,}/)[0].trim()).filter(Boolean);
  assert.ok(examples.length >= 10);
  for (const example of examples) compileKfl(example);
});

Deno.test("legacy rewrites never reach inside string literals, triple-quoted ones included", () => {
  assert.equal(translateLegacy(`path == "/q contains 'x'"`), `path == "/q contains 'x'"`);
  assert.equal(translateLegacy('path == """x "and" y"""'), 'path == """x "and" y"""');
  assert.equal(translateLegacy(`url contains "a and b" and dns`), `url.contains("a and b") && dns`);
});

Deno.test("AND, OR and NOT in any case are translated to &&, || and !", () => {
  assert.equal(translateLegacy("http AND status_code >= 500"), "http && status_code >= 500");
  assert.equal(count("http OR dns"), count("http || dns"));
  assert.equal(count("NOT http"), count("!http"));
  assert.equal(translateLegacy('path == "a and b"'), 'path == "a and b"', "literals untouched");
});

Deno.test("a single = is refused with a hint to write ==", () => {
  const error = compileError('method = "GET"');
  assert.equal(error.position, 7);
  assert.match(error.message, /`=` at position 7 is not a KFL2 operator; compare with `==`/);
  assert.equal(
    count('method == "GET" && path != "/x" && status_code >= 0'),
    count('method == "GET"'),
  );
});

Deno.test("a type mix-up names the field involved and its type", () => {
  assert.match(compileError('status_code == "500"').message, /status_code is an int/);
  assert.match(compileError("method == 5").message, /method is a string/);
  assert.doesNotMatch(compileError("method == 5").message, /status_code is/);
  assert.match(compileError('elapsed_time > "5"').message, /elapsed_time is an int/);
  assert.match(compileError('namespaces.contains("shop")').message, /"value" in list/);
});

Deno.test('`list contains "x"` (KFL1) becomes an exists() over the list', () => {
  assert.equal(
    translateLegacy('dns_questions contains "minexmr"'),
    'dns_questions.exists(x, x.contains("minexmr"))',
  );
  assert.ok(count('dns_questions contains "minexmr"') > 0);
  assert.equal(
    count('dns_questions contains "minexmr"'),
    count('dns && dns_questions.exists(q, q.contains("minexmr"))'),
  );
  assert.equal(translateLegacy('path contains "/api"'), 'path.contains("/api")');
});
