/** Scripted Kubeshark installs on the API double, and a demo Hub as the pods' real target. */
import { createDemoHub } from "../../lib/demo/hub.ts";
import type { KubeDouble } from "./kube_double.ts";

/** A demo Hub over HTTP on 127.0.0.1:0 that records the auth headers it is sent. */
export function startHubTarget(
  options: {
    requireToken?: boolean;
    /** Only this token is accepted (e.g. the newest minted one). */
    acceptToken?: () => string | undefined;
    /** Runs when a tool call arrives, before it is answered (e.g. to cut the forward). */
    onToolCall?: () => void;
  } = {},
) {
  const handler = createDemoHub();
  const seen: { token: string | null; license: string | null; path: string }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    seen.push({
      token: request.headers.get("x-kubeshark-authorization"),
      license: request.headers.get("license-key"),
      path: new URL(request.url).pathname,
    });
    const token = request.headers.get("x-kubeshark-authorization");
    if (options.requireToken && !token) return new Response("unauthorized", { status: 401 });
    if (options.acceptToken && token !== options.acceptToken()) {
      return new Response("unauthorized", { status: 401 });
    }
    if (options.onToolCall && new URL(request.url).pathname.endsWith("/tools/call")) {
      options.onToolCall();
      // Answer late, so whatever the hook broke is broken before the answer leaves.
      return new Promise<Response>((resolve) => setTimeout(() => resolve(handler(request)), 200));
    }
    return handler(request);
  });
  return {
    target: { hostname: "127.0.0.1", port: server.addr.port },
    seen,
    close: () => server.shutdown(),
  };
}

const READY = { phase: "Running", conditions: [{ type: "Ready", status: "True" }] };
const PENDING = { phase: "Pending", conditions: [{ type: "Ready", status: "False" }] };

/** Options for {@linkcode installKubeshark}. */
export interface InstallOptions {
  target: { hostname: string; port: number };
  frontReady?: boolean;
  workers?: [number, number];
  cliAccount?: boolean;
  namespaces?: string[];
  podRegex?: string;
  frontPod?: string;
}

/** Puts the objects of a Kubeshark release in `namespace`, as the chart creates them. */
export function installKubeshark(kube: KubeDouble, namespace: string, options: InstallOptions) {
  const labels = (app: string) => ({
    "app.kubeshark.com/app": app,
    "app.kubernetes.io/name": "kubeshark",
    "app.kubernetes.io/instance": "kubeshark",
  });
  kube.put("namespaces", undefined, { metadata: { name: namespace } });
  kube.put("services", namespace, {
    metadata: { name: "kubeshark-front", labels: labels("front") },
    spec: {
      selector: { "app.kubeshark.com/app": "front" },
      ports: [{ port: 80, targetPort: 8080 }],
    },
  });
  kube.put("services", namespace, {
    metadata: { name: "kubeshark-hub", labels: labels("hub") },
    spec: { selector: { "app.kubeshark.com/app": "hub" }, ports: [{ port: 80, targetPort: 8080 }] },
  });
  const deployment = (name: string, app: string, ready: boolean) =>
    kube.put("deployments", namespace, {
      metadata: { name, labels: labels(app) },
      spec: {
        replicas: 1,
        template: {
          spec: { containers: [{ name: app, image: `docker.io/kubeshark/${app}:v53.3` }] },
        },
      },
      status: { readyReplicas: ready ? 1 : 0, replicas: 1 },
    });
  deployment("kubeshark-hub", "hub", true);
  deployment("kubeshark-front", "front", options.frontReady ?? true);
  const [ready, desired] = options.workers ?? [3, 3];
  kube.put("daemonsets", namespace, {
    metadata: { name: "kubeshark-worker-daemon-set", labels: labels("worker") },
    status: { numberReady: ready, desiredNumberScheduled: desired },
  });
  kube.put("configmaps", namespace, {
    metadata: { name: "kubeshark-config-map", labels: labels("hub") },
    data: { NAMESPACES: (options.namespaces ?? []).join(","), POD_REGEX: options.podRegex ?? ".*" },
  });
  if (options.cliAccount) {
    kube.put("serviceaccounts", namespace, {
      metadata: { name: "kubeshark-cli", labels: labels("hub") },
    });
  }
  const pod = options.frontPod ?? "kubeshark-front-7d9f8b6c5-x2k4q";
  addFrontPod(kube, namespace, pod, options.frontReady ?? true);
  kube.targets.set(pod, options.target);
  kube.put("pods", namespace, {
    metadata: { name: "kubeshark-hub-5c6b7d8e9-abcde", labels: labels("hub") },
    status: READY,
  });
}

/** Adds a front pod (ready or pending). */
export function addFrontPod(kube: KubeDouble, namespace: string, name: string, ready = true) {
  kube.put("pods", namespace, {
    metadata: {
      name,
      labels: { "app.kubeshark.com/app": "front", "app.kubernetes.io/name": "kubeshark" },
    },
    status: ready ? READY : PENDING,
  });
}

/** Adds ordinary running pods that a tap may or may not select. */
export function addWorkloadPods(kube: KubeDouble, namespace: string, names: string[]) {
  kube.put("namespaces", undefined, { metadata: { name: namespace } });
  for (const name of names) {
    kube.put("pods", namespace, {
      metadata: { name, labels: { app: name.split("-")[0] } },
      status: READY,
    });
  }
}
