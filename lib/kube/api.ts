/**
 * The few Kubernetes API calls kubeshark-mcp makes, over a fetch-like transport built from the
 * kubeconfig (see connection.ts). Errors say which server, what happened, and what to do.
 */
import { ActionableError } from "../errors.ts";

/** A valid namespace name (DNS-1123 label): anything else must never reach an API path. */
export const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** What went wrong talking to the API server. */
export type KubeErrorKind =
  | "unreachable"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "failed"
  | "aborted"
  /** Kubeshark is not installed in the release namespace. */
  | "not_running"
  /** Kubeshark is installed but not ready to answer yet. */
  | "not_ready";

/** A Kubernetes API failure with an actionable message. */
export class KubeError extends ActionableError {
  readonly kind: KubeErrorKind;
  readonly status?: number;

  constructor(kind: KubeErrorKind, message: string, status?: number) {
    super(message);
    this.name = "KubeError";
    this.kind = kind;
    this.status = status;
  }
}

/** Sends one HTTP request to the API server (credentials applied). */
export type KubeTransport = (request: Request) => Promise<Response>;

// deno-lint-ignore no-explicit-any
export type KubeObject = Record<string, any>;

/** Bound on one API request: status checks must not hang a tool call. */
export const KUBE_TIMEOUT_MS = 15_000;

/** A thin client for the API server of one kubeconfig context. */
export class KubeApi {
  readonly server: string;
  readonly context: string;
  #transport: KubeTransport;

  constructor(server: string, context: string, transport: KubeTransport) {
    this.server = server.replace(/\/+$/, "");
    this.context = context;
    this.#transport = transport;
  }

  /** GET one object; undefined when it does not exist. */
  async get(path: string, signal?: AbortSignal): Promise<KubeObject | undefined> {
    try {
      return await this.request("GET", path, { signal });
    } catch (error) {
      if (error instanceof KubeError && error.kind === "not_found") return undefined;
      throw error;
    }
  }

  /** GET a list's items, optionally with a label selector. */
  async list(path: string, options: { labelSelector?: string; signal?: AbortSignal } = {}) {
    const query = options.labelSelector
      ? `?labelSelector=${encodeURIComponent(options.labelSelector)}`
      : "";
    const list = await this.request("GET", `${path}${query}`, { signal: options.signal });
    return (list.items ?? []) as KubeObject[];
  }

  /** Sends a request and returns the parsed body; non-2xx answers throw a KubeError. */
  async request(
    method: string,
    path: string,
    options: { body?: unknown; signal?: AbortSignal; contentType?: string } = {},
  ): Promise<KubeObject> {
    const timeout = AbortSignal.timeout(KUBE_TIMEOUT_MS);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await this.#transport(
        new Request(`${this.server}${path}`, {
          method,
          headers: {
            accept: "application/json",
            ...(options.body ? { "content-type": options.contentType ?? "application/json" } : {}),
          },
          body: options.body ? JSON.stringify(options.body) : undefined,
          signal,
        }),
      );
    } catch (error) {
      if (options.signal?.aborted) throw new KubeError("aborted", "The request was cancelled.");
      const why = timeout.aborted
        ? `no answer within ${KUBE_TIMEOUT_MS / 1000} s`
        : rootMessage(error);
      throw new KubeError(
        "unreachable",
        `Cannot reach the Kubernetes API server at ${this.server} (context "${this.context}"): ` +
          `${why}. Check that the cluster is up and reachable (VPN, network), or pick another ` +
          "context with --context.",
      );
    }
    const text = await response.text();
    let body: KubeObject = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = { message: text.slice(0, 300) };
    }
    if (response.ok) return body;
    throw this.#error(method, path, response.status, body);
  }

  #error(method: string, path: string, status: number, body: KubeObject): KubeError {
    const message = typeof body.message === "string" ? body.message : `HTTP ${status}`;
    if (status === 401) {
      return new KubeError(
        "unauthorized",
        `The Kubernetes API server at ${this.server} rejected the credentials of context ` +
          `"${this.context}" (401 Unauthorized). Log in again (e.g. refresh your cloud CLI's ` +
          "credentials), or pick another context with --context or kubeconfig with --kubeconfig.",
        status,
      );
    }
    if (status === 403) {
      const { verb, resource, namespace } = describeAccess(method, path);
      return new KubeError(
        "forbidden",
        `Forbidden: context "${this.context}" may not ${verb} ${resource}` +
          `${namespace ? ` in namespace "${namespace}"` : ""} (${message}). Ask for RBAC that ` +
          `allows "${verb}" on "${resource}", or use a context that has it.`,
        status,
      );
    }
    if (status === 404) return new KubeError("not_found", message, status);
    return new KubeError(
      "failed",
      `Kubernetes API error (${status}) for ${method} ${path}: ${message}`,
      status,
    );
  }
}

/** The RBAC verb, resource and namespace a request needs, for 403 messages. */
export function describeAccess(method: string, path: string) {
  const clean = path.split("?")[0];
  const match = /\/namespaces\/([^/]+)\/([a-z]+)(?:\/([^/]+))?(?:\/([a-z]+))?/.exec(clean) ??
    /\/(?:api\/v1|apis\/[^/]+\/[^/]+)\/([a-z]+)(?:\/([^/]+))?/.exec(clean);
  if (!match) return { verb: method.toLowerCase(), resource: clean, namespace: undefined };
  const namespaced = clean.includes("/namespaces/") && match.length === 5;
  const namespace = namespaced ? match[1] : undefined;
  const resource = namespaced ? match[2] : match[1];
  const name = namespaced ? match[3] : match[2];
  const sub = namespaced ? match[4] : undefined;
  const verb = method === "GET"
    ? (name ? "get" : "list")
    : method === "POST"
    ? "create"
    : method === "DELETE"
    ? "delete"
    : method === "PATCH"
    ? "patch"
    : method.toLowerCase();
  return { verb, resource: sub ? `${resource}/${sub}` : resource, namespace };
}

function rootMessage(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}
