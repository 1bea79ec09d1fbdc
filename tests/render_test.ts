/**
 * `kubeshark-mcp render`: golden output for a few value sets, and invariants over every object.
 * Regenerate the golden files with UPDATE_GOLDEN=1 deno test -A tests/render_test.ts (and read the
 * diff: it is the change in what start_kubeshark would apply).
 */
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { type Manifest, renderRelease } from "../lib/kube/manifests/mod.ts";
import { applySet } from "../lib/set_values.ts";
import { runMain } from "./support/spawn.ts";

const GOLDEN = new URL("./golden/", import.meta.url).pathname;

function render(args: string[]) {
  return runMain(["render", ...args]);
}

const CASES: [string, string[]][] = [
  ["default", []],
  ["namespace-and-targets", [
    "-n",
    "kubeshark-system",
    "--set",
    "tap.namespaces={shop,payments}",
    "--set",
    "tap.regex=checkout.*",
  ]],
  ["cli-auth-and-ingress", [
    "--set",
    "tap.auth.cli.enabled=true",
    "--set",
    "tap.ingress.enabled=true",
    "--set",
    "tap.ingress.host=ks.example.com",
  ]],
  ["unprivileged-pinned", [
    "--set",
    "tap.securityContext.privileged=false",
    "--set",
    "tap.docker.tag=v53.2",
    "--set",
    "tap.tls=false",
  ]],
];

for (const [name, args] of CASES) {
  Deno.test(`render matches its golden file: ${name}`, async () => {
    const { code, stdout, stderr } = await render(args);
    assert.equal(code, 0, stderr);
    const path = `${GOLDEN}${name}.yaml`;
    if (Deno.env.get("UPDATE_GOLDEN") === "1") await Deno.writeTextFile(path, stdout);
    assert.equal(stdout, await Deno.readTextFile(path));
  });
}

Deno.test("render prints the chart's 21 default objects as parseable YAML", async () => {
  const { code, stdout } = await render([]);
  assert.equal(code, 0);
  const objects = parseAllDocuments(stdout).map((doc) => doc.toJSON()).filter(Boolean);
  assert.equal(objects.length, 21);
  assert.ok(objects.every((o) => o.apiVersion && o.kind && o.metadata?.name));
});

