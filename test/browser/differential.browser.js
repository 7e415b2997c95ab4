// Differential in Chromium: generated TaskRouter-like events, valid and mutated as in
// test/differential.test.js, through the SIMD and scalar builds in the page (filterBatch on
// NDJSON batches with blank lines and CRLF, and filterEvent on every event) must give exactly
// what the same builds give in Node: the same output bytes, counts, rejection codes and offsets.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compilePolicy, createFilter } from "../../dist/index.js";
import { EVENT_POLICY, buildBatch, generateEvents, mulberry32, mutate } from "../support/events.js";
import { haveChromium, withPage, toBase64 } from "./support/chromium.js";
import { FUZZ_KEEP, fuzzEvents } from "../support/phi-fuzz.js";

const SEED = 0xb40e5;
const N_VALID = 1200;
const N_MUTATED = 1800;
const BATCH_SIZE = 150;

const valid = generateEvents(SEED, N_VALID).map((e) => e.bytes);
const mutationRng = mulberry32(SEED + 1);
const mutated = Array.from({ length: N_MUTATED }, (_, i) => mutate(valid[i % N_VALID], mutationRng));
const events = [...valid, ...mutated];
const batchRng = mulberry32(SEED + 2);
const batches = [];
for (let b = 0; b < events.length; b += BATCH_SIZE) batches.push(buildBatch(events.slice(b, b + BATCH_SIZE), batchRng).bytes);

const single = (r) => (r.ok ? { ok: true, output: toBase64(r.output) } : { ok: false, code: r.code, offset: r.offset });

/** What Node's build gives, in the page's shape. */
async function inNode(variant, spec = EVENT_POLICY, sent = batches, one = events) {
  const filter = await createFilter(compilePolicy(spec, "differential"), { variant });
  const results = sent.map((b) => {
    const r = filter.filterBatch(b);
    return { output: toBase64(r.output), lines: r.lines, events: r.events, kept: r.kept, empty: r.empty, rejected: r.rejected, detections: r.detections };
  });
  return { variant: filter.variant, results, singles: one.map((e) => single(filter.filterEvent(e))) };
}

// PHI detection in the page: fuzz events dense with near-PHI (test/support/phi-fuzz.js), every action.
const fuzz = fuzzEvents(0xb40e6, 600).map((e) => e.bytes);
const fuzzBatches = [];
for (let b = 0; b < fuzz.length; b += BATCH_SIZE) fuzzBatches.push(buildBatch(fuzz.slice(b, b + BATCH_SIZE), batchRng).bytes);
const MRN = { name: "mrn", pattern: "MRN[-: #]?\\d{6,10}", ignoreCase: true };

if (haveChromium(test)) {
  test(`differential: ${N_VALID} valid and ${N_MUTATED} mutated events, SIMD and scalar in Chromium, identical to Node`, async () => {
    const expected = { simd: await inNode("simd"), scalar: await inNode("scalar") };
    // Both outcomes are exercised, or the comparison proves little.
    const rejected = expected.scalar.results.reduce((n, r) => n + r.rejected.length, 0);
    assert.ok(rejected > N_MUTATED / 10 && rejected < N_MUTATED, `rejected ${rejected}`);
    const sent = batches.map(toBase64);
    const singles = events.map(toBase64);
    await withPage(async (page) => {
      for (const variant of ["simd", "scalar"]) {
        const got = await page.evaluate(([v, s, b, e]) => window.harness.batches(v, s, b, e), [variant, EVENT_POLICY, sent, singles]);
        const want = expected[variant];
        assert.is(got.variant, variant);
        assert.is(got.results.length, batches.length);
        got.results.forEach((r, i) => assert.equal(r, want.results[i], `${variant}: batch #${i}`));
        assert.is(got.singles.length, events.length);
        got.singles.forEach((r, i) => assert.equal(r, want.singles[i], `${variant}: filterEvent of event #${i}`));
      }
    });
  });
}

if (haveChromium(test)) {
  test("detection: fuzz events with PHI-like values, reject, redact and count, SIMD and scalar in Chromium, identical to Node", async () => {
    const sent = fuzzBatches.map(toBase64);
    const singles = fuzz.map(toBase64);
    await withPage(async (page) => {
      for (const action of ["reject", "redact", "count"]) {
        const spec = { ...FUZZ_KEEP, detect: { action, patterns: [MRN] } };
        for (const variant of ["simd", "scalar"]) {
          const want = await inNode(variant, spec, fuzzBatches, fuzz);
          assert.ok(want.results.some((r) => (r.detections ?? []).length > 0), "the fuzz hits");
          const got = await page.evaluate(([v, s, b, e]) => window.harness.batches(v, s, b, e), [variant, spec, sent, singles]);
          got.results.forEach((r, i) => assert.equal(r, want.results[i], `${action} ${variant}: batch #${i}`));
          got.singles.forEach((r, i) => assert.equal(r, want.singles[i], `${action} ${variant}: filterEvent #${i}`));
        }
      }
    });
  });
}

test.run();
