/** The chart's values: defaults, --set overrides, unknown keys with suggestions. */
import assert from "node:assert/strict";
import {
  CHART_VERSION,
  DEFAULT_VALUES,
  knownKeys,
  resolveValues,
} from "../lib/kube/manifests/values.ts";
import { applySet } from "../lib/set_values.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

Deno.test("the defaults are chart 53.3.0's", () => {
  assert.equal(CHART_VERSION, "53.3.0");
  const tap = (DEFAULT_VALUES as Any).tap;
  assert.equal(tap.docker.registry, "docker.io/kubeshark");
  assert.equal(tap.regex, ".*");
  assert.deepEqual(tap.namespaces, []);
  assert.equal(tap.release.namespace, "default");
  assert.equal(tap.auth.cli.enabled, false);
  assert.equal((DEFAULT_VALUES as Any).headless, false);
});

Deno.test("--set overrides merge into the defaults without touching them", () => {
  const values = resolveValues(
    applySet({}, "tap.namespaces={shop,payments},tap.regex=checkout.*,headless=true"),
  ) as Any;
  assert.deepEqual(values.tap.namespaces, ["shop", "payments"]);
  assert.equal(values.tap.regex, "checkout.*");
  assert.equal(values.headless, true);
  assert.equal(values.tap.docker.registry, "docker.io/kubeshark");
  assert.deepEqual((DEFAULT_VALUES as Any).tap.namespaces, []);
});

Deno.test("open maps take any key (labels, annotations)", () => {
  const values = resolveValues(
    applySet({}, "tap.labels.team=payments,tap.annotations.owner=me"),
  ) as Any;
  assert.deepEqual(values.tap.labels, { team: "payments" });
});

Deno.test("an unknown key is refused with the closest valid keys", () => {
  assert.throws(
    () => resolveValues(applySet({}, "tap.docker.tagg=v1")),
    /unknown value "tap\.docker\.tagg"; did you mean "tap\.docker\.tag"/,
  );
  assert.throws(
    () => resolveValues(applySet({}, "tap.namspaces={a}")),
    /did you mean "tap\.namespaces"/,
  );
  assert.throws(() => resolveValues(applySet({}, "taps.x=1")), /did you mean "tap"/);
  assert.throws(
    () => resolveValues(applySet({}, "zzzz=1")),
    /unknown value "zzzz" \(chart 53\.3\.0\)/,
  );
});

Deno.test("every key the CLI reads is known", () => {
  const keys = new Set(knownKeys());
  for (
    const key of [
      "license",
      "kube.context",
      "kube.configPath",
      "tap.release.namespace",
      "tap.auth.cli.enabled",
      "tap.ingress.enabled",
      "headless",
    ]
  ) {
    assert.ok(keys.has(key), key);
  }
});
