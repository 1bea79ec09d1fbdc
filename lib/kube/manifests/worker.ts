/**
 * DaemonSet kubeshark-worker-daemon-set: one capture pod per node — the sniffer, and the TLS tracer
 * (tap.tls) — privileged (or with the listed capabilities), on the host network, with host mounts.
 */
import {
  type Manifest,
  metadata,
  type Release,
  releaseLabels,
  selectorLabels,
  SERVICE_ACCOUNT,
} from "./meta.ts";
import type { ChartValues } from "./meta.ts";
import { defaultTag, placement, resources, sentryEnabled, tcpProbe } from "./pods.ts";

/** The worker image for helper containers (no overrideImage; "-debug" under tap.pprof). */
function workerImage(values: ChartValues): string {
  const docker = values.tap.docker;
  const debug = values.tap.pprof.enabled ? "-debug" : "";
  const tag = docker.overrideTag?.worker || docker.tag || defaultTag(values);
  return `${docker.registry}/worker:${tag}${debug}`;
}

function securityContext(values: ChartValues, capabilities: string[]) {
  const context = values.tap.securityContext;
  if (context.privileged) return { privileged: true };
  const appArmor = context.appArmorProfile ?? {};
  const seLinux = context.seLinuxOptions ?? {};
  const pick = (object: ChartValues, keys: string[]) =>
    Object.fromEntries(keys.filter((key) => object[key]).map((key) => [key, object[key]]));
  const appArmorProfile = pick(appArmor, ["type", "localhostProfile"]);
  const seLinuxOptions = pick(seLinux, ["level", "role", "type", "user"]);
  return {
    privileged: false,
    ...(Object.keys(appArmorProfile).length ? { appArmorProfile } : {}),
    ...(Object.keys(seLinuxOptions).length ? { seLinuxOptions } : {}),
    capabilities: { add: capabilities, drop: ["ALL"] },
  };
}

const fieldEnv = (name: string, fieldPath: string) => ({
  name,
  valueFrom: { fieldRef: { fieldPath } },
});

