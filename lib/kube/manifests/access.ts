/** The release's identity and permissions: ServiceAccounts, (Cluster)Roles and their bindings. */
import { type Manifest, metadata, type Release, SERVICE_ACCOUNT } from "./meta.ts";

const RBAC = "rbac.authorization.k8s.io/v1";

/** ServiceAccount kubeshark-service-account. */
export function serviceAccount(release: Release): Manifest {
  const pullSecrets: string[] = release.values.tap.docker.imagePullSecrets ?? [];
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: metadata(release, SERVICE_ACCOUNT),
    ...(pullSecrets.length ? { imagePullSecrets: pullSecrets.map((name) => ({ name })) } : {}),
  };
}

/** ClusterRole kubeshark-cluster-role-NS: read the cluster's workloads, manage network policies. */
export function clusterRole(release: Release): Manifest {
  return {
    apiVersion: RBAC,
    kind: "ClusterRole",
    metadata: metadata(release, `kubeshark-cluster-role-${release.namespace}`, {
      clusterScoped: true,
    }),
    rules: [
      {
        apiGroups: ["", "extensions", "apps"],
        resources: ["nodes", "pods", "services", "endpoints", "persistentvolumeclaims"],
        verbs: ["list", "get", "watch"],
      },
      { apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list", "watch"] },
      {
        apiGroups: ["networking.k8s.io"],
        resources: ["networkpolicies"],
        verbs: ["get", "list", "watch", "create", "update", "delete"],
      },
      { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
    ],
  };
}

/** ClusterRoleBinding kubeshark-cluster-role-binding-NS. */
export function clusterRoleBinding(release: Release): Manifest {
  return {
    apiVersion: RBAC,
    kind: "ClusterRoleBinding",
    metadata: metadata(release, `kubeshark-cluster-role-binding-${release.namespace}`, {
      clusterScoped: true,
    }),
    roleRef: {
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: `kubeshark-cluster-role-${release.namespace}`,
    },
    subjects: [{ kind: "ServiceAccount", name: SERVICE_ACCOUNT, namespace: release.namespace }],
  };
}

/** Role kubeshark-self-config-role: the Hub manages its own config map and secret. */
export function selfConfigRole(release: Release): Manifest {
  return {
    apiVersion: RBAC,
    kind: "Role",
    metadata: metadata(release, "kubeshark-self-config-role"),
    rules: [
      {
        apiGroups: ["", "v1"],
        resourceNames: [
          "kubeshark-secret",
          "kubeshark-config-map",
          "kubeshark-secret-default",
          "kubeshark-config-map-default",
        ],
        resources: ["secrets", "configmaps"],
        verbs: ["create", "get", "watch", "list", "update", "patch", "delete"],
      },
      {
        apiGroups: ["", "v1"],
        resources: ["secrets", "configmaps", "pods/log"],
        verbs: ["create", "get"],
      },
      {
        apiGroups: [""],
        resources: ["persistentvolumeclaims"],
        verbs: ["create", "get", "list", "delete"],
      },
      { apiGroups: ["batch"], resources: ["jobs"], verbs: ["*"] },
    ],
  };
}

/** RoleBinding kubeshark-self-config-role-binding. */
export function selfConfigRoleBinding(release: Release): Manifest {
  return {
    apiVersion: RBAC,
    kind: "RoleBinding",
    metadata: metadata(release, "kubeshark-self-config-role-binding"),
    roleRef: {
      apiGroup: "rbac.authorization.k8s.io",
      kind: "Role",
      name: "kubeshark-self-config-role",
    },
    subjects: [{ kind: "ServiceAccount", name: SERVICE_ACCOUNT, namespace: release.namespace }],
  };
}

/**
 * tap.auth.cli.enabled: ServiceAccount kubeshark-cli (whose token the CLI mints to reach a gated
 * Hub), the Role allowed to mint it, and a binding to tap.auth.cli.subjects when given.
 */
export function cliAuth(release: Release): Manifest[] {
  const cli = release.values.tap.auth?.cli ?? {};
  if (!cli.enabled) return [];
  const objects: Manifest[] = [
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: metadata(release, "kubeshark-cli", { tapAnnotations: false }),
    },
    {
      apiVersion: RBAC,
      kind: "Role",
      metadata: metadata(release, "kubeshark-cli-token-minter", { tapAnnotations: false }),
      rules: [{
        apiGroups: [""],
        resources: ["serviceaccounts/token"],
        resourceNames: ["kubeshark-cli"],
        verbs: ["create"],
      }],
    },
  ];
  if (cli.subjects?.length) {
    objects.push({
      apiVersion: RBAC,
      kind: "RoleBinding",
      metadata: metadata(release, "kubeshark-cli-token-minter", { tapAnnotations: false }),
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "Role",
        name: "kubeshark-cli-token-minter",
      },
      subjects: cli.subjects,
    });
  }
  return objects;
}
