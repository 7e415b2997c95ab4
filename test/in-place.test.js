// Embedded documents walked in place (assembly/in-place.ts): the engine reads the document inside
// a string without decoding it, and steps aside to the decoding path for anything it does not read
// exactly as that path would. These cases write the string bodies by hand, escapes and all: inner
// escapes escaped again (`\\\"`, `\\u20ac`, surrogate pairs), outer escapes the in-place walk
// leaves to the decoding path (`\/`, `\u0022`, `\u00e9`, `\n` as whitespace and inside strings),
// keys with escapes, documents inside documents, documents that end early or run on, then random
// byte mutations of the string bodies. Every build must give exactly what the engine before issue 7
// gives (it always decodes): the same output bytes, or the same rejection code and offset.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { againstBefore, compareWithBefore } from "./support/engine-before.js";
import { mulberry32 } from "./support/random.js";

const SPEC = {
  name: "in-place",
  keep: ["a", "e.k", "e.q.x", "e.arr", "e.w", "e.n.x", "e.*.id", "e.é"],
  embeddedJson: ["e", "e.n"],
};
const engines = await againstBefore(SPEC);

/** An event whose `e` string has exactly this body (written escaped, as it stands in the event). */
const withBody = (body) => `{"a":1,"e":"${body}","z":2}`;

/** Bodies of valid embedded documents, each with something the in-place walk must read right. */
const VALID = [
  '{\\"k\\":1,\\"d\\":2}',
  '{\\"d\\":\\"x\\",\\"k\\":\\"kept\\"}',
  '{\\"k\\":\\"a\\\\\\"b\\\\\\\\c\\\\/d\\\\b\\\\f\\\\n\\\\r\\\\t\\"}', // inner \" \\ \/ \b \f \n \r \t
  '{\\"k\\":\\"\\\\u00e9\\\\u20ac\\\\ud83d\\\\ude00\\\\u0000\\"}', // inner \u escapes, a surrogate pair
  '{\\"d\\":\\"\\\\ud83d\\\\ude00\\\\\\"\\",\\"k\\":[1,{\\"z\\":\\"\\\\\\\\\\"}]}',
  '{\\"k\\":\\"é€😀\\",\\"é\\":\\"ü\\"}', // raw UTF-8
  '  {  \\"k\\" :  1 ,\\"q\\" : { \\"x\\" : true , \\"y\\":null } }  ', // spaces everywhere
  '\\n{\\n\\t\\"k\\":\\r\\n1\\n}\\n', // whitespace written as \n \t \r escapes
  '{\\"q\\":{\\"x\\":[1,2,{\\"y\\":3}],\\"y\\":4}}',
  '{\\"arr\\":[1,\\"two\\",{\\"three\\":3},[4]],\\"w\\":{\\"deep\\":{\\"s\\":\\"\\\\\\"\\"}}}', // kept whole
  '{\\"m\\":{\\"id\\":1,\\"no\\":2},\\"o\\":{\\"id\\":\\"x\\\\\\"y\\"}}', // wildcard
  '[{\\"k\\":1},{\\"d\\":2},3,\\"s\\"]',
  '{}', '[]', '{\\"q\\":{}}', '{\\"q\\":[]}',
  '{\\"k\\":-1.5e+10,\\"d\\":0,\\"q\\":{\\"x\\":1E-2}}',
  '{\\"n\\":\\"{\\\\\\"x\\\\\\":1,\\\\\\"y\\\\\\":2}\\",\\"k\\":1}', // a document inside this one
  '{\\"k\\":1}', '{\\"k\\":{\\"x\\":1}}',
];

