/**
 * The state one server process shares across requests: configuration, how to reach the Hub
 * (and Kubernetes), the Hub catalog, the negotiated protocol version, and the way to notify the
 * client.
 */
import type { KubeLoader, ModeAccess } from "./access.ts";
import type { Config } from "./config.ts";
import type { HubAccess } from "./hub/access.ts";
import { HubCatalog } from "./hub/catalog.ts";
import { load } from "./lazy.ts";
import type { Logger } from "./log.ts";
import { LATEST_PROTOCOL_VERSION } from "./protocol.ts";
import { TaskStore } from "./tasks.ts";
import type { Redactor } from "./redact.ts";
import type { Secrets } from "./secrets.ts";

/** Sends a notification to the client (a no-op until the client has initialized). */
export type Notify = (method: string, params?: Record<string, unknown>) => void;

/** Per-process state handed to every handler. */
export class Session {
  readonly config: Config;
  readonly log: Logger;
  readonly hub: HubAccess;
  /** Proxy mode: the Kubernetes side (loaded on first use). */
  readonly kube?: KubeLoader;
  readonly catalog: HubCatalog;
  /** Tool calls running as tasks (both eras), kept for polling. */
  readonly tasks: TaskStore = new TaskStore();
  /** The credentials this process holds; the redactor masks them in everything written. */
  readonly secrets: Secrets;
  protocolVersion: string = LATEST_PROTOCOL_VERSION;
  #notify: Notify = () => {};
  #redactor?: Promise<Redactor>;

  constructor(
    config: Config,
    log: Logger,
    access: ModeAccess,
    options: { catalog?: HubCatalog } = {},
  ) {
    this.config = config;
    this.log = log;
    this.hub = access.hub;
    this.kube = access.kube;
    this.secrets = access.secrets;
    this.catalog = options.catalog ?? new HubCatalog({
      load: async (signal) => (await this.hub.client(signal)).discover(signal),
      onChange: () => {
        this.notify("notifications/tools/list_changed");
        this.notify("notifications/prompts/list_changed");
      },
      log,
    });
  }

  /**
   * The redactor, loaded on first use (not at start-up: its patterns cost ~25 ms): the known
   * secrets from everything written, credentials from Hub results unless --no-redact.
   */
  redactor(): Promise<Redactor> {
    return this.#redactor ??= load.redact().then(({ createRedactor }) => {
      const redactor = createRedactor({
        secrets: this.secrets.values(),
        results: this.config.redact,
      });
      this.secrets.onAdd((secret) => redactor.addSecret(secret));
      this.log.redactWith((text) => redactor.secrets(text));
      return redactor;
    });
  }

  /** Routes notifications to the client once it can receive them. */
  setNotifier(notify: Notify): void {
    this.#notify = notify;
  }

  /** Sends a notification (dropped before the client has initialized). */
  notify(method: string, params?: Record<string, unknown>): void {
    this.#notify(method, params);
  }

  /**
   * State for one more client connection (an HTTP session): its own protocol version, notifier
   * and log sink, sharing this process's Hub access, Hub catalog and Kubernetes side. The catalog
   * still notifies through this session, which fans out to the connections (lib/http).
   */
  connection(log: Logger): Session {
    return new Session(this.config, log, {
      hub: this.hub,
      kube: this.kube,
      secrets: this.secrets,
    }, {
      catalog: this.catalog,
    });
  }

  /** Releases background work and connections. */
  close(): void {
    void this.tasks.abortAll();
    this.catalog.close();
    this.hub.close();
  }
}
