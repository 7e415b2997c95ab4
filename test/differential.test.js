// Differential tests: the WASM engine (every build) against the plain-JS reference filter (test/support/reference.js)
// on thousands of generated TaskRouter-like events, valid and randomly mutated; and the builds against each other.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compilePolicy, createFilter, REJECT_CODES } from "../dist/index.js";
import { EVENT_POLICY, buildBatch, generateEvents, mulberry32, mutate } from "./support/events.js";
import { normalizeEmbedded, referenceFilter } from "./support/reference.js";
import { duplicateKey, stringsIn } from "./support/json-check.js";
import { VARIANTS } from "./support/harness.js";

const SEED = 0x51e7e;
const N_VALID = 3000;
const N_MUTATED = 4000;
const BATCH_SIZE = 150;

const policy = compilePolicy(EVENT_POLICY, "test/support/events.js");
const valid = generateEvents(SEED, N_VALID);
const validRef = valid.map((e) => referenceFilter(EVENT_POLICY, e.bytes));
const mutationRng = mulberry32(SEED + 1);
const mutated = Array.from({ length: N_MUTATED }, (_, i) => {
  const from = i % N_VALID;
  return { from, bytes: mutate(valid[from].bytes, mutationRng) };
});
const mutatedRef = mutated.map((m) => referenceFilter(EVENT_POLICY, m.bytes));

const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const filters = new Map();
async function filterFor(variant) {
  if (!filters.has(variant)) filters.set(variant, await createFilter(policy, { variant }));
  return filters.get(variant);
}

const hasPhi = (v) => {
  for (const s of stringsIn(v)) if (s.includes("PHI-")) return true;
  return false;
};

/** Insignificant whitespace outside strings? */
const notMinified = (text) => /[ \t\r\n]/.test(text.replace(/"(?:[^"\\]|\\.)*"/g, '""'));

/**
 * Check one accepted output: UTF-8, valid JSON, minified, no repeated key (embedded documents included),
 * no PHI marker, and the same value as the reference (embeddedJson strings compared as parsed documents).
 */
function checkAccepted(where, out, ref, markers) {
  let text;
  let value;
  try {
    text = fatal.decode(out);
  } catch {
    assert.unreachable(`${where}: output is not UTF-8`);
  }
  try {
    value = JSON.parse(text);
  } catch {
    assert.unreachable(`${where}: output is not JSON: ${text}`);
  }
  assert.ok(value !== null && typeof value === "object" && !Array.isArray(value), `${where}: output is not an object`);
  assert.not.ok(notMinified(text), `${where}: output not minified: ${text}`);
  assert.is(duplicateKey(text), null, `${where}: repeated key in output ${text}`);
  const inner = [];
  const got = normalizeEmbedded(EVENT_POLICY, value, (s) => inner.push(s));
  for (const s of inner) {
    let ok = true;
    try {
      JSON.parse(s);
    } catch {
      ok = false;
    }
    assert.ok(ok, `${where}: embedded output is not JSON: ${s}`);
    assert.not.ok(notMinified(s), `${where}: embedded output not minified: ${s}`);
    assert.is(duplicateKey(s), null, `${where}: repeated key in embedded output ${s}`);
  }
  assert.ok(ref.ok, `${where}: the reference rejects (${ref.why}) but the engine accepted: ${text}`);
  const want = normalizeEmbedded(EVENT_POLICY, ref.value);
  if (!hasPhi(want)) {
    for (const m of markers) assert.not.ok(text.includes(m), `${where}: PHI marker ${m} in output`);
    assert.not.ok(hasPhi(got), `${where}: PHI marker in output ${text}`);
  }
  assert.equal(got, want, `${where}: engine and reference disagree`);
}

function checkRejection(where, code, offset, length) {
  assert.ok(REJECT_CODES.includes(code) && code !== "OK", `${where}: bad code ${code}`);
  assert.ok(Number.isInteger(offset) && offset >= 0 && offset <= length, `${where}: bad offset ${offset} (length ${length})`);
}

/** Run a batch; return per event { ok, output } or { ok: false, code, offset }, in event order. */
function runBatch(filter, eventBytes, rng) {
  const batch = buildBatch(eventBytes, rng);
  const r = filter.filterBatch(batch.bytes);
  assert.is(r.lines, batch.lines, "batch line count");
  assert.is(r.events, eventBytes.length, "batch event count");
  assert.is(r.kept + r.rejected.length, eventBytes.length, "kept + rejected = events");
  const rejected = new Map(r.rejected.map((x) => [x.line, x]));
  assert.is(rejected.size, r.rejected.length, "one rejection per line");
  const lines = [];
  let start = 0;
  for (let i = 0; i < r.output.length; i++) {
    if (r.output[i] === 0x0a) {
      lines.push(r.output.slice(start, i));
      start = i + 1;
    }
  }
  assert.is(start, r.output.length, "batch output ends with LF");
  assert.is(lines.length, r.kept, "one output line per kept event");
  let next = 0;
  return batch.lineOf.map((line) => {
    const x = rejected.get(line);
    if (x) return { ok: false, code: x.code, offset: x.offset };
    return { ok: true, output: lines[next++] };
  });
}

