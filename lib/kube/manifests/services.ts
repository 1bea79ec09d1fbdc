/** The release's Services: hub and front (80 → 8080), and the two metrics endpoints. */
import { type Manifest, metadata, type Release, releaseLabels } from "./meta.ts";

/** Service kubeshark-hub. */
export function hubService(release: Release): Manifest {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(release, "kubeshark-hub", { app: "hub" }),
    spec: {
      ports: [{ name: "kubeshark-hub", port: 80, targetPort: 8080 }],
      selector: { "app.kubeshark.com/app": "hub" },
      type: "ClusterIP",
    },
  };
}

/** Service kubeshark-front: what proxy mode and the dashboard reach. */
export function frontService(release: Release): Manifest {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(release, "kubeshark-front"),
    spec: {
      ports: [{ name: "kubeshark-front", port: 80, targetPort: 8080 }],
      selector: { "app.kubeshark.com/app": "front" },
      type: "ClusterIP",
    },
  };
}

/** Services kubeshark-worker-metrics (tap.metrics.port) and kubeshark-hub-metrics (9100). */
export function metricsServices(release: Release): Manifest[] {
  const workerPort: number = release.values.tap.metrics.port;
  const service = (name: string, app: "worker" | "hub", port: number): Manifest => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(release, name, {
      annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": String(port) },
    }),
    spec: {
      // The chart selects on the release labels as well as the app.
      selector: { "app.kubeshark.com/app": app, ...releaseLabels(release) },
      ports: [{ name: "metrics", protocol: "TCP", port, targetPort: port }],
    },
  });
  return [
    service("kubeshark-worker-metrics", "worker", workerPort),
    service("kubeshark-hub-metrics", "hub", 9100),
  ];
}
