/**
 * One redactor per process. It removes the secrets this process knows (Hub token, license,
 * kubeconfig credentials) and `user:password@` in URLs from any text, and masks credentials in
 * captured traffic: sensitive header values, sensitive JSON fields, bearer/JWT/cloud-key-shaped
 * strings. A masked value becomes `[redacted:1a2b3c4d]`: a keyed fingerprint, equal for equal
 * values within the process, so calls carrying the same credential can still be correlated,
 * while the fingerprint cannot be used offline to confirm a guessed password.
 *
 * What is left alone matters as much: hex digests, UUIDs, trace ids, resource versions, paths,
 * status codes and numbers never match a rule, and a value with nothing to mask comes back as the
 * very same string or object.
 */
import { hmacSha256, toHex } from "./sha256.ts";

const encoder = new TextEncoder();

/** How a masked value starts; the fingerprint follows. */
export const REDACTED_PREFIX = "[redacted:";

/** Known secrets shorter than this are not searched for in text (they would mask ordinary words). */
export const MIN_SECRET_LENGTH = 6;

/** What a redactor knows and does. */
export interface RedactorOptions {
  /** Values removed wherever they appear: the Hub token, the license, kubeconfig credentials. */
  secrets?: Iterable<string | null | undefined>;
  /**
   * Whether Hub results are redacted (default true). `--no-redact` sets false: `text` and `json`
   * then remove only the known secrets and URL credentials, as `secrets` does.
   */
  results?: boolean;
  /** Key of the fingerprints; random per redactor unless given (tests pin it). */
  fingerprintKey?: Uint8Array;
}

/** The redactor; see {@link createRedactor}. */
export interface Redactor {
  /** Known secrets and `user:password@` in URLs removed: for every text we produce. */
  secrets(text: string): string;
  /**
   * A Hub answer as plain text: `secrets`, plus the credential rules unless results are off.
   * Text that is JSON as a whole is parsed and walked like `json`; if something in it was
   * masked it comes back re-encoded compactly, else unchanged.
   */
  text(text: string): string;
  /**
   * A parsed Hub answer: sensitive fields and header values masked, every string through `text`
   * (JSON inside a string is parsed and walked too). Never mutates `value`; unchanged parts,
   * and the whole value when nothing was masked, are returned as the same references.
   */
  json<T>(value: T): T;
  /** Adds a secret learned later (a Hub token minted or renewed in proxy mode). */
  addSecret(secret: string | null | undefined): void;
}

// Names (of JSON fields, headers, query and form parameters) whose values are credentials. Names
// are compared lower-cased with everything but letters and digits removed ("X-Api-Key" → "xapikey").
const SECRET_NAME = new RegExp(
  [
    "passw(or)?d",
    "passphrase",
    "^pwd$",
    "secret",
    "apikey",
    "accesskey",
    "privatekey",
    "clientkey",
    "credential",
    "cookie",
    "authorization",
    "^x?auth$",
    "licensekey",
    "subscriptionkey",
    "functionskey",
    "^session$",
    "sessionid",
    "token$",
  ].join("|"),
);

// Names that mention a secret but hold something else: its name, where it is, its type, its
// lifetime, a count ("secretName", "token_type", "password_file", "expires_in"), and cursors.
const NOT_SECRET_NAME = new RegExp(
  "(name|names|ref|refs|path|file|url|uri|endpoint|type|kind|length|count|expiry|expiration|" +
    "expires|expiresat|expiresin|ttl|enabled|required|policy|hint|mode|version|format|" +
    "pagetoken|nexttoken|continuationtoken|synctoken|resumetoken)$",
);

// Answers repeat the same few hundred field names; each is judged once.
const nameCache = new Map<string, boolean>();

/** Whether a field, header or parameter of this name holds a credential. */
export function isSensitiveName(name: string): boolean {
  let sensitive = nameCache.get(name);
  if (sensitive === undefined) {
    const normalized = name.toLowerCase().replace(/[^a-z0-9]/g, "");
    sensitive = normalized !== "" && SECRET_NAME.test(normalized) &&
      !NOT_SECRET_NAME.test(normalized);
    if (nameCache.size > 10_000) nameCache.clear();
    nameCache.set(name, sensitive);
  }
  return sensitive;
}

