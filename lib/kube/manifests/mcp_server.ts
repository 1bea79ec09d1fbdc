/**
 * `kubeshark-mcp render --mcp-server`: the objects that run this server beside Kubeshark, for a
 * team — a Deployment of N replicas serving MCP over HTTP (`--http 0.0.0.0:8080`), a Service, a
 * ServiceAccount whose only right is minting the Hub token of ServiceAccount kubeshark-cli, and a
 * PodDisruptionBudget. The Hub is reached by its Service; authentication is a bearer token from a
 * Secret the operator creates, or OAuth access tokens from an issuer.
 */
import type { OAuthOptions } from "../../auth/mod.ts";
import { VERSION } from "../../version.ts";
import type { Manifest } from "./meta.ts";

/** The name of every object. */
export const MCP_SERVER_NAME = "kubeshark-mcp";
/** The Secret (key `token`) holding the bearer token, when OAuth is not used. */
export const TOKEN_SECRET = "kubeshark-mcp-token";
/** The port the server listens on in the pod. */
export const MCP_SERVER_PORT = 8080;
/** The image published for this version; override with --image. */
export const DEFAULT_IMAGE = `ghcr.io/kubeshark/kubeshark-mcp:v${VERSION}`;

/** What to render. */
export interface McpServerOptions {
  /** Kubeshark's release namespace; the server is deployed there too. */
  namespace: string;
  replicas: number;
  image: string;
  /** The address clients use (an Ingress or load balancer), if any. */
  publicUrl?: string;
  /** OAuth settings; without them the bearer token Secret is used. */
  oauth?: OAuthOptions;
}

const SELECTOR = {
  "app.kubernetes.io/name": MCP_SERVER_NAME,
  "app.kubernetes.io/instance": MCP_SERVER_NAME,
};

function labels(): Record<string, string> {
  return {
    ...SELECTOR,
    "app.kubernetes.io/version": VERSION,
    "app.kubernetes.io/component": "mcp-server",
    "app.kubernetes.io/part-of": "kubeshark",
    "app.kubernetes.io/managed-by": "kubeshark-mcp",
  };
}

function meta(options: McpServerOptions, name = MCP_SERVER_NAME) {
  return { name, namespace: options.namespace, labels: labels() };
}

/** The server's command-line arguments in the pod. */
export function serverArgs(options: McpServerOptions): string[] {
  const service = `${MCP_SERVER_NAME}.${options.namespace}.svc`;
  const args = [
    "--http",
    `0.0.0.0:${MCP_SERVER_PORT}`,
    // The Hub through Kubeshark's front Service (nginx serves the Hub under /api).
    "--url",
    `http://kubeshark-front.${options.namespace}.svc.cluster.local`,
    // The Hub token is minted with this pod's ServiceAccount (see the Role below).
    "--in-cluster",
    "-n",
    options.namespace,
    // Host names in-cluster clients use; probes come by IP, which is always accepted.
    "--http-allowed-hosts",
    [
      MCP_SERVER_NAME,
      `${MCP_SERVER_NAME}.${options.namespace}`,
      service,
      `${service}.cluster.local`,
    ]
      .join(","),
  ];
  if (options.publicUrl) args.push("--http-public-url", options.publicUrl);
  const oauth = options.oauth;
  if (oauth) {
    args.push("--oauth-issuer", oauth.issuer);
    if (oauth.audience) args.push("--oauth-audience", oauth.audience);
    if (oauth.jwksUrl) args.push("--oauth-jwks-url", oauth.jwksUrl);
    if (oauth.scopes.length) args.push("--oauth-scopes", oauth.scopes.join(","));
  }
  return args;
}

/** Every object, in the order to apply them. */
export function renderMcpServer(options: McpServerOptions): Manifest[] {
  return [
    serviceAccount(options),
    role(options),
    roleBinding(options),
    service(options),
    deployment(options),
    disruptionBudget(options),
  ];
}

function serviceAccount(options: McpServerOptions): Manifest {
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(options) };
}

/** Minimal RBAC: mint tokens for kubeshark-cli (the Hub's accepted identity), nothing else. */
function role(options: McpServerOptions): Manifest {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: meta(options),
    rules: [
      {
        apiGroups: [""],
        resources: ["serviceaccounts"],
        resourceNames: ["kubeshark-cli"],
        verbs: ["get"],
      },
      {
        apiGroups: [""],
        resources: ["serviceaccounts/token"],
        resourceNames: ["kubeshark-cli"],
        verbs: ["create"],
      },
    ],
  };
}

function roleBinding(options: McpServerOptions): Manifest {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: meta(options),
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: MCP_SERVER_NAME },
    subjects: [{ kind: "ServiceAccount", name: MCP_SERVER_NAME, namespace: options.namespace }],
  };
}

function service(options: McpServerOptions): Manifest {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(options),
    spec: {
      selector: SELECTOR,
      ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
    },
  };
}

function deployment(options: McpServerOptions): Manifest {
  const probe = (periodSeconds: number) => ({
    httpGet: { path: "/healthz", port: "http" },
    periodSeconds,
    timeoutSeconds: 2,
  });
  const env = options.oauth ? [] : [{
    name: "KUBESHARK_MCP_HTTP_TOKEN",
    valueFrom: { secretKeyRef: { name: TOKEN_SECRET, key: "token" } },
  }];
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta(options),
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: SELECTOR },
      template: {
        metadata: { labels: labels() },
        spec: {
          serviceAccountName: MCP_SERVER_NAME,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65532,
            runAsGroup: 65532,
            seccompProfile: { type: "RuntimeDefault" },
          },
          // Replicas on different nodes where the cluster has them.
          topologySpreadConstraints: [{
            maxSkew: 1,
            topologyKey: "kubernetes.io/hostname",
            whenUnsatisfiable: "ScheduleAnyway",
            labelSelector: { matchLabels: SELECTOR },
          }],
          containers: [{
            name: "kubeshark-mcp",
            image: options.image,
            args: serverArgs(options),
            ...(env.length ? { env } : {}),
            ports: [{ name: "http", containerPort: MCP_SERVER_PORT, protocol: "TCP" }],
            readinessProbe: probe(5),
            livenessProbe: { ...probe(10), failureThreshold: 3 },
            resources: {
              requests: { cpu: "50m", memory: "64Mi" },
              limits: { memory: "256Mi" },
            },
            securityContext: {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ["ALL"] },
            },
            // download_file writes here (the root filesystem is read-only).
            workingDir: "/tmp",
            volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
          }],
          volumes: [{ name: "tmp", emptyDir: { sizeLimit: "1Gi" } }],
        },
      },
    },
  };
}

function disruptionBudget(options: McpServerOptions): Manifest {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: meta(options),
    spec: {
      // One replica may go at a time; with one replica, draining a node is not blocked forever.
      ...(options.replicas > 1 ? { minAvailable: 1 } : { maxUnavailable: 1 }),
      selector: { matchLabels: SELECTOR },
    },
  };
}
