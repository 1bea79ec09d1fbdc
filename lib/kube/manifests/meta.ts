/** What every object of the release shares: names, labels, metadata. */
import { CHART_VERSION } from "./values.ts";

// Manifests and chart values are free-form JSON in the shapes Kubernetes and the chart define.
// deno-lint-ignore no-explicit-any
type Json = any;

/** A Kubernetes object as we build it (plain JSON). */
export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: Record<string, Json>;
  [key: string]: Json;
};

/** The chart's values after --set (loosely typed: the chart's own shape). */
export type ChartValues = Record<string, Json>;

/** The release being rendered. */
export interface Release {
  values: ChartValues;
  namespace: string;
}

/** The release name: Kubeshark's CLI always installs "kubeshark". */
export const RELEASE_NAME = "kubeshark";

/** Who manages our objects (Helm writes "Helm" here). */
export const MANAGED_BY = "kubeshark-mcp";

/** Labels every object carries (the chart's `kubeshark.labels`, managed-by ours). */
export function releaseLabels(release: Release): Record<string, string> {
  return {
    "helm.sh/chart": `kubeshark-${CHART_VERSION}`,
    ...selectorLabels(),
    "app.kubernetes.io/version": CHART_VERSION,
    "app.kubernetes.io/managed-by": MANAGED_BY,
    ...(release.values.tap?.labels ?? {}),
  };
}

/** The chart's selector labels. */
export function selectorLabels(): Record<string, string> {
  return { "app.kubernetes.io/name": RELEASE_NAME, "app.kubernetes.io/instance": RELEASE_NAME };
}

/**
 * Metadata for an object of the release. Cluster-scoped objects get no namespace (the chart sets
 * one, which the API server ignores).
 */
export function metadata(
  release: Release,
  name: string,
  options: {
    app?: "hub" | "front" | "worker";
    clusterScoped?: boolean;
    annotations?: Record<string, string>;
    /** The chart adds tap.annotations to most objects, not all. */
    tapAnnotations?: boolean;
  } = {},
) {
  const annotations = {
    ...options.annotations,
    ...(options.tapAnnotations === false ? {} : release.values.tap?.annotations ?? {}),
  };
  return {
    name,
    ...(options.clusterScoped ? {} : { namespace: release.namespace }),
    labels: {
      ...(options.app ? { "app.kubeshark.com/app": options.app } : {}),
      ...releaseLabels(release),
    },
    ...(Object.keys(annotations).length ? { annotations } : {}),
  };
}

/** The ServiceAccount the release's pods run as. */
export const SERVICE_ACCOUNT = `${RELEASE_NAME}-service-account`;
