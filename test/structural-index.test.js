// The stage-1 kernel measured by the bench (bench/stage1, built to build/stage1/; README, "One
// pass, not two: measured") against the byte-at-a-time reference, on both builds, so that
// its figure is the figure of a kernel that does the whole job. What it must do:
//   - a document that is lexically valid JSON text: exactly the reference's entries;
//   - invalid UTF-8 anywhere, or a lexical error inside a string before any bad atom: refused (-1);
//   - after a bad atom (where a stage 2 stops) anything may follow: refused, or entries whose
//     prefix up to that atom is the reference's.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { referenceIndex } from "./support/structural-reference.js";
import { generateEvents, mutate } from "./support/events.js";
import { mulberry32 } from "./support/random.js";

const encoder = new TextEncoder();
const KERNELS = await Promise.all(["simd", "scalar"].map(async (variant) => {
  const bytes = readFileSync(new URL(`../build/stage1/${variant}.wasm`, import.meta.url));
  const { instance } = await WebAssembly.instantiate(bytes, { env: { abort() { throw new Error("abort"); } } });
  return { variant, exports: instance.exports };
}));

/** The kernel's index of `doc`: its entries, or null when it refuses the document. */
function kernelIndex({ exports: k }, doc) {
  const at = k.reserve(doc.length);
  new Uint8Array(k.memory.buffer, at, doc.length).set(doc);
  // Garbage after the document: the kernel must not read it as part of the document.
  new Uint8Array(k.memory.buffer, at + doc.length + 1, 63).fill(0x22);
  const count = k.indexDocument(0, doc.length);
  if (count < 0) return null;
  const index = new Uint32Array(k.memory.buffer, k.indexAddress(), count + 1);
  assert.is(index[count], doc.length, "the entry after the last is the document's length");
  return Array.from(index.subarray(0, count));
}

function check(doc, what) {
  const bytes = typeof doc === "string" ? encoder.encode(doc) : doc;
  const ref = referenceIndex(bytes);
  for (const kernel of KERNELS) {
    const got = kernelIndex(kernel, bytes);
    const label = `${what} (${kernel.variant})`;
    const badAtomFirst = ref.badAtom >= 0 && (ref.lexical < 0 || ref.entries[ref.badAtom] < ref.lexical);
    if (!ref.utf8) assert.is(got, null, `${label}: invalid UTF-8 must be refused`);
    else if (badAtomFirst) {
      if (got !== null) {
        assert.equal(got.slice(0, ref.badAtom + 1), ref.entries.slice(0, ref.badAtom + 1), `${label}: entries up to the bad atom`);
      }
    } else if (ref.lexical >= 0) assert.is(got, null, `${label}: lexical error at ${ref.lexical} must be refused`);
    else assert.equal(got, ref.entries, `${label}: entries`);
  }
  return ref;
}

const pad = (n) => "x".repeat(n);

test("generated events, minified and with whitespace, and their mutations", () => {
  const rng = mulberry32(7);
  for (const e of generateEvents(11, 400)) {
    check(e.bytes, "event");
    check(JSON.stringify(JSON.parse(e.text), null, 2).replace(/\n/g, "\r\n"), "pretty event");
    for (let m = 0; m < 8; m++) check(mutate(e.bytes, rng), "mutated event");
  }
});

test("a run of 0 to 130 backslashes before a quote, at every offset of a block", () => {
  for (let run = 0; run <= 130; run++) {
    for (let shift = 0; shift < 64; shift += run < 20 ? 1 : 3) {
      const ref = check(`{"b":"${pad(shift)}${"\\".repeat(run)}","a":1}`, `run ${run} shift ${shift}`);
      assert.is(ref.lexical < 0, run % 2 === 0, "the reference: an odd run escapes the quote");
    }
  }
});

test("every escape, and bad ones, straddling every offset of a block", () => {
  const escapes = ['\\"', "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u00e9", "\\uD83D\\uDE00",
    "\\x", "\\u12", "\\uD83D", "\\uDE00", "\\uD83Dx", "\\uD83D\\u0041", "\\ud83d\\\\ude00", "\\'", "\\\u0000"];
  for (const escape of escapes) {
    for (let shift = 0; shift < 70; shift++) check(`{"a":"${pad(shift)}${escape}${pad(3)}"}`, `${escape} at ${shift}`);
  }
});

test("multibyte characters crossing every offset, and invalid UTF-8 at every position of a block", () => {
  const chars = ["é", "€", "😀", "\u{10ffff}"];
  const invalid = [[0x80], [0xc0, 0x80], [0xc2], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80],
    [0xf5, 0x80, 0x80, 0x80], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xff]];
  for (let shift = 0; shift < 130; shift++) {
    for (const c of chars) check(`{"a":"${pad(shift)}${c}${c}"}`, `${c} at ${shift}`);
    for (const bad of invalid) {
      const head = encoder.encode(`{"a":"${pad(shift)}`);
      const doc = new Uint8Array([...head, ...bad, ...encoder.encode('x"}')]);
      check(doc, `invalid ${bad} at ${shift}`);
      check(doc.subarray(0, head.length + bad.length), `invalid ${bad} ending the document at ${shift}`);
    }
  }
});

test("documents of every length up to three blocks, cut anywhere and ending mid-block", () => {
  const full = '{"a":[1,-2.5e3,true,false,null,{"b":"c\\"d"}],"e":"\\u00e9 \\n"}';
  const long = `${full.slice(0, -1)},"f":"${pad(100)}"}`;
  for (const doc of [full, long]) {
    for (let n = 0; n <= doc.length; n++) check(doc.slice(0, n), `cut at ${n}`);
  }
  for (let n = 0; n < 200; n++) check(`{"a":"${pad(n)}"}`, `length ${n + 8}`);
});

test("bad atoms: text outside strings that is not JSON", () => {
  for (const doc of ['{"a":tru}', '{"a":1x}', '{\\"a":1}', '{"a":1\\"b":2}', '{"a":nul"l"}', '{"a":\u0001}', '{"a":é}', "{'a':1}"]) {
    const ref = check(doc, doc);
    assert.ok(ref.badAtom >= 0, `the reference sees a bad atom in ${doc}`);
  }
});

test("the bench batch shapes: every line indexed, none refused", async () => {
  const { SHAPES, shapeBatch } = await import("../bench/shapes.js");
  for (const shape of SHAPES) {
    const batch = shapeBatch(shape, 1 << 16);
    for (const kernel of KERNELS) {
      const k = kernel.exports;
      const at = k.reserve(batch.bytes.length);
      new Uint8Array(k.memory.buffer, at, batch.bytes.length).set(batch.bytes);
      const entries = k.indexLines(batch.bytes.length);
      assert.is(k.refusedLines.value, 0, `${shape.name} ${kernel.variant}: refused lines`);
      const want = new TextDecoder().decode(batch.bytes).split("\n").filter(Boolean)
        .reduce((n, line) => n + referenceIndex(encoder.encode(line)).entries.length, 0);
      assert.is(entries, want, `${shape.name} ${kernel.variant}: entries`);
    }
  }
});

test.run();
