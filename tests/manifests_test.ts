/** The release's objects as built so far for chart 53.3.0 (#6): structure, names, labels, RBAC. */
import assert from "node:assert/strict";
import {
  cliAuth,
  clusterRole,
  clusterRoleBinding,
  selfConfigRole,
  selfConfigRoleBinding,
  serviceAccount,
} from "../lib/kube/manifests/access.ts";
import { hubConfigMap, hubSecrets, sortedJson } from "../lib/kube/manifests/config.ts";
import type { Manifest } from "../lib/kube/manifests/meta.ts";
import { frontService, hubService, metricsServices } from "../lib/kube/manifests/services.ts";
import { resolveValues } from "../lib/kube/manifests/values.ts";
import { applySet } from "../lib/set_values.ts";

function release(sets: string[] = [], namespace = "ks") {
  const overrides = {};
  for (const set of sets) applySet(overrides, set);
  return { values: resolveValues(overrides), namespace };
}

function all(sets: string[] = [], namespace = "ks"): Manifest[] {
  const r = release(sets, namespace);
  return [
    serviceAccount(r),
    clusterRole(r),
    clusterRoleBinding(r),
    selfConfigRole(r),
    selfConfigRoleBinding(r),
    ...cliAuth(r),
    hubService(r),
    frontService(r),
    ...metricsServices(r),
    hubConfigMap(r),
    ...hubSecrets(r),
  ];
}

Deno.test("names follow the chart, cluster-scoped ones carry the namespace in their name", () => {
  const names = all().map((o) => `${o.kind}/${o.metadata.name}`);
  assert.deepEqual(names, [
    "ServiceAccount/kubeshark-service-account",
    "ClusterRole/kubeshark-cluster-role-ks",
    "ClusterRoleBinding/kubeshark-cluster-role-binding-ks",
    "Role/kubeshark-self-config-role",
    "RoleBinding/kubeshark-self-config-role-binding",
    "Service/kubeshark-hub",
    "Service/kubeshark-front",
    "Service/kubeshark-worker-metrics",
    "Service/kubeshark-hub-metrics",
    "ConfigMap/kubeshark-config-map",
    "Secret/kubeshark-secret",
    "Secret/kubeshark-saml-x509-crt-secret",
    "Secret/kubeshark-saml-x509-key-secret",
  ]);
});

Deno.test("every object carries the release labels and says kubeshark-mcp manages it", () => {
  for (const object of all()) {
    const labels = object.metadata.labels;
    assert.equal(labels["helm.sh/chart"], "kubeshark-53.3.0", object.metadata.name);
    assert.equal(labels["app.kubernetes.io/name"], "kubeshark");
    assert.equal(labels["app.kubernetes.io/instance"], "kubeshark");
    assert.equal(labels["app.kubernetes.io/version"], "53.3.0");
    assert.equal(labels["app.kubernetes.io/managed-by"], "kubeshark-mcp");
  }
});

Deno.test("namespaced objects are in the release namespace; cluster-scoped ones have none", () => {
  for (const object of all()) {
    if (object.kind.startsWith("Cluster")) assert.equal(object.metadata.namespace, undefined);
    else assert.equal(object.metadata.namespace, "ks", object.metadata.name);
  }
});

Deno.test("RBAC subjects name the release's ServiceAccount and roleRefs name the roles built", () => {
  const objects = all();
  const account = objects.find((o) => o.kind === "ServiceAccount")!;
  for (const binding of objects.filter((o) => o.kind.endsWith("Binding"))) {
    assert.deepEqual(binding.subjects, [{
      kind: "ServiceAccount",
      name: account.metadata.name,
      namespace: "ks",
    }]);
    const role = objects.find((o) =>
      o.kind === binding.roleRef.kind && o.metadata.name === binding.roleRef.name
    );
    assert.ok(role, `${binding.metadata.name} points at a missing ${binding.roleRef.kind}`);
  }
});

