// Validation rules: every rejection reason with its code and offset (every build). Most errors are placed in
// parts of the event the policy drops: validation covers the whole event.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bytes, expectOut, expectReject } from "./support/harness.js";

const KEEP_A = { keep: ["a"] };
const at = (s, sub, from = 0) => {
  const i = s.indexOf(sub, from);
  if (i < 0) throw new Error(`test bug: ${sub} not in ${s}`);
  return new TextEncoder().encode(s.slice(0, i)).length;
};

test("UNEXPECTED_END: input ending inside a value", async () => {
  for (const s of ['{"a":1', '{"a":', '{"a"', "{", '{"a":"xy', '{"b":[1,2', '{"b":{"c":-', '{"a":1,"b":"\\']) {
    await expectReject(KEEP_A, s, "UNEXPECTED_END", s.length);
  }
});

test("UNEXPECTED_END: input ending inside a literal (true/false/null)", async () => {
  for (const s of ['{"b":{"c":tru', '{"b":fals', '{"b":n']) {
    await expectReject(KEEP_A, s, "UNEXPECTED_END", [s.lastIndexOf(":") + 1, s.length]);
  }
});

test("UNEXPECTED_BYTE: a byte the grammar does not allow here", async () => {
  const cases = [
    ['{"a":1,}', "}"],
    ['{"b":[1,]}', "]"],
    ['{"a" 1}', "1"],
    ["{a:1}", "a"],
    ["{'a':1}", "'"],
    ['{"a":1 "b":2}', '"b'],
    ['{"b":tru}', "tru"],
    ['{"b":nul,"a":1}', "nul"],
    ['{"b":[1 2],"a":1}', "2"],
    ['{"a":1,,"b":2}', ",,"],
    ['{"b":+1,"a":1}', "+"],
    ['{"b":.5,"a":1}', "."],
  ];
  for (const [s, sub] of cases) {
    const o = at(s, sub, 1);
    // the offset points at the offending byte (or, for a broken literal, into its lexeme)
    await expectReject(KEEP_A, s, "UNEXPECTED_BYTE", sub === "tru" || sub === "nul" ? [o, o + 3] : sub === ",," ? o + 1 : o);
  }
});

test("INVALID_NUMBER: lexemes RFC 8259 does not allow (leading zero, lone '-', '1.', '1e')", async () => {
  for (const n of ["01", "-", "-01", "1.", "1.e5", "1e", "1e+", "1E-", "-a", "00", "1.5e"]) {
    const s = `{"b":${n},"a":1}`;
    await expectReject(KEEP_A, s, "INVALID_NUMBER", [5, 5 + n.length]);
  }
});

test("INVALID_ESCAPE: unknown escapes and bad \\u hex digits, in values and keys", async () => {
  for (const e of ["\\x", "\\U0041", "\\u12G4", "\\u-123", "\\'", "\\a", "\\0", "\\u00e"]) {
    const s = `{"b":"q${e}q","a":1}`;
    await expectReject(KEEP_A, s, "INVALID_ESCAPE", [6, 6 + e.length]);
    const k = `{"q${e}":1,"a":1}`;
    await expectReject(KEEP_A, k, "INVALID_ESCAPE", [2, 2 + e.length]);
  }
});

test("CONTROL_CHARACTER: a raw byte < 0x20 inside a string (value or key)", async () => {
  for (const c of [0x00, 0x01, 0x09, 0x0a, 0x0d, 0x1f]) {
    await expectReject(KEEP_A, bytes('{"b":"x', [c], 'y","a":1}'), "CONTROL_CHARACTER", 7);
    await expectReject(KEEP_A, bytes('{"k', [c], '":1,"a":1}'), "CONTROL_CHARACTER", 3);
    await expectReject(KEEP_A, bytes('{"a":"', [c], '"}'), "CONTROL_CHARACTER", 6);
  }
  // DEL (0x7f) is not a control character for JSON
  await expectOut(KEEP_A, '{"a":"x\u007fy"}', '{"a":"x\u007fy"}');
});

test("INVALID_UTF8: overlong encodings", async () => {
  for (const seq of [[0xc0, 0xaf], [0xc1, 0xbf], [0xe0, 0x80, 0xaf], [0xe0, 0x9f, 0xbf], [0xf0, 0x80, 0x80, 0xaf], [0xf0, 0x8f, 0xbf, 0xbf]]) {
    await expectReject(KEEP_A, bytes('{"b":"x', seq, 'y","a":1}'), "INVALID_UTF8", [7, 7 + seq.length]);
  }
});

