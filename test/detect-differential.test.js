// Detection differential: the engine (every build) against the plain-JS reference (test/support/reference.js
// with test/support/detectors-reference.js), on fuzz events dense with near-PHI in plain, escaped and embedded
// strings, in every action; and detection set to count leaves the output of the main differential corpus as is.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compilePolicy, createFilter } from "../dist/index.js";
import { referenceFilter, normalizeEmbedded } from "./support/reference.js";
import { FUZZ_KEEP, fuzzEvents } from "./support/phi-fuzz.js";
import { EVENT_POLICY, generateEvents } from "./support/events.js";
import { VARIANTS } from "./support/harness.js";

const SEED = 0xde7ec7;
const N = 2500;
const BATCH = 200;
// Made when the suite starts, not at import (uvu imports every file first; a large test process inflates
// the peak RSS the CLI tests read from the children it forks).
let events;
test.before(() => {
  events = fuzzEvents(SEED, N);
});
const decoder = new TextDecoder();

const MRN = { name: "mrn", pattern: "MRN[-: #]?\\d{6,10}", ignoreCase: true };
const SPECS = {
  count: { ...FUZZ_KEEP, detect: { action: "count", patterns: [MRN] } },
  redact: { ...FUZZ_KEEP, detect: { action: "redact", patterns: [MRN] } },
  reject: { ...FUZZ_KEEP, detect: { action: "reject", patterns: [MRN] } },
  // paths, exemptions (plain and per detector), bareSsn, numbers off
  scoped: {
    ...FUZZ_KEEP,
    detect: {
      action: "redact",
      detectors: ["ssn", "phone", "date", "url", "email"],
      paths: ["TaskAttributes", "Note"],
      exempt: ["TaskAttributes.conversations.case", { path: "TaskAttributes.conversations.date", detectors: ["date"] },
        { path: "TaskAttributes.recordings", detectors: ["url", "phone"] }],
      bareSsn: ["Note", "TaskAttributes.conversations.content"],
      numbers: false,
    },
  },
};

/** Detections as comparable sorted strings: "path|detector|count". */
const detectionKeys = (list) => (list ?? []).map((d) => `${d.path}|${d.detector}|${d.count}`).sort();

/** Splits a batch's output into its lines. */
function outputLines(output) {
  return decoder.decode(output).split("\n").slice(0, -1);
}

for (const [name, spec] of Object.entries(SPECS)) {
  const policy = compilePolicy(spec, `detect spec ${name}`);
  let reference;

  test(`reference (${name}): the fuzz reaches hits and misses`, () => {
    reference = events.map((e) => referenceFilter(spec, e.bytes));
    const hits = reference.filter((r) => (r.detections ?? []).length > 0 || r.code === "PHI_DETECTED").length;
    assert.ok(hits > N / 5 && hits < N - N / 20, `${hits} of ${N} events with hits`);
    assert.ok(reference.every((r) => r.ok || r.code === "PHI_DETECTED"), "fuzz events are valid JSON");
  });

  for (const variant of VARIANTS) {
    test(`detection differential (${name}, ${variant}): ${N} fuzz events, batch and single, match the reference`, async () => {
      const filter = await createFilter(policy, { variant });
      for (let b = 0; b < N; b += BATCH) {
        const slice = events.slice(b, b + BATCH);
        const joined = new TextEncoder().encode(slice.map((e) => e.text).join("\n"));
        const result = filter.filterBatch(joined);
        const lines = outputLines(result.output);
        const rejected = new Map(result.rejected.map((r) => [r.line, r]));
        let next = 0;
        const expected = [];
        slice.forEach((e, j) => {
          const i = b + j;
          const where = `fuzz event #${i} (${name}, ${variant}): ${e.text}`;
          const ref = reference[i];
          const single = filter.filterEvent(e.bytes);
          const got = rejected.get(j + 1);
          if (!ref.ok) {
            assert.ok(got, `${where}: kept, the reference rejects (${ref.why})`);
            assert.equal([got.code, got.detector, got.path], ["PHI_DETECTED", ref.detector, ref.path], `${where}: rejection`);
            assert.equal([single.ok, single.code, single.detector, single.path], [false, "PHI_DETECTED", ref.detector, ref.path], `${where}: filterEvent`);
            assert.ok(got.offset >= 0 && got.offset < e.bytes.length, `${where}: offset ${got.offset}`);
          } else {
            assert.not.ok(got, `${where}: rejected ${got?.code} ${got?.detector ?? ""}`);
            const line = lines[next++];
            const want = normalizeEmbedded(spec, ref.value);
            assert.equal(normalizeEmbedded(spec, JSON.parse(line)), want, `${where}: output`);
            assert.ok(single.ok, `${where}: filterEvent rejected`);
            assert.is(decoder.decode(single.output), line, `${where}: filterEvent output`);
            assert.equal(detectionKeys(single.detections), detectionKeys(ref.detections), `${where}: filterEvent detections`);
          }
          expected.push(...(ref.detections ?? []));
        });
        assert.is(next, lines.length, "one output line per kept event");
        // The batch's counts are the sum of its events' (reject: the one value that rejected each event).
        const sum = new Map();
        for (const d of expected) sum.set(`${d.path}|${d.detector}`, (sum.get(`${d.path}|${d.detector}`) ?? 0) + d.count);
        assert.equal(detectionKeys(result.detections), [...sum].map(([k, n]) => `${k}|${n}`).sort(), `batch ${b}: detections`);
        for (const d of result.detections ?? []) assert.equal([d.policy, d.action], [policy.name, spec.detect.action]);
      }
    });
  }
}