Deno.test("render refuses values whose objects it does not build yet, and unknown keys", async () => {
  const unsupported = await render(["--set", "tap.persistentStorage=true"]);
  assert.equal(unsupported.code, 2);
  assert.match(unsupported.stderr, /tap\.persistentStorage is not supported/);
  assert.equal(unsupported.stdout, "");
  const unknown = await render(["--set", "tap.regexx=.*"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /did you mean "tap\.regex"/);
});

function objects(sets: string[] = [], namespace = "ks"): Manifest[] {
  const overrides = {};
  for (const set of sets) applySet(overrides, set);
  return renderRelease(overrides, namespace);
}

function podTemplates(all: Manifest[]) {
  return all.filter((o) => o.spec?.template?.spec).map((o) => ({ owner: o, pod: o.spec.template }));
}

for (
  const sets of [[], [
    "tap.auth.cli.enabled=true",
    "tap.ingress.enabled=true",
    "tap.auth.enabled=true",
  ]]
) {
  const label = sets.length ? "with auth and ingress" : "by default";
  Deno.test(`invariants ${label}: selectors select their pods`, () => {
    const all = objects(sets);
    for (const { owner, pod } of podTemplates(all)) {
      for (const [k, v] of Object.entries(owner.spec.selector.matchLabels)) {
        assert.equal(pod.metadata.labels[k], v, `${owner.metadata.name} selector ${k}`);
      }
    }
    for (const service of all.filter((o) => o.kind === "Service")) {
      const selected = podTemplates(all).filter(({ pod }) =>
        Object.entries(service.spec.selector).every(([k, v]) => pod.metadata.labels[k] === v)
      );
      assert.equal(
        selected.length,
        1,
        `Service ${service.metadata.name} selects ${selected.length} workloads`,
      );
    }
  });

  Deno.test(`invariants ${label}: probes and Service targets point at ports the pods serve`, () => {
    const all = objects(sets);
    const served = (pod: Manifest["spec"]) => {
      const names = pod.spec.containers.map((c: { name: string }) => c.name);
      // hub and front listen on 8080; the sniffer on tap.proxy.worker.srvPort and the metrics port.
      if (names.includes("hub")) return [8080, 9100];
      if (names.includes("kubeshark-front")) return [8080];
      return [48999, 49100];
    };
    for (const { owner, pod } of podTemplates(all)) {
      for (const container of pod.spec.containers) {
        for (const probe of [container.readinessProbe, container.livenessProbe].filter(Boolean)) {
          assert.ok(
            served(pod).includes(probe.tcpSocket.port),
            `${owner.metadata.name}/${container.name} probe`,
          );
        }
      }
    }
    for (const service of all.filter((o) => o.kind === "Service")) {
      const { pod } = podTemplates(all).find(({ pod }) =>
        Object.entries(service.spec.selector).every(([k, v]) => pod.metadata.labels[k] === v)
      )!;
      for (const port of service.spec.ports) {
        assert.ok(
          served(pod).includes(port.targetPort),
          `${service.metadata.name} → ${port.targetPort}`,
        );
      }
    }
  });

  Deno.test(`invariants ${label}: RBAC subjects and pods use the release's ServiceAccount`, () => {
    const all = objects(sets);
    const accounts = all.filter((o) => o.kind === "ServiceAccount").map((o) => o.metadata.name);
    for (const binding of all.filter((o) => o.kind.endsWith("Binding"))) {
      for (
        const subject of binding.subjects.filter((s: { kind: string }) =>
          s.kind === "ServiceAccount"
        )
      ) {
        assert.ok(accounts.includes(subject.name), `${binding.metadata.name} → ${subject.name}`);
      }
      assert.ok(
        all.some((o) =>
          o.kind === binding.roleRef.kind && o.metadata.name === binding.roleRef.name
        ),
      );
    }
    for (const { pod } of podTemplates(all)) {
      assert.ok(accounts.includes(pod.spec.serviceAccountName));
    }
  });

  Deno.test(`invariants ${label}: every object carries the release labels and a DNS-1123 name`, () => {
    for (const object of objects(sets)) {
      assert.equal(object.metadata.labels["app.kubernetes.io/instance"], "kubeshark");
      assert.equal(object.metadata.labels["app.kubernetes.io/managed-by"], "kubeshark-mcp");
      assert.match(object.metadata.name, /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
      assert.ok(object.metadata.name.length <= 63);
    }
  });
}

/** The kubernetes-models class validating an object of this apiVersion/kind. */
async function modelFor(object: Manifest) {
  const [group, version] = object.apiVersion.includes("/")
    ? object.apiVersion.split("/")
    : ["", object.apiVersion];
  const path = group ? `${group}/${version}/${object.kind}` : `${version}/${object.kind}`;
  const module = await import(`kubernetes-models/${path}`);
  return module[object.kind] as new (data: unknown) => { validate(): void };
}

for (
  const sets of [[], [
    "tap.auth.cli.enabled=true",
    "tap.auth.cli.subjects[0].kind=User",
    "tap.auth.cli.subjects[0].name=alice",
    "tap.ingress.enabled=true",
    "tap.auth.enabled=true",
    "tap.securityContext.privileged=false",
    "tap.dns.nameservers={1.1.1.1}",
    "tap.priorityClass=high",
  ]]
) {
  Deno.test(`every rendered object passes the Kubernetes OpenAPI schema (${sets.length ? "many options" : "defaults"})`, async () => {
    for (const object of objects(sets)) {
      const Model = await modelFor(object);
      try {
        new Model(object).validate();
      } catch (error) {
        assert.fail(`${object.kind}/${object.metadata.name}: ${(error as Error).message}`);
      }
    }
  });
}

Deno.test("the schema check can fail: a wrongly typed field is caught", async () => {
  const [deployment] = objects().filter((o) => o.kind === "Deployment");
  const Model = await modelFor(deployment);
  assert.throws(
    () => new Model({ ...deployment, spec: { ...deployment.spec, replicas: "one" } }).validate(),
    /replicas/,
  );
});