/** The workers' DaemonSet. */
export function workerDaemonSet(release: Release): Manifest {
  const { values } = release;
  const tap = values.tap;
  const caps = tap.securityContext.capabilities;
  const sentry = sentryEnabled(values);
  const authEnabled = Boolean(tap.auth?.enabled);
  const logLevel = values.logLevel || "warning";
  const dataMount = {
    mountPath: "/app/data",
    name: "data",
    ...(tap.persistentStorage ? { subPathExpr: "$(NODE_NAME)" } : {}),
  };
  const hostMounts = [
    { mountPath: "/hostproc", name: "proc", readOnly: true },
    { mountPath: "/sys", name: "sys", readOnly: true, mountPropagation: "HostToContainer" },
    dataMount,
  ];
  const initContainers = [
    ...(tap.mountBpf
      ? [{
        command: [
          "/bin/sh",
          "-c",
          "mkdir -p /sys/fs/bpf && mount | grep -q '/sys/fs/bpf' || mount -t bpf bpf /sys/fs/bpf",
        ],
        image: workerImage(values),
        imagePullPolicy: tap.docker.imagePullPolicy,
        name: "mount-bpf",
        securityContext: { privileged: true },
        volumeMounts: [{ mountPath: "/sys", name: "sys", mountPropagation: "Bidirectional" }],
      }]
      : []),
    ...(tap.persistentStorage
      ? [{
        command: [
          "/bin/sh",
          "-c",
          "mkdir -p /app/data/$NODE_NAME && rm -rf /app/data/$NODE_NAME/tracer_*",
        ],
        image: workerImage(values),
        imagePullPolicy: tap.docker.imagePullPolicy,
        name: "cleanup-data-dir",
        env: [fieldEnv("NODE_NAME", "spec.nodeName")],
        volumeMounts: [{ mountPath: "/app/data", name: "data" }],
      }]
      : []),
  ];
  const sniffer = {
    command: [
      "./worker",
      "-i",
      "any",
      "-port",
      String(tap.proxy.worker.srvPort),
      "-metrics-port",
      String(tap.metrics.port),
      "-packet-capture",
      tap.packetCapture,
      "-loglevel",
      logLevel,
      ...(tap.tls ? [] : ["-disable-tracer"]),
      ...(tap.serviceMesh ? ["-servicemesh"] : []),
      "-procfs",
      "/hostproc",
      ...(tap.resourceGuard.enabled ? ["-enable-resource-guard"] : []),
      ...(tap.watchdog.enabled ? ["-enable-watchdog"] : []),
      "-resolution-strategy",
      tap.misc.resolutionStrategy,
      "-staletimeout",
      String(tap.misc.staleTimeoutSeconds),
      "-tcp-flow-full-timeout",
      String(tap.misc.tcpFlowTimeout),
      "-udp-flow-full-timeout",
      String(tap.misc.udpFlowTimeout),
      "-storage-size",
      tap.storageLimit,
      "-capture-db-max-size",
      tap.capture.dbMaxSize,
      "-cloud-api-url",
      values.cloudApiUrl,
    ],
    image: tap.docker.overrideImage?.worker || workerImage(values),
    imagePullPolicy: tap.docker.imagePullPolicy,
    name: "sniffer",
    ports: [{ containerPort: tap.metrics.port, protocol: "TCP", name: "metrics" }],
    env: [
      fieldEnv("POD_NAME", "metadata.name"),
      fieldEnv("POD_NAMESPACE", "metadata.namespace"),
      fieldEnv("NODE_NAME", "spec.nodeName"),
      { name: "TCP_STREAM_CHANNEL_TIMEOUT_MS", value: String(tap.misc.tcpStreamChannelTimeoutMs) },
      {
        name: "TCP_STREAM_CHANNEL_TIMEOUT_SHOW",
        value: String(tap.misc.tcpStreamChannelTimeoutShow),
      },
      { name: "PROFILING_ENABLED", value: String(tap.pprof.enabled) },
      { name: "SENTRY_ENABLED", value: String(Boolean(sentry)) },
      { name: "SENTRY_ENVIRONMENT", value: tap.sentry.environment },
      ...(authEnabled
        ? [{ name: "HUB_INTERNAL_TOKEN_PATH", value: "/var/run/secrets/kubeshark/hub-token/token" }]
        : []),
    ],
    resources: resources(tap.resources.sniffer),
    securityContext: securityContext(values, [
      ...caps.networkCapture,
      ...(tap.serviceMesh ? caps.serviceMeshCapture : []),
      ...(caps.ebpfCapture ?? []),
    ]),
    readinessProbe: tcpProbe(values, "sniffer", tap.proxy.worker.srvPort),
    livenessProbe: tcpProbe(values, "sniffer", tap.proxy.worker.srvPort),
    volumeMounts: [
      ...hostMounts,
      ...(authEnabled
        ? [{
          mountPath: "/var/run/secrets/kubeshark/hub-token",
          name: "hub-internal-token",
          readOnly: true,
        }]
        : []),
    ],
  };
  const tracer = {
    command: [
      "./tracer",
      "-procfs",
      "/hostproc",
      ...(tap.disableTlsLog ? ["-disable-tls-log"] : []),
      ...(tap.pprof.enabled ? ["-port", String(tap.proxy.worker.srvPort + 1)] : []),
      "-loglevel",
      logLevel,
    ],
    image: workerImage(values),
    imagePullPolicy: tap.docker.imagePullPolicy,
    name: "tracer",
    env: [
      fieldEnv("POD_NAME", "metadata.name"),
      fieldEnv("POD_NAMESPACE", "metadata.namespace"),
      fieldEnv("NODE_NAME", "spec.nodeName"),
      { name: "PROFILING_ENABLED", value: String(tap.pprof.enabled) },
      { name: "SENTRY_ENABLED", value: String(Boolean(sentry)) },
      { name: "SENTRY_ENVIRONMENT", value: tap.sentry.environment },
    ],
    resources: resources(tap.resources.tracer),
    securityContext: securityContext(values, [...caps.ebpfCapture, ...caps.networkCapture]),
    volumeMounts: [
      ...hostMounts,
      { mountPath: "/etc/os-release", name: "os-release", readOnly: true },
      { mountPath: "/hostroot", mountPropagation: "HostToContainer", name: "root", readOnly: true },
    ],
  };
  const { priorityClassName, tolerations, affinity, dnsConfig } = placement(values, "workers");
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: {
      ...metadata(release, "kubeshark-worker-daemon-set", { app: "worker" }),
      labels: {
        "app.kubeshark.com/app": "worker",
        // Istio must not inject a sidecar into the capture pods.
        "sidecar.istio.io/inject": "false",
        ...releaseLabels(release),
      },
    },
    spec: {
      selector: { matchLabels: { "app.kubeshark.com/app": "worker", ...selectorLabels() } },
      template: {
        metadata: {
          labels: {
            "app.kubeshark.com/app": "worker",
            "kubeshark.io/internal-auth": "true",
            ...releaseLabels(release),
          },
          name: "kubeshark-worker-daemon-set",
          namespace: "kubeshark",
        },
        spec: {
          ...(initContainers.length ? { initContainers } : {}),
          containers: tap.tls ? [sniffer, tracer] : [sniffer],
          dnsPolicy: "ClusterFirstWithHostNet",
          hostNetwork: tap.hostNetwork,
          serviceAccountName: SERVICE_ACCOUNT,
          ...(priorityClassName ? { priorityClassName } : {}),
          ...(tolerations ? { tolerations } : {}),
          ...(affinity ? { affinity } : {}),
          ...(dnsConfig ? { dnsConfig } : {}),
          volumes: [
            { hostPath: { path: "/proc" }, name: "proc" },
            { hostPath: { path: "/sys" }, name: "sys" },
            { name: "lib-modules", hostPath: { path: "/lib/modules" } },
            { hostPath: { path: "/etc/os-release" }, name: "os-release" },
            ...(tap.tls ? [{ hostPath: { path: "/" }, name: "root" }] : []),
            tap.persistentStorage
              ? {
                name: "data",
                persistentVolumeClaim: { claimName: "kubeshark-persistent-volume-claim" },
              }
              : { name: "data", emptyDir: { sizeLimit: tap.storageLimit } },
            ...(authEnabled
              ? [{
                name: "hub-internal-token",
                projected: {
                  sources: [{
                    serviceAccountToken: {
                      path: "token",
                      audience: "kubeshark-hub",
                      expirationSeconds: 3600,
                    },
                  }],
                },
              }]
              : []),
          ],
        },
      },
    },
  };
}