test("INVALID_UTF8: surrogates U+D800-DFFF encoded in UTF-8", async () => {
  for (const seq of [[0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]]) {
    await expectReject(KEEP_A, bytes('{"b":"x', seq, 'y","a":1}'), "INVALID_UTF8", [7, 10]);
  }
});

test("INVALID_UTF8: code points above U+10FFFF", async () => {
  for (const seq of [[0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xf7, 0xbf, 0xbf, 0xbf], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xff], [0xfe]]) {
    await expectReject(KEEP_A, bytes('{"b":"x', seq, 'y","a":1}'), "INVALID_UTF8", [7, 7 + seq.length]);
  }
});

test("INVALID_UTF8: truncated sequences and stray continuation bytes", async () => {
  for (const seq of [[0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0x80], [0xbf], [0xc3, 0xc3, 0xa9]]) {
    await expectReject(KEEP_A, bytes('{"b":"x', seq, 'y","a":1}'), "INVALID_UTF8", [7, 7 + seq.length]);
    await expectReject(KEEP_A, bytes('{"b":"x', seq, '","a":1}'), "INVALID_UTF8", [7, 7 + seq.length]);
  }
  // truncated right at the end of the input: invalid UTF-8 or unexpected end, both are rejections
  await expectReject(KEEP_A, bytes('{"a":"x', [0xe2, 0x82]), ["INVALID_UTF8", "UNEXPECTED_END"], [7, 9]);
});

test("INVALID_UTF8 in keys is rejected too", async () => {
  await expectReject(KEEP_A, bytes('{"k', [0xc0, 0x80], '":1,"a":1}'), "INVALID_UTF8", [3, 5]);
  await expectReject(KEEP_A, bytes('{"k', [0xed, 0xa0, 0x80], '":1,"a":1}'), "INVALID_UTF8", [3, 6]);
});

test("valid UTF-8 of every length is accepted and copied as is (boundaries included)", async () => {
  const s = "\u0080\u07ff\u0800\uffff\u{10000}\u{10ffff}\ud7ff\ue000é東😀";
  await expectOut(KEEP_A, `{"a":"${s}","b":"${s}"}`, `{"a":"${s}"}`);
});

test("LONE_SURROGATE: surrogate escapes not forming a pair", async () => {
  const cases = ["\\ud800", "\\udc00", "\\uDBFF", "\\ud800\\u0041", "\\ud800x", "\\udc00\\ud800", "\\ud800\\ud800", "\\ud800\\n"];
  for (const e of cases) {
    await expectReject(KEEP_A, `{"b":"q${e}q","a":1}`, "LONE_SURROGATE", [6, 6 + e.length]);
    await expectReject(KEEP_A, `{"a":"${e}"}`, "LONE_SURROGATE", [6, 6 + e.length]);
    await expectReject(KEEP_A, `{"k${e}":1,"a":1}`, "LONE_SURROGATE", [3, 3 + e.length]);
  }
});

test("valid surrogate pair escapes are accepted and kept byte-identical", async () => {
  await expectOut(KEEP_A, '{"a":"\\ud83d\\ude00 \\uD834\\uDD1E \\udbff\\udfff","b":"\\ud800\\udc00"}', '{"a":"\\ud83d\\ude00 \\uD834\\uDD1E \\udbff\\udfff"}');
});

test("NOT_AN_OBJECT: the top level must be an object", async () => {
  for (const s of ["[1]", '"x"', "1", "null", "true", "[]", '[{"a":1}]']) {
    await expectReject(KEEP_A, s, "NOT_AN_OBJECT", 0);
  }
  await expectReject(KEEP_A, ' \t["a"]', "NOT_AN_OBJECT", [0, 2]);
});

test("TRAILING_BYTES: non-whitespace after the top-level object", async () => {
  await expectReject(KEEP_A, '{"a":1} x', "TRAILING_BYTES", 8);
  await expectReject(KEEP_A, '{"a":1}{}', "TRAILING_BYTES", 7);
  await expectReject(KEEP_A, '{"a":1}}', "TRAILING_BYTES", 7);
  await expectReject(KEEP_A, '{"a":1},', "TRAILING_BYTES", 7);
  await expectReject(KEEP_A, bytes('{"a":1}', [0]), "TRAILING_BYTES", 7);
  // trailing whitespace is fine
  await expectOut(KEEP_A, '{"a":1} \t\r ', '{"a":1}');
});

