/** How this process reaches a Hub: a fixed client (URL, demo) or one built on demand (proxy). */
import type { HubClient } from "./client.ts";

/** How this process reaches a Hub. URL and demo mode have a fixed client; proxy mode builds one. */
export interface HubAccess {
  /** The client, or a typed error (HubError, KubeError) saying why there is none and what to do. */
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
  /** Work the first Hub call would otherwise wait for, done once the server is idle (demo data). */
  warm?: () => Promise<void>;
}

/** URL and demo mode: one fixed Hub client. */
export function fixedHubAccess(client: HubClient, warm?: () => Promise<void>): HubAccess {
  return { client: () => Promise.resolve(client), close: () => {}, warm };
}
