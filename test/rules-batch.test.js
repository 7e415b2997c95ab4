// Batch (NDJSON) rules and the filter object's API: every build, exact bytes and counts.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compilePolicy, createFilter } from "../dist/index.js";
import { asBytes, batch, bytes, filtersFor, text } from "./support/harness.js";

const KEEP_A = { keep: ["a"] };

test("batch: each kept event is output minified and followed by LF; counts are reported", async () => {
  const r = await batch(KEEP_A, '{ "a" : 1 , "b" : 2 }\n{"b":3}\n{"a":[ 4 ]}\n');
  assert.is(text(r.output), '{"a":1}\n{}\n{"a":[4]}\n');
  assert.equal([r.lines, r.events, r.kept, r.rejected], [3, 3, 3, []]);
});

test("batch: a CR right before LF is dropped", async () => {
  const r = await batch(KEEP_A, '{"a":1}\r\n{"a":2}\r\n');
  assert.is(text(r.output), '{"a":1}\n{"a":2}\n');
  assert.equal([r.lines, r.events, r.kept], [2, 2, 2]);
});

test("batch: a CR before LF does not count towards maxEventBytes", async () => {
  const ev = `{"a":"${"x".repeat(24)}"}`; // 32 bytes
  const r = await batch(KEEP_A, `${ev}\r\n${ev}x\r\n`, { maxEventBytes: 32 });
  assert.is(text(r.output), `${ev}\n`);
  assert.equal(r.rejected.map((x) => [x.line, x.code]), [[2, "TOO_LARGE"]]);
});

test("batch: blank lines (empty, spaces/tabs, CR) are skipped, not events, but counted as lines", async () => {
  const r = await batch(KEEP_A, '\n  \t\n\r\n{"a":1}\n\t\n{"a":2}\n\n');
  assert.is(text(r.output), '{"a":1}\n{"a":2}\n');
  assert.equal([r.lines, r.events, r.kept, r.rejected], [7, 2, 2, []]);
});

test("batch: a final line without LF is an event", async () => {
  const r = await batch(KEEP_A, '{"a":1}\n{"a":2}');
  assert.is(text(r.output), '{"a":1}\n{"a":2}\n');
  assert.equal([r.lines, r.events, r.kept], [2, 2, 2]);
  const one = await batch(KEEP_A, '{"a":3}');
  assert.is(text(one.output), '{"a":3}\n');
  assert.equal([one.lines, one.events, one.kept], [1, 1, 1]);
});

test("batch: an empty batch has no lines and no output", async () => {
  const r = await batch(KEEP_A, "");
  assert.equal([r.output.length, r.lines, r.events, r.kept, r.rejected], [0, 0, 0, 0, []]);
});

test("batch: rejected events are left out; Rejection has the 1-based line (blank lines counted), code, offset in the line", async () => {
  const r = await batch(KEEP_A, '{"a":1}\n\n{"a":1,}\n{"a":2}\r\n[3]\n{"a":4} x\n{"a":5}');
  assert.is(text(r.output), '{"a":1}\n{"a":2}\n{"a":5}\n');
  assert.equal([r.lines, r.events, r.kept], [7, 6, 3]);
  assert.equal(r.rejected, [
    { line: 3, code: "UNEXPECTED_BYTE", offset: 7 },
    { line: 5, code: "NOT_AN_OBJECT", offset: 0 },
    { line: 6, code: "TRAILING_BYTES", offset: 8 },
  ]);
});

test("batch: a leading BOM is ignored on every line", async () => {
  const BOM = [0xef, 0xbb, 0xbf];
  const r = await batch(KEEP_A, bytes(BOM, '{"a":1}\n', BOM, '{"a":2,"b":0}\r\n', BOM, '{"a":3}'));
  assert.is(text(r.output), '{"a":1}\n{"a":2}\n{"a":3}\n');
  assert.equal([r.events, r.kept], [3, 3]);
});

test("batch: events may be much longer than one block and many per call", async () => {
  const big = `{"b":"${"y".repeat(100000)}","a":"${"é".repeat(5000)}"}`;
  const lines = [];
  for (let i = 0; i < 2000; i++) lines.push(i % 500 === 7 ? big : `{"a":${i},"b":"${"z".repeat(i % 37)}"}`);
  const r = await batch(KEEP_A, lines.join("\n"));
  const want = lines.map((l, i) => (i % 500 === 7 ? `{"a":"${"é".repeat(5000)}"}` : `{"a":${i}}`)).join("\n") + "\n";
  assert.ok(text(r.output) === want, "large batch output");
  assert.equal([r.lines, r.events, r.kept], [2000, 2000, 2000]);
});

