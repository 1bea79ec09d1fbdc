/** Helm --set syntax. */
import assert from "node:assert/strict";
import { applySet, getValue } from "../lib/set_values.ts";

Deno.test("dotted keys build nested values, with typed scalars", () => {
  const values = applySet({}, "tap.docker.tag=v53.3");
  applySet(values, "tap.debug=true");
  applySet(values, "tap.resources.limit=512");
  applySet(values, "tap.zero=007");
  applySet(values, "tap.none=null");
  assert.deepEqual(values, {
    tap: {
      docker: { tag: "v53.3" },
      debug: true,
      resources: { limit: 512 },
      zero: "007",
      none: null,
    },
  });
  assert.equal(getValue(values, "tap.docker.tag"), "v53.3");
  assert.equal(getValue(values, "tap.missing.deep"), undefined);
});

Deno.test("commas separate assignments; braces make lists", () => {
  assert.deepEqual(applySet({}, "a=1,b=two"), { a: 1, b: "two" });
  assert.deepEqual(applySet({}, "tap.namespaces={default,shop}"), {
    tap: { namespaces: ["default", "shop"] },
  });
  assert.deepEqual(applySet({}, "list={}"), { list: [] });
});

Deno.test("escaped commas and dots stay in the value or key", () => {
  assert.deepEqual(applySet({}, "tap.regex=a\\,b"), { tap: { regex: "a,b" } });
  assert.deepEqual(applySet({}, "labels.app\\.kubernetes\\.io/name=x"), {
    labels: { "app.kubernetes.io/name": "x" },
  });
});

Deno.test("indexes address list items, padding with nulls as Helm does", () => {
  assert.deepEqual(applySet({}, "tap.items[1]=b"), { tap: { items: [null, "b"] } });
});

Deno.test("a value may contain '='", () => {
  assert.deepEqual(applySet({}, "tap.regex=a=b"), { tap: { regex: "a=b" } });
});

Deno.test("malformed assignments throw a message with an example", () => {
  assert.throws(() => applySet({}, "novalue"), /key=value/);
  assert.throws(() => applySet({}, "=x"), /key=value/);
  assert.throws(() => applySet({}, "a..b=1"), /not a valid key/);
});
