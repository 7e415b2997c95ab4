// Inputs aimed at block and vector boundaries, where a structural index or a 16-byte scan goes wrong
// first: escapes and backslash runs straddling 16- and 64-byte blocks, multibyte characters crossing
// them, invalid UTF-8 at every position of a block, NDJSON lines shorter than a block, and batches
// that end mid-block. Every case runs through every build and must match the plain-JS reference:
// the same kept value, or a rejection on both sides (the builds agreeing on code and offset).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { filtersFor, bytes, text, VARIANTS } from "./support/harness.js";
import { referenceFilter, referenceBatch, normalizeEmbedded } from "./support/reference.js";
import { mulberry32 } from "./support/random.js";

const KEEP = { keep: ["a", "k", "e.k"], embeddedJson: ["e"] };

/** One event through every build and the reference; returns the engine's result. */
async function check(event, what) {
  const results = (await filtersFor(KEEP)).map((f) => {
    const r = f.filterEvent(event);
    return r.ok ? { ok: true, output: text(r.output) } : r;
  });
  for (const [i, r] of results.entries()) assert.equal(r, results[0], `${what}: ${VARIANTS[i]} and ${VARIANTS[0]} disagree`);
  const r = results[0];
  const ref = referenceFilter(KEEP, event);
  if (r.ok) {
    assert.ok(ref.ok, `${what}: kept by the engine, rejected by the reference (${ref.why})`);
    assert.equal(normalizeEmbedded(KEEP, JSON.parse(r.output)), normalizeEmbedded(KEEP, ref.value), `${what}: value`);
  } else {
    assert.not.ok(ref.ok, `${what}: rejected by the engine (${r.code} at ${r.offset}), kept by the reference`);
  }
  return r;
}

const pad = (n) => "x".repeat(n);

test("a run of 0 to 130 backslashes before a quote, at every offset of a 64-byte block", async () => {
  for (let run = 0; run <= 130; run++) {
    for (let shift = 0; shift < 64; shift += run < 20 ? 1 : 7) {
      const event = `{"b":"${pad(shift)}${"\\".repeat(run)}","a":1}`;
      const r = await check(event, `run ${run} shift ${shift}`);
      // An even run is escaped backslashes; an odd one escapes the quote, and the string runs on.
      if (run % 2 === 0) assert.is(r.output, '{"a":1}', `run ${run} shift ${shift}`);
      else assert.not.ok(r.ok, `run ${run} shift ${shift}`);
    }
  }
});

test("backslash runs inside an embedded document, where each escaped quote is itself escaped", async () => {
  for (let run = 0; run <= 66; run++) {
    for (let shift = 0; shift < 48; shift += 5) {
      const inner = JSON.stringify({ z: pad(shift) + "\\".repeat(run), k: "kept" });
      const r = await check(`{"e":${JSON.stringify(inner)}}`, `embedded run ${run} shift ${shift}`);
      assert.is(r.output, '{"e":"{\\"k\\":\\"kept\\"}"}', `embedded run ${run} shift ${shift}`);
    }
  }
});

test("every escape straddling every offset of a 64-byte block", async () => {
  const escapes = ['\\"', "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u00e9", "\\u20ac", "\\ud83d\\ude00", "\\u0000"];
  for (const escape of escapes) {
    for (let shift = 0; shift < 80; shift++) {
      const r = await check(`{"a":"${pad(shift)}${escape}${pad(3)}"}`, `${escape} at ${shift}`);
      assert.ok(r.ok, `${escape} at ${shift}: ${r.code}`);
      assert.is(r.output, `{"a":"${pad(shift)}${escape}${pad(3)}"}`, "kept strings are copied as written");
    }
  }
});

test("multibyte characters crossing 16- and 64-byte boundaries, in kept and dropped strings and in keys", async () => {
  for (const ch of ["é", "€", "😀", "\u{10FFFF}"]) {
    for (let shift = 0; shift < 70; shift++) {
      const s = pad(shift) + ch.repeat(3) + pad(2);
      const r = await check(`{"${s}":1,"b":"${s}","a":"${s}"}`, `${ch} at ${shift}`);
      assert.is(r.output, `{"a":"${s}"}`, `${ch} at ${shift}`);
    }
  }
});

test("invalid UTF-8 at every position of a block is INVALID_UTF8 at that byte, kept or dropped", async () => {
  const bad = [[0xff], [0xc0, 0xaf], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80]];
  for (const seq of bad) {
    for (const key of ["a", "b"]) {
      for (let at = 0; at < 70; at++) {
        const prefix = `{"${key}":"${pad(at)}`;
        const event = bytes(prefix, seq, `${pad(5)}"}`);
        const r = await check(event, `${seq} in ${key} at ${at}`);
        assert.is(r.code, "INVALID_UTF8", `${seq} in ${key} at ${at}`);
        assert.is(r.offset, prefix.length, `${seq} in ${key} at ${at}: offset`);
      }
    }
  }
});

test("control characters at every position of a block are CONTROL_CHARACTER at that byte", async () => {
  for (const c of [0x00, 0x01, 0x0a, 0x1f]) {
    for (let at = 0; at < 70; at++) {
      const prefix = `{"b":"${pad(at)}`;
      const r = await check(bytes(prefix, [c], 'y"}'), `0x${c.toString(16)} at ${at}`);
      assert.equal([r.code, r.offset], ["CONTROL_CHARACTER", prefix.length], `0x${c.toString(16)} at ${at}`);
    }
  }
});

/** Random short lines, a few of them malformed, joined with LF or CR LF, maybe no final line end. */
function shortLines(rng, count) {
  const lines = [];
  for (let i = 0; i < count; i++) {
    const len = Math.floor(rng() * 40);
    let line = rng() < 0.1 ? "" : `{"a":"${pad(len)}"${rng() < 0.5 ? ',"b":[1,{"k":2}]' : ""}}`;
    if (rng() < 0.08 && line.length > 2) line = line.slice(0, Math.floor(rng() * line.length)); // cut short
    if (rng() < 0.05) line = " \t";
    lines.push(line);
  }
  return lines;
}

test("batches of lines shorter than a block, ending mid-block, match the reference line by line", async () => {
  const rng = mulberry32(64);
  for (let round = 0; round < 300; round++) {
    const lines = shortLines(rng, 1 + Math.floor(rng() * 12));
    const sep = rng() < 0.3 ? "\r\n" : "\n";
    const input = bytes(lines.join(sep) + (rng() < 0.5 ? sep : ""));
    const results = (await filtersFor(KEEP)).map((f) => f.filterBatch(input));
    for (const [i, r] of results.entries()) assert.equal(r, results[0], `round ${round}: ${VARIANTS[i]} differs`);
    const expected = referenceBatch(KEEP, input);
    const r = results[0];
    assert.is(r.events, expected.length, `round ${round}: events`);
    assert.equal(r.rejected.map((x) => x.line), expected.filter((e) => !e.result.ok).map((e) => e.line), `round ${round}: rejected lines`);
    const kept = text(r.output).split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l));
    assert.equal(kept, expected.filter((e) => e.result.ok).map((e) => e.result.value), `round ${round}: kept values`);
  }
});

test.run();