// The engine rules most values out with a 16-byte-block summary before any detector looks
// (assembly/detect/builtins.ts): every example placed at every offset across two blocks, after
// word bytes, spaces or nothing, must still be found exactly as the reference finds it.
const MATCHING = ["(212) 555-1234", "+4420794609581", "jane.doe@example.com", "123-45-6789", "1/5/1980", "2026-12-06T20:12:36Z",
  "10.0.0.1", "fe80::1", "1::2", "https://x", "www.example.org", "4111 1111 1111 1111", "378282246310005", "MRN-0048291", "2125551234"];
test("the prefilter hides no match: examples at every offset of two blocks, both builds", async () => {
  const spec = { keep: ["v"], detect: { action: "count", patterns: [MRN] } };
  const values = [];
  for (const example of MATCHING) {
    for (let k = 0; k <= 34; k++) {
      for (const filler of ["x", " ", "-", "é"]) {
        const prefix = k === 0 ? "" : filler.repeat(k - 1) + " ";
        values.push(prefix + example, prefix + example + " tail", example + " ".repeat(k) + ".");
      }
    }
  }
  const lines = values.map((v) => JSON.stringify({ v }));
  const expected = lines.map((line) => referenceFilter(spec, new TextEncoder().encode(line)).detections.map((d) => d.detector).sort());
  // ("fe80::1." is no IPv6 address: a '.' may not follow one; all but a few hold a match)
  assert.ok(expected.filter((d) => d.length > 0).length > values.length * 0.95, "the values hold matches");
  for (const variant of VARIANTS) {
    const filter = await createFilter(compilePolicy(spec), { variant });
    lines.forEach((line, i) => {
      const got = (filter.filterEvent(line).detections ?? []).map((d) => d.detector).sort();
      assert.equal(got, expected[i], `${variant}: ${line}`);
    });
  }
});

// An event's hits are logged until it ends well (assembly/detect/counts.ts); more than the log holds
// (1,024) are counted by walking the event again. A walk in place of an embedded document that steps
// aside later takes its hits back. Each way, the counts must be exact, and a rejected event counts none.
test("counts are exact: past the event log, across a walk in place that steps aside, none for a rejected event", async () => {
  const spec = { keep: ["a", "T.x"], embeddedJson: ["T"], detect: { action: "count", detectors: ["phone", "email"] } };
  const many = (k) => Array.from({ length: k }, (_, i) => `"call 212-555-${String(1000 + (i % 9000)).padStart(4, "0")}"`).join(",");
  const inner = (k, tail) => JSON.stringify(JSON.stringify({ x: [many(k)].map((m) => JSON.parse(`[${m}]`))[0], y: tail }));
  const cases = [
    `{"a":[${many(1500)}]}`, // past the log, raw
    `{"a":[${many(10)}],"T":${inner(1200, "ok")}}`, // past the log, inside an embedded document walked in place
    // the outer encoder's "\/" after the hits makes the walk in place step aside (in-place.ts): its 5 hits are taken back
    `{"T":${inner(5, "a/b").replace("a/b", "a\\/b")},"a":"x@example.com"}`,
    `{"a":[${many(20)}],"b":tru}`, // malformed after its hits: rejected, counts nothing
  ];
  for (const variant of VARIANTS) {
    const filter = await createFilter(compilePolicy(spec), { variant });
    for (const event of cases) {
      const ref = referenceFilter(spec, new TextEncoder().encode(event));
      const got = filter.filterEvent(event);
      assert.is(got.ok, ref.ok, `${variant}: ${event.slice(0, 80)}`);
      if (got.ok) assert.equal(detectionKeys(got.detections), detectionKeys(ref.detections), `${variant}: ${event.slice(0, 80)}`);
      const batch = filter.filterBatch(new TextEncoder().encode(`${event}\n{"a":"212-555-0100"}\n`));
      const want = [...(ref.ok ? ref.detections : []), { path: "a", detector: "phone", count: 1 }];
      const sum = new Map();
      for (const d of want) sum.set(`${d.path}|${d.detector}`, (sum.get(`${d.path}|${d.detector}`) ?? 0) + d.count);
      assert.equal(detectionKeys(batch.detections), [...sum].map(([k, n]) => `${k}|${n}`).sort(), `${variant} batch: ${event.slice(0, 80)}`);
    }
  }
});

test("count changes no output: the main differential corpus through EVENT_POLICY with and without detection", async () => {
  const valid = generateEvents(0x51e7e, 1500);
  const joined = new TextEncoder().encode(valid.map((e) => e.text).join("\n"));
  for (const variant of VARIANTS) {
    const plain = await createFilter(compilePolicy(EVENT_POLICY), { variant });
    const counting = await createFilter(compilePolicy({ ...EVENT_POLICY, detect: { action: "count" } }), { variant });
    const a = plain.filterBatch(joined);
    const b = counting.filterBatch(joined);
    assert.equal(b.output, a.output, `${variant}: outputs differ`);
    assert.equal(b.rejected, a.rejected, `${variant}: rejections differ`);
  }
});

test.run();
