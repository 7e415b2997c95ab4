// False positives of the shipped recommendation (detect: "flex-insights-hipaa") through the engine: 100,000
// realistic events of test/support/phi-corpus.js (TaskRouter callbacks, TaskAttributes as a string and as an
// object, and Event Streams CloudEvents) whose kept values hold no PHI: Twilio SIDs, epoch and ISO timestamps
// at exempted paths, durations, counters, queue names, ids, versions, near-misses such as "ticket 555-1234".
// Their dropped fields do hold PHI. Zero hits, in both builds; and without the exemptions the same events do
// hit (the exemptions, not an idle detector, make the zero).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compilePolicy, createFilter } from "../dist/index.js";
import { presetPolicy } from "../dist/policy/presets.js";
import { iterateCleanEvents } from "./support/phi-corpus.js";

const SEED = 0xc1ea4;
const COUNT = 100_000;
const BATCH = 2000;

/**
 * Filters the clean events, batch by batch as they are generated (the corpus is 216 MB: holding it would
 * inflate this test process, and with it the peak RSS that other tests read from the children it forks),
 * with `filters[preset]` for each build. Returns the hits, as text, and the events seen per build.
 */
async function scanCorpus(filtersFor) {
  const filters = new Map();
  const hits = [];
  const events = new Map();
  const pending = new Map();
  const decoder = new TextDecoder();
  const flush = async (preset) => {
    const lines = pending.get(preset);
    if (!lines?.length) return;
    const batch = new TextEncoder().encode(lines.join("\n") + "\n");
    pending.set(preset, []);
    if (!filters.has(preset)) filters.set(preset, await filtersFor(preset));
    for (const [variant, filter] of filters.get(preset)) {
      const r = filter.filterBatch(batch, { view: true });
      events.set(variant, (events.get(variant) ?? 0) + r.events);
      assert.is(r.rejected.length, 0);
      for (const d of r.detections ?? []) hits.push(`${variant} ${preset}: ${d.detector} at ${d.path}: ${d.count}`);
    }
  };
  for (const e of iterateCleanEvents(SEED, COUNT)) {
    if (!pending.has(e.preset)) pending.set(e.preset, []);
    pending.get(e.preset).push(decoder.decode(e.bytes));
    if (pending.get(e.preset).length === BATCH) await flush(e.preset);
  }
  for (const preset of [...pending.keys()]) await flush(preset);
  return { hits, events };
}

const recommended = (preset) => compilePolicy({ ...presetPolicy(preset).spec, detect: { use: "flex-insights-hipaa", action: "count" } });

test("zero hits, both builds: the recommendation on 100,000 clean events of both presets", async () => {
  const seenPresets = new Set();
  const { hits, events } = await scanCorpus(async (preset) => {
    seenPresets.add(preset);
    const policy = recommended(preset);
    return new Map([["simd", await createFilter(policy, { variant: "simd" })], ["scalar", await createFilter(policy, { variant: "scalar" })]]);
  });
  assert.equal([...seenPresets].sort(), ["flex-insights-hipaa", "flex-insights-hipaa-eventstreams"]);
  assert.equal(Object.fromEntries(events), { simd: COUNT, scalar: COUNT });
  assert.equal(hits, [], hits.join("\n"));
});

test("the exemptions are what make it zero: all detectors everywhere hit timestamps and links", async () => {
  const lines = [];
  for (const e of iterateCleanEvents(SEED, 500, { only: "flex-insights-hipaa" })) lines.push(new TextDecoder().decode(e.bytes));
  const filter = await createFilter(compilePolicy({ ...presetPolicy("flex-insights-hipaa").spec, detect: { action: "count" } }));
  const found = new Set((filter.filterBatch(new TextEncoder().encode(lines.join("\n"))).detections ?? []).map((d) => d.detector));
  assert.ok(found.has("date") && found.has("url"), [...found].join(", "));
  // and the recommendation's own filter finds nothing in them
  const recommendedFilter = await createFilter(recommended("flex-insights-hipaa"));
  assert.is(recommendedFilter.filterBatch(new TextEncoder().encode(lines.join("\n"))).detections, undefined);
});

test.run();