test("batch: the output is a copy, unchanged by later calls", async () => {
  const [f] = await filtersFor(KEEP_A);
  const first = f.filterBatch(new TextEncoder().encode('{"a":"first"}\n'));
  const firstEvent = f.filterEvent('{"a":"one"}');
  f.filterBatch(new TextEncoder().encode(`{"a":"${"x".repeat(1 << 20)}"}\n`.repeat(3)));
  f.filterEvent(`{"a":"${"w".repeat(1 << 20)}"}`);
  assert.is(text(first.output), '{"a":"first"}\n');
  assert.is(text(firstEvent.output), '{"a":"one"}');
});

test("filterEvent and filterBatch give the same bytes for the same event", async () => {
  for (const f of await filtersFor({ keep: ["a.b", "c"] })) {
    const ev = '{ "c":[1, 2],"a":[{"b":"x","d":1}],"e":0 }';
    const one = f.filterEvent(ev);
    const many = f.filterBatch(new TextEncoder().encode(ev + "\n"));
    assert.is(text(many.output), `${text(one.output)}\n`);
  }
});

test("createFilter: limits default to maxDepth 64 and maxEventBytes 16 MiB, and are reported", async () => {
  const policy = compilePolicy(KEEP_A, "t");
  const f = await createFilter(policy);
  assert.equal(f.limits, { maxDepth: 64, maxEventBytes: 16 << 20 });
  assert.ok(f.variant === "simd" || f.variant === "scalar");
  const g = await createFilter(policy, { maxDepth: 7, maxEventBytes: 1000, variant: "scalar" });
  assert.equal(g.limits, { maxDepth: 7, maxEventBytes: 1000 });
  assert.is(g.variant, "scalar");
  const h = await createFilter(policy, { variant: "simd" });
  assert.is(h.variant, "simd");
  const auto = await createFilter(policy, { variant: "auto" });
  assert.ok(auto.variant === "simd" || auto.variant === "scalar");
});

/** filterEvent and a one-line filterBatch of the same bytes, for every build: they must agree. */
async function bothApis(input, limits = {}) {
  const results = [];
  for (const f of await filtersFor(KEEP_A, limits)) {
    const one = f.filterEvent(input);
    const many = f.filterBatch(asBytes(input));
    if (one.ok) {
      assert.equal(many.rejected, [], `${f.variant}: filterBatch rejects what filterEvent keeps`);
      assert.is(text(many.output), `${text(one.output)}\n`, f.variant);
    } else {
      assert.equal(many.rejected, [{ line: 1, code: one.code, offset: one.offset }], `${f.variant}: the two APIs disagree`);
    }
    results.push(one);
  }
  return results[0];
}

test("one rule for both APIs: a line holding only a BOM is an event, which ends where the BOM does", async () => {
  const BOM = [0xef, 0xbb, 0xbf];
  assert.equal(await bothApis(bytes(BOM)), { ok: false, code: "UNEXPECTED_END", offset: 3 });
  assert.equal(await bothApis(bytes(BOM, " \t")), { ok: false, code: "UNEXPECTED_END", offset: 5 });
  const r = await batch(KEEP_A, bytes('{"a":1}\n', BOM, "\r\n", '{"a":2}\n'));
  assert.is(r.events, 3);
  assert.equal(r.rejected, [{ line: 2, code: "UNEXPECTED_END", offset: 3 }]);
});

test("one rule for both APIs: a CR at the very end of the input, with no LF, is part of the event", async () => {
  // Only CR LF is a line end: a final lone CR is whitespace after the event, or a control
  // character inside a string, and it counts towards maxEventBytes, in both APIs.
  assert.is(text((await bothApis('{"a":1}\r')).output), '{"a":1}');
  assert.equal(await bothApis('{"a":"x\r'), { ok: false, code: "CONTROL_CHARACTER", offset: 7 });
  assert.equal(await bothApis('{"a":\r'), { ok: false, code: "UNEXPECTED_END", offset: 6 });
  assert.equal(await bothApis('{"a":12}\r', { maxEventBytes: 8 }), { ok: false, code: "TOO_LARGE", offset: 8 });
  const r = await batch(KEEP_A, '{"a":1}\n{"a":2}\r');
  assert.is(text(r.output), '{"a":1}\n{"a":2}\n');
  assert.is(r.lines, 2);
});

test.run();