/** `n` levels: object at depth 1, then alternating arrays and objects. */
function nested(n, inDroppedPart) {
  let inner = "1";
  for (let d = n; d >= 2; d--) inner = d % 2 ? `{"k":${inner}}` : `[${inner}]`;
  return inDroppedPart ? `{"a":0,"b":${inner}}` : `{"a":${inner}}`;
}

/** Offset of the innermost opening bracket. */
const deepest = (s) => Math.max(s.lastIndexOf("{"), s.lastIndexOf("["));

test("TOO_DEEP: maxDepth is accepted at the limit and rejected one past it (arrays count)", async () => {
  const limits = { maxDepth: 5 };
  await expectOut(KEEP_A, nested(5, false), `${nested(5, false)}`, limits);
  const s = nested(6, false);
  await expectReject(KEEP_A, s, "TOO_DEEP", [deepest(s), deepest(s) + 1], limits);
  // in a dropped part too
  await expectOut(KEEP_A, nested(5, true), '{"a":0}', limits);
  const d = nested(6, true);
  await expectReject(KEEP_A, d, "TOO_DEEP", [deepest(d), deepest(d) + 1], limits);
});

test("TOO_DEEP: the default limit is 64", async () => {
  const ok = `${'{"a":'.repeat(63)}{}${"}".repeat(63)}`;
  await expectOut({ keep: ["z"] }, ok, "{}");
  const deep = `${'{"a":'.repeat(64)}{}${"}".repeat(64)}`;
  await expectReject({ keep: ["z"] }, deep, "TOO_DEEP", [64 * 5, 64 * 5 + 1]);
  const arrays = `{"a":${"[".repeat(64)}${"]".repeat(64)}}`;
  await expectReject({ keep: ["z"] }, arrays, "TOO_DEEP", [5 + 63, 5 + 64]);
});

test("TOO_LARGE: maxEventBytes is accepted at the limit and rejected one past it", async () => {
  const limits = { maxEventBytes: 64 };
  const exact = `{"a":"${"x".repeat(64 - 8)}"}`;
  assert.is(exact.length, 64);
  await expectOut(KEEP_A, exact, exact, limits);
  const over = `{"a":"${"x".repeat(64 - 7)}"}`;
  await expectReject(KEEP_A, over, "TOO_LARGE", undefined, limits);
  // the limit counts bytes, not characters
  const multi = `{"a":"${"é".repeat(28)}"}`;
  assert.is(new TextEncoder().encode(multi).length, 64);
  await expectOut(KEEP_A, multi, multi, limits);
  await expectReject(KEEP_A, `{"a":"${"é".repeat(28)}x"}`, "TOO_LARGE", undefined, limits);
});

test("DUPLICATE_KEY: a listed key appearing twice in one object is rejected, whatever the values", async () => {
  await expectReject(KEEP_A, '{"a":1,"a":1}', "DUPLICATE_KEY", [7, 10]);
  await expectReject(KEEP_A, '{"a":1,"b":2,"a":{"x":1}}', "DUPLICATE_KEY", [13, 16]);
});

test("DUPLICATE_KEY: keys are compared after escape decoding", async () => {
  await expectReject(KEEP_A, '{"a":1,"\\u0061":2}', "DUPLICATE_KEY", [7, 15]);
  await expectReject({ keep: ["é"] }, '{"\\u00e9":1,"é":2}', "DUPLICATE_KEY", [12, 16]);
});

test("DUPLICATE_KEY: a key that is a prefix of a listed path counts, even if its scalar values are dropped", async () => {
  await expectReject({ keep: ["p.q"] }, '{"p":"x","p":"y"}', "DUPLICATE_KEY", [9, 12]);
  await expectReject({ keep: ["p.q"] }, '{"p":{"q":1},"p":{"r":2}}', "DUPLICATE_KEY", [13, 16]);
});

test("DUPLICATE_KEY: a key matched by a wildcard counts", async () => {
  await expectReject({ keep: ["w.*.k"] }, '{"w":{"z":1,"z":2}}', "DUPLICATE_KEY", [12, 15]);
  await expectReject({ keep: ["w.*"] }, '{"w":{"z":1,"y":0,"z":1}}', "DUPLICATE_KEY", [18, 21]);
});

