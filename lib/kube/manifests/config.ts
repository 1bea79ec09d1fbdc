/** The Hub's configuration: ConfigMap kubeshark-config-map and the three Secrets. */
import { type Manifest, metadata, type Release } from "./meta.ts";

const yesNo = (value: unknown) => (value ? "true" : "false");

/** JSON with object keys sorted, as Helm's toJson (Go) writes maps. */
export function sortedJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, item) =>
      item && typeof item === "object" && !Array.isArray(item)
        ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
        : item,
  );
}

/** ConfigMap kubeshark-config-map (kubeshark-config-map-default under tap.gitops.enabled). */
export function hubConfigMap(release: Release): Manifest {
  const { values, namespace } = release;
  const tap = values.tap;
  const demo = values.demoModeEnabled === true;
  const auth = tap.auth ?? {};
  const oidc = auth.oidc ?? {};
  const licensed = values.cloudLicenseEnabled && values.license !== "";
  const authEnabled = licensed
    ? (demo || (auth.enabled && (auth.type === "oidc" || auth.type === "dex")))
    : (values.cloudLicenseEnabled || demo || auth.enabled);
  const authType = values.cloudLicenseEnabled && !(auth.type === "oidc" || auth.type === "dex")
    ? "default"
    : demo
    ? "default"
    : auth.type;
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: metadata(release, `kubeshark-config-map${tap.gitops.enabled ? "-default" : ""}`, {
      app: "hub",
      tapAnnotations: false,
    }),
    data: {
      // The tap targets: what start_kubeshark's namespaces and pod_regex set.
      POD_REGEX: tap.regex,
      NAMESPACES: tap.namespaces.join(","),
      EXCLUDED_NAMESPACES: tap.excludedNamespaces.join(","),
      BPF_OVERRIDE: tap.bpfOverride,
      DISSECTION_ENABLED: yesNo(tap.capture.dissection.enabled),
      CAPTURE_SELF: yesNo(tap.capture.captureSelf),
      SCRIPTING_SCRIPTS: "{}",
      SCRIPTING_ACTIVE_SCRIPTS: values.scripting.active.join(","),
      INGRESS_ENABLED: String(tap.ingress.enabled),
      INGRESS_HOST: tap.ingress.host,
      PROXY_FRONT_PORT: String(tap.proxy.front.port),
      AUTH_ENABLED: String(Boolean(authEnabled)),
      AUTH_TYPE: authType,
      AUTH_SAML_IDP_METADATA_URL: auth.saml?.idpMetadataUrl ?? "",
      AUTH_CLI_SERVICE_ACCOUNTS: auth.cli?.enabled ? `${namespace}:kubeshark-cli` : "",
      AUTH_ROLES_CLAIM: auth.rolesClaim,
      AUTH_DEFAULT_ROLE: auth.defaultRole ?? "",
      AUTH_GROUP_MAPPING: sortedJson(auth.groupMapping ?? {}),
      AUTH_ROLES: sortedJson(auth.roles ?? {}),
      AUTH_OIDC_ISSUER: oidc.issuer || "not set",
      AUTH_OIDC_REFRESH_TOKEN_LIFETIME: oidc.refreshTokenLifetime || "3960h",
      AUTH_OIDC_STATE_PARAM_EXPIRY: oidc.oauth2StateParamExpiry || "10m",
      AUTH_OIDC_BYPASS_SSL_CA_CHECK: yesNo(oidc.bypassSslCaCheck === true),
      TELEMETRY_DISABLED: yesNo(!values.internetConnectivity || !tap.telemetry.enabled),
      SCRIPTING_DISABLED: String(demo),
      TARGETED_PODS_UPDATE_DISABLED: String(demo),
      PRESET_FILTERS_CHANGING_ENABLED: String(!demo),
      RECORDING_DISABLED: String(demo),
      DISSECTION_CONTROL_ENABLED: String(!demo),
      GLOBAL_FILTER: tap.globalFilter,
      DEFAULT_FILTER: tap.defaultFilter,
      TRAFFIC_SAMPLE_RATE: String(tap.misc.trafficSampleRate),
      JSON_TTL: tap.misc.jsonTTL,
      PCAP_TTL: tap.misc.pcapTTL,
      PCAP_ERROR_TTL: tap.misc.pcapErrorTTL,
      TIMEZONE: values.timezone === "" ? " " : values.timezone,
      CLOUD_LICENSE_ENABLED: licensed ? "false" : String(values.cloudLicenseEnabled),
      DUPLICATE_TIMEFRAME: tap.misc.duplicateTimeframe,
      ENABLED_DISSECTORS: tap.enabledDissectors.join(","),
      CUSTOM_MACROS: sortedJson(tap.customMacros),
      DISSECTORS_UPDATING_ENABLED: String(!demo),
      SNAPSHOTS_UPDATING_ENABLED: String(!demo),
      DEMO_MODE_ENABLED: String(demo),
      DETECT_DUPLICATES: yesNo(tap.misc.detectDuplicates),
      PCAP_DUMP_ENABLE: String(values.pcapdump.enabled),
      PCAP_TIME_INTERVAL: values.pcapdump.timeInterval,
      PCAP_MAX_TIME: values.pcapdump.maxTime,
      PCAP_MAX_SIZE: values.pcapdump.maxSize,
      PORT_MAPPING: sortedJson(tap.portMapping),
      RAW_CAPTURE_ENABLED: yesNo(tap.capture.raw.enabled),
      RAW_CAPTURE_STORAGE_SIZE: tap.capture.raw.storageSize,
    },
  };
}

/** Secrets kubeshark-secret and the two SAML key-pair secrets. */
export function hubSecrets(release: Release): Manifest[] {
  const { values } = release;
  const oidc = values.tap.auth?.oidc ?? {};
  const secret = (name: string, stringData: Record<string, string>): Manifest => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: metadata(release, name, { app: "hub", tapAnnotations: false }),
    stringData,
  });
  return [
    secret(`kubeshark-secret${values.tap.gitops.enabled ? "-default" : ""}`, {
      LICENSE: values.license,
      SCRIPTING_ENV: sortedJson(values.scripting.env),
      OIDC_CLIENT_ID: oidc.clientId || "not set",
      OIDC_CLIENT_SECRET: oidc.clientSecret || "not set",
    }),
    secret("kubeshark-saml-x509-crt-secret", {
      AUTH_SAML_X509_CRT: block(values.tap.auth.saml.x509crt),
    }),
    secret("kubeshark-saml-x509-key-secret", {
      AUTH_SAML_X509_KEY: block(values.tap.auth.saml.x509key),
    }),
  ];
}

// The chart writes these as YAML block scalars: empty stays empty, text gains a final newline.
function block(text: string): string {
  return text ? `${text}\n` : "";
}
