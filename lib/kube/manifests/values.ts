/**
 * Kubeshark's Helm values for the pinned chart: the defaults, `--set` overrides on top of them,
 * and a check that every overridden key is one the chart knows (with the closest keys suggested).
 */
import { type Values } from "../../set_values.ts";
import { editDistance } from "../../suggest.ts";

/** The chart version whose objects we build. */
export const CHART_VERSION = "53.3.0";

/** The chart's default values (helm-chart/values.yaml of 53.3.0, as data). */
export const DEFAULT_VALUES: Values = Object.freeze(
  {
    tap: {
      docker: {
        registry: "docker.io/kubeshark",
        tag: "",
        tagLocked: true,
        imagePullPolicy: "Always",
        imagePullSecrets: [],
        overrideImage: {
          worker: "",
          hub: "",
          front: "",
        },
        overrideTag: {
          worker: "",
          hub: "",
          front: "",
        },
      },
      proxy: {
        worker: {
          srvPort: 48999,
        },
        hub: {
          srvPort: 8898,
        },
        front: {
          port: 8899,
        },
        host: "127.0.0.1",
      },
      regex: ".*",
      namespaces: [],
      excludedNamespaces: [],
      bpfOverride: "",
      capture: {
        dissection: {
          enabled: true,
          stopAfter: "5m",
        },
        captureSelf: false,
        raw: {
          enabled: true,
          storageSize: "1Gi",
        },
        dbMaxSize: "500Mi",
      },
      delayedDissection: {
        cpu: "1",
        memory: "4Gi",
        storageSize: "",
        storageClass: "",
      },
      snapshots: {
        local: {
          storageClass: "",
          storageSize: "20Gi",
        },
        cloud: {
          provider: "",
          prefix: "",
          configMaps: [],
          secrets: [],
          s3: {
            bucket: "",
            region: "",
            accessKey: "",
            secretKey: "",
            roleArn: "",
            externalId: "",
          },
          azblob: {
            storageAccount: "",
            container: "",
            storageKey: "",
          },
          gcs: {
            bucket: "",
            project: "",
            credentialsJson: "",
          },
        },
      },
      release: {
        repo: "https://helm.kubeshark.com",
        name: "kubeshark",
        namespace: "default",
        helmChartPath: "",
      },
      persistentStorage: false,
      persistentStorageStatic: false,
      persistentStoragePvcVolumeMode: "FileSystem",
      efsFileSytemIdAndPath: "",
      secrets: [],
      storageLimit: "10Gi",
      storageClass: "standard",
      dryRun: false,
      dns: {
        nameservers: [],
        searches: [],
        options: [],
      },
      resources: {
        hub: {
          limits: {
            cpu: "0",
            memory: "5Gi",
          },
          requests: {
            cpu: "50m",
            memory: "50Mi",
          },
        },
        sniffer: {
          limits: {
            cpu: "0",
            memory: "5Gi",
          },
          requests: {
            cpu: "50m",
            memory: "50Mi",
          },
        },
        tracer: {
          limits: {
            cpu: "0",
            memory: "5Gi",
          },
          requests: {
            cpu: "50m",
            memory: "50Mi",
          },
        },
      },
      probes: {
        hub: {
          initialDelaySeconds: 5,
          periodSeconds: 5,
          successThreshold: 1,
          failureThreshold: 3,
        },
        sniffer: {
          initialDelaySeconds: 5,
          periodSeconds: 5,
          successThreshold: 1,
          failureThreshold: 3,
        },
      },
      serviceMesh: true,
      tls: true,
      disableTlsLog: true,
      packetCapture: "best",
      labels: {},
      annotations: {},
      nodeSelectorTerms: {
        hub: [
          {
            matchExpressions: [
              {
                key: "kubernetes.io/os",
                operator: "In",
                values: ["linux"],
              },
            ],
          },
        ],
        workers: [
          {
            matchExpressions: [
              {
                key: "kubernetes.io/os",
                operator: "In",
                values: ["linux"],
              },
            ],
          },
        ],
        front: [
          {
            matchExpressions: [
              {
                key: "kubernetes.io/os",
                operator: "In",
                values: ["linux"],
              },
            ],
          },
        ],
        dex: [
          {
            matchExpressions: [
              {
                key: "kubernetes.io/os",
                operator: "In",
                values: ["linux"],
              },
            ],
          },
        ],
      },
      tolerations: {
        hub: [],
        workers: [
          {
            operator: "Exists",
            effect: "NoExecute",
          },
        ],
        front: [],
      },
      auth: {
        enabled: false,
        type: "saml",
        rolesClaim: "groups",
        defaultRole: "kubeshark-viewer",
        groupMapping: {},
        roles: {},
        cli: {
          enabled: false,
          subjects: [],
        },
        saml: {
          idpMetadataUrl: "",
          x509crt: "",
          x509key: "",
        },
      },
      ingress: {
        enabled: false,
        className: "",
        host: "ks.svc.cluster.local",
        path: "/",
        tls: [],
        annotations: {},
      },
      priorityClass: "",
      routing: {
        front: {
          basePath: "",
        },
      },
      ipv6: true,
      debug: false,
      dashboard: {
        streamingType: "connect-rpc",
        completeStreamingEnabled: true,
        clusterWideMapEnabled: false,
        entriesLimit: "300000",
      },
      telemetry: {
        enabled: true,
      },
      resourceGuard: {
        enabled: false,
      },
      watchdog: {
        enabled: false,
      },
      gitops: {
        enabled: false,
      },
      sentry: {
        enabled: false,
        environment: "production",
      },
      defaultFilter: "",
      globalFilter: "",
      enabledDissectors: [
        "amqp",
        "dns",
        "http",
        "icmp",
        "kafka",
        "mongodb",
        "mysql",
        "postgresql",
        "redis",
        "ws",
        "tlsx",
        "ldap",
        "radius",
        "diameter",
        "udp-flow",
        "tcp-flow",
        "udp-conn",
        "tcp-conn",
      ],
      portMapping: {
        http: [80, 443, 8080],
        amqp: [5671, 5672],
        kafka: [9092],
        mongodb: [27017],
        mysql: [3306],
        postgresql: [5432],
        redis: [6379],
        ldap: [389],
        diameter: [3868],
      },
      customMacros: {
        https: "tls and (http or http2)",
      },
      metrics: {
        port: 49100,
      },
      pprof: {
        enabled: false,
        port: 8000,
        view: "flamegraph",
      },
      misc: {
        jsonTTL: "5m",
        pcapTTL: "0",
        pcapErrorTTL: "0",
        trafficSampleRate: 100,
        tcpStreamChannelTimeoutMs: 10000,
        tcpStreamChannelTimeoutShow: false,
        resolutionStrategy: "auto",
        duplicateTimeframe: "200ms",
        detectDuplicates: false,
        staleTimeoutSeconds: 30,
        tcpFlowTimeout: 1200,
        udpFlowTimeout: 1200,
      },
      securityContext: {
        privileged: true,
        appArmorProfile: {
          type: "",
          localhostProfile: "",
        },
        seLinuxOptions: {
          level: "",
          role: "",
          type: "",
          user: "",
        },
        capabilities: {
          networkCapture: ["NET_RAW", "NET_ADMIN"],
          serviceMeshCapture: ["SYS_ADMIN", "SYS_PTRACE", "DAC_OVERRIDE"],
          ebpfCapture: ["SYS_ADMIN", "SYS_PTRACE", "SYS_RESOURCE", "IPC_LOCK"],
        },
      },
      mountBpf: true,
      hostNetwork: true,
    },
    logs: {
      file: "",
      grep: "",
    },
    pcapdump: {
      enabled: false,
      timeInterval: "1m",
      maxTime: "1h",
      maxSize: "500MB",
      time: "time",
      debug: false,
      dest: "",
    },
    kube: {
      configPath: "",
      context: "",
    },
    dumpLogs: false,
    headless: false,
    license: "",
    cloudApiUrl: "https://api.kubeshark.com",
    cloudLicenseEnabled: true,
    demoModeEnabled: false,
    supportChatEnabled: false,
    betaEnabled: false,
    internetConnectivity: true,
    scripting: {
      enabled: false,
      env: {},
      source: "",
      sources: [],
      watchScripts: true,
      active: [],
      console: true,
    },
    timezone: "",
    logLevel: "warning",
  },
);