test("DUPLICATE_KEY: inside a kept-whole value every key counts", async () => {
  await expectReject(KEEP_A, '{"a":{"x":1,"x":2}}', "DUPLICATE_KEY", [12, 15]);
  await expectReject(KEEP_A, '{"a":[{"y":{"x":1,"x":1}}]}', "DUPLICATE_KEY", [18, 21]);
});

test("duplicate keys the policy does not select are accepted", async () => {
  await expectOut(KEEP_A, '{"b":1,"b":2,"a":3,"b":{"b":4,"b":5}}', '{"a":3}');
  // under a prefix-only path, only the selected children count
  await expectOut({ keep: ["p.q"] }, '{"p":{"r":1,"r":2,"q":3}}', '{"p":{"q":3}}');
  // a dropped subtree is not a kept-whole value
  await expectOut({ keep: ["p.q"] }, '{"p":{"r":{"x":1,"x":2},"q":3}}', '{"p":{"q":3}}');
});

test("validation covers the dropped parts of the event", async () => {
  const s = '{"a":1,"drop":{"x":[1,2,}}';
  await expectReject(KEEP_A, s, "UNEXPECTED_BYTE", s.indexOf("}"));
  await expectReject(KEEP_A, '{"drop":[01],"a":1}', "INVALID_NUMBER", [9, 11]);
  await expectReject(KEEP_A, '{"drop":{"x":"\\q"},"a":1}', "INVALID_ESCAPE", [14, 16]);
  await expectReject(KEEP_A, bytes('{"drop":{"x":"', [0xc0, 0xaf], '"},"a":1}'), "INVALID_UTF8", [14, 16]);
  await expectReject(KEEP_A, '{"drop":["\\udc00"],"a":1}', "LONE_SURROGATE", [10, 16]);
  await expectReject(KEEP_A, bytes('{"drop":["', [0x1f], '"],"a":1}'), "CONTROL_CHARACTER", 10);
});

test("string scanning is exact at every position (16-byte SIMD blocks): escapes, quotes, control bytes, bad UTF-8", async () => {
  for (let pad = 0; pad < 4; pad++) {
    const head = `{${" ".repeat(pad)}"b":"`; // the dropped string starts at head.length
    for (let p = 0; p < 40; p++) {
      const x = "x".repeat(p);
      const y = "y".repeat(39 - p);
      // an escaped quote and an escaped backslash right before the closing quote must not end the string early
      await expectOut(KEEP_A, `${head}${x}\\"${y}\\\\","a":"${x}\\\\\\"${y}é"}`, `{"a":"${x}\\\\\\"${y}é"}`);
      await expectReject(KEEP_A, bytes(head, x, [0x01], y, '","a":1}'), "CONTROL_CHARACTER", head.length + p);
      await expectReject(KEEP_A, bytes(head, x, [0xff], y, '","a":1}'), "INVALID_UTF8", [head.length + p, head.length + p + 1]);
      await expectReject(KEEP_A, bytes(head, x, [0xe2, 0x82], y, '","a":1}'), "INVALID_UTF8", [head.length + p, head.length + p + 2]);
    }
  }
});

test("a leading UTF-8 BOM is ignored; a BOM anywhere else is not", async () => {
  const BOM = [0xef, 0xbb, 0xbf];
  await expectOut(KEEP_A, bytes(BOM, '{"a":1,"b":2}'), '{"a":1}');
  await expectOut(KEEP_A, "\ufeff" + '{"a":1,"b":2}', '{"a":1}');
  // not at the very start: a byte the grammar does not allow (where a value must start)
  await expectReject(KEEP_A, bytes(" ", BOM, '{"a":1}'), ["UNEXPECTED_BYTE", "NOT_AN_OBJECT"], [0, 1]);
  await expectReject(KEEP_A, bytes('{"a":1}', BOM), "TRAILING_BYTES", 7);
  await expectReject(KEEP_A, bytes(BOM, BOM, '{"a":1}'), ["UNEXPECTED_BYTE", "NOT_AN_OBJECT"], [0, 3]);
  // inside strings it is an ordinary character, copied as is
  await expectOut(KEEP_A, bytes('{"a":"', BOM, '"}'), '{"a":"\ufeff"}');
});

test.run();
