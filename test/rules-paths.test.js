// Path rules and output shape: one test per rule of the contract (every build, exact output bytes).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { expectOut } from "./support/harness.js";

test("a bare-key path keeps that key and drops the others", async () => {
  await expectOut({ keep: ["a"] }, '{"b":1,"a":2,"c":3}', '{"a":2}');
});

test("a dotted path keeps the nested key only", async () => {
  await expectOut({ keep: ["a.b"] }, '{"a":{"c":0,"b":1,"d":2},"b":3}', '{"a":{"b":1}}');
});

test("a listed path keeps its whole value, whatever its type", async () => {
  const spec = { keep: ["a"] };
  await expectOut(spec, '{"a":{"x":[1,{"y":null}],"z":"s","w":{}},"b":1}', '{"a":{"x":[1,{"y":null}],"z":"s","w":{}}}');
  await expectOut(spec, '{"a":[1,"two",[3],{"f":false}]}', '{"a":[1,"two",[3],{"f":false}]}');
  await expectOut(spec, '{"a":"text"}', '{"a":"text"}');
  await expectOut(spec, '{"a":-1.5e3}', '{"a":-1.5e3}');
  await expectOut(spec, '{"a":true}', '{"a":true}');
  await expectOut(spec, '{"a":false}', '{"a":false}');
  await expectOut(spec, '{"a":null}', '{"a":null}');
});

test("a listed value is re-emitted minified", async () => {
  await expectOut({ keep: ["a"] }, '{"a" : { "x" :\t[ 1 , { "y" : null } ] ,\r"z":"s p" } }', '{"a":{"x":[1,{"y":null}],"z":"s p"}}');
});

test("a prefix-only path keeps an object with only the allowed children", async () => {
  await expectOut({ keep: ["a.b", "a.c.d"] }, '{"a":{"x":1,"b":2,"c":{"d":3,"e":4},"y":5}}', '{"a":{"b":2,"c":{"d":3}}}');
});

test("a scalar at a prefix-only path is dropped together with its key", async () => {
  const spec = { keep: ["a.b", "k"] };
  await expectOut(spec, '{"a":"John Smith","k":1}', '{"k":1}');
  await expectOut(spec, '{"a":42,"k":1}', '{"k":1}');
  await expectOut(spec, '{"a":true,"k":1}', '{"k":1}');
  await expectOut(spec, '{"a":null,"k":1}', '{"k":1}');
});

test("arrays are transparent: each element is filtered by the rule of the array's path", async () => {
  await expectOut({ keep: ["a.b"] }, '{"a":[{"b":1,"c":2},{"c":3},{"b":{"z":0}}]}', '{"a":[{"b":1},{},{"b":{"z":0}}]}');
});

test("scalar elements of an array at a prefix-only path are dropped", async () => {
  await expectOut({ keep: ["a.b"] }, '{"a":["PHI",1,true,null,{"b":2}]}', '{"a":[{"b":2}]}');
});

test("nested arrays are transparent too", async () => {
  await expectOut({ keep: ["a.b"] }, '{"a":[[{"b":1,"c":2},"x"],[[{"b":3}]],[]]}', '{"a":[[{"b":1}],[[{"b":3}]],[]]}');
});

test("an array at a listed path is kept whole", async () => {
  await expectOut({ keep: ["a.b"] }, '{"a":[{"b":[1,"x",{"q":2}],"c":3}]}', '{"a":[{"b":[1,"x",{"q":2}]}]}');
});

test("* matches any one object key", async () => {
  await expectOut({ keep: ["a.*.x"] }, '{"a":{"p":{"x":1,"y":2},"q":{"x":3},"r":{"y":4}},"b":{"p":{"x":5}}}',
    '{"a":{"p":{"x":1},"q":{"x":3},"r":{}}}');
});

test("* as the last segment keeps every value under the object", async () => {
  await expectOut({ keep: ["a.*"] }, '{"a":{"p":1,"q":{"r":[2]}},"b":3}', '{"a":{"p":1,"q":{"r":[2]}}}');
});

test("* never matches array positions", async () => {
  // if * matched positions, 1 and 2 would be kept as a.0 and a.1
  await expectOut({ keep: ["a.*"] }, '{"a":[1,2,{"k":3}]}', '{"a":[{"k":3}]}');
  // the array is transparent: its elements stand at path a, so b is a.* (prefix-only) and its scalar is dropped
  await expectOut({ keep: ["a.*.b"] }, '{"a":[{"b":1},{"c":{"b":2}}]}', '{"a":[{},{"c":{"b":2}}]}');
});

test("several paths matching one key: the union is kept", async () => {
  await expectOut({ keep: ["a.*.x", "a.b.y"] }, '{"a":{"b":{"x":1,"y":2,"z":3},"c":{"x":4,"y":5}}}',
    '{"a":{"b":{"x":1,"y":2},"c":{"x":4}}}');
});