// Maps whose keys are the user's own (labels, annotations, role tables…): any key is valid below.
const OPEN_MAPS = new Set([
  "tap.labels",
  "tap.annotations",
  "tap.auth.groupMapping",
  "tap.auth.roles",
  "tap.ingress.annotations",
  "tap.customMacros",
  "tap.portMapping",
  "scripting.env",
  // Read by the chart's templates, though absent from values.yaml.
  "tap.auth.oidc",
  "tap.auth.dexConfig",
]);

// Keys the templates read that values.yaml does not list.
const EXTRA_KEYS = ["tap.auth.oidc", "tap.auth.dexConfig"];

/** Every key path the chart knows, leaves and intermediate maps alike. */
export function knownKeys(values: Values = DEFAULT_VALUES, prefix = ""): string[] {
  const keys: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const path = prefix ? `${prefix}.${key}` : key;
    keys.push(path);
    if (value && typeof value === "object" && !Array.isArray(value) && !OPEN_MAPS.has(path)) {
      keys.push(...knownKeys(value as Values, path));
    }
  }
  return keys;
}

/**
 * The chart's values with `overrides` merged in (objects merge, everything else replaces). Throws
 * on a key the chart does not know, naming the closest ones.
 */
export function resolveValues(overrides: Values): Values {
  const known = new Set([...knownKeys(), ...EXTRA_KEYS]);
  checkKeys(overrides, "", known);
  const values = merge(structuredClone(DEFAULT_VALUES) as Values, overrides);
  // Helm takes `--set tap.namespaces=shop` (a plain string) for a list; so do we.
  const tap = values.tap as Values;
  for (const key of ["namespaces", "excludedNamespaces"]) {
    if (typeof tap[key] === "string") tap[key] = (tap[key] as string) ? [tap[key]] : [];
  }
  return values;
}

