/**
 * `requestState` of a multi round-trip request (2026-07-28 `basic/patterns/mrtr`): what we ask the
 * client to echo back when it retries with the person's answer. It passes through the client, so
 * it is sealed: an HMAC (a key made per process) over the method, the tool, a digest of its
 * arguments and an expiry. A retry whose state does not verify, belongs to another call, or has
 * expired is refused; the answer then cannot be replayed onto different arguments.
 */

/** How long a confirmation request stays answerable. */
export const REQUEST_STATE_TTL_MS = 10 * 60_000;

let key: Promise<CryptoKey> | undefined;

function hmacKey(): Promise<CryptoKey> {
  return key ??= crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]) as Promise<CryptoKey>;
}

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** A stable text for arguments: keys sorted at every level. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** What a sealed state binds: the call it belongs to. */
export interface StateSubject {
  method: string;
  name: string;
  args: unknown;
}

function payloadOf(subject: StateSubject, expires: number): Uint8Array<ArrayBuffer> {
  return encoder.encode(
    `${subject.method}\n${subject.name}\n${canonical(subject.args)}\n${expires}`,
  );
}

/** Seals a state for this call, valid for {@linkcode REQUEST_STATE_TTL_MS}. */
export async function sealState(subject: StateSubject, now = Date.now()): Promise<string> {
  const expires = now + REQUEST_STATE_TTL_MS;
  const mac = new Uint8Array(
    await crypto.subtle.sign("HMAC", await hmacKey(), payloadOf(subject, expires)),
  );
  return `v1.${expires}.${base64url(mac)}`;
}

/** Whether a state echoed by the client was sealed by us, for this very call, and is fresh. */
export async function verifyState(
  state: string,
  subject: StateSubject,
  now = Date.now(),
): Promise<boolean> {
  const match = /^v1\.(\d{1,16})\.([A-Za-z0-9_-]{1,100})$/.exec(state);
  if (!match) return false;
  const expires = Number(match[1]);
  if (expires < now) return false;
  try {
    return await crypto.subtle.verify(
      "HMAC",
      await hmacKey(),
      fromBase64url(match[2]),
      payloadOf(subject, expires),
    );
  } catch {
    return false;
  }
}
