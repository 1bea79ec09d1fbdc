/**
 * Proxy mode: the Hub reached through Kubernetes. Service kubeshark-front in the release namespace,
 * a Ready pod behind it, and a local port carried to the pod's 8080 by port-forward; when
 * port-forward is refused (403) or unavailable, the API server's service proxy. A broken forward
 * (pod replaced, stream reset) is re-established on the next call, transparently, once.
 */
import type { Config } from "../config.ts";
import type { HubAccess } from "../hub/access.ts";
import { HubClient } from "../hub/client.ts";
import type { Logger } from "../log.ts";
import { Secrets } from "../secrets.ts";
import { KubeError, type KubeObject } from "./api.ts";
import { connect, type KubeConnection } from "./connection.ts";
import { HubTokenMinter } from "./hub_token.ts";
import { FRONT_SERVICE } from "./names.ts";
import { PortForwarder } from "./port_forward.ts";

// The front's container port (the chart's).
const FRONT_PORT = 8080;

/** Kubeshark's own text for this case, verbatim. */
export const NOT_RUNNING =
  "Kubeshark is not running. Use the 'start_kubeshark' tool to start it first.";

interface Route {
  kind: "port-forward" | "service-proxy";
  base: string;
  fetch: (request: Request) => Promise<Response>;
  forwarder?: PortForwarder;
  client?: HubClient;
}

/** How proxy mode reaches the Hub, created at start-up; the Kubernetes work runs in the background. */
export class KubeHubAccess implements HubAccess {
  readonly config: Config;
  readonly minter: HubTokenMinter;
  #log: Logger;
  #secrets: Secrets;
  #connecting?: Promise<KubeConnection>;
  #route?: Route;
  #opening?: Promise<Route>;
  #portForwardRefused = false;

  constructor(config: Config, log: Logger, secrets: Secrets = new Secrets()) {
    this.config = config;
    this.#log = log;
    this.#secrets = secrets;
    this.minter = new HubTokenMinter(
      async () => (await this.connection()).api,
      config.namespace,
      log,
      { onToken: (token) => secrets.add(token) },
    );
  }

