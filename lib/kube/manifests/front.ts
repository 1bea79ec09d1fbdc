/** Deployment kubeshark-front: the dashboard, and the nginx in front of the Hub's /api. */
import {
  type Manifest,
  metadata,
  type Release,
  releaseLabels,
  selectorLabels,
  SERVICE_ACCOUNT,
} from "./meta.ts";
import { image, placement, sentryEnabled } from "./pods.ts";

/** The front end's Deployment. */
export function frontDeployment(release: Release): Manifest {
  const { values } = release;
  const tap = values.tap;
  const demo = values.demoModeEnabled === true;
  const auth = tap.auth;
  const oidcLike = auth.type === "oidc" || auth.type === "dex";
  const licensedOrOffline = (values.cloudLicenseEnabled && values.license !== "") ||
    !values.internetConnectivity;
  const authEnabled = licensedOrOffline
    ? (demo || (auth.enabled && oidcLike))
    : (values.cloudLicenseEnabled || demo || auth.enabled);
  const authType = values.cloudLicenseEnabled && !oidcLike
    ? "default"
    : demo
    ? "default"
    : auth.type;
  const sentry = sentryEnabled(values);
  const env: Record<string, string> = {
    REACT_APP_AUTH_ENABLED: String(Boolean(authEnabled)),
    REACT_APP_AUTH_TYPE: authType,
    REACT_APP_COMPLETE_STREAMING_ENABLED: String(tap.dashboard?.completeStreamingEnabled !== false),
    REACT_APP_STREAMING_TYPE: tap.dashboard?.streamingType ?? "",
    REACT_APP_AUTH_SAML_IDP_METADATA_URL: auth.saml.idpMetadataUrl || " ",
    REACT_APP_TIMEZONE: values.timezone || " ",
    REACT_APP_SCRIPTING_HIDDEN: String(values.scripting?.enabled === false),
    REACT_APP_SCRIPTING_DISABLED: String(demo),
    REACT_APP_TARGETED_PODS_UPDATE_DISABLED: String(demo),
    REACT_APP_PRESET_FILTERS_CHANGING_ENABLED: String(!demo),
    REACT_APP_BPF_OVERRIDE_DISABLED: String(tap.packetCapture !== "af_packet"),
    REACT_APP_RECORDING_DISABLED: String(demo),
    REACT_APP_DISSECTION_ENABLED: String(Boolean(tap.capture.dissection.enabled)),
    REACT_APP_DISSECTION_CONTROL_ENABLED: String(!demo),
    // The chart quotes this one twice when licensed or offline; the front reads the text as is.
    REACT_APP_CLOUD_LICENSE_ENABLED: licensedOrOffline
      ? '"false"'
      : String(values.cloudLicenseEnabled),
    REACT_APP_SUPPORT_CHAT_ENABLED: String(
      Boolean(values.supportChatEnabled && values.internetConnectivity),
    ),
    REACT_APP_BETA_ENABLED: String(Boolean(values.betaEnabled)),
    REACT_APP_DISSECTORS_UPDATING_ENABLED: String(!demo),
    REACT_APP_SNAPSHOTS_UPDATING_ENABLED: String(!demo),
    REACT_APP_DEMO_MODE_ENABLED: String(demo),
    REACT_APP_CLUSTER_WIDE_MAP_ENABLED: String(Boolean(tap.dashboard?.clusterWideMapEnabled)),
    REACT_APP_RAW_CAPTURE_ENABLED: String(Boolean(tap.capture.raw.enabled)),
    REACT_APP_ENTRIES_LIMIT: String(tap.dashboard?.entriesLimit || 300000),
    REACT_APP_SENTRY_ENABLED: String(Boolean(sentry)),
    REACT_APP_SENTRY_ENVIRONMENT: tap.sentry.environment,
  };
  const probe = {
    periodSeconds: 1,
    failureThreshold: 3,
    successThreshold: 1,
    initialDelaySeconds: 3,
    tcpSocket: { port: 8080 },
  };
  const { priorityClassName, ...scheduling } = placement(values, "front");
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: metadata(release, "kubeshark-front", { app: "front" }),
    spec: {
      replicas: 1,
      selector: { matchLabels: { "app.kubeshark.com/app": "front", ...selectorLabels() } },
      template: {
        metadata: { labels: { "app.kubeshark.com/app": "front", ...releaseLabels(release) } },
        spec: {
          containers: [{
            env: Object.entries(env).map(([name, value]) => ({ name, value })),
            image: image(values, "front"),
            imagePullPolicy: tap.docker.imagePullPolicy,
            name: "kubeshark-front",
            livenessProbe: probe,
            readinessProbe: { ...probe, timeoutSeconds: 1 },
            resources: {
              limits: { cpu: "750m", memory: "1Gi" },
              requests: { cpu: "50m", memory: "50Mi" },
            },
            volumeMounts: [{
              name: "nginx-config",
              mountPath: "/etc/nginx/conf.d/default.conf",
              subPath: "default.conf",
              readOnly: true,
            }],
          }],
          ...scheduling,
          volumes: [{ name: "nginx-config", configMap: { name: "kubeshark-nginx-config-map" } }],
          dnsPolicy: "ClusterFirstWithHostNet",
          serviceAccountName: SERVICE_ACCOUNT,
          ...(priorityClassName ? { priorityClassName } : {}),
        },
      },
    },
  };
}
