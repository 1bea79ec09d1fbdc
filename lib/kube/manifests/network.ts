/** Network policies for hub, front, dex and workers, and the optional Ingress to the front end. */
import { type Manifest, metadata, type Release } from "./meta.ts";

function policy(release: Release, app: string, ports: number[][]): Manifest {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: metadata(release, `kubeshark-${app}-network-policy`),
    spec: {
      podSelector: { matchLabels: { "app.kubeshark.com/app": app } },
      policyTypes: ["Ingress", "Egress"],
      // One ingress rule per group of ports, as the chart writes them.
      ingress: ports.map((group) => ({ ports: group.map((port) => ({ protocol: "TCP", port })) })),
      egress: [{}],
    },
  };
}

/** The four NetworkPolicies the chart creates by default. */
export function networkPolicies(release: Release): Manifest[] {
  const tap = release.values.tap;
  return [
    policy(release, "hub", [[8080], [9100]]),
    policy(release, "front", [[8080]]),
    policy(release, "dex", [[5556]]),
    policy(release, "worker", [[tap.proxy.worker.srvPort, tap.metrics.port]]),
  ];
}

/** Ingress kubeshark-ingress (tap.ingress.enabled) to the front Service. */
export function ingress(release: Release): Manifest[] {
  const settings = release.values.tap.ingress;
  if (!settings.enabled) return [];
  const base = metadata(release, "kubeshark-ingress");
  return [{
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: {
      ...base,
      annotations: {
        "nginx.org/websocket-services": "kubeshark-front",
        ...base.annotations,
        ...settings.annotations,
      },
    },
    spec: {
      ...(settings.className ? { ingressClassName: settings.className } : {}),
      rules: [{
        host: settings.host,
        http: {
          paths: [{
            backend: { service: { name: "kubeshark-front", port: { number: 80 } } },
            path: settings.path || "/",
            pathType: "Prefix",
          }],
        },
      }],
      ...(settings.tls?.length ? { tls: settings.tls } : {}),
    },
  }];
}
