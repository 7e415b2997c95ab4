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

/** The clean events as NDJSON batches per preset. */
function batches() {
  const byPreset = new Map();
  let pending = new Map();
  const flush = (preset) => {
    const lines = pending.get(preset);
    if (!lines?.length) return;
    if (!byPreset.has(preset)) byPreset.set(preset, []);
    byPreset.get(preset).push(new TextEncoder().encode(lines.join("\n") + "\n"));
    pending.set(preset, []);
  };
  const decoder = new TextDecoder();
  for (const e of iterateCleanEvents(SEED, COUNT)) {
    if (!pending.has(e.preset)) pending.set(e.preset, []);
    pending.get(e.preset).push(decoder.decode(e.bytes));
    if (pending.get(e.preset).length === BATCH) flush(e.preset);
  }
  for (const preset of pending.keys()) flush(preset);
  return byPreset;
}

const corpus = batches();

test("the corpus: 100,000 events over both presets", () => {
  assert.equal([...corpus.keys()].sort(), ["flex-insights-hipaa", "flex-insights-hipaa-eventstreams"]);
  let events = 0;
  for (const list of corpus.values()) for (const b of list) events += b.reduce((n, c) => n + (c === 0x0a ? 1 : 0), 0);
  assert.is(events, COUNT);
});

for (const variant of ["simd", "scalar"]) {
  test(`zero hits (${variant}): the recommendation on 100,000 clean events`, async () => {
    let events = 0;
    const hits = [];
    for (const [preset, list] of corpus) {
      const filter = await createFilter(compilePolicy({ ...presetPolicy(preset).spec, detect: { use: "flex-insights-hipaa", action: "count" } }), { variant });
      for (const b of list) {
        const r = filter.filterBatch(b, { view: true });
        events += r.events;
        assert.is(r.rejected.length, 0);
        for (const d of r.detections ?? []) hits.push(`${preset}: ${d.detector} at ${d.path}: ${d.count}`);
      }
    }
    assert.is(events, COUNT);
    assert.equal(hits, [], hits.join("\n"));
  });
}

test("the exemptions are what make it zero: all detectors everywhere hit timestamps and links", async () => {
  const [preset, list] = [...corpus][0];
  const filter = await createFilter(compilePolicy({ ...presetPolicy(preset).spec, detect: { action: "count" } }));
  const found = new Set();
  for (const d of filter.filterBatch(list[0]).detections ?? []) found.add(d.detector);
  assert.ok(found.has("date") && found.has("url"), [...found].join(", "));
});

test.run();
