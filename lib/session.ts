/**
 * The state one server process shares across requests: configuration, how to reach the Hub,
 * the Hub catalog, the negotiated protocol version, and the way to notify the client.
 */
import type { Config } from "./config.ts";
import { HubCatalog } from "./hub/catalog.ts";
import { type HubClient } from "./hub/client.ts";
import type { KubeHubAccess } from "./kube/hub_access.ts";
import type { Logger } from "./log.ts";
import { LATEST_PROTOCOL_VERSION } from "./protocol.ts";

/** How this process reaches a Hub. URL mode has a fixed client; proxy mode builds one. */
export interface HubAccess {
  /** The client, or a tool_failed McpError saying why there is none and what to do. */
  client(signal?: AbortSignal): Promise<HubClient>;
  /** Closes whatever the access holds open (a port-forward). */
  close(): void;
  /**
   * How long tools/list may wait for a discovery under way. Proxy mode says 0: it answers at once
   * while Kubernetes loads, and the Hub's tools follow with list_changed.
   */
  discoveryWaitMs?: number;
  /**
   * Proxy mode: start discovery only after the client has been quiet this long. Loading the
   * Kubernetes client blocks the event loop for a few hundred ms, and clients send a burst of
   * list requests right after initialize; that burst is answered first.
   */
  warmWhenIdleMs?: number;
}

/** Sends a notification to the client (a no-op until the client has initialized). */
export type Notify = (method: string, params?: Record<string, unknown>) => void;

/** Per-process state handed to every handler. */
export class Session {
  readonly config: Config;
  readonly log: Logger;
  readonly hub: HubAccess;
  readonly catalog: HubCatalog;
  protocolVersion: string = LATEST_PROTOCOL_VERSION;
  #notify: Notify = () => {};

  /** Proxy mode: the Kubernetes side, for status (loaded on first use). */
  readonly kube?: () => Promise<KubeHubAccess>;

  constructor(
    config: Config,
    log: Logger,
    hub: HubAccess,
    options: { kube?: () => Promise<KubeHubAccess>; catalog?: HubCatalog } = {},
  ) {
    this.config = config;
    this.log = log;
    this.hub = hub;
    this.kube = options.kube;
    this.catalog = options.catalog ?? new HubCatalog({
      load: async (signal) => (await hub.client(signal)).discover(signal),
      onChange: () => {
        this.notify("notifications/tools/list_changed");
        this.notify("notifications/prompts/list_changed");
      },
      log,
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
    return new Session(this.config, log, this.hub, { kube: this.kube, catalog: this.catalog });
  }

  /** Releases background work and connections. */
  close(): void {
    this.catalog.close();
    this.hub.close();
  }
}

/** URL mode: one fixed Hub client. */
export function fixedHubAccess(client: HubClient): HubAccess {
  return { client: () => Promise.resolve(client), close: () => {} };
}
