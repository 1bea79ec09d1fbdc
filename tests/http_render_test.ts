/**
 * `kubeshark-mcp render --mcp-server`: the objects that run the HTTP server beside Kubeshark pass
 * the Kubernetes OpenAPI schemas and a server-side dry run, and say what they should.
 */
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { KubeApi } from "../lib/kube/api.ts";
import type { Manifest } from "../lib/kube/manifests/meta.ts";
import { KubeDouble } from "../integration/support/kube_double.ts";
import { childEnv } from "./support/env.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

async function render(args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", MAIN, "render", "--mcp-server", ...args],
    stdin: "null",
    env: childEnv(),
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  return {
    code: output.code,
    stderr: new TextDecoder().decode(output.stderr),
    objects: parseAllDocuments(stdout).map((doc) => doc.toJSON()).filter(Boolean) as Manifest[],
  };
}

function find(objects: Manifest[], kind: string): Manifest {
  const found = objects.find((object) => object.kind === kind);
  assert.ok(found, `no ${kind}`);
  return found;
}

async function modelFor(object: Manifest) {
  const [group, version] = object.apiVersion.includes("/")
    ? object.apiVersion.split("/")
    : ["", object.apiVersion];
  const path = group ? `${group}/${version}/${object.kind}` : `${version}/${object.kind}`;
  const module = await import(`kubernetes-models/${path}`);
  return module[object.kind] as new (data: unknown) => { validate(): void };
}

const OAUTH = [
  "--oauth-issuer",
  "https://login.example.com/realms/eng",
  "--oauth-scopes",
  "mcp",
  "--http-public-url",
  "https://mcp.example.com",
];

Deno.test("render --mcp-server prints a ServiceAccount, Role, RoleBinding, Service, Deployment and PodDisruptionBudget", async () => {
  const { code, stderr, objects } = await render(["-n", "ks"]);
  assert.equal(code, 0, stderr);
  assert.deepEqual(objects.map((o) => o.kind), [
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "Service",
    "Deployment",
    "PodDisruptionBudget",
  ]);
  assert.ok(objects.every((o) => o.metadata.namespace === "ks"));
});

Deno.test("the Deployment serves --http 0.0.0.0:8080, reaches the Hub by its Service, probes /healthz, and takes its token from a Secret", async () => {
  const { objects } = await render(["-n", "ks", "--replicas", "3"]);
  const deployment = find(objects, "Deployment");
  assert.equal(deployment.spec.replicas, 3);
  const pod = deployment.spec.template.spec;
  assert.equal(pod.serviceAccountName, "kubeshark-mcp");
  const [container] = pod.containers;
  const args: string[] = container.args;
  assert.equal(args[args.indexOf("--http") + 1], "0.0.0.0:8080");
  assert.equal(args[args.indexOf("--url") + 1], "http://kubeshark-front.ks.svc.cluster.local");
  assert.ok(args.includes("--in-cluster"));
  for (const probe of [container.readinessProbe, container.livenessProbe]) {
    assert.equal(probe.httpGet.path, "/healthz");
    assert.equal(probe.httpGet.port, "http");
  }
  assert.deepEqual(container.ports, [{ name: "http", containerPort: 8080, protocol: "TCP" }]);
  assert.ok(container.resources.requests.cpu && container.resources.requests.memory);
  assert.deepEqual(container.env, [{
    name: "KUBESHARK_MCP_HTTP_TOKEN",
    valueFrom: { secretKeyRef: { name: "kubeshark-mcp-token", key: "token" } },
  }]);
  const budget = find(objects, "PodDisruptionBudget");
  assert.equal(budget.spec.minAvailable, 1);
  assert.deepEqual(budget.spec.selector.matchLabels, deployment.spec.selector.matchLabels);
  const service = find(objects, "Service");
  assert.deepEqual(service.spec.selector, deployment.spec.selector.matchLabels);
  assert.equal(service.spec.ports[0].targetPort, "http");
});

