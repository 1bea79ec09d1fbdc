/** The redactor: secrets vanish from text and Hub results; ordinary data stays byte-identical. */
import assert from "node:assert/strict";
import {
  createRedactor,
  isSensitiveName,
  kubeconfigSecrets,
  REDACTED_PREFIX,
} from "../lib/redact.ts";
import { hmacSha256, sha256, toHex } from "../lib/sha256.ts";
import { withHubAndServer } from "./support/harness.ts";

const HUB_TOKEN = "hub-token-5f1c9a7e2b";
const LICENSE = "LIC-ABCDEF-123456-XYZ";
const JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ." +
  "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
const AWS_KEY = "AKIAIOSFODNN7EXAMPLE";
const KEY = new Uint8Array(32).fill(7);

function redactor(results = true) {
  return createRedactor({
    secrets: [HUB_TOKEN, LICENSE, undefined, ""],
    fingerprintKey: KEY,
    results,
  });
}

/** Fails if any of `secrets` is still in `value` (serialized), naming it. */
function assertGone(value: unknown, ...secrets: string[]) {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  for (const secret of secrets) {
    assert.equal(text.includes(secret), false, `"${secret}" survived in: ${text}`);
  }
}

const MARKER = /\[redacted:[0-9a-f]{8}\]/;

// --- known secrets and URL credentials --------------------------------------------------------

