// Recall of the detectors through the engine, on the corpus of test/support/phi-corpus.js: 400 events per
// detector, each with one PHI value planted in a preserved attribute of the flex-insights-hipaa preset (phones,
// emails, SSNs, dates of birth, IP addresses, URLs, card numbers, and MRNs for a custom pattern), written plain,
// with JSON escapes, inside the embedded TaskAttributes document, and both. With the shipped recommendation and
// "reject", each must be rejected naming its own detector and path: at least 99% per detector, every miss
// listed. Redaction must leave none of the planted values in the output.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compilePolicy, createFilter } from "../dist/index.js";
import { presetPolicy } from "../dist/policy/presets.js";
import { MRN_PATTERN, PLANT_DETECTORS, plantedEvents } from "./support/phi-corpus.js";

const SEED = 0x9ec411;
const PER_DETECTOR = 400;
// Made when the suite starts, not at import (uvu imports every file first; a large test process inflates
// the peak RSS the CLI tests read from the children it forks).
let planted;
let batch;
test.before(() => {
  planted = plantedEvents(SEED, PER_DETECTOR);
  batch = new TextEncoder().encode(planted.map((e) => new TextDecoder().decode(e.bytes)).join("\n") + "\n");
});
const preset = presetPolicy("flex-insights-hipaa").spec;
const detect = (action) => ({ use: "flex-insights-hipaa", patterns: [MRN_PATTERN], action });
const decoder = new TextDecoder();

/** Recall per detector: { detector: { caught, total, misses: [...] } }. */
function recall(rejections) {
  const byLine = new Map(rejections.map((r) => [r.line, r]));
  const out = Object.fromEntries(PLANT_DETECTORS.map((d) => [d, { caught: 0, total: 0, misses: [] }]));
  planted.forEach((e, i) => {
    const r = byLine.get(i + 1);
    const tally = out[e.detector];
    tally.total++;
    if (r && r.code === "PHI_DETECTED" && r.detector === e.detector && r.path === e.path) tally.caught++;
    else tally.misses.push(`line ${i + 1} (${e.form}, ${e.path}): ${JSON.stringify(e.value)} -> ${r ? `${r.code} ${r.detector} ${r.path}` : "kept"}`);
  });
  return out;
}

test("the corpus: 400 events per detector, in four forms, at many preserved attributes", () => {
  assert.is(planted.length, PER_DETECTOR * PLANT_DETECTORS.length);
  for (const form of ["plain", "escaped", "embedded", "embedded-escaped"]) {
    assert.ok(planted.filter((e) => e.form === form).length >= planted.length / 5, form);
  }
  assert.ok(new Set(planted.map((e) => e.path)).size > 20);
  assert.ok(planted.some((e) => e.json === "number"), "some values are JSON numbers");
});

for (const variant of ["simd", "scalar", "debug"]) {
  test(`recall (${variant}): at least 99% of every detector's plants rejected, naming detector and path`, async () => {
    const filter = await createFilter(compilePolicy({ ...preset, detect: detect("reject") }), { variant });
    const result = filter.filterBatch(batch);
    const tallies = recall(result.rejected);
    const report = Object.entries(tallies).map(([d, t]) => `${d} ${t.caught}/${t.total}`).join(", ");
    if (variant === "simd") console.log(`  recall: ${report}`);
    for (const [detector, t] of Object.entries(tallies)) {
      assert.ok(t.caught >= 0.99 * t.total, `${variant} ${detector}: ${t.caught}/${t.total} (${report})\n${t.misses.join("\n")}`);
    }
    // Nothing else was rejected, nothing planted was kept.
    assert.is(result.kept + result.rejected.length, planted.length);
  });
}

test("redact: no planted value survives in the output; count: every plant counted at its path", async () => {
  const redacting = await createFilter(compilePolicy({ ...preset, detect: detect("redact") }));
  const redacted = redacting.filterBatch(batch);
  assert.is(redacted.kept, planted.length);
  const lines = decoder.decode(redacted.output).split("\n");
  planted.forEach((e, i) => {
    const text = lines[i];
    assert.not.ok(text.includes(e.phi) || JSON.stringify(text).includes(JSON.stringify(e.phi).slice(1, -1)), `line ${i + 1}: ${e.phi} survived`);
    assert.ok(text.includes(`[${e.detector}]`), `line ${i + 1}: no [${e.detector}] placeholder`);
  });
  const counting = await createFilter(compilePolicy({ ...preset, detect: detect("count") }));
  const counted = counting.filterBatch(batch);
  const plain = (await createFilter(compilePolicy(preset))).filterBatch(batch);
  assert.equal(counted.output, plain.output, "count keeps every value as it is");
  const totals = {};
  for (const d of counted.detections) totals[d.detector] = (totals[d.detector] ?? 0) + d.count;
  for (const d of PLANT_DETECTORS) assert.ok(totals[d] >= 0.99 * PER_DETECTOR, `${d}: ${totals[d]}`);
});

test.run();