Deno.test("the hub and front Services send port 80 to 8080 of their app's pods", () => {
  for (
    const [service, app] of [[hubService(release()), "hub"], [
      frontService(release()),
      "front",
    ]] as const
  ) {
    assert.deepEqual(service.spec.ports, [{
      name: service.metadata.name,
      port: 80,
      targetPort: 8080,
    }]);
    assert.deepEqual(service.spec.selector, { "app.kubeshark.com/app": app });
  }
  const [worker, hub] = metricsServices(release());
  assert.equal(worker.spec.ports[0].port, 49100);
  assert.equal(hub.spec.ports[0].port, 9100);
  assert.equal(worker.metadata.annotations["prometheus.io/port"], "49100");
});

Deno.test("the config map carries the tap targets start_kubeshark sets", () => {
  const defaults = hubConfigMap(release()).data;
  assert.equal(defaults.POD_REGEX, ".*");
  assert.equal(defaults.NAMESPACES, "");
  assert.equal(defaults.AUTH_CLI_SERVICE_ACCOUNTS, "");
  const targeted =
    hubConfigMap(release(["tap.namespaces={shop,payments}", "tap.regex=checkout.*"])).data;
  assert.equal(targeted.POD_REGEX, "checkout.*");
  assert.equal(targeted.NAMESPACES, "shop,payments");
  for (const value of Object.values(defaults)) assert.equal(typeof value, "string");
});

Deno.test("tap.auth.cli.enabled adds kubeshark-cli, its token-minter Role, and the allowlist entry", () => {
  const objects = all(["tap.auth.cli.enabled=true"]);
  const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
  assert.ok(names.includes("ServiceAccount/kubeshark-cli"));
  assert.ok(names.includes("Role/kubeshark-cli-token-minter"));
  assert.ok(!names.includes("RoleBinding/kubeshark-cli-token-minter"), "no subjects, no binding");
  const minter = objects.find((o) => o.metadata.name === "kubeshark-cli-token-minter")!;
  assert.deepEqual(minter.rules, [{
    apiGroups: [""],
    resources: ["serviceaccounts/token"],
    resourceNames: ["kubeshark-cli"],
    verbs: ["create"],
  }]);
  const config = objects.find((o) => o.kind === "ConfigMap")!;
  assert.equal(config.data.AUTH_CLI_SERVICE_ACCOUNTS, "ks:kubeshark-cli");
});

Deno.test("maps are written as Helm's toJson writes them: keys sorted", () => {
  assert.equal(sortedJson({ b: 1, a: { d: 2, c: [3] } }), '{"a":{"c":[3],"d":2},"b":1}');
  const data = hubConfigMap(release()).data;
  assert.ok(data.PORT_MAPPING.startsWith('{"amqp":'));
});

Deno.test("the license goes to the secret, and empty SAML material stays empty", () => {
  const [secret, crt] = hubSecrets(release(["license=LIC-1"]));
  assert.equal(secret.stringData.LICENSE, "LIC-1");
  assert.equal(crt.stringData.AUTH_SAML_X509_CRT, "");
});

Deno.test("the hub Deployment: selector matches its pods, probes hit 8080, image v53.3", async () => {
  const { hubDeployment } = await import("../lib/kube/manifests/hub.ts");
  const hub = hubDeployment(release());
  const podLabels = hub.spec.template.metadata.labels;
  for (const [key, value] of Object.entries(hub.spec.selector.matchLabels)) {
    assert.equal(podLabels[key], value, key);
  }
  const container = hub.spec.template.spec.containers[0];
  assert.equal(container.image, "docker.io/kubeshark/hub:v53.3");
  assert.equal(container.readinessProbe.tcpSocket.port, 8080);
  assert.equal(container.livenessProbe.tcpSocket.port, 8080);
  assert.equal(hub.spec.template.spec.serviceAccountName, "kubeshark-service-account");
  assert.deepEqual(container.command.slice(0, 3), ["./hub", "-port", "8080"]);
  assert.equal(
    container.command[container.command.indexOf("-dissector-image") + 1],
    "docker.io/kubeshark/worker:v53.3",
  );
  // The hub Service selects these pods.
  const service = hubService(release());
  for (const [key, value] of Object.entries(service.spec.selector)) {
    assert.equal(podLabels[key], value);
  }
  assert.deepEqual(container.resources, {
    limits: { memory: "5Gi" },
    requests: { cpu: "50m", memory: "50Mi" },
  });
});

