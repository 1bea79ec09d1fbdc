/**
 * Mode wiring, done once at start-up: the configuration's mode (demo, URL, proxy) becomes a Hub
 * access, plus, in proxy mode, a loader for the Kubernetes side.
 */
import type { Config } from "./config.ts";
import { fixedHubAccess, type HubAccess } from "./hub/access.ts";
import { HubClient } from "./hub/client.ts";
import type { KubeHubAccess } from "./kube/hub_access.ts";
import { load } from "./lazy.ts";
import type { Logger } from "./log.ts";
import { Secrets } from "./secrets.ts";

/** The base URL the in-process demo Hub answers under (never resolved: nothing listens there). */
export const DEMO_BASE_URL = "http://kubeshark-demo.invalid";

/** Proxy mode's Kubernetes side, imported on first use (the client library costs ~0.5 s). */
export interface KubeLoader {
  (): Promise<KubeHubAccess>;
  /** The access once loading has started. */
  loaded?: Promise<KubeHubAccess>;
}

/** What a mode gives the rest of the server: the Hub, in proxy mode Kubernetes, and secrets. */
export interface ModeAccess {
  hub: HubAccess;
  kube?: KubeLoader;
  /** The credentials this mode holds or learns, to be masked in everything we write. */
  secrets: Secrets;
}

// URL mode's answer to a Hub asking for authentication.
const URL_MODE_AUTH_ADVICE =
  "In URL mode pass a token with --token or KUBESHARK_HUB_TOKEN (mint one with " +
  "`kubectl create token kubeshark-cli -n <release namespace> --audience kubeshark-hub`; " +
  "it expires, so mint a new one and restart when it does), or set a valid license " +
  "(`license` in the Kubeshark config file) if the deployment uses one.";

/** Builds how this configuration reaches the Hub (and Kubernetes, in proxy mode). */
export function createModeAccess(config: Config, log: Logger): ModeAccess {
  const secrets = new Secrets([config.token, config.license]);
  if (config.mode === "demo") {
    // The hour of traffic (~0.2 s to generate) is made while the client is idle, not on its
    // first call.
    const warm = () => load.demoData().then(({ demoData }) => void demoData());
    return { hub: fixedHubAccess(demoClient(config), warm), secrets };
  }
  if (config.mode === "url" && config.inCluster) {
    return { hub: inClusterAccess(config, log, secrets), secrets };
  }
  if (config.mode === "url") {
    const token = config.token;
    return {
      secrets,
      hub: fixedHubAccess(
        new HubClient(config.url!, {
          timeoutMs: config.hubTimeoutMs,
          maxBodyBytes: config.maxHubBytes,
          credentials: {
            token: token ? () => token : undefined,
            license: config.license,
            advice: URL_MODE_AUTH_ADVICE,
          },
        }),
      ),
    };
  }
  const kube = kubeLoader(config, log, secrets);
  return {
    secrets,
    hub: {
      client: async (signal) => (await kube()).client(signal),
      close: () => void kube.loaded?.then((access) => access.close()),
      discoveryWaitMs: 0,
      warmWhenIdleMs: 250,
    },
    kube,
  };
}

// In a pod (--in-cluster): the Hub by its Service URL, its token minted for kubeshark-cli with
// the pod's ServiceAccount (what Kubeshark's Hub accepts).
function inClusterAccess(config: Config, log: Logger, secrets: Secrets): HubAccess {
  let minter: Promise<import("./kube/hub_token.ts").HubTokenMinter> | undefined;
  const mint = () =>
    minter ??= Promise.all([load.inCluster(), load.hubToken()])
      .then(([cluster, tokens]) => {
        const api = cluster.inClusterApi();
        return new tokens.HubTokenMinter(() => Promise.resolve(api), config.namespace, log, {
          // A minted token is masked in everything written, as proxy mode's are.
          onToken: (token) => secrets.add(token),
        });
      });
  return fixedHubAccess(
    new HubClient(config.url!, {
      timeoutMs: config.hubTimeoutMs,
      maxBodyBytes: config.maxHubBytes,
      credentials: {
        token: async () => (await mint()).token(),
        rejected: () => void mint().then((m) => m.invalidate()),
        license: config.license,
        advice: "In the cluster the token is minted for ServiceAccount kubeshark-cli: enable it " +
          "with the chart value tap.auth.cli.enabled=true, and let this pod's ServiceAccount " +
          "create serviceaccounts/token for it (render --mcp-server does).",
      },
    }),
  );
}

// The demo Hub plugs in behind the transport; its module loads with the first request.
function demoClient(config: Config): HubClient {
  let handler: Promise<(request: Request) => Promise<Response>> | undefined;
  return new HubClient(DEMO_BASE_URL, {
    // The demo Hub runs on this thread: a timer could not interrupt its work, so none is armed
    // (and the first setTimeout, which loads Node's timers, stays off the first tools/list).
    timeoutMs: Infinity,
    maxBodyBytes: config.maxHubBytes,
    transport: async (request) => {
      handler ??= load.demoHub().then((demo) => demo.createDemoHub());
      return (await handler)(request);
    },
  });
}

function kubeLoader(config: Config, log: Logger, secrets: Secrets): KubeLoader {
  const loader: KubeLoader = () =>
    loader.loaded ??= load.kubeAccess().then((kube) =>
      new kube.KubeHubAccess(config, log, secrets)
    );
  return loader;
}