test("generator: events are valid JSON without duplicate keys, and cover the features the differential relies on", () => {
  const seen = { stringAttrs: 0, objectAttrs: 0, escapedKey: 0, whitespace: 0, astral: 0, cjk: 0, markers: 0 };
  valid.forEach((e, i) => {
    const where = `seed ${SEED} valid event #${i}`;
    assert.not.ok(e.text.includes("\n"), `${where}: raw LF in an event`);
    const v = JSON.parse(e.text);
    assert.is(duplicateKey(e.text), null, `${where}: duplicate key`);
    if (typeof v.TaskAttributes === "string") {
      seen.stringAttrs++;
      assert.is(duplicateKey(v.TaskAttributes), null, `${where}: duplicate key in TaskAttributes`);
    } else if (v.TaskAttributes && typeof v.TaskAttributes === "object") seen.objectAttrs++;
    if (/"(?:[^"\\]|\\.)*\\u[0-9a-fA-F]{4}(?:[^"\\]|\\.)*"[ \t\r]*:/.test(e.text)) seen.escapedKey++;
    if (/[{,][ \t\r]+"/.test(e.text)) seen.whitespace++;
    if (/[\u{10000}-\u{10ffff}]/u.test(e.text)) seen.astral++;
    if (/[\u4e00-\u9fff]/.test(e.text)) seen.cjk++;
    if (e.markers.length > 0) seen.markers++;
  });
  for (const [k, n] of Object.entries(seen)) assert.ok(n > N_VALID / 20, `generator covers ${k}: ${n} of ${N_VALID}`);
  const all = valid.map((e) => e.text).join("\n");
  for (const lex of ["-0", "1e5", "1.5E-3", "12345678901234567890123456789", "\\ud83d", "\\/", "\\\\u00"]) {
    assert.ok(all.includes(lex), `generator produces ${lex}`);
  }
});

for (const variant of VARIANTS) {
  test(`differential (${variant}): ${N_VALID} valid events through filterBatch match the reference`, async () => {
    const filter = await filterFor(variant);
    assert.is(filter.variant, variant);
    const rng = mulberry32(SEED + 2);
    for (let b = 0; b < N_VALID; b += BATCH_SIZE) {
      const slice = valid.slice(b, b + BATCH_SIZE);
      const results = runBatch(filter, slice.map((e) => e.bytes), rng);
      results.forEach((r, j) => {
        const i = b + j;
        const where = `seed ${SEED} valid event #${i} (${variant}, filterBatch)`;
        assert.ok(validRef[i].ok, `${where}: generator produced an event the reference rejects (${validRef[i].why})`);
        assert.ok(r.ok, `${where}: rejected ${r.code} at ${r.offset}`);
        checkAccepted(where, r.output, validRef[i], valid[i].markers);
      });
    }
  });

  test(`differential (${variant}): ${N_VALID} valid events through filterEvent match the reference and the batch`, async () => {
    const filter = await filterFor(variant);
    const rng = mulberry32(SEED + 2);
    const batchOut = [];
    for (let b = 0; b < N_VALID; b += BATCH_SIZE) {
      for (const r of runBatch(filter, valid.slice(b, b + BATCH_SIZE).map((e) => e.bytes), rng)) batchOut.push(r.output);
    }
    valid.forEach((e, i) => {
      const where = `seed ${SEED} valid event #${i} (${variant}, filterEvent)`;
      const r = filter.filterEvent(i % 2 ? e.text : e.bytes);
      assert.ok(r.ok, `${where}: rejected ${r.code} at ${r.offset}`);
      checkAccepted(where, r.output, validRef[i], e.markers);
      assert.equal(r.output, batchOut[i], `${where}: filterEvent and filterBatch outputs differ`);
    });
  });

  test(`differential (${variant}): ${N_MUTATED} mutated events are rejected or match the reference`, async () => {
    const filter = await filterFor(variant);
    const single = mutated.map((m) => filter.filterEvent(m.bytes));
    const rng = mulberry32(SEED + 3);
    let accepted = 0;
    let rejected = 0;
    for (let b = 0; b < N_MUTATED; b += BATCH_SIZE) {
      const slice = mutated.slice(b, b + BATCH_SIZE);
      runBatch(filter, slice.map((m) => m.bytes), rng).forEach((r, j) => {
        const i = b + j;
        const where = `seed ${SEED} mutated event #${i} (from valid #${mutated[i].from}, ${variant})`;
        const s = single[i];
        assert.is(s.ok, r.ok, `${where}: filterEvent and filterBatch disagree on acceptance`);
        if (!r.ok) {
          rejected++;
          checkRejection(where, r.code, r.offset, mutated[i].bytes.length);
          assert.equal([s.code, s.offset], [r.code, r.offset], `${where}: filterEvent and filterBatch rejection differ`);
          return;
        }
        accepted++;
        assert.equal(s.output, r.output, `${where}: filterEvent and filterBatch outputs differ`);
        checkAccepted(where, r.output, mutatedRef[i], valid[mutated[i].from].markers);
      });
    }
    // the mutations must exercise both outcomes, or the test proves little
    assert.ok(accepted > N_MUTATED / 10 && rejected > N_MUTATED / 10, `accepted ${accepted}, rejected ${rejected}`);
  });
}

test("differential: every build gives byte-identical output and identical rejections", async () => {
  const [first, ...others] = await Promise.all(VARIANTS.map(filterFor));
  const inputs = [...valid.map((e) => e.bytes), ...mutated.map((m) => m.bytes)];
  inputs.forEach((bytes, i) => {
    const where = `seed ${SEED} input #${i} (${i < N_VALID ? "valid" : "mutated"})`;
    const a = first.filterEvent(bytes);
    for (const other of others) assert.equal(other.filterEvent(bytes), a, `${where}: ${other.variant} and ${first.variant} filterEvent results differ`);
  });
  for (let b = 0; b < inputs.length; b += 500) {
    const batch = buildBatch(inputs.slice(b, b + 500), mulberry32(b)).bytes;
    const x = first.filterBatch(batch);
    for (const other of others) assert.equal(other.filterBatch(batch), x, `batch starting at input #${b}: ${other.variant} and ${first.variant} differ`);
  }
});

test.run();