Deno.test("image overrides: tap.docker.tag, overrideTag, overrideImage", async () => {
  const { hubDeployment } = await import("../lib/kube/manifests/hub.ts");
  const image = (sets: string[]) =>
    hubDeployment(release(sets)).spec.template.spec.containers[0].image;
  assert.equal(image(["tap.docker.tag=v52.1"]), "docker.io/kubeshark/hub:v52.1");
  assert.equal(image(["tap.docker.overrideTag.hub=dev"]), "docker.io/kubeshark/hub:dev");
  assert.equal(image(["tap.docker.overrideImage.hub=reg.local/hub:1"]), "reg.local/hub:1");
  assert.equal(image(["tap.docker.tagLocked=false"]), "docker.io/kubeshark/hub:v53.3.0");
});

Deno.test("the front Deployment mounts the nginx config and is selected by its Service", async () => {
  const { frontDeployment } = await import("../lib/kube/manifests/front.ts");
  const front = frontDeployment(release());
  const podLabels = front.spec.template.metadata.labels;
  for (const [key, value] of Object.entries(frontService(release()).spec.selector)) {
    assert.equal(podLabels[key], value);
  }
  const container = front.spec.template.spec.containers[0];
  assert.equal(container.image, "docker.io/kubeshark/front:v53.3");
  assert.equal(container.readinessProbe.tcpSocket.port, 8080);
  assert.equal(container.volumeMounts[0].name, front.spec.template.spec.volumes[0].name);
  assert.equal(front.spec.template.spec.volumes[0].configMap.name, "kubeshark-nginx-config-map");
  const env = Object.fromEntries(
    container.env.map((e: { name: string; value: string }) => [e.name, e.value]),
  );
  assert.equal(env.REACT_APP_AUTH_ENABLED, "true");
  assert.equal(env.REACT_APP_ENTRIES_LIMIT, "300000");
});

Deno.test("nginx passes /api to the hub Service, under a base path when one is set", async () => {
  const { nginxConfigMap } = await import("../lib/kube/manifests/nginx.ts");
  const conf = nginxConfigMap(release()).data["default.conf"];
  assert.match(conf, /listen 8080;/);
  assert.match(conf, /listen \[::\]:8080;/);
  assert.match(
    conf,
    /location \/api \{\n\s+rewrite \^\/api\(\.\*\)\$ \$1 break;\n\s+proxy_pass http:\/\/kubeshark-hub;/,
  );
  assert.match(conf, /try_files \$uri \$uri\/ \/index\.html;/);
  const based = nginxConfigMap(release(["tap.routing.front.basePath=/ks", "tap.ipv6=false"]))
    .data["default.conf"];
  assert.match(based, /location \/ks\/api \{/);
  assert.doesNotMatch(based, /listen \[::\]/);
});

Deno.test("network policies open exactly the ports the pods serve; the Ingress comes only when enabled", async () => {
  const { ingress, networkPolicies } = await import("../lib/kube/manifests/network.ts");
  const ports = Object.fromEntries(
    networkPolicies(release()).map((p) => [
      p.spec.podSelector.matchLabels["app.kubeshark.com/app"],
      p.spec.ingress.flatMap((rule: { ports: { port: number }[] }) =>
        rule.ports.map((x) => x.port)
      ),
    ]),
  );
  assert.deepEqual(ports, {
    hub: [8080, 9100],
    front: [8080],
    dex: [5556],
    worker: [48999, 49100],
  });
  assert.deepEqual(ingress(release()), []);
  const [route] = ingress(release(["tap.ingress.enabled=true", "tap.ingress.host=ks.example.com"]));
  assert.equal(route.spec.rules[0].host, "ks.example.com");
  assert.deepEqual(route.spec.rules[0].http.paths[0].backend, {
    service: { name: "kubeshark-front", port: { number: 80 } },
  });
});
