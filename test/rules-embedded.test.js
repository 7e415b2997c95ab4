// embeddedJson rules: JSON documents held in strings (Twilio's TaskAttributes), every build, exact bytes.
import { test } from "uvu";
import { expectOut, expectReject } from "./support/harness.js";

const SPEC = { keep: ["T.a", "T.c.d", "U"], embeddedJson: ["T"] };
/** An event with T holding `inner` as a JSON string (JSON.stringify escapes only what it must). */
const ev = (inner, rest = "") => `{"T":${JSON.stringify(inner)}${rest}}`;

test("an embedded JSON string is decoded, filtered with the paths below it, and re-encoded as a string", async () => {
  await expectOut(SPEC, ev('{"a":1,"b":"PHI","c":{"d":2,"e":3}}', ',"U":0,"V":1'), ev('{"a":1,"c":{"d":2}}', ',"U":0'));
});

test("the embedded string's escapes are decoded before parsing", async () => {
  // quotes written as \u0022, a key written with \u escapes inside the inner document (\\u0061 -> \u0061 -> a)
  await expectOut(SPEC, '{"T":"{\\u0022\\\\u0061\\u0022:1,\\"b\\":2}"}', '{"T":"{\\"\\\\u0061\\":1}"}');
});

test("re-encoding escapes only \" and \\; the inner lexemes stay byte-identical", async () => {
  const inner = '{"a":"é\\u00e9\\n\\"😀\\\\","b":0}';
  await expectOut(SPEC, ev(inner), ev('{"a":"é\\u00e9\\n\\"😀\\\\"}'));
  // characters escaped in the outer string come out raw (they are inner bytes): é written as \u00e9 outside
  await expectOut(SPEC, '{"T":"{\\"a\\":\\"\\u00e9\\u6771\\"}"}', '{"T":"{\\"a\\":\\"é東\\"}"}');
  await expectOut(SPEC, ev('{"a":[1E+2,-0,1.50]}'), ev('{"a":[1E+2,-0,1.50]}'));
});

test("the inner document is minified", async () => {
  await expectOut(SPEC, ev(' {\n\t"a" : [ 1 , 2 ] ,\r\n "c" : { "d" : 3 } } \n'), ev('{"a":[1,2],"c":{"d":3}}'));
});

test("an embeddedJson path holding an object is filtered as usual", async () => {
  await expectOut(SPEC, '{"T":{"a":1,"b":2,"c":{"d":3,"e":4}}}', '{"T":{"a":1,"c":{"d":3}}}');
});

test("an embedded document whose top level is an array is filtered like an array", async () => {
  await expectOut(SPEC, ev('[{"a":1,"b":2},3,"x",{"c":{"d":4}}]'), ev('[{"a":1},{"c":{"d":4}}]'));
});

test("an embedded document whose top level is a scalar: the key is dropped", async () => {
  for (const inner of ["42", '"a string"', "null", "true", " 1.5e3 "]) {
    await expectOut(SPEC, ev(inner, ',"U":1'), '{"U":1}');
  }
});

test("a scalar that is not a string at an embeddedJson path is dropped (prefix-only)", async () => {
  await expectOut(SPEC, '{"T":12,"U":1}', '{"U":1}');
  await expectOut(SPEC, '{"T":null,"U":1}', '{"U":1}');
});

test("INVALID_EMBEDDED_JSON: a string there that is not valid JSON, offset of its opening quote", async () => {
  for (const inner of ["", " ", "{", '{"a":}', "{'a':1}", "nope", '{"a":1} x', '{"a":01}', "[1,]"]) {
    await expectReject(SPEC, `{"U":1,"T":${JSON.stringify(inner)}}`, "INVALID_EMBEDDED_JSON", 11);
  }
});

test("an embedded document with a lone surrogate escape is rejected", async () => {
  await expectReject(SPEC, ev('{"a":"\\ud800"}'), ["LONE_SURROGATE", "INVALID_EMBEDDED_JSON"]);
  await expectReject(SPEC, ev('{"b":"\\udc00","a":1}'), ["LONE_SURROGATE", "INVALID_EMBEDDED_JSON"]);
});

test("an embedded document with a raw control character in a string is rejected", async () => {
  // the outer \n decodes to a raw LF inside an inner string
  await expectReject(SPEC, '{"T":"{\\"a\\":\\"x\\ny\\"}"}', ["CONTROL_CHARACTER", "INVALID_EMBEDDED_JSON"]);
});

test("DUPLICATE_KEY inside an embedded document: a selected key twice", async () => {
  await expectReject(SPEC, ev('{"a":1,"a":2}'), "DUPLICATE_KEY");
  await expectReject(SPEC, ev('{"a":1,"\\u0061":2}'), "DUPLICATE_KEY");
  // repeated keys the policy does not select are fine
  await expectOut(SPEC, ev('{"b":1,"b":2,"a":3}'), ev('{"a":3}'));
});

test("an embedded document's depth adds to the depth where its string stands", async () => {
  const limits = { maxDepth: 4 };
  // outer object: depth 1; inner object: 2; c: 3; e: 4
  await expectOut(SPEC, ev('{"c":{"e":{}},"a":1}'), ev('{"c":{},"a":1}'), limits);
  // one more level inside the embedded document, in a dropped part
  await expectReject(SPEC, ev('{"c":{"e":{"f":{}}},"a":1}'), "TOO_DEEP", undefined, limits);
  // inside an array: outer object 1, items array 2, element object 3 (where the string stands), inner 4, [] 5
  const spec = { keep: ["items.attrs.a"], embeddedJson: ["items.attrs"] };
  const input = `{"items":[{"attrs":${JSON.stringify('{"a":[]}')}}]}`;
  await expectOut(spec, input, input, { maxDepth: 5 });
  await expectReject(spec, input, "TOO_DEEP", undefined, { maxDepth: 4 });
});

test("an embeddedJson path that is itself listed keeps the string exactly as it is", async () => {
  const spec = { keep: ["T", "U.a"], embeddedJson: ["T"] };
  const s = '{"T":"{ \\"a\\" : 1, \\"PHI\\": \\"x\\" }"}';
  await expectOut(spec, s, s);
});

test("embeddedJson strings inside arrays of objects, and an embeddedJson path below a listed prefix", async () => {
  const spec = { keep: ["items.attrs.a", "n"], embeddedJson: ["items.attrs"] };
  await expectOut(spec, `{"items":[{"attrs":${JSON.stringify('{"a":1,"b":2}')},"x":1},{"attrs":{"a":3,"b":4}}],"n":0}`,
    `{"items":[{"attrs":${JSON.stringify('{"a":1}')}},{"attrs":{"a":3}}],"n":0}`);
});

test("an embeddedJson path may use a wildcard", async () => {
  const spec = { keep: ["a.*.x"], embeddedJson: ["a.*"] };
  await expectOut(spec, `{"a":{"p":${JSON.stringify('{"x":1,"y":2}')},"q":{"x":3,"y":4}}}`, `{"a":{"p":${JSON.stringify('{"x":1}')},"q":{"x":3}}}`);
});

test("a string outside embeddedJson paths is not parsed, even if it holds invalid JSON", async () => {
  await expectOut(SPEC, '{"U":"{not json","V":"{"}', '{"U":"{not json"}');
});

test.run();