test("union: a listed path wins over a prefix reaching the same key", async () => {
  await expectOut({ keep: ["a.b", "a.*.c"] }, '{"a":{"b":{"c":1,"d":2},"e":{"c":3,"d":4}}}', '{"a":{"b":{"c":1,"d":2},"e":{"c":3}}}');
});

test("a bracketed segment names a key holding a dot", async () => {
  await expectOut({ keep: ['["a.b"].c'] }, '{"a.b":{"c":1,"d":2},"a":{"b":{"c":3}}}', '{"a.b":{"c":1}}');
});

test("a bracketed segment may follow the previous one with or without a dot", async () => {
  const input = '{"a":{"b.c":1,"b":{"c":2}},"x":0}';
  await expectOut({ keep: ['a["b.c"]'] }, input, '{"a":{"b.c":1}}');
  await expectOut({ keep: ['a.["b.c"]'] }, input, '{"a":{"b.c":1}}');
});

test('a bracketed "*" matches the key * literally, not any key', async () => {
  await expectOut({ keep: ['a["*"]'] }, '{"a":{"*":1,"x":2}}', '{"a":{"*":1}}');
});

test('a bracketed "" matches the empty key', async () => {
  await expectOut({ keep: ['a[""]'] }, '{"a":{"":1,"x":2},"":3}', '{"a":{"":1}}');
});

test("a bracketed segment is a JSON string: escapes and quotes work", async () => {
  await expectOut({ keep: ['["q\\"x"]', '["\\u00e9t\\u00e9"]', '["a[b"]'] }, '{"q\\"x":1,"été":2,"a[b":3,"q":4}',
    '{"q\\"x":1,"été":2,"a[b":3}');
});

test("kept objects and arrays that end up empty stay {} and []", async () => {
  const spec = { keep: ["a.b", "c.d"] };
  await expectOut(spec, '{"a":{"x":1},"c":[],"e":2}', '{"a":{},"c":[]}');
  await expectOut(spec, '{"a":{},"c":["s",7]}', '{"a":{},"c":[]}');
});

test("the top level is always output, {} when nothing is kept", async () => {
  await expectOut({ keep: ["zz"] }, '{"a":1,"b":{"zz":2}}', "{}");
  await expectOut({ keep: ["zz"] }, "{}", "{}");
});

test("key order is the input order, not the policy order", async () => {
  await expectOut({ keep: ["b", "a", "c.y", "c.x"] }, '{"c":{"x":1,"y":2},"a":2,"d":0,"b":3}', '{"c":{"x":1,"y":2},"a":2,"b":3}');
});

test("keys are compared after decoding escapes; the output keeps the key's original lexeme", async () => {
  await expectOut({ keep: ["reason", "t.é", '["a/b"]'] },
    '{"re\\u0061son":"x","reason2":1,"t":{"\\u00e9":1,"\\u00E9x":2},"a\\/b":3}',
    '{"re\\u0061son":"x","t":{"\\u00e9":1},"a\\/b":3}');
  // escapes decoding to a different key do not match
  await expectOut({ keep: ["reason"] }, '{"re\\u0062son":1}', "{}");
});

test("kept numbers are byte-identical to the input lexemes", async () => {
  const nums = ["-0", "0", "1E+2", "1e5", "1.50", "1.5E-3", "-0.0e-0", "12345678901234567890123456789", "1e400", "5e-324",
    "0.1000000000000000055511151231257827"];
  for (const n of nums) await expectOut({ keep: ["n"] }, `{"n":${n}}`, `{"n":${n}}`);
  await expectOut({ keep: ["n"] }, `{"n":[${nums.join(" , ")}]}`, `{"n":[${nums.join(",")}]}`);
});

test("kept strings are byte-identical to the input lexemes (escapes and raw UTF-8 as they were)", async () => {
  const s = '"a\\u00e9é\\n\\/\\"\\\\\\ud83d\\ude00😀\\u2028\u2028\\b\\f\\r\\t東京\\u0000"';
  await expectOut({ keep: ["s"] }, `{"s":${s},"t":1}`, `{"s":${s}}`);
});

test("literals true, false, null are output as such", async () => {
  await expectOut({ keep: ["a"] }, '{"a":[true,false,null]}', '{"a":[true,false,null]}');
});

test("output is minified: no insignificant whitespace anywhere", async () => {
  await expectOut({ keep: ["a", "c.d"] }, ' \t{ "a" : [ 1 , { "b" : 2 } , [ ] , { } ] ,\t"x":0 ,\r "c" : { "d" : "s p" , "e" : 1 } } \t ',
    '{"a":[1,{"b":2},[],{}],"c":{"d":"s p"}}');
});

test("filterEvent accepts a string or a Uint8Array with the same result", async () => {
  await expectOut({ keep: ["a"] }, new TextEncoder().encode('{"a":"é😀","b":1}'), '{"a":"é😀"}');
  await expectOut({ keep: ["a"] }, '{"a":"é😀","b":1}', '{"a":"é😀"}');
});

test.run();