Deno.test("the Role only mints the Hub token of kubeshark-cli", async () => {
  const { objects } = await render([]);
  const role = find(objects, "Role");
  assert.deepEqual(
    role.rules.map((rule: { resources: string[]; verbs: string[] }) => [
      rule.resources,
      rule.verbs,
    ]),
    [[["serviceaccounts"], ["get"]], [["serviceaccounts/token"], ["create"]]],
  );
  assert.ok(
    role.rules.every((rule: { resourceNames: string[] }) =>
      rule.resourceNames.length === 1 && rule.resourceNames[0] === "kubeshark-cli"
    ),
  );
  const binding = find(objects, "RoleBinding");
  assert.deepEqual(binding.subjects, [{
    kind: "ServiceAccount",
    name: "kubeshark-mcp",
    namespace: "default",
  }]);
});

Deno.test("with --oauth-issuer the pods check OAuth tokens and read no token Secret", async () => {
  const { code, stderr, objects } = await render(OAUTH);
  assert.equal(code, 0, stderr);
  const [container] = find(objects, "Deployment").spec.template.spec.containers;
  const args: string[] = container.args;
  assert.equal(args[args.indexOf("--oauth-issuer") + 1], "https://login.example.com/realms/eng");
  assert.equal(args[args.indexOf("--http-public-url") + 1], "https://mcp.example.com");
  assert.equal(container.env, undefined);
});

Deno.test("render --mcp-server refuses to print a token", async () => {
  const { code, stderr } = await render(["--http-token", "0123456789abcdef0123"]);
  assert.equal(code, 2);
  assert.match(stderr, /never prints a token/);
  assert.doesNotMatch(stderr, /0123456789abcdef0123/);
});

for (
  const [label, args] of [["bearer token", []], ["OAuth, one replica", [
    ...OAUTH,
    "--replicas",
    "1",
  ]]] as const
) {
  Deno.test(`every --mcp-server object passes the Kubernetes OpenAPI schema (${label})`, async () => {
    const { objects } = await render([...args]);
    for (const object of objects) {
      const Model = await modelFor(object);
      try {
        new Model(object).validate();
      } catch (error) {
        assert.fail(`${object.kind}/${object.metadata.name}: ${(error as Error).message}`);
      }
    }
  });
}

const PATHS: Record<string, string> = {
  ServiceAccount: "/api/v1/namespaces/NS/serviceaccounts",
  Service: "/api/v1/namespaces/NS/services",
  Role: "/apis/rbac.authorization.k8s.io/v1/namespaces/NS/roles",
  RoleBinding: "/apis/rbac.authorization.k8s.io/v1/namespaces/NS/rolebindings",
  Deployment: "/apis/apps/v1/namespaces/NS/deployments",
  PodDisruptionBudget: "/apis/policy/v1/namespaces/NS/poddisruptionbudgets",
};

Deno.test("the --mcp-server objects pass a server-side dry run against the Kubernetes API double", async () => {
  const kube = await KubeDouble.start();
  const dir = await Deno.makeTempDir();
  try {
    await kube.writeKubeconfig(`${dir}/config`, { auth: "token" });
    const { connect } = await import("../lib/kube/connection.ts");
    const { parseCommandLine } = await import("../lib/cli.ts");
    const { config } = await parseCommandLine(["--kubeconfig", `${dir}/config`], new Map());
    const { api } = await connect(config);
    assert.ok(api instanceof KubeApi);
    const { objects } = await render(["-n", "default"]);
    for (const object of objects) {
      const path = `${PATHS[object.kind].replace("NS", "default")}/${object.metadata.name}` +
        "?fieldManager=kubeshark-mcp&dryRun=All";
      await api.request("PATCH", path, {
        body: object,
        contentType: "application/apply-patch+yaml",
      });
    }
    assert.deepEqual(
      kube.dryRuns.map((run) => run.resource),
      [
        "serviceaccounts",
        "roles",
        "rolebindings",
        "services",
        "deployments",
        "poddisruptionbudgets",
      ],
    );
    // A dry run stores nothing.
    assert.equal(
      await api.get("/apis/apps/v1/namespaces/default/deployments/kubeshark-mcp"),
      undefined,
    );
  } finally {
    await kube.down();
    await Deno.remove(dir, { recursive: true });
  }
});
