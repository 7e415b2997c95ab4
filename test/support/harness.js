// Helpers for the rule tests: run one input through EVERY build (simd, scalar, debug) and assert exact results.
// Every expectation is also checked against the reference filter, so the oracle is tested on the same cases.
import * as assert from "uvu/assert";
import { compilePolicy, createFilter } from "../../dist/index.js";
import { normalizeEmbedded, referenceFilter } from "./reference.js";

export const VARIANTS = ["simd", "scalar", "debug"];
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Concatenate strings (UTF-8) and byte arrays into one Uint8Array. */
export function bytes(...parts) {
  const chunks = parts.map((p) => (typeof p === "string" ? encoder.encode(p) : Uint8Array.from(p)));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

export const text = (b) => decoder.decode(b);
export const asBytes = (x) => (typeof x === "string" ? encoder.encode(x) : x);

const cache = new Map();
/** Filters for a policy spec and limits, one per variant (cached). */
export async function filtersFor(spec, limits = {}) {
  const key = JSON.stringify([spec, limits]);
  if (!cache.has(key)) {
    const policy = compilePolicy({ name: "rule test", ...spec }, "rule-test.json");
    const fs = [];
    for (const variant of VARIANTS) {
      const f = await createFilter(policy, { ...limits, variant });
      assert.is(f.variant, variant);
      fs.push(f);
    }
    cache.set(key, fs);
  }
  return cache.get(key);
}

const show = (input) => JSON.stringify(typeof input === "string" ? input : Array.from(input));

/** The event is kept, and the output is exactly `expected` (every build); the reference agrees on the value. */
export async function expectOut(spec, input, expected, limits = {}) {
  for (const f of await filtersFor(spec, limits)) {
    const r = f.filterEvent(input);
    assert.ok(r.ok, `${f.variant}: ${show(input)} rejected with ${r.code} at ${r.offset}; expected ${expected}`);
    assert.is(text(r.output), expected, `${f.variant}: output of ${show(input)}`);
  }
  const ref = referenceFilter(spec, asBytes(input), limits);
  assert.ok(ref.ok, `reference rejects ${show(input)} (${ref.why})`);
  assert.equal(normalizeEmbedded(spec, ref.value), normalizeEmbedded(spec, JSON.parse(expected)), `reference value of ${show(input)}`);
}

/**
 * The event is rejected with `code` (every build, same offset); `offset` is a number or an inclusive [lo, hi]
 * range, or undefined to only require an integer offset within the event. The reference rejects too.
 * `code` may be an array of acceptable codes where the contract leaves the choice open.
 */
export async function expectReject(spec, input, code, offset, limits = {}) {
  const results = [];
  for (const f of await filtersFor(spec, limits)) {
    const r = f.filterEvent(input);
    assert.not.ok(r.ok, `${f.variant}: ${show(input)} accepted as ${r.ok && text(r.output)}; expected ${code}`);
    if (Array.isArray(code)) assert.ok(code.includes(r.code), `${f.variant}: ${show(input)}: code ${r.code}, expected one of ${code}`);
    else assert.is(r.code, code, `${f.variant}: code for ${show(input)}`);
    const len = asBytes(input).length;
    assert.ok(Number.isInteger(r.offset) && r.offset >= 0 && r.offset <= len, `${f.variant}: offset ${r.offset} outside the event`);
    if (typeof offset === "number") assert.is(r.offset, offset, `${f.variant}: offset for ${show(input)}`);
    else if (Array.isArray(offset)) {
      assert.ok(r.offset >= offset[0] && r.offset <= offset[1], `${f.variant}: offset ${r.offset} for ${show(input)}, expected ${offset[0]}..${offset[1]}`);
    }
    assert.equal(Object.keys(r).sort(), ["code", "offset", "ok"], "a rejection carries ok, code, offset only");
    results.push(r);
  }
  for (const [i, r] of results.entries()) assert.equal(r, results[0], `${VARIANTS[i]} and ${VARIANTS[0]} reject identically`);
  const ref = referenceFilter(spec, asBytes(input), limits);
  assert.not.ok(ref.ok, `reference accepts ${show(input)}`);
  return results[0];
}

/** Run a batch through every build; assert they agree and return the simd result. */
export async function batch(spec, input, limits = {}) {
  const [first, ...others] = (await filtersFor(spec, limits)).map((f) => f.filterBatch(asBytes(input)));
  for (const [i, r] of others.entries()) assert.equal(r, first, `${VARIANTS[i + 1]} and ${VARIANTS[0]} batch results differ`);
  return first;
}