function checkKeys(overrides: Values, prefix: string, known: Set<string>): void {
  for (const [key, value] of Object.entries(overrides)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (!known.has(path)) {
      const suggestions = closest(path, [...known]);
      throw new Error(
        `unknown value "${path}"${
          suggestions.length ? `; did you mean ${suggestions.map((s) => `"${s}"`).join(", ")}?` : ""
        } (chart ${CHART_VERSION})`,
      );
    }
    if (value && typeof value === "object" && !Array.isArray(value) && !OPEN_MAPS.has(path)) {
      checkKeys(value as Values, path, known);
    }
  }
}

function merge(base: Values, overrides: Values): Values {
  for (const [key, value] of Object.entries(overrides)) {
    const current = base[key];
    if (
      value && typeof value === "object" && !Array.isArray(value) &&
      current && typeof current === "object" && !Array.isArray(current)
    ) {
      base[key] = merge(current as Values, value as Values);
    } else {
      base[key] = value;
    }
  }
  return base;
}

/** Up to three known keys nearest to `path` (edit distance on the full path and the last part). */
export function closest(path: string, known: string[]): string[] {
  const last = path.split(".").at(-1)!;
  const depth = path.split(".").length;
  return known
    .map((candidate) => ({
      candidate,
      // A key at another depth is a worse guess than a misspelling at the same depth.
      score: Math.min(
        editDistance(path, candidate),
        editDistance(last, candidate.split(".").at(-1)!) +
          (candidate.startsWith(path.split(".")[0]) ? 0 : 2),
      ) + (candidate.split(".").length === depth ? 0 : 1),
    }))
    .filter(({ score }) => score <= Math.max(2, Math.floor(last.length / 3)))
    .sort((a, b) => a.score - b.score || a.candidate.length - b.candidate.length)
    .slice(0, 3)
    .map(({ candidate }) => candidate);
}