// Captured traffic is written by whoever sent it, so every pattern here runs in linear time:
// no quantified run may be followed by something the run itself can match (which backtracks
// quadratically: "-eyJ" × 50,000 took a minute with a \b-anchored JWT pattern), and runs that
// precede a required character are bounded. bench/redact.ts times hostile inputs.

// A cheap first look: a string none of the text rules could touch is returned as it is.
const TRIGGER =
  /passw|passphrase|pwd|secret|api.?key|access.?key|private.?key|client.?key|credential|cookie|auth|licen[cs]e.?key|subscription.?key|functions.?key|session|token|bearer|basic|negotiate|eyJ|AKIA|ASIA|gh[pousr]_|github_pat_|xox[abposr]-|[sr]k_live_|AIza|sk-|PRIVATE KEY|:\/\/[^\s/@:]{0,256}:[^\s/@]{0,256}@/i;

// Whether any `://user:password@` is there at all: anchored on "://", cheaper than the scheme scan.
const URL_WITH_CREDENTIALS = /:\/\/[^\s/?#@:"'<>]{0,256}:[^\s/?#@"'<>]{0,256}@/;

// `scheme://user:password@` (a user name alone is not a credential and stays).
const URL_CREDENTIALS =
  /\b([a-z][a-z0-9+.-]{0,30}:\/\/)([^\s/?#@:"'<>]{0,256}:[^\s/?#@"'<>]{0,256})@/gi;

// The armour lines of a PEM private key; a BEGIN and the next END of the same label are paired.
const PEM_MARKER = /-----(BEGIN|END) ([A-Z0-9 ]{0,40})PRIVATE KEY-----/g;

/** Nesting beyond this is not walked (the stack would overflow); see `walk`. */
export const MAX_DEPTH = 200;

// `Name: value` lines: raw HTTP headers, YAML, logs. The blank after the colon is required, so
// `session:4f2a` (a Redis key), `urn:…` and `sha256:…` are not mistaken for one.
const HEADER_LINE = /^([ \t]*)([A-Za-z0-9_.-]+)([ \t]*:[ \t]+)([^\r\n]+)/gm;

// Auth schemes that put a credential after them (Digest and AWS4 carry name=value lists instead).
// In free text only the unmistakable ones count ("DPoP proof-of-possession", "Key 12345678" are
// prose there); after a sensitive header or parameter name any of them is a credential's scheme.
const FREE_TEXT_SCHEMES = "Bearer|Basic|Token|Negotiate";
const SCHEMES = `${FREE_TEXT_SCHEMES}|ApiKey|DPoP|SSWS|Splunk|OAuth|MAC|JWT|Key`;
const SCHEME_WORD = new RegExp(`^(?:${SCHEMES}|Digest|AWS4-HMAC-SHA256)$`, "i");

// `Name: value` inside a line (a flattened error page, a log line, `curl -H '…'`), never at a
// line's start (HEADER_LINE has those): only header names beyond doubt — hyphenated
// (`X-Api-Key`, `Set-Cookie`) or `Authorization`/`Cookie` — and only a value that looks like a
// credential, so that prose ("using password: YES", "provide X-Api-Key: see the docs") stays.
const INLINE_HEADER = /(?<=[ \t;,([{'"=|])([A-Za-z][A-Za-z0-9_.-]{1,60})[ \t]?:[ \t]+["']?/g;
// A scheme word's credential, after it on the same line.
const INLINE_CREDENTIAL = /[ \t]{1,16}([^\s;,"'<>)\]}]{1,4096})/y;
// A cookie header's value: its `name=value` pairs, `; `-separated, as far as they go.
const INLINE_COOKIES =
  /[^\s=;,"'<>]{1,200}=[^\s;,"'<>]{0,4096}(?:[;,][ \t]*[^\s=;,"'<>]{1,200}=[^\s;,"'<>]{0,4096}){0,100}/y;

// Go's printed header map (`map[Authorization:[Bearer x] X-Api-Key:[y]]`), as a Go Hub's error may
// quote it: each sensitive header's values go.
const GO_HEADER = /(?<=[\s[])([A-Za-z][A-Za-z0-9-]{1,60}):\[([^\][]{1,4096})\]/g;
const INLINE_VALUE = /[^\s;,"'<>)\]}]{1,4096}/y;
const INLINE_HEADER_NAME = /-|^authorization$|^cookie$/i;

// `"name": "value"` in JSON text that did not parse as a whole (cut off, or inside other text).
// (The value is the unrolled `[^"\\]*(?:\\.[^"\\]*)*`: an alternation per character is slow.)
const JSON_PAIR = /"([^"\\]{1,100})"(\s*:\s*)"([^"\\]*(?:\\.[^"\\]*)*)"/g;

// The same pair once more escaped: JSON held in a JSON string inside other text (an error body
// quoting the request it refused: `{"error":"… {\"password\":\"…\"}"}`).
const ESCAPED_JSON_PAIR = /\\"([^"\\]{1,100})\\"(\s*:\s*)\\"([^"\\]{0,4096})\\"/g;

// `name = value` lines of INI, TOML, properties and `~/.aws/credentials` files (`name=value`
// without blanks is KEY_VALUE's), and `<name>value</name>` in XML: a credential-looking value.
const SPACED_PAIR =
  /^([ \t]*)([A-Za-z0-9_.[\]-]{1,100})([ \t]+=[ \t]+)(["']?)([^\s"']{1,4096})\4/gm;
const XML_ELEMENT = /<([A-Za-z][A-Za-z0-9_.:-]{0,100})(\s[^<>]{0,200})?>([^<]{1,4096})<\/\1\s*>/g;

// `'name': 'value'` in a Python or JavaScript literal printed in a message.
const QUOTED_PAIR = /'([^'\\]{1,100})'(\s*:\s*)'([^'\\]{0,4096})'/g;

// `name=value` in query strings, form bodies, cookies and logs; an auth scheme after the `=`
// (`authorization=Bearer abc…`) stays, and the credential after it goes.
const KEY_VALUE = /(^|[^A-Za-z0-9_.[\]-])([A-Za-z0-9_.[\]-]+)=([^&\s"'<>#;,()]+)/g;
// The same with an auth scheme and its credential (`authorization=Bearer abc…`), the credential
// ending the pair: in `token_type=Bearer access_token=…` the scheme belongs to another pair.
const KEY_SCHEME_VALUE = new RegExp(
  `(^|[^A-Za-z0-9_.[\\]-])([A-Za-z0-9_.[\\]-]+)=(${SCHEMES})([ \\t]{1,16})` +
    `([^&\\s"'<>#;,()=]{1,4096})(?=$|[&\\s"'<>#;,)])`,
  "gi",
);

// An auth scheme and its credential. Basic is checked further (it must decode to user:password);
// the others need a digit or a token symbol, so "Bearer authentication" is prose, not a token.
// (Bounded, as TOKEN_RUN is below; a credential that fills the bound is a longer run: left alone.)
const MAX_CREDENTIAL = 64 * 1024;
const AUTH_SCHEME = new RegExp(
  `\\b(${FREE_TEXT_SCHEMES})([ \\t]{1,16})([A-Za-z0-9._~+/-]{8,${MAX_CREDENTIAL}}=*)` +
    "(?![A-Za-z0-9._~+/=-])",
  "gi",
);

// Credential shapes that need no context. Each is matched against a whole run of token
// characters (found by TOKEN_RUN in one linear pass), never searched for inside text. The run is
// bounded: an unbounded one exhausts the regex engine's backtracking stack on a megabytes-long
// base64 body (a RangeError at ~6 MB), and no credential is that long (a JWT with many claims is
// a few KB). A longer run comes in pieces, and no piece of it is taken for a credential.
const MAX_TOKEN_RUN = 64 * 1024;
const TOKEN_RUN = new RegExp(`[A-Za-z0-9_.-]{16,${MAX_TOKEN_RUN}}`, "g");
const TOKEN_CHAR = /[A-Za-z0-9_.-]/;
const SHAPES = [
  // JWT: base64url JSON header and payload ("eyJ" is `{"`), then a signature (maybe empty).
  /^eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}(?:\.[A-Za-z0-9_-]*)?$/,
  // AWS access key ids (long-term AKIA, temporary ASIA).
  /^(?:AKIA|ASIA)[A-Z0-9]{16}$/,
  // GitHub, Slack, Stripe, Google, OpenAI/Anthropic-style keys.
  /^gh[pousr]_[A-Za-z0-9]{36,}$/,
  /^github_pat_[A-Za-z0-9_]{22,}$/,
  /^xox[abposr]-[A-Za-z0-9-]{10,}$/,
  /^[sr]k_live_[A-Za-z0-9]{16,}$/,
  /^AIza[A-Za-z0-9_-]{35}$/,
  /^sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}$/,
];

// A header value's auth scheme, kept in front of the masked credential.
const VALUE_SCHEME = new RegExp(`^(${SCHEMES}|Digest|AWS4-HMAC-SHA256)(\\s+)(\\S.*)$`, "i");

// Cookie and Set-Cookie (any case and punctuation): each cookie's value is masked, names kept.
const COOKIE_NAME = /^(set[-_]?)?cookie$/i;
// (Pairs end at ";" or ",": several Set-Cookie values may come joined by ", "; "Expires=Wed, 21
// Oct …" then splits into an attribute and words, none of them a pair.)
const COOKIE_PAIR = /(^|[;,]\s*)([^=;,\s]+)=([^;,]*)/g;

const COOKIE_ATTRIBUTES = new Set([
  "path",
  "domain",
  "expires",
  "max-age",
  "samesite",
  "secure",
  "httponly",
  "priority",
  "partitioned",
  "version",
  "comment",
]);

/** Builds the process's redactor. Build it once: it compiles the secrets into one pattern. */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const key = options.fingerprintKey ?? crypto.getRandomValues(new Uint8Array(32));
  const known = new Set<string>();
  let knownPattern: RegExp | undefined;
  function addSecrets(secrets: Iterable<string | null | undefined>): void {
    const before = known.size;
    for (const secret of secrets) {
      for (const form of secretForms(secret)) {
        if (form.length >= MIN_SECRET_LENGTH) known.add(form);
      }
    }
    if (known.size === before) return;
    // Longest first, so a secret that contains another is masked whole.
    const sorted = [...known].sort((a, b) => b.length - a.length);
    knownPattern = new RegExp(
      sorted.map((secret) => secret.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"),
      "g",
    );
  }
  addSecrets(options.secrets ?? []);
  const results = options.results ?? true;
  const fingerprints = new Map<string, string>();

  function mask(value: string): string {
    let marker = fingerprints.get(value);
    if (marker === undefined) {
      const digest = toHex(hmacSha256(key, encoder.encode(value)));
      marker = `${REDACTED_PREFIX}${digest.slice(0, 8)}]`;
      if (fingerprints.size > 10_000) fingerprints.clear();
      fingerprints.set(value, marker);
    }
    return marker;
  }

  function knownIn(text: string): boolean {
    if (!knownPattern) return false;
    const found = knownPattern.test(text);
    knownPattern.lastIndex = 0;
    return found;
  }

  function secrets(text: string): string {
    if (knownPattern && knownPattern.test(text)) {
      knownPattern.lastIndex = 0;
      text = text.replace(knownPattern, (secret) => mask(secret));
    }
    if (text.includes("://") && URL_WITH_CREDENTIALS.test(text)) {
      text = text.replace(
        URL_CREDENTIALS,
        (_, scheme, credentials) => `${scheme}${mask(credentials)}@`,
      );
    }
    return text;
  }

  // A header's (or sensitive field's) value: keep an auth scheme and cookie names, mask the rest.
  function maskValue(name: string, value: string): string {
    if (value === "" || value.startsWith(REDACTED_PREFIX)) return value;
    if (COOKIE_NAME.test(name)) {
      return value.replace(
        COOKIE_PAIR,
        (all, lead, cookie, content) =>
          COOKIE_ATTRIBUTES.has(cookie.toLowerCase()) || content === ""
            ? all
            : `${lead}${cookie}=${mask(content)}`,
      );
    }
    const scheme = VALUE_SCHEME.exec(value);
    if (scheme) return `${scheme[1]}${scheme[2]}${mask(scheme[3])}`;
    return mask(value);
  }

  function textRules(text: string, depth = 0): string {
    text = secrets(text);
    if (!TRIGGER.test(text)) return text;
    const trimmed = text.trim();
    if (
      (trimmed.startsWith("{") && trimmed.endsWith("}")) ||
      (trimmed.startsWith("[") && trimmed.endsWith("]"))
    ) {
      // A JSON body captured as a string: walk it, and re-serialize only if something was masked.
      let parsed: unknown;
      try {
        parsed = JSON.parse(trimmed);
      } catch {
        parsed = undefined;
      }
      if (parsed !== undefined && typeof parsed === "object" && parsed !== null) {
        const walked = walk(parsed, depth + 1);
        return walked === parsed ? text : JSON.stringify(walked);
      }
    }
    if (text.includes("PRIVATE KEY-----")) text = maskPem(text);
    if (text.includes(":")) {
      text = text.replace(
        HEADER_LINE,
        (all, indent, name, colon, value) =>
          isSensitiveName(name)
            ? `${indent}${name}${colon}${maskValue(name, value.trimEnd())}`
            : all,
      );
    }
    if (text.includes(":")) text = maskInlineHeaders(text);
    if (text.includes(" = ")) {
      text = text.replace(
        SPACED_PAIR,
        (all, indent, name, equals, quote, value) =>
          isSensitiveName(name) && looksLikeSecretValue(value) && !value.startsWith(REDACTED_PREFIX)
            ? `${indent}${name}${equals}${quote}${mask(value)}${quote}`
            : all,
      );
    }
    if (text.includes("</")) {
      text = text.replace(
        XML_ELEMENT,
        (all, name, attributes = "", value) =>
          isSensitiveName(name) && looksLikeSecretValue(value.trim()) &&
            !value.startsWith(REDACTED_PREFIX)
            ? `<${name}${attributes}>${mask(value)}</${name}>`
            : all,
      );
    }
    if (text.includes(":[")) {
      text = text.replace(
        GO_HEADER,
        (all, name, values) =>
          isSensitiveName(name) && INLINE_HEADER_NAME.test(name) &&
            !values.startsWith(REDACTED_PREFIX)
            ? `${name}:[${maskValue(name, values)}]`
            : all,
      );
    }
    if (text.includes("'")) text = maskQuotedPairs(text, QUOTED_PAIR, "'", looksLikeSecretValue);
    if (text.includes('"')) {
      text = maskQuotedPairs(text, JSON_PAIR, '"', (value) => value !== "");
      if (text.includes('\\"')) {
        text = maskQuotedPairs(text, ESCAPED_JSON_PAIR, '\\"', (value) => value !== "");
      }
    }
    if (text.includes("=")) {
      text = text.replace(
        KEY_SCHEME_VALUE,
        (all, lead, name, scheme, space, value) =>
          isSensitiveName(name) && !value.startsWith(REDACTED_PREFIX)
            ? `${lead}${name}=${scheme}${space}${mask(value)}`
            : all,
      );
      text = text.replace(
        KEY_VALUE,
        (all, lead, name, value) =>
          isSensitiveName(name) && !value.startsWith(REDACTED_PREFIX) && !SCHEME_WORD.test(value)
            ? `${lead}${name}=${mask(value)}`
            : all,
      );
    }
    text = text.replace(AUTH_SCHEME, (all, scheme, space, credential: string) => {
      if (credential.length >= MAX_CREDENTIAL || !looksLikeCredential(scheme, credential)) {
        return all;
      }
      return `${scheme}${space}${mask(credential)}`;
    });
    return text.replace(TOKEN_RUN, (run: string, offset: number) => {
      // A piece of a longer run: its start follows a token character, or it fills the bound.
      if (run.length === MAX_TOKEN_RUN || (offset > 0 && TOKEN_CHAR.test(text[offset - 1]))) {
        return run;
      }
      // A run may carry punctuation around the token: "-eyJ…", "…sig." at a sentence's end.
      let start = 0;
      let end = run.length;
      while (start < end && (run[start] === "." || run[start] === "-" || run[start] === "_")) {
        start++;
      }
      while (end > start && run[end - 1] === ".") end--;
      const core = run.slice(start, end);
      if (!SHAPES.some((shape) => shape.test(core))) return run;
      return `${run.slice(0, start)}${mask(core)}${run.slice(end)}`;
    });
  }

  // `<q>name<q>: <q>value<q>` pairs (`pattern` captures name, colon, value): a sensitive name's
  // value goes when `worth` says it is one.
  function maskQuotedPairs(
    text: string,
    pattern: RegExp,
    quote: string,
    worth: (value: string) => boolean,
  ): string {
    return text.replace(
      pattern,
      (all, name, colon, value) =>
        isSensitiveName(name) && worth(value) && !value.startsWith(REDACTED_PREFIX)
          ? `${quote}${name}${quote}${colon}${quote}${maskValue(name, value)}${quote}`
          : all,
    );
  }

  function maskInlineHeaders(text: string): string {
    let out = "";
    let last = 0;
    for (const found of text.matchAll(INLINE_HEADER)) {
      const name = found[1];
      const start = found.index + found[0].length;
      if (start < last || !isSensitiveName(name) || !INLINE_HEADER_NAME.test(name)) continue;
      let from = start;
      let value: string | undefined;
      let masked: string | undefined;
      if (COOKIE_NAME.test(name)) {
        INLINE_COOKIES.lastIndex = start;
        value = INLINE_COOKIES.exec(text)?.[0];
        if (value?.includes("=")) masked = maskValue(name, value);
      } else {
        INLINE_VALUE.lastIndex = start;
        value = INLINE_VALUE.exec(text)?.[0];
        if (value && SCHEME_WORD.test(value)) {
          // "Authorization: Key AAAA…": the scheme stays, the credential after it goes.
          INLINE_CREDENTIAL.lastIndex = start + value.length;
          const credential = INLINE_CREDENTIAL.exec(text);
          from = start + value.length +
            (credential ? credential[0].length - credential[1].length : 0);
          value = credential?.[1];
          if (value && looksLikeCredential("", value)) masked = mask(value);
        } else if (value && looksLikeSecretValue(value)) {
          masked = mask(value);
        }
      }
      if (!value || masked === undefined || value.includes(REDACTED_PREFIX)) continue;
      out += text.slice(last, from) + masked;
      last = from + value.length;
    }
    return last === 0 ? text : out + text.slice(last);
  }

  function maskPem(text: string): string {
    let result = "";
    let last = 0;
    let open: { label: string; start: number } | undefined;
    for (const marker of text.matchAll(PEM_MARKER)) {
      if (marker[1] === "BEGIN") {
        open = { label: marker[2], start: marker.index };
      } else if (open && marker[2] === open.label) {
        const end = marker.index + marker[0].length;
        result += text.slice(last, open.start) + mask(text.slice(open.start, end));
        last = end;
        open = undefined;
      }
    }
    return last === 0 ? text : result + text.slice(last);
  }

  // Deeper than MAX_DEPTH a value is not walked: passed whole when its JSON text has nothing a
  // rule could touch, else replaced by a note (no real answer nests that deep; a crafted one
  // must neither overflow the stack nor carry a credential past us).
  function tooDeep(value: unknown, check: (text: string) => boolean): unknown {
    let text: string;
    try {
      text = JSON.stringify(value) ?? "";
    } catch {
      text = "";
    }
    return text !== "" && !check(text)
      ? value
      : `[nested deeper than ${MAX_DEPTH} levels: left out, it may hold credentials]`;
  }

  function maskField(name: string, value: unknown, depth: number): unknown {
    if (typeof value === "string") return maskValue(name, value);
    if (Array.isArray(value) && value.every((item) => typeof item === "string")) {
      const masked = value.map((item) => maskValue(name, item));
      return masked.every((item, i) => item === value[i]) ? value : masked;
    }
    return walk(value, depth);
  }

  function walk(value: unknown, depth = 0): unknown {
    if (typeof value === "string") return textRules(value, depth);
    if (value === null || typeof value !== "object") return value;
    if (depth >= MAX_DEPTH) {
      return tooDeep(value, (text) => TRIGGER.test(text) || knownIn(text));
    }
    if (Array.isArray(value)) {
      // A header as a [name, value] pair.
      if (
        value.length === 2 && typeof value[0] === "string" && typeof value[1] === "string" &&
        isSensitiveName(value[0])
      ) {
        const masked = maskValue(value[0], value[1]);
        return masked === value[1] ? value : [value[0], masked];
      }
      let copy: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const item = walk(value[i], depth + 1);
        if (item !== value[i]) (copy ??= value.slice())[i] = item;
      }
      return copy ?? value;
    }
    const record = value as Record<string, unknown>;
    // A header as {name, value} (HAR, Kubeshark's entries), or an env var {name, value}.
    const headerName = typeof record.name === "string"
      ? record.name
      : typeof record.key === "string"
      ? record.key
      : undefined;
    const sensitiveEntry = headerName !== undefined && typeof record.value === "string" &&
      isSensitiveName(headerName);
    let copy: Record<string, unknown> | undefined;
    for (const field of Object.keys(record)) {
      const item = record[field];
      let masked: unknown;
      if (sensitiveEntry && field === "value") masked = maskValue(headerName, item as string);
      else if (isSensitiveName(field)) masked = maskField(field, item, depth + 1);
      else masked = walk(item, depth + 1);
      if (masked !== item) (copy ??= { ...record })[field] = masked;
    }
    return copy ?? value;
  }

  // With results off only the known secrets go (they may show up anywhere, even in a result).
  function walkSecrets(value: unknown, depth = 0): unknown {
    if (typeof value === "string") return secrets(value);
    if (value === null || typeof value !== "object") return value;
    if (depth >= MAX_DEPTH) return tooDeep(value, (text) => secrets(text) !== text);
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const item = walkSecrets(value[i], depth + 1);
        if (item !== value[i]) (copy ??= value.slice())[i] = item;
      }
      return copy ?? value;
    }
    const record = value as Record<string, unknown>;
    let copy: Record<string, unknown> | undefined;
    for (const field of Object.keys(record)) {
      const item = walkSecrets(record[field], depth + 1);
      if (item !== record[field]) (copy ??= { ...record })[field] = item;
    }
    return copy ?? value;
  }

  return {
    secrets,
    text: results ? (text: string) => textRules(text) : secrets,
    json: <T>(value: T) => (results ? walk(value) : walkSecrets(value)) as T,
    addSecret: (secret) => addSecrets([secret]),
  };
}

// A secret may appear as it is or percent-encoded (in a query string).
function secretForms(secret: string | null | undefined): string[] {
  if (!secret) return [];
  const encoded = encodeURIComponent(secret);
  return encoded === secret ? [secret] : [secret, encoded];
}

// A lone word after a header name inside prose: a credential has a digit or a token symbol, or
// is long and mixed-case; "YES", "none", "see" are not.
function looksLikeSecretValue(value: string): boolean {
  return value.length >= 6 &&
    (/[0-9_~+/=.-]/.test(value) ||
      (value.length >= 16 && /[a-z]/.test(value) && /[A-Z]/.test(value)));
}

function looksLikeCredential(scheme: string, credential: string): boolean {
  if (scheme.toLowerCase() === "basic") {
    // Basic carries base64("user:password"); anything else after the word is prose.
    try {
      const decoded = atob(credential);
      return decoded.includes(":") && /^[\x20-\x7e]+$/.test(decoded);
    } catch {
      return false;
    }
  }
  // A digit or a token symbol; a word with a hyphen or a sentence's full stop is prose.
  return /[0-9_~+/=]/.test(credential);
}

/**
 * The credentials in a parsed kubeconfig: users' tokens, passwords (and, with a username, the
 * base64 of `username:password` that basic auth sends), client keys (base64 and decoded),
 * auth-provider tokens and secrets, and exec env values with sensitive names.
 */
export function kubeconfigSecrets(kubeconfig: unknown): string[] {
  const found: string[] = [];
  const users = (kubeconfig as { users?: unknown })?.users;
  if (!Array.isArray(users)) return found;
  const add = (value: unknown) => {
    if (typeof value === "string" && value !== "") found.push(value);
  };
  for (const entry of users) {
    const user = (entry as { user?: Record<string, unknown> })?.user;
    if (!user || typeof user !== "object") continue;
    add(user.token);
    add(user.password);
    if (typeof user.username === "string" && typeof user.password === "string") {
      // As the Authorization header carries it (an API server's error may repeat it).
      add(base64(`${user.username}:${user.password}`));
    }
    const keyData = user["client-key-data"];
    add(keyData);
    if (typeof keyData === "string") {
      try {
        add(atob(keyData).trim());
      } catch {
        // Not base64: the raw value is masked already.
      }
    }
    const provider = (user["auth-provider"] as { config?: Record<string, unknown> })?.config;
    if (provider && typeof provider === "object") {
      for (const [name, value] of Object.entries(provider)) {
        if (isSensitiveName(name)) add(value);
      }
    }
    const exec = user.exec as { env?: unknown; args?: unknown } | undefined;
    if (Array.isArray(exec?.env)) {
      for (const variable of exec.env) {
        const { name, value } = (variable ?? {}) as { name?: unknown; value?: unknown };
        if (typeof name === "string" && isExecSecretName(name)) add(value);
      }
    }
    // `--token X`, `--token=X`, `--client-secret X`: a plugin's stderr may repeat its arguments.
    const args: unknown[] = Array.isArray(exec?.args) ? exec.args : [];
    args.forEach((arg, i) => {
      if (typeof arg !== "string") return;
      const flag = /^--?([A-Za-z0-9_.-]+)(?:=(.*))?$/s.exec(arg);
      const next = args[i + 1];
      // `--token X`, `--token=X`; not `--password-stdin --region` (a switch, then another flag).
      const value = flag?.[2] ?? (typeof next === "string" && !next.startsWith("-") ? next : "");
      if (flag && isExecSecretName(flag[1])) add(value);
      add(headerArgumentSecret(flag?.[2] ?? arg));
    });
  }
  return found;
}

// An exec plugin's variable or flag that holds a credential: the sensitive names, and the words
// plugins use for them (GITHUB_PAT, SIGNINGKEY, BW_SESSION, MFA_CODE, TOTP, --bearer; not
// KEYCLOAK_URL, AWS_PROFILE, VAULT_ROLE_ID, ZIPCODE or EXIT_CODE).
const EXEC_SECRET_WORDS = new Set([
  "pat",
  "key",
  "pass",
  "passcode",
  "pin",
  "otp",
  "mfa",
  "jwt",
  "cred",
  "creds",
  "session",
  "refresh",
  "bearer",
]);

function isExecSecretName(name: string): boolean {
  if (isSensitiveName(name)) return true;
  const words = name.split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/).map((w) => w.toLowerCase());
  // A run-together name counts by its end only for the unmistakable (TOTP, SIGNINGKEY), not
  // BYPASS, COMPAT or MONKEY.
  return words.some((word) =>
    EXEC_SECRET_WORDS.has(word) || /otp$/.test(word) || (word.length >= 7 && word.endsWith("key"))
  );
}

// An argument that is itself a header (`--header "Authorization: Bearer X"`): its credential.
function headerArgumentSecret(arg: string): string | undefined {
  const header = /^\s*([A-Za-z0-9_-]{1,60})\s*:\s*(\S.*)$/s.exec(arg);
  if (!header || !isSensitiveName(header[1])) return undefined;
  // Its auth scheme stays out of it, as in a header value (VALUE_SCHEME).
  return (VALUE_SCHEME.exec(header[2])?.[3] ?? header[2]).trim();
}

// UTF-8 text as base64 (btoa alone takes only Latin-1).
function base64(text: string): string {
  let binary = "";
  for (const byte of encoder.encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
