/**
 * The checks every HTTP request passes before it reaches MCP: Host and Origin (DNS rebinding),
 * and a per-client rate limit.
 */

/** Host names a loopback server always answers to. */
const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/** Whether `hostname` is an IPv4 or bracketed IPv6 literal. */
function isIpLiteral(hostname: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) || /^\[[0-9a-f:.]+\]$/i.test(hostname);
}

/** Whether a bind address keeps the server on this machine. */
export function isLoopback(hostname: string): boolean {
  return LOOPBACK_NAMES.has(hostname.toLowerCase()) || /^127\./.test(hostname);
}

/**
 * Decides which `Host` and `Origin` headers a server accepts.
 *
 * Host: a DNS-rebinding page reaches us under the attacker's name, so the name must be one we
 * serve: loopback names, IP literals (a browser that sent one also set the page's origin to it),
 * the bind name, the public URL's host, and `allowedHosts` (`*` accepts any). The port is not
 * compared: port-forwards and proxies change it.
 *
 * Origin: absent for non-browser clients (accepted); otherwise the page must be this server
 * itself (same scheme, host and port as the request) or listed in `allowedOrigins` (`*` = any).
 */
export class OriginPolicy {
  #hosts: Set<string>;
  #anyHost: boolean;
  #origins: Set<string>;
  #anyOrigin: boolean;

  constructor(
    options: { bindHost: string; publicUrl?: string; hosts?: string[]; origins?: string[] },
  ) {
    const hosts = (options.hosts ?? []).map((host) => host.toLowerCase());
    this.#anyHost = hosts.includes("*");
    this.#hosts = new Set([...LOOPBACK_NAMES, options.bindHost.toLowerCase(), ...hosts]);
    if (options.publicUrl) this.#hosts.add(new URL(options.publicUrl).hostname.toLowerCase());
    const origins = (options.origins ?? []).map((origin) => origin.replace(/\/+$/, ""));
    this.#anyOrigin = origins.includes("*");
    this.#origins = new Set(origins.map((origin) => origin.toLowerCase()));
  }

  /** Why the Host header is refused, or undefined when it is fine. */
  checkHost(host: string | null): string | undefined {
    if (!host) return "the request has no Host header";
    const hostname = hostnameOf(host);
    if (hostname === undefined) return `the Host header "${host}" is not a host name`;
    if (this.#anyHost || this.#hosts.has(hostname) || isIpLiteral(hostname)) return undefined;
    return `the Host "${host}" is not one this server answers to; ` +
      "add it with --http-allowed-hosts if it is yours";
  }

  /** Why the Origin header is refused, or undefined when it is fine. */
  checkOrigin(origin: string | null, requestUrl: URL, host: string | null): string | undefined {
    if (origin === null) return undefined;
    if (this.#anyOrigin) return undefined;
    const normalized = origin.toLowerCase().replace(/\/+$/, "");
    if (this.#origins.has(normalized)) return undefined;
    if (host && normalized === `${requestUrl.protocol}//${host.toLowerCase()}`) return undefined;
    return `the Origin "${origin}" may not call this server; ` +
      "add it with --http-allowed-origins if that page is yours";
  }

  /** Whether an Origin is allowed (for CORS answers). */
  allowsOrigin(origin: string, requestUrl: URL, host: string | null): boolean {
    return this.checkOrigin(origin, requestUrl, host) === undefined;
  }
}

function hostnameOf(host: string): string | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::\d{1,5})?$/i.exec(host.trim());
  return match?.[1].toLowerCase();
}

/**
 * A token bucket per client: `perMinute` requests a minute, bursts up to the same number.
 * Keys are dropped once full again, so memory follows the active clients.
 */
export class RateLimiter {
  #perMinute: number;
  #buckets = new Map<string, { tokens: number; at: number }>();
  #now: () => number;

  constructor(perMinute: number, now: () => number = Date.now) {
    this.#perMinute = perMinute;
    this.#now = now;
  }

  /** Takes one request from `key`'s bucket: 0 when allowed, else seconds until one is free. */
  take(key: string): number {
    if (this.#perMinute <= 0) return 0;
    const now = this.#now();
    const rate = this.#perMinute / 60_000; // tokens per ms
    const bucket = this.#buckets.get(key) ?? { tokens: this.#perMinute, at: now };
    bucket.tokens = Math.min(this.#perMinute, bucket.tokens + (now - bucket.at) * rate);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.#buckets.set(key, bucket);
      this.#prune(now, rate);
      return 0;
    }
    this.#buckets.set(key, bucket);
    return Math.max(1, Math.ceil((1 - bucket.tokens) / rate / 1000));
  }

  #prune(now: number, rate: number): void {
    if (this.#buckets.size < 10_000) return;
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.at) * rate >= this.#perMinute) this.#buckets.delete(key);
    }
  }
}
