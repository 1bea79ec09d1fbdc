/**
 * Proxy mode: the Hub reached through Kubernetes. Service kubeshark-front in the release namespace,
 * a Ready pod behind it, and a local port carried to the pod's 8080 by port-forward; when
 * port-forward is refused (403) or unavailable, the API server's service proxy. A broken forward
 * (pod replaced, stream reset) is re-established on the next call, transparently, once.
 */
import type { Config } from "../config.ts";
import { McpError } from "../errors.ts";
import { HubClient } from "../hub/client.ts";
import type { Logger } from "../log.ts";
import type { HubAccess } from "../session.ts";
import { KubeError, type KubeObject } from "./api.ts";
import { connect, type KubeConnection } from "./connection.ts";
import { HubTokenMinter } from "./hub_token.ts";
import { PortForwarder } from "./port_forward.ts";

/** Kubeshark's front Service and its container port (SPEC / chart). */
export const FRONT_SERVICE = "kubeshark-front";
const FRONT_PORT = 8080;

/** SPEC text, verbatim. */
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
  #connecting?: Promise<KubeConnection>;
  #route?: Route;
  #opening?: Promise<Route>;
  #portForwardRefused = false;

  constructor(config: Config, log: Logger) {
    this.config = config;
    this.#log = log;
    this.minter = new HubTokenMinter(
      async () => (await this.connection()).api,
      config.namespace,
      log,
    );
  }

  /** Loads the kubeconfig (once; a failure is retried on the next call). */
  connection(): Promise<KubeConnection> {
    this.#connecting ??= connect(this.config).catch((error) => {
      this.#connecting = undefined;
      throw error;
    });
    return this.#connecting;
  }

  /** Starts loading the Kubernetes client in the background, so the first call finds it ready. */
  warm(): void {
    this.connection().catch(() => {});
  }

  /** The route in use ("port-forward" or "service-proxy"), if one is open. */
  get routeKind(): string | undefined {
    return this.#route?.kind;
  }

  /** A Hub client over the current route, opening one when needed. */
  async client(signal?: AbortSignal): Promise<HubClient> {
    const route = await this.#currentRoute(signal);
    route.client ??= new HubClient(route.base, {
      timeoutMs: this.config.hubTimeoutMs,
      transport: (request) => this.#send(route, request),
      credentials: {
        token: () => this.minter.token(),
        license: this.config.license,
        advice: this.#authAdvice(),
      },
    });
    return route.client;
  }

  /** Closes the forward. */
  close(): void {
    this.#route?.forwarder?.close();
    this.#route = undefined;
  }

  /** Forgets the route (after start/stop), so the next call finds the Hub again. */
  reset(): void {
    this.close();
  }

  async #currentRoute(signal?: AbortSignal): Promise<Route> {
    if (this.#route) return this.#route;
    this.#opening ??= this.#open(signal).finally(() => this.#opening = undefined);
    this.#route = await this.#opening;
    return this.#route;
  }

  async #open(signal?: AbortSignal): Promise<Route> {
    const connection = await this.#kube(() => this.connection());
    const namespace = this.config.namespace;
    const api = connection.api;
    const front = await this.#kube(() =>
      api.get(`/api/v1/namespaces/${namespace}/services/${FRONT_SERVICE}`, signal)
    );
    if (!front) {
      throw new McpError(
        "tool_failed",
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
    const pod = await this.#readyPod(connection, front, signal);
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
    return { kind: "service-proxy", base, fetch: connection.transport };
  }

  async #readyPod(connection: KubeConnection, front: KubeObject, signal?: AbortSignal) {
    const selector = Object.entries(front.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(
      ",",
    );
    const pods = await this.#kube(() =>
      connection.api.list(`/api/v1/namespaces/${this.config.namespace}/pods`, {
        labelSelector: selector,
        signal,
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
      throw new McpError(
        "tool_failed",
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
    try {
      return await route.fetch(request);
    } catch (error) {
      if (request.signal.aborted) throw error;
      const failure = route.forwarder?.failure;
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
        next = await this.#currentRoute(request.signal);
      } catch (reopen) {
        throw reopen instanceof McpError ? new Error(reopen.message) : reopen;
      }
      const url = next.base + retry.url.slice(route.base.length);
      return await next.fetch(new Request(url, retry));
    }
  }

  async #kube<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof KubeError) throw new McpError("tool_failed", error.message);
      throw error;
    }
  }

  #authAdvice(): string {
    const ns = this.config.namespace;
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
