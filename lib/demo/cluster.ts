/** The demo cluster: three nodes, a shop of services across six namespaces, and their pods. */
import { Random } from "./random.ts";
import type { DemoNode, DemoPod, DemoService, Peer } from "./types.ts";

/** The deploy of checkout v2, half-way through the hour: the before/after of compare_traffic. */
export const DEPLOY_OFFSET_MS = 30 * 60_000;

interface ServiceSpec {
  name: string;
  namespace: string;
  port: number;
  protocol: string;
  replicas: number;
  version?: string;
}

const SERVICES: ServiceSpec[] = [
  {
    name: "ingress-nginx-controller",
    namespace: "ingress-nginx",
    port: 80,
    protocol: "http",
    replicas: 1,
  },
  { name: "web", namespace: "frontend", port: 8080, protocol: "http", replicas: 2 },
  { name: "api-gateway", namespace: "frontend", port: 8080, protocol: "http", replicas: 2 },
  { name: "catalog", namespace: "shop", port: 8080, protocol: "http", replicas: 2 },
  { name: "cart", namespace: "shop", port: 8080, protocol: "http", replicas: 1 },
  { name: "checkout", namespace: "shop", port: 8080, protocol: "http", replicas: 1, version: "v1" },
  { name: "inventory", namespace: "shop", port: 50051, protocol: "grpc", replicas: 1 },
  { name: "recommendations", namespace: "shop", port: 8080, protocol: "http", replicas: 1 },
  { name: "payment", namespace: "payments", port: 8080, protocol: "http", replicas: 1 },
  { name: "legacy-reports", namespace: "payments", port: 8080, protocol: "http", replicas: 1 },
  { name: "shipping", namespace: "fulfillment", port: 8080, protocol: "http", replicas: 1 },
  { name: "postgres", namespace: "data", port: 5432, protocol: "postgresql", replicas: 1 },
  { name: "redis", namespace: "data", port: 6379, protocol: "redis", replicas: 1 },
  // A Service whose port points nowhere: cart's connections to it are refused (debug_connection).
  { name: "redis-cache", namespace: "data", port: 6380, protocol: "redis", replicas: 0 },
  { name: "kafka", namespace: "data", port: 9092, protocol: "kafka", replicas: 1 },
  { name: "kube-dns", namespace: "kube-system", port: 53, protocol: "dns", replicas: 1 },
];

/** The built cluster, with lookups the traffic generator needs. */
export interface Cluster {
  nodes: DemoNode[];
  pods: DemoPod[];
  services: DemoService[];
  /** A pod of `service` alive at `ts`, picked at random among replicas. */
  pod(service: string, ts: number): DemoPod;
  /** The Service named `name`. */
  service(name: string): DemoService;
  /** A peer for a pod, as the client side (ephemeral port). */
  client(pod: DemoPod): Peer;
  /** A peer for a pod as the server side of `service`. */
  server(pod: DemoPod, service: DemoService): Peer;
}

/** Builds the cluster for an hour starting at `startTs`. */
export function buildCluster(random: Random, startTs: number): Cluster {
  const nodes: DemoNode[] = [
    { name: "ip-10-0-1-21.ec2.internal", ip: "10.0.1.21" },
    { name: "ip-10-0-2-34.ec2.internal", ip: "10.0.2.34" },
    { name: "ip-10-0-3-47.ec2.internal", ip: "10.0.3.47" },
  ];
  const services: DemoService[] = SERVICES.map((spec, index) => ({
    name: spec.name,
    namespace: spec.namespace,
    clusterIp: `10.96.${Math.floor(index / 200)}.${10 + index}`,
    port: spec.port,
    protocol: spec.protocol,
  }));
  services.push({
    name: "kubernetes",
    namespace: "default",
    clusterIp: "10.96.0.1",
    port: 443,
    protocol: "https",
  });
  const pods: DemoPod[] = [];
  let podIndex = 0;
  const addPod = (spec: ServiceSpec, version: string | undefined, from: number, to?: number) => {
    const node = nodes[podIndex % nodes.length];
    podIndex++;
    const hash = random.suffix(9).slice(0, 9);
    const name = spec.name === "postgres" || spec.name === "kafka" || spec.name === "redis"
      ? `${spec.name}-0`
      : `${spec.name}-${hash}-${random.suffix(5)}`;
    pods.push({
      name,
      namespace: spec.namespace,
      service: spec.name,
      node: node.name,
      ip: `10.244.${nodes.indexOf(node) + 1}.${10 + podIndex * 3}`,
      labels: {
        app: spec.name,
        "app.kubernetes.io/name": spec.name,
        ...(version ? { version } : {}),
      },
      startTs: from,
      ...(to ? { endTs: to } : {}),
    });
  };
  for (const spec of SERVICES) {
    for (let replica = 0; replica < spec.replicas; replica++) {
      if (spec.version) {
        // checkout v1 is replaced by v2 at the deploy.
        addPod(spec, "v1", startTs - 86_400_000, startTs + DEPLOY_OFFSET_MS);
        addPod(spec, "v2", startTs + DEPLOY_OFFSET_MS);
      } else {
        addPod(spec, undefined, startTs - 86_400_000);
      }
    }
  }
  const nodeOf = (name: string) => nodes.find((node) => node.name === name)!;
  // Ephemeral ports go up per pod, as Linux hands them out: no two connections of a pod share a
  // 4-tuple in the hour, so each flow is one conversation in the PCAP.
  const nextPort = new Map<string, number>();
  return {
    nodes,
    pods,
    services,
    pod(service, ts) {
      const alive = pods.filter((pod) =>
        pod.service === service && pod.startTs <= ts && (pod.endTs === undefined || ts < pod.endTs)
      );
      if (!alive.length) throw new Error(`demo: no pod of ${service} at ${ts}`);
      return random.pick(alive);
    },
    service(name) {
      const found = services.find((service) => service.name === name);
      if (!found) throw new Error(`demo: no service ${name}`);
      return found;
    },
    client(pod) {
      const previous = nextPort.get(pod.name) ?? random.int(32768, 40000);
      let port = previous + random.int(1, 4);
      if (port > 60999) port = 32768;
      nextPort.set(pod.name, port);
      return {
        ip: pod.ip,
        port,
        pod: pod.name,
        namespace: pod.namespace,
        service: pod.service,
        node: nodeOf(pod.node).name,
        labels: pod.labels,
      };
    },
    server(pod, service) {
      return {
        ip: pod.ip,
        port: service.port === 80 ? 80 : service.port,
        pod: pod.name,
        namespace: pod.namespace,
        service: service.name,
        node: nodeOf(pod.node).name,
        labels: pod.labels,
      };
    },
  };
}