  /** Loads the kubeconfig (once; a failure is retried on the next call). */
  connection(): Promise<KubeConnection> {
    this.#connecting ??= connect(this.config, this.#secrets).catch((error) => {
      this.#connecting = undefined;
      throw error;
    });
    return this.#connecting;
  }

  /** The route in use ("port-forward" or "service-proxy"), if one is open. */
  get routeKind(): string | undefined {
    return this.#route?.kind;
  }

  /** A Hub client over the current route, opening one when needed. */
  async client(signal?: AbortSignal): Promise<HubClient> {
    const route = await raceSignal(this.#currentRoute(), signal);
    route.client ??= new HubClient(route.base, {
      timeoutMs: this.config.hubTimeoutMs,
      maxBodyBytes: this.config.maxHubBytes,
      transport: (request) => this.#send(route, request),
      credentials: {
        token: () => this.minter.token(),
        license: this.config.license,
        advice: () => this.#authAdvice(),
        // A rejected token is dropped, so the next call mints a fresh one (after a redeploy, say).
        rejected: () => this.minter.invalidate(),
      },
    });
    return route.client;
  }

  /** Closes the forward and forgets the route (after start/stop the next call finds it again). */
  close(): void {
    this.#route?.forwarder?.close();
    this.#route = undefined;
  }

  async #currentRoute(): Promise<Route> {
    if (this.#route) return this.#route;
    // Shared by every caller waiting for it, so no single caller's cancellation may abort it;
    // each API call inside is bounded on its own.
    this.#opening ??= this.#open().finally(() => this.#opening = undefined);
    this.#route = await this.#opening;
    return this.#route;
  }

  async #open(): Promise<Route> {
    const connection = await this.#kube(() => this.connection());
    const namespace = this.config.namespace;
    const api = connection.api;
    const front = await this.#kube(() =>
      api.get(`/api/v1/namespaces/${namespace}/services/${FRONT_SERVICE}`)
    );
    if (!front) {
      throw new KubeError(
        "not_running",
        `${NOT_RUNNING}\n(No Service ${FRONT_SERVICE} in namespace "${namespace}"` +
          `${
            this.config.allowDestructive
              ? ""
              : "; start_kubeshark needs --allow-destructive, or install Kubeshark with `kubeshark tap`"
          }.)`,
      );
    }
    const usePortForward = this.config.proxy !== "service" && !this.#portForwardRefused;
    if (!usePortForward) return this.#serviceRoute(connection);
    const pod = await this.#readyPod(connection, front);
    const forwarder = await PortForwarder.start(connection.kubeConfig, {
      namespace,
      pod,
      port: FRONT_PORT,
    }, this.#log);
    this.#log.info(`Hub reached through port-forward to ${namespace}/${pod} (${forwarder.url})`);
    return {
      kind: "port-forward",
      base: forwarder.url,
      fetch: (request) => fetch(request),
      forwarder,
    };
  }

  #serviceRoute(connection: KubeConnection): Route {
    const base =
      `${connection.server.replace(/\/+$/, "")}/api/v1/namespaces/${this.config.namespace}` +
      `/services/${FRONT_SERVICE}:80/proxy`;
    this.#log.info(`Hub reached through the API server's service proxy (${base})`);
    const fetchThroughApi = async (request: Request) => {
      const response = await connection.transport(request);
      // The API server's own refusals are Status objects; the Hub's are not. Name the RBAC gap
      // instead of blaming the Hub.
      if ((response.status === 401 || response.status === 403) && isStatusBody(response)) {
        const body = await response.json().catch(() => ({}));
        throw new Error(
          response.status === 401
            ? `the API server rejected the credentials of context "${connection.context}" (401)`
            : `the API server refused the service proxy (403: ${
              body.message ?? "Forbidden"
            }); your ` +
              `context needs "get" and "create" on services/proxy in namespace "${this.config.namespace}"`,
        );
      }
      return response;
    };
    return { kind: "service-proxy", base, fetch: fetchThroughApi };
  }

  async #readyPod(connection: KubeConnection, front: KubeObject) {
    const selector = Object.entries(front.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(
      ",",
    );
    const pods = await this.#kube(() =>
      connection.api.list(`/api/v1/namespaces/${this.config.namespace}/pods`, {
        labelSelector: selector,
      })
    );
    const ready = pods.find((pod) =>
      pod.status?.phase === "Running" && !pod.metadata?.deletionTimestamp &&
      (pod.status?.conditions ?? []).some((c: KubeObject) =>
        c.type === "Ready" && c.status === "True"
      )
    );
    if (!ready) {
      const states = pods.map((p) => `${p.metadata.name}: ${p.status?.phase ?? "unknown"}`).join(
        ", ",
      );
      throw new KubeError(
        "not_ready",
        `Kubeshark's front end in namespace "${this.config.namespace}" has no Ready pod yet` +
          `${
            states ? ` (${states})` : " (no pods)"
          }. Wait a moment and retry; check_kubeshark_status shows progress.`,
      );
    }
    return ready.metadata.name as string;
  }

  /** Sends through the route; on a broken forward, reopens (service proxy after a 403) once. */
  async #send(route: Route, request: Request): Promise<Response> {
    const retry = request.clone();
    const started = Date.now();
    try {
      return await route.fetch(request);
    } catch (error) {
      if (request.signal.aborted) throw error;
      const failure = route.forwarder?.failure;
      // Resend only what cannot have reached the Hub: a GET, or a request whose stream never
      // opened (upgrade refused) or had broken before it was sent. A tool call the Hub may have
      // received and acted on is not sent twice.
      const undelivered = failure !== undefined &&
        (failure.kind === "upgrade" ? failure.at >= started : failure.at <= started);
      if (request.method !== "GET" && !undelivered) throw error;
      if (
        failure?.kind === "upgrade" && (failure.status === 401 || failure.status === 403) &&
        this.config.proxy === "port-forward"
      ) {
        if (this.#route === route) this.close();
        throw new Error(
          `port-forward to Kubeshark was refused (${failure.message}); your context needs ` +
            `"create" on pods/portforward in namespace "${this.config.namespace}", or drop ` +
            "--proxy port-forward to fall back to the service proxy",
        );
      }
      // Another request may have noticed first and moved on: then just retry on its route.
      if (this.#route === route) this.close();
      if (failure?.status === 403 && this.config.proxy !== "port-forward") {
        this.#portForwardRefused = true;
        this.#log.warn(
          `Port-forward to Kubeshark was refused (403: ${failure.message}); using the API server's service proxy`,
        );
      } else if (failure && !this.#route) {
        this.#log.info(`The port-forward broke (${failure.message}); re-establishing it`);
      }
      let next: Route;
      try {
        next = await raceSignal(this.#currentRoute(), request.signal);
      } catch (reopen) {
        throw reopen instanceof KubeError ? new Error(reopen.message) : reopen;
      }
      const url = next.base + retry.url.slice(route.base.length);
      return await next.fetch(new Request(url, retry));
    }
  }

  async #kube<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof KubeError) {
        // After a 401 the user is told to log in again: read the kubeconfig afresh next time.
        if (error.kind === "unauthorized") this.forgetConnection();
      }
      throw error;
    }
  }

  /** Drops the loaded kubeconfig, so the next call reads it again (new credentials). */
  forgetConnection(): void {
    this.#connecting = undefined;
  }

  #authAdvice(): string {
    const ns = this.config.namespace;
    if (this.minter.lastError) {
      return `Minting a token for ServiceAccount ${ns}/kubeshark-cli failed: ${this.minter.lastError}`;
    }
    if (this.minter.accountExists) {
      return `A token minted for ServiceAccount ${ns}/kubeshark-cli was not accepted: check the ` +
        "Hub's allowed CLI service accounts and the token audience (kubeshark-hub).";
    }
    return `Enable the CLI token in Kubeshark (Helm value tap.auth.cli.enabled=true creates ` +
      `ServiceAccount ${ns}/kubeshark-cli, which this server uses to mint a token; your context ` +
      `needs "create" on serviceaccounts/token in "${ns}"), or set a valid license (\`license\` in ` +
      "the Kubeshark config file).";
  }
}

function isStatusBody(response: Response): boolean {
  return (response.headers.get("content-type") ?? "").includes("application/json");
}

/** Awaits `work`, or rejects as soon as `signal` aborts (the work itself goes on for others). */
function raceSignal<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener("abort", abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}
