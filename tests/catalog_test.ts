/** The Hub catalog: how long callers wait for a discovery under way. */
import assert from "node:assert/strict";
import { HubCatalog } from "../lib/hub/catalog.ts";
import type { HubInfo } from "../lib/hub/schemas.ts";
import { Logger } from "../lib/log.ts";

const INFO: HubInfo = {
  name: "hub",
  description: "",
  version: "1",
  tools: [],
  prompts: [],
  skipped: [],
};

/** Resolves with `work`'s value, or fails after `ms` (a bound against hanging, not a figure). */
async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} still waiting after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("a discovery one caller waited out is not waited for again; once it answers, all wait again", async () => {
  const log = new Logger();
  log.setStderrLevel("error");
  let answer: (info: HubInfo) => void = () => {};
  let loads = 0;
  const catalog = new HubCatalog({
    load: () => {
      loads++;
      return new Promise<HubInfo>((resolve) => answer = resolve);
    },
    onChange: () => {},
    log,
  });
  try {
    // The first caller waits its 50 ms and gets nothing.
    assert.equal(await within(catalog.current(50), 5_000, "the first caller"), undefined);
    // The next would wait a minute for the same hung load: it answers at once instead.
    assert.equal(await within(catalog.current(60_000), 5_000, "the second caller"), undefined);
    assert.equal(loads, 1, "the hung load is joined, not repeated");
    // The Hub answers: the cache is fresh, and the next load is waited for again.
    answer(INFO);
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.equal(await within(catalog.current(60_000), 5_000, "a caller after the answer"), INFO);
  } finally {
    catalog.close();
  }
});