/** Bodies the in-place walk steps aside for, valid or not: the decoding path decides. */
const ASIDE = [
  '{\\"k\\":\\"a\\/b\\"}', // outer \/ inside an inner string
  '{\\/\\"k\\":1}', // outer \/ where the document has structure
  '{\\u0022k\\u0022:1}', // the inner quotes written as \u0022
  '\\u007b\\"k\\":1}', // the opening brace written as \u007b
  '{\\"k\\":\\"\\u00e9\\"}', // an outer \u escape of a character
  '{\\"\\\\u006b\\":1}', // the key k written with an inner escape
  '{\\"k\\\\\\"\\":1}', // a key holding an escaped quote
  '{\\"k\\":\\"line\\nbreak\\"}', // an inner string holding a raw line break (invalid inside)
  '{\\"k\\":\\"tab\\tin\\"}',
  '{\\b\\"k\\":1}', '{\\f\\"k\\":1}', // \b and \f are not whitespace
  '1', '\\"s\\"', 'true', '', '   ', 'not json', // scalar documents, or none
  '{\\"k\\":1} x', '{\\"k\\":1}{}', '{\\"k\\":1', '{\\"k\\":', '{\\"k', '{\\"', '{', // ends early or runs on
  '{\\"k\\":1,\\"k\\":2}', '{\\"q\\":{\\"x\\":1,\\"x\\":1}}', // repeated selected keys
  '{\\"k\\":\\"\\\\x\\"}', '{\\"k\\":\\"\\\\u12\\"}', '{\\"k\\":\\"\\\\u12g4\\"}', // bad inner escapes
  '{\\"k\\":\\"\\\\ud83d\\"}', '{\\"k\\":\\"\\\\ude00\\"}', '{\\"k\\":\\"\\\\ud83d\\\\u0041\\"}',
  '{\\"k\\":\\"\\\\ud83d\\\\\\"\\"}', '{\\"k\\":\\"\\\\\\x\\"}', '{\\"k\\":\\"\\\\\\\\\\\\\\"}',
  '{\\"k\\":01}', '{\\"k\\":1.}', '{\\"k\\":tru}', '{\\"k\\":nul}', '{\\"k\\",1}', '{\\"k\\":1,}', '[1,]',
  '{\\"k\\":\\"\\x01\\"}', '{\\"k\\":1}\\u0020',
  '{\\"n\\":\\"{\\\\\\"x\\\\\\":1,\\\\\\"x\\\\\\":2}\\"}', // a repeat inside the inner document
  '{\\"n\\":\\"[\\"}', // an inner document that is not JSON
  `${"[".repeat(70)}${"]".repeat(70)}`, // deeper than the limit
];

const rawBytes = [
  '{"a":1,"e":"{\\"k\\":\\"\x01\\"}"}', // a raw control character inside an inner string
  '{"a":1,"e":"{\\"k\\":\x7f}"}',
  '{"a":1,"e":"{\\"k\\":\\"\xff\\"}"}', // U+00FF as one code point (valid), not a raw 0xff byte
];

test("valid embedded documents, read in place, come out exactly as the decoding path writes them", () => {
  const results = compareWithBefore(engines, VALID.map(withBody), "valid");
  for (const [i, r] of results.entries()) assert.ok(r.ok, `valid ${i}: ${VALID[i]} was rejected (${r.code})`);
});

test("bodies the in-place walk steps aside for get the decoding path's answer, kept or rejected", () => {
  const results = compareWithBefore(engines, ASIDE.map(withBody).concat(rawBytes), "aside");
  assert.ok(results.some((r) => r.ok) && results.some((r) => !r.ok), "both kept and rejected cases");
});

test("every valid body with every case set before it: one walk's state never leaks into the next", () => {
  const events = [];
  for (const a of [...VALID, ...ASIDE]) for (const b of VALID) events.push(withBody(a), withBody(b));
  compareWithBefore(engines, events, "sequences");
});

test("random byte mutations of the string bodies", () => {
  // Bytes that matter to either walk, and a few that do not.
  const ALPHABET = ['\\', '"', "{", "}", "[", "]", ":", ",", " ", "u", "0", "d", "8", "n", "t", "/", "x", "é", "\\\\", '\\"', "1", "e"];
  const rng = mulberry32(11);
  const pick = (list) => list[Math.floor(rng() * list.length)];
  for (let round = 0; round < 30; round++) {
    const events = [];
    for (let i = 0; i < 100; i++) {
      const body = Array.from(pick(VALID)); // code points: a string cut inside a surrogate pair is not UTF-8
      for (let m = 1 + Math.floor(rng() * 3); m > 0; m--) {
        const at = Math.floor(rng() * (body.length + 1));
        const kind = rng();
        if (kind < 0.4) body.splice(at, 1, pick(ALPHABET)); // replace
        else if (kind < 0.7) body.splice(at, 0, pick(ALPHABET)); // insert
        else body.splice(at, 1); // delete
      }
      events.push(withBody(body.join("")));
    }
    compareWithBefore(engines, events, `round ${round}`);
  }
});

test.run();
