// The engine as it was before issue 7 (bench/engine-before, built to build/before/) as an exact
// oracle: no key memo, embedded documents always decoded. Changes to the walk that must not change
// a single result (key prediction, walking embedded documents in place) are checked against it:
// every build gives the same output bytes, or the same rejection code and offset, in a batch and
// one event per call; the plain-JS reference checks the oracle on what is kept.
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { compilePolicy, createFilter } from "../../dist/index.js";
import { bytes, text, VARIANTS } from "./harness.js";
import { referenceBatch, normalizeEmbedded } from "./reference.js";

const beforeWasm = readFileSync(new URL("../../build/before/simd.wasm", import.meta.url));

/** Filters for `spec`, one per build, and the engine before issue 7 for the same policy. */
export async function againstBefore(spec) {
  const policy = compilePolicy(spec, "engine-before.js");
  const filters = await Promise.all(VARIANTS.map((variant) => createFilter(policy, { variant })));
  const before = await createFilter(policy, { variant: "simd", wasmBytes: beforeWasm });
  return { spec, filters, before };
}

/** The result of each line of a batch: { ok, output } or { ok: false, code, offset }. */
export function perLine(r) {
  const lines = text(r.output).split("\n").slice(0, -1);
  const rejected = new Map(r.rejected.map((x) => [x.line, x]));
  const results = [];
  let next = 0;
  for (let line = 1; line <= r.lines; line++) {
    const x = rejected.get(line);
    results.push(x ? { ok: false, code: x.code, offset: x.offset } : { ok: true, output: lines[next++] });
  }
  return results;
}

const oneResult = (r) => (r.ok ? { ok: true, output: text(r.output) } : { ok: false, code: r.code, offset: r.offset });

/**
 * Events (strings, one per line, no line breaks inside) through every build, as one batch and
 * one per call, must give exactly the engine before's results; returns those results.
 */
export function compareWithBefore({ spec, filters, before }, events, what) {
  const input = bytes(events.join("\n") + "\n");
  const want = perLine(before.filterBatch(input));
  const ref = referenceBatch(spec, input);
  assert.is(ref.length, events.length);
  for (const [i, r] of want.entries()) {
    assert.is(r.ok, ref[i].result.ok, `${what}: line ${i + 1}: engine before and reference disagree (${ref[i].result.why}): ${events[i]}`);
    if (r.ok) assert.equal(normalizeEmbedded(spec, JSON.parse(r.output)), normalizeEmbedded(spec, ref[i].result.value), `${what}: line ${i + 1}`);
  }
  for (const [v, f] of filters.entries()) {
    const got = perLine(f.filterBatch(input));
    for (const [i, r] of got.entries()) assert.equal(r, want[i], `${what}: ${VARIANTS[v]} batch line ${i + 1}: ${events[i]}`);
    for (const [i, e] of events.entries()) {
      assert.equal(oneResult(f.filterEvent(e)), want[i], `${what}: ${VARIANTS[v]} one event ${i + 1}: ${e}`);
    }
  }
  return want;
}
