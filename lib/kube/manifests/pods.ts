/** Pod-spec pieces the hub, front and worker share: images, resources, probes, placement. */
import type { ChartValues } from "./meta.ts";
import { CHART_VERSION } from "./values.ts";

type Component = "hub" | "front" | "worker";

/** The chart's default tag: v<chart version>, cut to major.minor while tagLocked. */
export function defaultTag(values: ChartValues): string {
  const version = `v${CHART_VERSION}`;
  return values.tap.docker.tagLocked ? version.replace(/^([^.]+\.[^.]+).*/, "$1") : version;
}

/** A component's image: overrideImage, else registry/name:overrideTag, else the release tag. */
export function image(values: ChartValues, component: Component): string {
  const docker = values.tap.docker;
  if (docker.overrideImage?.[component]) return docker.overrideImage[component];
  const tag = docker.overrideTag?.[component] || docker.tag || defaultTag(values);
  return `${docker.registry}/${component}:${tag}`;
}

/** Resource limits and requests, leaving out the ones set to "0" (the chart's "unbounded"). */
export function resources(spec: { limits: ChartValues; requests: ChartValues }) {
  const pick = (entry: ChartValues) =>
    Object.fromEntries(
      ["cpu", "memory"].filter((key) => String(entry[key]) !== "0").map((key) => [key, entry[key]]),
    );
  return { limits: pick(spec.limits), requests: pick(spec.requests) };
}

/** A TCP probe on `port` with the chart's timings for `which`. */
export function tcpProbe(values: ChartValues, which: "hub" | "sniffer", port: number) {
  const probe = values.tap.probes[which];
  return {
    periodSeconds: probe.periodSeconds,
    failureThreshold: probe.failureThreshold,
    successThreshold: probe.successThreshold,
    initialDelaySeconds: probe.initialDelaySeconds,
    tcpSocket: { port },
  };
}

/** Node affinity, DNS config, tolerations and priority class for a component's pods. */
export function placement(values: ChartValues, key: "hub" | "front" | "workers") {
  const tap = values.tap;
  const terms = tap.nodeSelectorTerms?.[key] ?? [];
  const dns = tap.dns ?? {};
  const tolerations = (tap.tolerations?.[key] ?? []).map((t: ChartValues) => ({
    ...(t.key !== undefined ? { key: t.key } : {}),
    ...(t.operator !== undefined ? { operator: t.operator } : {}),
    ...(t.value ? { value: t.value } : {}),
    ...(t.effect ? { effect: t.effect } : {}),
    ...(t.tolerationSeconds ? { tolerationSeconds: t.tolerationSeconds } : {}),
  }));
  return {
    ...(tap.priorityClass ? { priorityClassName: tap.priorityClass } : {}),
    ...(terms.length
      ? {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms },
          },
        },
      }
      : {}),
    ...(dns.nameservers?.length || dns.searches?.length || dns.options?.length
      ? {
        dnsConfig: {
          ...(dns.nameservers?.length ? { nameservers: dns.nameservers } : {}),
          ...(dns.searches?.length ? { searches: dns.searches } : {}),
          ...(dns.options?.length ? { options: dns.options } : {}),
        },
      }
      : {}),
    ...(tolerations.length ? { tolerations } : {}),
  };
}

/** The chart's `sentry.enabled`: only with internet connectivity and telemetry on. */
export function sentryEnabled(values: ChartValues): boolean {
  return Boolean(
    values.tap.sentry.enabled && values.internetConnectivity && values.tap.telemetry.enabled,
  );
}
