/** Deployment kubeshark-hub: the API the front end and this server talk to (port 8080). */
import {
  type Manifest,
  metadata,
  type Release,
  releaseLabels,
  selectorLabels,
  SERVICE_ACCOUNT,
} from "./meta.ts";
import { image, placement, resources, sentryEnabled, tcpProbe } from "./pods.ts";

/** The Hub's Deployment. */
export function hubDeployment(release: Release): Manifest {
  const { values } = release;
  const tap = values.tap;
  const cloud = tap.snapshots.cloud;
  const dissectorStorageSize = tap.delayedDissection.storageSize || tap.snapshots.local.storageSize;
  const dissectorStorageClass = tap.delayedDissection.storageClass ||
    tap.snapshots.local.storageClass;
  const command = [
    "./hub",
    "-port",
    "8080",
    "-loglevel",
    values.logLevel || "warning",
    "-capture-stop-after",
    tap.capture.dissection.stopAfter ?? "5m",
    "-snapshot-size-limit",
    tap.snapshots.local.storageSize,
    "-dissector-image",
    image(values, "worker"),
    ...(tap.delayedDissection.cpu ? ["-dissector-cpu", tap.delayedDissection.cpu] : []),
    ...(tap.delayedDissection.memory ? ["-dissector-memory", tap.delayedDissection.memory] : []),
    ...(dissectorStorageSize ? ["-dissector-storage-size", dissectorStorageSize] : []),
    ...(dissectorStorageClass ? ["-dissector-storage-class", dissectorStorageClass] : []),
    ...(tap.gitops.enabled ? ["-gitops"] : []),
    "-cloud-api-url",
    values.cloudApiUrl,
    ...(cloud.provider ? ["-cloud-storage-provider", cloud.provider] : []),
  ];
  const inlineConfig = [
    cloud.prefix,
    cloud.s3.bucket,
    cloud.s3.region,
    cloud.s3.roleArn,
    cloud.s3.externalId,
    cloud.azblob.storageAccount,
    cloud.azblob.container,
    cloud.gcs.bucket,
    cloud.gcs.project,
  ].some(Boolean);
  const inlineSecrets = [
    cloud.s3.accessKey,
    cloud.s3.secretKey,
    cloud.azblob.storageKey,
    cloud.gcs.credentialsJson,
  ].some(Boolean);
  const envFrom = [
    ...tap.secrets.map((name: string) => ({ secretRef: { name } })),
    ...cloud.configMaps.map((name: string) => ({ configMapRef: { name } })),
    ...cloud.secrets.map((name: string) => ({ secretRef: { name } })),
    ...(inlineConfig ? [{ configMapRef: { name: "kubeshark-cloud-config" } }] : []),
    ...(inlineSecrets ? [{ secretRef: { name: "kubeshark-cloud-secret" } }] : []),
  ];
  const sentry = sentryEnabled(values);
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: metadata(release, "kubeshark-hub", { app: "hub" }),
    spec: {
      replicas: 1,
      selector: { matchLabels: { "app.kubeshark.com/app": "hub", ...selectorLabels() } },
      template: {
        metadata: { labels: { "app.kubeshark.com/app": "hub", ...releaseLabels(release) } },
        spec: {
          dnsPolicy: "ClusterFirstWithHostNet",
          serviceAccountName: SERVICE_ACCOUNT,
          containers: [{
            name: "hub",
            command,
            ...(envFrom.length ? { envFrom } : {}),
            env: [
              { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
              {
                name: "POD_NAMESPACE",
                valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } },
              },
              { name: "SENTRY_ENABLED", value: String(Boolean(sentry)) },
              { name: "SENTRY_ENVIRONMENT", value: tap.sentry.environment },
              { name: "PROFILING_ENABLED", value: String(tap.pprof.enabled) },
            ],
            image: image(values, "hub"),
            imagePullPolicy: tap.docker.imagePullPolicy,
            readinessProbe: tcpProbe(values, "hub", 8080),
            livenessProbe: tcpProbe(values, "hub", 8080),
            resources: resources(tap.resources.hub),
            volumeMounts: [
              { name: "saml-x509-volume", mountPath: "/etc/saml/x509", readOnly: true },
              { name: "snapshots-volume", mountPath: "/app/data/snapshots" },
            ],
          }],
          ...placement(values, "hub"),
          volumes: [
            {
              name: "saml-x509-volume",
              projected: {
                sources: [
                  {
                    secret: {
                      name: "kubeshark-saml-x509-crt-secret",
                      items: [{ key: "AUTH_SAML_X509_CRT", path: "kubeshark.crt" }],
                    },
                  },
                  {
                    secret: {
                      name: "kubeshark-saml-x509-key-secret",
                      items: [{ key: "AUTH_SAML_X509_KEY", path: "kubeshark.key" }],
                    },
                  },
                ],
              },
            },
            tap.snapshots.local.storageClass
              ? {
                name: "snapshots-volume",
                persistentVolumeClaim: { claimName: "kubeshark-snapshots-pvc" },
              }
              : {
                name: "snapshots-volume",
                emptyDir: { sizeLimit: tap.snapshots.local.storageSize },
              },
          ],
        },
      },
    },
  };
}