Deno.test("the Hub token and license vanish from any text, also percent-encoded", () => {
  const r = redactor();
  const text = `Hub error: bad token ${HUB_TOKEN} (license ${LICENSE}); ` +
    `retry at /api?t=${encodeURIComponent(LICENSE)}`;
  for (const redact of [r.secrets, r.text]) {
    const out = redact(text);
    assertGone(out, HUB_TOKEN, LICENSE);
    assert.match(out, /^Hub error: bad token \[redacted:[0-9a-f]{8}\] \(license /);
  }
});

Deno.test("known secrets shorter than 6 characters are not searched for", () => {
  const r = createRedactor({ secrets: ["abc"], fingerprintKey: KEY });
  assert.equal(r.secrets("abc abcdef"), "abc abcdef");
});

Deno.test("user:password@ in URLs is masked, a user name alone is kept", () => {
  const r = redactor();
  const out = r.secrets(
    "fetch https://alice:s3cr3t-pw@hub.example.com/api failed; see https://bob@example.com/x",
  );
  assertGone(out, "s3cr3t-pw", "alice:");
  assert.match(out, /^fetch https:\/\/\[redacted:[0-9a-f]{8}\]@hub\.example\.com\/api failed/);
  assert.match(out, /https:\/\/bob@example\.com\/x$/);
});

Deno.test("known secrets vanish from results even with result redaction off", () => {
  const r = redactor(false);
  const result = r.json({ echo: `token ${HUB_TOKEN}`, url: "http://u:p4ss@h/" });
  assertGone(result, HUB_TOKEN, "p4ss");
});

Deno.test("with result redaction off, captured headers pass untouched", () => {
  const r = redactor(false);
  const entry = { headers: { Authorization: "Bearer abcdef123456" } };
  assert.equal(r.json(entry), entry);
  assert.equal(r.text("Authorization: Bearer abcdef123456"), "Authorization: Bearer abcdef123456");
});

// --- headers ----------------------------------------------------------------------------------

Deno.test("header values are masked in {name, value} arrays, keeping names and auth schemes", () => {
  const r = redactor();
  const headers = [
    { name: "Authorization", value: "Bearer abc.def-123456" },
    { name: "proxy-authorization", value: "Basic dXNlcjpwYXNz" },
    { name: "X-Api-Key", value: "k-9f8e7d6c5b4a" },
    { name: "X-Auth-Token", value: "tok-11112222" },
    { name: "X-Kubeshark-Authorization", value: "ks-token-value" },
    { name: "X-Amz-Security-Token", value: "FwoGZXIvYXdzEJr" },
    { name: "License-Key", value: "license-value-1" },
    { name: "Content-Type", value: "application/json" },
    { name: "X-Request-Id", value: "req-7f3a9c2e" },
  ];
  const out = r.json(headers);
  assertGone(
    out,
    "abc.def-123456",
    "dXNlcjpwYXNz",
    "k-9f8e7d6c5b4a",
    "tok-11112222",
    "ks-token-value",
    "FwoGZXIvYXdzEJr",
    "license-value-1",
  );
  assert.match(out[0].value, /^Bearer \[redacted:[0-9a-f]{8}\]$/);
  assert.match(out[1].value, /^Basic \[redacted:/);
  assert.deepEqual(out.map((h) => h.name), headers.map((h) => h.name));
  assert.equal(out[7], headers[7]);
  assert.equal(out[8], headers[8]);
});

Deno.test("header values are masked in header objects, Go-style value lists and pairs", () => {
  const r = redactor();
  const entry = {
    request: {
      headers: { "authorization": "Bearer tok3n-abc-123", "accept": "*/*" },
      goHeaders: { "Cookie": ["sid=abc123456; theme=dark"], "Accept": ["*/*"] },
      pairs: [["X-Api-Key", "key-0987654321"], ["Host", "shop.svc"]],
    },
    response: { headers: { "Set-Cookie": "sid=zz99887766; Path=/; HttpOnly; Max-Age=3600" } },
  };
  const out = r.json(entry);
  assertGone(out, "tok3n-abc-123", "abc123456", "key-0987654321", "zz99887766", "dark");
  assert.equal(out.request.headers.accept, "*/*");
  assert.match(out.request.goHeaders.Cookie[0], /^sid=\[redacted:[0-9a-f]{8}\]; theme=\[redacted:/);
  assert.match(
    out.response.headers["Set-Cookie"],
    /^sid=\[redacted:[0-9a-f]{8}\]; Path=\/; HttpOnly; Max-Age=3600$/,
  );
  assert.deepEqual(out.request.pairs[1], ["Host", "shop.svc"]);
});

Deno.test("raw HTTP header lines in text are masked", () => {
  const r = redactor();
  const raw = "GET /api/orders HTTP/1.1\r\nHost: shop\r\nAuthorization: Bearer zzz-111-222\r\n" +
    "Cookie: session=s-998877\r\nAccept: */*\r\n\r\n";
  const out = r.text(raw);
  assertGone(out, "zzz-111-222", "s-998877");
  assert.ok(
    out.startsWith("GET /api/orders HTTP/1.1\r\nHost: shop\r\nAuthorization: Bearer [redacted:"),
  );
  assert.ok(out.endsWith("\r\nAccept: */*\r\n\r\n"));
});

// --- bodies -----------------------------------------------------------------------------------

Deno.test("password, secret, token and api_key fields are masked at any depth", () => {
  const r = redactor();
  const body = {
    user: { name: "ann", password: "hunter2!" },
    config: [{ client_secret: "cs-123" }, { apiKey: "ak-456" }, { api_key: "ak-789" }],
    auth: { access_token: "at-1", refreshToken: "rt-2", id_token: "it-3", token: "t-4" },
    aws: { aws_secret_access_key: "wJalrXUtnFEMI/K7MDENG" },
    env: [{ name: "DB_PASSWORD", value: "pg-pass-1" }, { name: "LOG_LEVEL", value: "debug" }],
  };
  const out = r.json(body);
  assertGone(out, "hunter2!", "cs-123", "ak-456", "ak-789", "at-1", "rt-2", "it-3", "t-4");
  assertGone(out, "wJalrXUtnFEMI/K7MDENG", "pg-pass-1");
  assert.equal(out.user.name, "ann");
  assert.match(out.user.password, MARKER);
  assert.equal(out.env[1], body.env[1]);
});

Deno.test("JSON inside a string field (a captured body) is walked too, at any depth", () => {
  const r = redactor();
  const inner = JSON.stringify({ username: "ann", password: "pw-in-body" });
  const entry = {
    request: { body: inner, twice: JSON.stringify({ body: inner }) },
    response: { body: '{"status":"ok","items":[1,2,3]}' },
  };
  const out = r.json(entry);
  assertGone(out, "pw-in-body");
  assert.equal(JSON.parse(out.request.body).username, "ann");
  assert.match(JSON.parse(out.request.body).password, MARKER);
  assert.equal(out.response.body, entry.response.body, "a body without secrets is not re-encoded");
});

Deno.test("a cut-off JSON body and a form body are masked as text", () => {
  const r = redactor();
  const cut = '{"user":"ann","password":"pw-cut-off","items":[{"id":1},';
  const out = r.text(cut);
  assertGone(out, "pw-cut-off");
  assert.ok(out.startsWith('{"user":"ann","password":"[redacted:'));
  const form = r.text("username=ann&password=pw-form-1&remember=true");
  assert.match(form, /^username=ann&password=\[redacted:[0-9a-f]{8}\]&remember=true$/);
});

Deno.test("query strings lose token, api_key and password values, keeping other parameters", () => {
  const r = redactor();
  const out = r.json({
    path: "/v1/items?token=qs-token-1&page=2&api_key=qs-key-2&sort=asc",
    url: "https://api.example.com/cb?code=ok&access_token=qs-at-3#top",
  });
  assertGone(out, "qs-token-1", "qs-key-2", "qs-at-3");
  assert.match(out.path, /^\/v1\/items\?token=\[redacted:[0-9a-f]{8}\]&page=2&api_key=\[redacted:/);
  assert.match(out.path, /&sort=asc$/);
  assert.match(
    out.url,
    /^https:\/\/api\.example\.com\/cb\?code=ok&access_token=\[redacted:.*#top$/,
  );
});

Deno.test("JWTs, AWS access keys, bearer tokens and private keys vanish from free text", () => {
  const r = redactor();
  const text = `login ok jwt=${JWT} then used ${JWT} ` +
    `aws ${AWS_KEY} header "Bearer gho_${"a".repeat(36)}" ` +
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----";
  const out = r.text(text);
  assertGone(out, JWT, "SflKxwRJSMeKKF2QT4fw", AWS_KEY, "gho_", "MIIEowIBAAKCAQEA");
  assert.ok(out.startsWith("login ok jwt=[redacted:"));
});

Deno.test("a Negotiate (Kerberos/SPNEGO) credential in free text is masked, keeping the scheme", () => {
  const r = redactor();
  const out = r.text("retrying with Negotiate YIIBhgYGKwYBBQUCoIIBejCCAXag9xIBAgI= after a 401");
  assertGone(out, "YIIBhgYGKwYBBQUCoIIBejCCAXag");
  assert.match(out, /^retrying with Negotiate \[redacted:[0-9a-f]{8}\] after a 401$/);
});

Deno.test("a megabytes-long base64 run shaped like a JWT or a key start is kept, not a crash", () => {
  const r = redactor();
  // Unbounded, each would exhaust the regex engine's backtracking stack (a RangeError).
  for (const start of ["eyJ", "sk-", "ghp_", "Bearer ", "Basic "]) {
    const run = start + "A".repeat(7 * 1024 * 1024);
    const text = `body ${run} end`;
    assert.equal(r.text(text), text);
  }
});

Deno.test("a header inside a line is masked when its name and value are a header's beyond doubt", () => {
  const r = redactor();
  const out = r.text(
    "denied: X-Api-Key: k1234567 and Cookie: sid=abc; more (X-Auth-Token: t0k1234) " +
      "curl -H 'X-Api-Key: Sabc12345'",
  );
  assertGone(out, "k1234567", "abc;", "t0k1234", "Sabc12345");
  assert.match(out, /^denied: X-Api-Key: \[redacted:[0-9a-f]{8}\] and Cookie: sid=\[redacted:/);
});

Deno.test("Go's printed header map, a Python dict and 'Name : value' lose their credentials", () => {
  const r = redactor();
  const out = r.text(
    "err headers=map[Authorization:[ApiKey S123456] Cookie:[sid=S234567] Accept:[*/*]] " +
      "{'password': 'S345678', 'user': 'ann'} x X-Api-Key : S456789a y",
  );
  assertGone(out, "S123456", "S234567", "S345678", "S456789a");
  assert.match(out, /Authorization:\[ApiKey \[redacted:[0-9a-f]{8}\]\] Cookie:\[sid=\[redacted:/);
  assert.match(
    out,
    /Accept:\[\*\/\*\]\] \{'password': '\[redacted:[0-9a-f]{8}\]', 'user': 'ann'\}/,
  );
});

Deno.test("config files' 'name = value' lines and XML elements lose credential-looking values", () => {
  const r = redactor();
  const out = r.text(
    "[default]\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n" +
      'region = eu-west-1\n  client_secret = "abc123def456ghi"\npassword = optional\n' +
      "<password>hunter2hunter2</password><user>bob</user><token>required</token>",
  );
  assertGone(out, "wJalrXUtnFEMI", "abc123def456ghi", "hunter2hunter2");
  assert.match(out, /region = eu-west-1\n {2}client_secret = "\[redacted:[0-9a-f]{8}\]"\n/);
  assert.match(out, /password = optional\n<password>\[redacted:[0-9a-f]{8}\]<\/password>/);
  assert.match(out, /<user>bob<\/user><token>required<\/token>$/);
});

Deno.test("ordinary text with credential words in it stays byte for byte", () => {
  const r = redactor();
  for (
    const text of [
      "Error: token expired; status: ok, session: 5",
      "time: 12:30:00 host: a",
      "Access denied for user 'app'@'10.0.0.7' (using password: YES)",
      "WARN rotating secret: db-creds; invalid password: must be 8 chars",
      "Cookie: none was sent. Please provide X-Api-Key: see docs",
      "MAC aa-bb-cc-dd-ee-ff Key 12345678",
      "DPoP proof-of-possession is required since v1.2.3.",
      "ApiKey v2-internal for service mesh; apikey header-based auth enabled",
      "INFO {'event': 'login', 'session': 'new', 'auth': 'password', 'token': 'issued'}",
      "map[password:[must be at least 12 characters] token:[required]]",
      "validation failed: map[Password:[too short] Email:[invalid]]",
      "The token expired. Rotate the token regularly. Token refresh-interval set to 5m",
      "The bearer token-exchange flow (RFC 8693) is used.",
      ".../v1/token\nrequests.exceptions.HTTPError: boom",
      "X-Token-Type: Bearer\nX-Session-Affinity: sticky",
      "token_type: bearer\nexpires_in: 3600",
    ]
  ) {
    assert.equal(r.text(text), text);
  }
});

Deno.test("credentials after a scheme or in another pair's shadow vanish", () => {
  const r = redactor();
  for (
    const [text, secret] of [
      ["mode=MAC token=abc123secretvalue", "abc123secretvalue"],
      ["alg=JWT secret=hunter2hunter2", "hunter2hunter2"],
      ["token_type=Bearer access_token=abc123XYZsecretvalue789", "abc123XYZsecretvalue789"],
      ["grant=Token password=P@ssw0rd123", "P@ssw0rd123"],
      ["curl -H 'Authorization: Key AAAA1234abcdEFGH' https://fcm", "AAAA1234abcdEFGH"],
      ["request headers: Authorization: OAuth ya29.a0AfH6SMBx123", "ya29.a0AfH6SMBx123"],
      ["> Cookie: theme=dark; sid=s3cr3tv4lue", "s3cr3tv4lue"],
      ['header X-Auth-Token: "abc123def456" was rejected', "abc123def456"],
      ["X-Auth-Token:\tabc123def456 and header=X-Api-Key: def456abc123", "abc123def456"],
      ["header=X-Api-Key: def456abc123", "def456abc123"],
    ]
  ) {
    assertGone(r.text(text), secret);
  }
});

Deno.test("Set-Cookie values joined by ', ' each lose their value; an Expires date stays", () => {
  const r = redactor();
  const out = r.text(
    "req Set-Cookie: a=1, sid=s3cr3tv4lue; " +
      "Set-Cookie: x=abc123456; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/",
  );
  assertGone(out, "s3cr3tv4lue", "abc123456");
  assert.match(out, /Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=\/$/);
  const json = r.json({ "set-cookie": "a=1; Path=/, sid=s3cr3tv4lue; Path=/" });
  assert.match(json["set-cookie"], /^a=\[redacted:[0-9a-f]{8}\]; Path=\/, sid=\[redacted:/);
});

Deno.test("a raw Set-Cookie line keeps the cookie's name and is masked once", () => {
  const r = redactor();
  const out = r.text("HTTP/1.1 200 OK\r\nSet-Cookie: sid=abc123456; Path=/\r\n");
  assert.match(out, /^HTTP\/1\.1 200 OK\r\nSet-Cookie: sid=\[redacted:[0-9a-f]{8}\]; Path=\/\r\n$/);
});

Deno.test("other auth schemes keep the scheme word and lose the credential", () => {
  const r = redactor();
  for (const scheme of ["ApiKey", "SSWS", "DPoP", "Splunk"]) {
    const out = r.text(
      `x Authorization: ${scheme} Sabcdef123 y&authorization=${scheme} Sabcdef456`,
    );
    assertGone(out, "Sabcdef123", "Sabcdef456");
    assert.match(out, new RegExp(`authorization=${scheme} \\[redacted:`));
  }
});

Deno.test("JSON quoted inside a JSON string inside text (an error body) loses its credentials", () => {
  const r = redactor();
  const out = r.text(
    String
      .raw`Hub API error (502): {"error":"bad {\"user\":\"ann\",\"password\":\"hunterSECRET2\"}"}`,
  );
  assertGone(out, "hunterSECRET2");
  assert.match(out, /\\"user\\":\\"ann\\",\\"password\\":\\"\[redacted:[0-9a-f]{8}\]\\"/);
});

Deno.test("name=Bearer <token> keeps the scheme and masks the token", () => {
  const r = redactor();
  const out = r.text("msg=denied authorization=Bearer opaqueTOKENabcdefgh user=bob");
  assertGone(out, "opaqueTOKENabcdefgh");
  assert.match(out, /authorization=Bearer \[redacted:[0-9a-f]{8}\] user=bob$/);
});

Deno.test("'Basic' and 'Bearer' followed by prose are left alone", () => {
  const r = redactor();
  const prose = "Basic authentication is disabled; Bearer authentication requires a token.";
  assert.equal(r.text(prose), prose);
});

// --- fingerprints -----------------------------------------------------------------------------

Deno.test("equal secrets get equal fingerprints, different ones differ, across calls", () => {
  const r = redactor();
  const a = r.json({ headers: { Authorization: "Bearer same-token-1" } }).headers.Authorization;
  const b = r.text("Authorization: Bearer same-token-1");
  const c = r.json({ headers: { Authorization: "Bearer other-token-2" } }).headers.Authorization;
  assert.equal(b, `Authorization: ${a}`);
  assert.notEqual(c, a);
});

Deno.test("fingerprints are keyed per redactor: a guess cannot be confirmed from another process", () => {
  const one = createRedactor().text("password=hunter2");
  const two = createRedactor().text("password=hunter2");
  assert.notEqual(one, two);
  assert.ok(one.startsWith(`password=${REDACTED_PREFIX}`));
});

// --- ordinary data ----------------------------------------------------------------------------

const ORDINARY = {
  id: "0191f7a2-6c1e-7a3b-9d2e-4f5a6b7c8d9e",
  status: 503,
  statusText: "Service Unavailable",
  method: "POST",
  path: "/api/v1/namespaces/payments/secrets/db-credentials",
  query: "?limit=50&continue=eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTIzNDV9&labelSelector=app%3Dshop",
  digest: "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
  resourceVersion: "123456789",
  uid: "6c8f2a1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
  etag: 'W/"5e8f2b1c9a7d"',
  elapsedMs: 12.5,
  headers: [
    { name: "Content-Type", value: "application/json" },
    { name: ":authority", value: "payments.svc.cluster.local:8080" },
    { name: "X-B3-TraceId", value: "80f198ee56343ba864fe8b2a57d3eff7" },
    { name: "X-Request-Id", value: "req-7f3a9c2e" },
    { name: "User-Agent", value: "Go-http-client/1.1" },
  ],
  body: {
    kind: "Secret",
    metadata: { name: "db-credentials", namespace: "payments", resourceVersion: "98765" },
    spec: { secretName: "tls-cert", tokenType: "Bearer", secretRef: { name: "x" } },
    usage: { max_tokens: 256, prompt_tokens: 12, completion_tokens: 40, token_count: 52 },
    author: "Ann",
    expires_in: 3600,
    nextPageToken: "CiAKGjBpNDd2Nmp2Zml2cXRwYjBpOXA3",
    message: "Basic plan, no session needed; the token endpoint is /oauth/token",
  },
  sessionCount: 3,
  "password_file": "/etc/app/password",
};

Deno.test("ordinary traffic comes back as the very same object and bytes", () => {
  const r = redactor();
  const out = r.json(ORDINARY);
  assert.equal(out, ORDINARY, "an unchanged value is returned as the same reference");
  assert.equal(JSON.stringify(out), JSON.stringify(ORDINARY));
  const pretty = JSON.stringify(ORDINARY, null, 2);
  assert.equal(r.text(pretty), pretty);
  assert.equal(r.text(JSON.stringify(ORDINARY)), JSON.stringify(ORDINARY));
});

Deno.test("json never mutates its input", () => {
  const r = redactor();
  const input = { headers: { Authorization: "Bearer abc123456" }, list: [{ password: "p-1234" }] };
  const copy = structuredClone(input);
  r.json(input);
  assert.deepEqual(input, copy);
});

Deno.test("sensitive names are told from their look-alikes", () => {
  for (const name of ["password", "Authorization", "x-api-key", "client_secret", "csrf_token"]) {
    assert.equal(isSensitiveName(name), true, name);
  }
  for (
    const name of ["author", ":authority", "max_tokens", "secretName", "token_type", "tokenizer"]
  ) {
    assert.equal(isSensitiveName(name), false, name);
  }
});

// --- kubeconfig -------------------------------------------------------------------------------

Deno.test("kubeconfigSecrets collects tokens, passwords (also as basic auth sends them), client keys, provider secrets and exec plugins' secret env values and flags", () => {
  const pem = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----";
  const found = kubeconfigSecrets({
    users: [
      { name: "a", user: { token: "kube-token-1" } },
      { name: "b", user: { username: "admin", password: "kube-pass-2" } },
      { name: "c", user: { "client-key-data": btoa(pem), "client-certificate-data": "cert" } },
      {
        name: "d",
        user: {
          "auth-provider": {
            config: { "id-token": "idt-3", "refresh-token": "rft-4", "client-id": "kubectl" },
          },
        },
      },
      {
        name: "e",
        user: { exec: { env: [{ name: "AWS_SECRET_ACCESS_KEY", value: "aws-5" }, { name: "X" }] } },
      },
      {
        name: "f",
        user: {
          exec: {
            args: [
              "--token",
              "arg-6",
              "--client-secret=arg-7",
              "--region",
              "eu-west-1",
              "--header",
              "Authorization: Bearer arg-10",
              "--header=X-Api-Key: arg-13",
              "--password-stdin",
              "--cluster-name",
              "prod-1",
              "--pin",
            ],
            env: [
              { name: "GITHUB_PAT", value: "pat-8" },
              { name: "signingKey", value: "key-9" },
              { name: "TOTP", value: "otp-11" },
              { name: "BW_SESSION", value: "session-12" },
              { name: "AWS_PROFILE", value: "prod" },
              { name: "KEYCLOAK_URL", value: "https://sso.example" },
              { name: "EXIT_CODE", value: "code-value" },
              { name: "BYPASS_LIST", value: "bypass-value" },
              { name: "MONKEY", value: "monkey-value" },
            ],
          },
        },
      },
    ],
  });
  assert.deepEqual(found, [
    "kube-token-1",
    "kube-pass-2",
    btoa("admin:kube-pass-2"),
    btoa(pem),
    pem,
    "idt-3",
    "rft-4",
    "aws-5",
    "pat-8",
    "key-9",
    "otp-11",
    "session-12",
    "arg-6",
    "arg-7",
    "arg-10",
    "arg-13",
  ]);
  assert.deepEqual(kubeconfigSecrets("not a kubeconfig"), []);
});

// --- wired into the server ----------------------------------------------------------------------

const WIRE_TOKEN = "wire-token-8c2f4e6a1b";

Deno.test({
  name: "a Hub error page that echoes the token reaches the model without it",

  fn: async () => {
    await withHubAndServer(async (server, hub) => {
      hub.routes.push((request) =>
        new Response(`<p>bad token ${request.headers.get("x-kubeshark-authorization")}</p>`, {
          status: 500,
        })
      );
      await server.initialize();
      const result = await server.callTool("list_workloads", {});
      assert.equal(result.isError, true);
      assertGone(JSON.stringify(result), WIRE_TOKEN);
    }, { args: ["--token", WIRE_TOKEN] });
  },
});

Deno.test({
  name: "a Hub error page that echoes the request's headers reaches the model with them masked",

  fn: async () => {
    await withHubAndServer(async (server, hub) => {
      hub.routes.push(() =>
        new Response(
          "upstream refused: Authorization: Bearer echoed-bearer-123456; " +
            `Cookie: session=echoed-session-789; key ${AWS_KEY}`,
          { status: 500, headers: { "content-type": "text/plain" } },
        )
      );
      await server.initialize();
      const result = await server.callTool("list_workloads", {});
      assert.equal(result.isError, true);
      const text = result.content[0].text;
      assertGone(text, "echoed-bearer-123456", "echoed-session-789", AWS_KEY);
      assert.match(
        text,
        /Hub API error \(500\): upstream refused: Authorization: Bearer \[redacted:/,
      );
    });
  },
});

Deno.test({
  name: "an HTML error page listing the request's headers reaches the model with them masked",

  fn: async () => {
    await withHubAndServer(async (server, hub) => {
      hub.routes.push(() =>
        new Response(
          "<html><body><h1>Forbidden</h1><pre>\nX-Api-Key: apikeySECRET55555\n" +
            "X-Auth-Token: tokSECRET12345\n</pre><p>Password: pwSECRET55555</p>" +
            "<table><tr><td>Cookie</td><td>sid=cookieSECRET777</td></tr></table>" +
            "<dl><dt>X-Amz-Security-Token</dt><dd>amzSECRET888</dd></dl>" +
            "<p>Proxy-Authorization&#58;&#32;Basic YWRtaW46cHdTRUNSRVQ5OTk=</p></body></html>",
          { status: 500, headers: { "content-type": "text/html" } },
        )
      );
      await server.initialize();
      const result = await server.callTool("list_workloads", {});
      assert.equal(result.isError, true);
      assertGone(
        result.content[0].text,
        "apikeySECRET55555",
        "tokSECRET12345",
        "pwSECRET55555",
        "cookieSECRET777",
        "amzSECRET888",
        "YWRtaW46cHdTRUNSRVQ5OTk",
      );
      assert.match(result.content[0].text, /Forbidden\nX-Api-Key: \[redacted:/);
    });
  },
});

Deno.test({
  name: "a Hub error body's first line is read as a line's start, not as the middle of our message",

  fn: async () => {
    await withHubAndServer(async (server, hub) => {
      hub.routes.push(() =>
        new Response("password: pwLEAKhunter2x", {
          status: 500,
          headers: { "content-type": "text/plain" },
        })
      );
      await server.initialize();
      const result = await server.callTool("list_workloads", {});
      assertGone(result.content[0].text, "pwLEAKhunter2x");
      assert.match(result.content[0].text, /^Hub API error \(500\): password: \[redacted:/);
    });
  },
});

Deno.test({
  name: "check_kubeshark_status quotes a Hub error page with its credentials masked",

  fn: async () => {
    await withHubAndServer(async (server, hub) => {
      hub.routes.push((request, url) =>
        request.method === "GET" && url.pathname === "/api/mcp"
          ? new Response("bad gateway\nX-Api-Key: echoed-api-key-4242\n", { status: 502 })
          : undefined
      );
      await server.initialize();
      const result = await server.callTool("check_kubeshark_status", {});
      assertGone(JSON.stringify(result), "echoed-api-key-4242");
      assert.match(JSON.stringify(result.structuredContent), /X-Api-Key: \[redacted:/);
    });
  },
});

const CAPTURED = {
  calls: [{
    request: {
      path: "/login?token=qs-secret-1",
      headers: [{ name: "Authorization", value: "Bearer captured-token-2" }],
      body: JSON.stringify({ user: "ann", password: "captured-pw-3" }),
    },
    response: { status: 200, headers: { "Set-Cookie": "sid=captured-sid-4; Path=/" } },
  }],
};

Deno.test({
  name: "captured credentials in a Hub result are masked by default, the rest kept",

  fn: async () => {
    await withHubAndServer(async (server, hub) => {
      hub.routes.push(() => Response.json(CAPTURED));
      await server.initialize();
      const result = await server.callTool("list_api_calls", {});
      const wire = JSON.stringify(result);
      assertGone(wire, "qs-secret-1", "captured-token-2", "captured-pw-3", "captured-sid-4");
      assert.match(wire, /\[redacted:[0-9a-f]{8}\]/);
      assert.match(wire, /\/login\?token=/);
    });
  },
});

Deno.test({
  name: "--no-redact passes captured credentials but still never the Hub token",

  fn: async () => {
    await withHubAndServer(async (server, hub) => {
      hub.routes.push((request) =>
        Response.json({
          ...CAPTURED,
          echo: request.headers.get("x-kubeshark-authorization"),
        })
      );
      await server.initialize();
      const wire = JSON.stringify(await server.callTool("list_api_calls", {}));
      assert.match(wire, /captured-token-2/);
      assertGone(wire, WIRE_TOKEN);
    }, { args: ["--no-redact", "--token", WIRE_TOKEN] });
  },
});

// --- the fingerprint's hash ---------------------------------------------------------------------

Deno.test("sha256 and hmacSha256 match the FIPS 180-4 and RFC 4231 vectors", () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  assert.equal(
    toHex(sha256(bytes(""))),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assert.equal(
    toHex(sha256(bytes("abc"))),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(
    toHex(sha256(bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
  assert.equal(
    toHex(sha256(bytes("a".repeat(1000)))),
    "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3",
  );
  // RFC 4231 test cases 2 and 6 (a key longer than a block).
  assert.equal(
    toHex(hmacSha256(bytes("Jefe"), bytes("what do ya want for nothing?"))),
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
  );
  assert.equal(
    toHex(
      hmacSha256(
        new Uint8Array(131).fill(0xaa),
        bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
      ),
    ),
    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
  );
});

// --- realistic traffic --------------------------------------------------------------------------

/** Paths (a.b.0.c) of the leaves that differ between two JSON values of the same shape. */
function changedPaths(before: unknown, after: unknown, path = ""): string[] {
  if (before === after) return [];
  if (before && after && typeof before === "object" && typeof after === "object") {
    return Object.keys(before).flatMap((key) =>
      changedPaths(
        (before as Record<string, unknown>)[key],
        (after as Record<string, unknown>)[key],
        path ? `${path}.${key}` : key,
      )
    );
  }
  return [path];
}

Deno.test("in the demo's captured traffic only credentials change: a password, a token, Basic auth", async () => {
  const { createDemoHub } = await import("../lib/demo/hub.ts");
  const hub = createDemoHub();
  const call = async (name: string, args: unknown) => {
    const response = await hub(
      new Request("http://demo.invalid/api/mcp/tools/call", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name, arguments: args }),
      }),
    );
    return await response.json();
  };
  const list = await call("list_api_calls", { limit: 300 });
  const entries = [list];
  for (const { id } of list.calls) entries.push(await call("get_api_call", { id }));
  const before = JSON.stringify(entries);
  const after = redactor().json(entries);
  assert.equal(JSON.stringify(entries), before, "the input was mutated");
  const changed = changedPaths(entries, after);
  assert.ok(changed.length > 0, "the demo's credentials were not found");
  const leaves = new Set(changed.map((path) => path.split(".").at(-1)));
  assert.deepEqual([...leaves].sort(), ["authorization", "req_body", "resp_body"]);
  assertGone(after, "carol-Winter2026!", "eyJhbGciOiJIUzI1NiJ9.");
  // Redis keys like session:4f2a… are names, not header lines.
  assert.match(JSON.stringify(after), /"key":"session:[a-z0-9]+"/);
});

Deno.test("a secret added later (a minted Hub token) is removed from then on", () => {
  const r = redactor();
  const minted = "minted-token-0a1b2c3d";
  assert.equal(r.secrets(`token ${minted}`), `token ${minted}`);
  r.addSecret(minted);
  r.addSecret(undefined);
  assertGone(r.secrets(`token ${minted}; hub ${HUB_TOKEN}`), minted, HUB_TOKEN);
  assertGone(r.json({ echo: `x${minted}x` }), minted);
  const odd = "p@ss.w*rd(1)[x]$";
  r.addSecret(odd);
  assert.equal(r.secrets(`a ${odd} b pXss.wwrd(1)`), `a ${r.secrets(odd)} b pXss.wwrd(1)`);
  assertGone(r.secrets(odd), odd);
});

// --- hostile input --------------------------------------------------------------------------------

Deno.test("nesting 100,000 levels deep neither overflows the stack nor lets a credential through", () => {
  const r = redactor();
  const deep = (inner: unknown) => {
    let value = inner;
    for (let i = 0; i < 100_000; i++) value = [value];
    return value;
  };
  const harmless = deep({ status: 200 });
  assert.equal(r.json(harmless), harmless);
  const hidden = deep({ password: "deep-pw-123" });
  assertGone(r.json(hidden), "deep-pw-123");
  assertGone(r.json({ body: JSON.stringify(hidden) }), "deep-pw-123");
  const off = createRedactor({ secrets: [HUB_TOKEN], results: false });
  assertGone(off.json(deep(`x ${HUB_TOKEN}`)), HUB_TOKEN);
  assert.equal(off.json(harmless), harmless);
});

Deno.test("a token inside punctuation is still found: -JWT, JWT. at a sentence's end", () => {
  const r = redactor();
  const out = r.text(`ids:-${JWT} and ${AWS_KEY}. done`);
  assertGone(out, JWT, AWS_KEY);
  assert.match(out, /^ids:-\[redacted:[0-9a-f]{8}\] and \[redacted:[0-9a-f]{8}\]\. done$/);
});
