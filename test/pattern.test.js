// Custom patterns (docs/detectors.md, "Custom patterns"): the compiler in src/policy/pattern.ts and the JS runner
// of its tables, against the RegExp oracle in test/support/pattern-reference.js. Every syntax feature both ways,
// every refusal with its position and what was expected, thousands of random values per pattern, minLength,
// the table layout, and the state limit.
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  compilePattern,
  MAX_PATTERN_STATES,
  PATTERN_ACCEPTING,
  PATTERN_TABLE_HEADER_BYTES,
  PatternError,
  runPatternTable,
} from "../dist/policy/pattern.js";
import { patternMatches as oracle } from "./support/pattern-reference.js";
import { mulberry32 } from "./support/random.js";

const utf8 = (s) => new TextEncoder().encode(s);
/** A string of chars 0-255 as those bytes ("\xc3" is the byte 0xC3). */
const latin1 = (s) => Uint8Array.from(s, (c) => c.charCodeAt(0));

const compiled = new Map();
function compiledFor(pattern, ignoreCase) {
  const key = `${ignoreCase}|${pattern}`;
  if (!compiled.has(key)) compiled.set(key, compilePattern("test", pattern, ignoreCase));
  return compiled.get(key);
}

/** The table's answer, checked against the oracle's on the way. */
function matches(pattern, bytes, ignoreCase = false) {
  const got = runPatternTable(compiledFor(pattern, ignoreCase).table, bytes);
  const expected = oracle({ pattern, ignoreCase }, bytes);
  assert.is(got, expected, `${pattern}${ignoreCase ? " (ignoreCase)" : ""} on ${JSON.stringify([...bytes])}: table ${got}, oracle ${expected}`);
  return got;
}

function expectHits(pattern, ignoreCase, hits, misses) {
  const bytesOf = (v) => (typeof v === "string" ? utf8(v) : v);
  for (const v of hits) assert.ok(matches(pattern, bytesOf(v), ignoreCase), `${pattern} should match ${JSON.stringify(v)}`);
  for (const v of misses) assert.not.ok(matches(pattern, bytesOf(v), ignoreCase), `${pattern} should not match ${JSON.stringify(v)}`);
}

// ---------------------------------------------------------------- (a) syntax, both ways

test("a literal matches those bytes, in that case only", () => {
  expectHits("abc", false, ["abc", "x abc y", "abc-1", "(abc)", "1 abc"], ["ab", "abcd", "xabc", "ABC", "a bc", ""]);
});

test("unescaped ASCII punctuation that is not special stands for itself", () => {
  for (const c of "#-@:/!,'\"<=>~`%&;_ ") {
    expectHits(`a${c}b`, false, [`a${c}b`], [`a${c === "#" ? "@" : "#"}b`, "ab"]);
  }
  expectHits("a\tb", false, ["a\tb"], ["a b"]); // a control character written in the pattern is that byte
});

test("\\d is an ASCII digit", () => {
  expectHits("\\d\\d", false, ["12", "a 09 b", "-00-"], ["1", "1a", "a1", "123", "١٢", "ab"]);
});

test("\\w is a word byte: ASCII letter, digit, _ or any byte of a non-ASCII character", () => {
  expectHits("x\\w+", false, ["xa", "x_", "x9", "xé", "x日本", "xZ"], ["x", "x-", "x ", "x."]);
  expectHits("\\w", false, ["_", "a", "7"], ["-", " ", "é"]); // "é" is two word bytes: \w+ would match it
  expectHits(".\\w", false, [latin1("\xc3\xa9"), latin1("-\xff")], [latin1("--")]);
});

test("\\s is space, tab, CR or LF and nothing else", () => {
  expectHits("a\\sb", false, ["a b", "a\tb", "a\rb", "a\nb"], ["ab", "a\u000bb", "a\fb", "a-b", "a\u00a0b", "a  b"]);
});

test("every ASCII punctuation character may be escaped to stand for itself", () => {
  const punctuation = [...Array(128).keys()].map((c) => String.fromCharCode(c)).filter((c) => /[!-\/:-@\[-`{-~]/.test(c));
  assert.is(punctuation.length, 32);
  for (const c of punctuation) {
    const other = c === "#" ? "$" : "#";
    expectHits(`a\\${c}b`, false, [`a${c}b`], [`a${other}b`, "ab", `a\\${c}b`]);
  }
});

test("a class is one byte from the listed bytes and ranges", () => {
  expectHits("[A-Z0-9#]+", false, ["A1#", "Z", "09", "#"], ["a", "A1a", "-", "é"]);
  expectHits("x[abc]y", false, ["xay", "xby", "xcy"], ["xdy", "xAy", "xy", "xaby"]);
  expectHits("x[a-c]y", false, ["xay", "xby", "xcy"], ["xdy", "x-y", "xBy"]);
  expectHits("x[a-cx-z5]y", false, ["xby", "xzy", "x5y"], ["xdy", "x4y"]);
  expectHits("x[[]y", false, ["x[y"], ["xy", "x]y"]);
});

test("a negated class is one byte not listed, including bytes of non-ASCII characters", () => {
  expectHits("[^-]+", false, ["ab", "é", "a b", "-x-"], ["-", "--", ""]);
  expectHits("x[^-]y", false, ["xay", "x y"], ["x-y", "xy"]);
  expectHits("x[^a-z]y", false, ["xAy", "x1y", latin1("x\xc3y")], ["xby", "xy"]);
  expectHits("x[a^]y", false, ["x^y", "xay"], ["xby"]); // "^" not first is a listed byte
});

test('"-" first or last in a class is the byte itself', () => {
  expectHits("[-a]b", false, ["-b", "ab"], ["bb", "b"]);
  expectHits("[a-]b", false, ["-b", "ab"], ["bb"]);
  expectHits("x[^-a]y", false, ["xby"], ["x-y", "xay"]);
});

test("escapes inside a class: \\d \\w \\s and escaped punctuation", () => {
  expectHits("[\\d.]+", false, ["1.2", ".", "42"], ["a", "1a"]);
  expectHits("x[\\s_]y", false, ["x y", "x\ty", "x_y"], ["xay"]);
  expectHits("[\\]\\\\\\-]", false, ["]", "\\", "-"], ["a", "["]);
  expectHits("[\\w]+", false, ["ab_9é"], ["-"]);
  expectHits("x[!-/]y", false, ["x!y", "x/y", "x-y"], ["x0y"]); // a range of punctuation
});

test(". is any byte", () => {
  expectHits("a.c", false, ["abc", "a c", "a-c", "a\u0000c", "a\nc", latin1("a\xffc")], ["ac", "abbc", "aéc"]);
  expectHits("a..c", false, ["aéc"], ["abc"]);
  expectHits(".{2}", false, ["é", "ab", "--"], ["a", "abc"]);
});

test("groups and alternatives", () => {
  expectHits("(ab|cd)e", false, ["abe", "cde", "x cde"], ["ae", "abcde", "abde", "e"]);
  expectHits("a|bc|d", false, ["a", "bc", "d", "x d"], ["b", "c", "ad", "bcd"]);
  expectHits("x(a|b(c|d))y", false, ["xay", "xbcy", "xbdy"], ["xby", "xcy"]);
  expectHits("((a))", false, ["a"], ["aa"]);
});

test("? * + repeat the atom before them", () => {
  expectHits("colou?r", false, ["color", "colour"], ["colouur", "colr"]);
  expectHits("ab*c", false, ["ac", "abc", "abbbbc"], ["abd", "bc"]);
  expectHits("ab+c", false, ["abc", "abbbc"], ["ac"]);
  expectHits("(ab)+", false, ["ab", "ababab"], ["aba", "abb"]);
  expectHits("x(a|b)*y", false, ["xy", "xaby", "xbbbay"], ["xcy"]);
});

test("{n} {n,m} {n,} repeat the atom before them", () => {
  expectHits("a{3}", false, ["aaa", "x aaa"], ["aa", "aaaa"]);
  expectHits("a{2,3}", false, ["aa", "aaa"], ["a", "aaaa"]);
  expectHits("a{2,}", false, ["aa", "a".repeat(100)], ["a", ""]);
  expectHits("a{0,2}b", false, ["b", "ab", "aab"], ["aaab"]);
  expectHits("ab{0}c", false, ["ac"], ["abc"]);
  expectHits("(ab){2}", false, ["abab"], ["ab", "ababab"]);
  expectHits("\\d{64}", false, ["1".repeat(64)], ["1".repeat(63), "1".repeat(65)]);
  expectHits("a{1,1}", false, ["a"], ["aa"]);
  expectHits("a{007}", false, ["aaaaaaa"], ["aaaaaa"]); // leading zeros are digits of the count
});

test("ignoreCase folds ASCII letters, in literals, classes, ranges and negated classes", () => {
  expectHits("mrn", true, ["MRN", "mRn", "mrn"], ["mr n", "MRNx"]);
  expectHits("[a-c]+", true, ["ABC", "abc", "aBc"], ["abd", "D"]);
  expectHits("[W-Z]", true, ["x", "X"], ["v"]);
  expectHits("x[^a]y", true, ["xby"], ["xay", "xAy", "XAY"]);
  expectHits("a[^b-y]z", true, ["aaz", "aZz", "a1z"], ["abz", "aBz", "aYz"]);
});

test("ignoreCase folds nothing but ASCII letters", () => {
  // "[" 0x5B and "{" 0x7B, "@" 0x40 and "`" 0x60 differ by 0x20 like letters; \xC0/\xE0 are latin1 letters
  expectHits("x\\[y", true, ["x[y", "X[Y"], ["x{y"]);
  expectHits("x@y", true, ["x@y"], ["x`y"]);
  expectHits("x.y", true, [latin1("x\xe0y"), latin1("x\xc0y")], []);
  expectHits("x[^a]y", true, [latin1("x\xc0y"), latin1("x\xe1y")], []);
  expectHits("x\\dy", true, ["x1y"], ["x\u0661y"]);
});

test("a match starts and ends at a word boundary (start, end, or a byte that is not a word byte)", () => {
  const plain = ["12", " 12 ", "-12", "12.", "(12)", "a 12", "12\n", "#12", "\t12\t", "1 12"];
  const glued = ["a12", "12a", "_12", "12_", "é12", "12é", "x12y", "123", "012", latin1("\x8012")];
  expectHits("\\d\\d", false, plain, glued);
});

test("a pattern that begins or ends with a non-word byte needs the boundary outside it", () => {
  expectHits("-\\d", false, ["-1", " -1", "--1", "(-1)"], ["x-1", "1-1", "_-1", "-1x", "-12"]);
  expectHits("e\\.g\\.", false, ["e.g.", "e.g. so", "(e.g.)", "e.g.."], ["e.g.x", "the.g.", "e.g.1"]);
  expectHits("#", false, ["#", "a # b", "##"], ["a#", "#b"]);
});

test("any candidate may match, not only the first", () => {
  expectHits("MRN\\d{3}", false, ["MRN12 MRN123", "MRN1234 MRN123", "xMRN123 MRN123"], ["MRN12 MRN1234", "xMRN123"]);
  expectHits("(x|xy)z", false, ["xyz", "xz"], ["xyyz"]);
  expectHits("a(b|c)*d", false, ["abcbcbd", "ad ad"], ["abcbcb", "abxd"]);
});

// ---------------------------------------------------------------- (b) refusals

/** [pattern, 1-based position or undefined, what the message must say]. */
const REFUSALS = [
  // whole pattern
  ["", undefined, /^the pattern is empty; it must match at least one byte$/],
  ["a".repeat(257), undefined, /^the pattern is 257 characters long; at most 256 are allowed$/],
  ["a*", undefined, /^the pattern matches the empty string, so every value would hit it; make at least one byte required/],
  ["a?", undefined, /matches the empty string/],
  ["(a|b*)", undefined, /matches the empty string/],
  ["a{0}", undefined, /matches the empty string/],
  ["(a*)*", undefined, /matches the empty string/],
  ["x?y?", undefined, /matches the empty string/],
  ["(a?){3}", undefined, /matches the empty string/],
  // anchors, lookaround, backreferences
  ["^a", 1, /^"\^" is an anchor, which patterns do not have .*; write \\\^ for the character itself$/],
  ["a$", 2, /^"\$" is an anchor, which patterns do not have/],
  ["(?=a)", 2, /^"\(" must be followed by an alternative; found "\?" \(lookaround, \(\?:\.\.\.\) and named groups are not supported/],
  ["(?!a)b", 2, /found "\?" \(lookaround/],
  ["(?<=a)b", 2, /found "\?" \(lookaround/],
  ["(?:a)", 2, /found "\?"/],
  ["(a)\\1", 5, /^"\\" must be followed by d, w, s or an ASCII punctuation character; found "1" \(backreferences such as \\1 are not supported\)$/],
  // lazy and possessive quantifiers, repeated repetitions
  ["a*?", 3, /^lazy repetition "\*\?" is not supported .*; remove the "\?"$/],
  ["a+?", 3, /^lazy repetition "\+\?"/],
  ["a??", 3, /^lazy repetition "\?\?"/],
  ["a{2,3}?", 7, /^lazy repetition "\{2,3\}\?"/],
  ["a*+", 3, /^possessive repetition "\*\+" is not supported; remove the "\+"$/],
  ["a**", 3, /^expected something to repeat before "\*"; found the repetition "\*" \(put it in a group first, as in \(a\*\)\*\)$/],
  ["a{2}*", 5, /^expected something to repeat before "\*"; found the repetition "\{2\}"/],
  ["a+{2}", 3, /^expected something to repeat before "\{"; found the repetition "\+"/],
  // nothing to repeat
  ["*a", 1, /^expected something to repeat before "\*"; found the start of the pattern \(write \\\* for the character itself\)$/],
  ["+", 1, /^expected something to repeat before "\+"; found the start of the pattern/],
  ["?a", 1, /^expected something to repeat before "\?"/],
  ["{2}", 1, /^expected something to repeat before "\{"/],
  ["(*a)", 2, /^expected something to repeat before "\*"; found "\("/],
  ["a|*", 3, /^expected something to repeat before "\*"; found "\|"/],
  // counts
  ["abc{a", 5, /^"\{" must be followed by a count, as in \{3\} or \{2,5\}; found "a"$/],
  ["a{", 3, /^"\{" must be followed by a count, as in \{3\} or \{2,5\}; found the end of the pattern$/],
  ["a{,3}", 3, /^"\{" must be followed by a count.*; found ","$/],
  ["a{2", 4, /^expected "," or "\}" after the count in the repetition at character 2; found the end of the pattern$/],
  ["a{2x}", 4, /^expected "," or "\}" after the count .*; found "x"$/],
  ["a{2,x}", 5, /^"," in a repetition must be followed by the largest count or by "\}", as in \{2,5\} or \{2,\}; found "x"$/],
  ["a{2,3", 6, /^expected "\}" to end the repetition at character 2; found the end of the pattern$/],
  ["a{65}", 3, /^a count may be at most 64; found 65$/],
  ["a{2,100}", 5, /^a count may be at most 64; found 100$/],
  ["a{99999999999999999999}", 3, /^a count may be at most 64; found 99999999999999999999$/],
  ["a{5,3}", 2, /^the repetition "\{5,3\}" has its largest count \(3\) below its smallest \(5\)$/],
  // empty alternatives
  ["a|", 3, /^"\|" must be followed by an alternative; found the end of the pattern$/],
  ["|a", 1, /^expected an alternative before "\|"; found "\|"$/],
  ["a||b", 3, /^"\|" must be followed by an alternative; found "\|"$/],
  ["()", 2, /^"\(" must be followed by an alternative; found "\)"$/],
  ["(|a)", 2, /^"\(" must be followed by an alternative; found "\|"$/],
  ["(a|)", 4, /^"\|" must be followed by an alternative; found "\)"$/],
  // unbalanced
  ["(a", 3, /^expected "\)" to close the "\(" at character 1; found the end of the pattern$/],
  ["x((a)", 6, /^expected "\)" to close the "\(" at character 2/],
  ["a)", 2, /^"\)" has no "\(" before it; write \\\) for the character itself$/],
  [")", 1, /^"\)" has no "\("/],
  ["[a", 3, /^expected "\]" to close the "\[" at character 1; found the end of the pattern$/],
  ["[a-", 4, /^expected "\]" to close the "\[" at character 1/],
  ["a]", 2, /^"\]" has no "\[" before it; write \\\] for the character itself$/],
  ["a}", 2, /^"\}" has no "\{" before it; write \\\} for the character itself$/],
  // escapes
  ["\\q", 2, /^"\\" must be followed by d, w, s or an ASCII punctuation character; found "q"$/],
  ["\\b", 2, /found "b" \(a match already starts and ends at a word boundary\)$/],
  ["\\D", 2, /found "D" \(write \[\^0-9\] for a byte that is not a digit\)$/],
  ["\\n", 2, /found "n" \(write \\s for a space, tab, CR or LF\)$/],
  ["\\", 2, /^"\\" must be followed by d, w, s or an ASCII punctuation character; found the end of the pattern$/],
  ["a\\ ", 3, /found " "$/],
  ["[\\q]", 3, /^"\\" must be followed by d, w, s or an ASCII punctuation character; found "q"$/],
  // classes
  ["[]", 2, /^a class must list at least one byte; found "\]" \(write \\\] for the character itself\)$/],
  ["[^]", 3, /^a class must list at least one byte/],
  ["[z-a]", 2, /^the range "z-a" goes backwards \("z" comes after "a"\)$/],
  ["[\\d-z]", 2, /^a range must start with a single character; found "\\d"$/],
  ["[a-\\w]", 4, /^a range must end with a single character; found "\\w"$/],
  // non-ASCII
  ["é", 1, /^expected an ASCII character; found "é" \(U\+00E9\): a pattern is ASCII only/],
  ["MRN\u00a0\\d", 4, /^expected an ASCII character; found "\u00a0" \(U\+00A0\)/],
  ["a😀", 2, /found "😀" \(U\+1F600\)/],
  ["[é]", 2, /found "é"/],
  // nested repetitions that multiply past the step limit, at the repetition that does it
  ["((a{64}){64}){64}", 14, /^the pattern grows past 4,096 single-byte steps once its repetitions are written out \(repetitions inside repetitions multiply\); use fewer or narrower repetitions$/],
  ["(a{64}){63}(a{64}){63}", 12, /grows past 4,096 single-byte steps/],
];

function refusal(pattern, ignoreCase = false) {
  try {
    compilePattern("test", pattern, ignoreCase);
  } catch (error) {
    assert.instance(error, PatternError, `not a PatternError: ${error?.stack ?? error}`);
    return error;
  }
  assert.unreachable(`accepted ${JSON.stringify(pattern)}`);
}

test("every refusal names the position and what was expected", () => {
  for (const [pattern, position, says] of REFUSALS) {
    const error = refusal(pattern);
    assert.is(error.name, "PatternError");
    assert.is(error.position, position, `${JSON.stringify(pattern)}: position of ${error.message}`);
    const prefix = position === undefined ? "" : `at character ${position}: `;
    assert.ok(error.message.startsWith(prefix), `${JSON.stringify(pattern)}: ${error.message}`);
    assert.match(error.message.slice(prefix.length), says, `${JSON.stringify(pattern)}: ${error.message}`);
  }
});

test("refusals do not depend on ignoreCase", () => {
  for (const [pattern] of REFUSALS) assert.is(refusal(pattern, true).message, refusal(pattern, false).message);
});

test("256 characters is the longest accepted pattern", () => {
  assert.is(compilePattern("long", "a".repeat(256), false).minLength, 256);
});

// ---------------------------------------------------------------- (c) differential

/** [pattern, alphabet (chars 0-255 standing for bytes), planted matches]. Each runs with and without ignoreCase. */
const DIFFERENTIAL = [
  ["MRN[-: ]?\\d{6,10}", "MRNmrn-: 0123456789xX_#\xc3", ["MRN123456", "MRN-1234567890", "MRN: 12345678", "MRN 1234567"]],
  ["[A-Z]{2}\\d{6}", "ABZaz019 -_\xc3", ["AB123456", "ZZ000000", "az999999"]],
  ["(MRN|MR#)\\s?\\d+", "MR#N 12\tmr", ["MR#12", "MRN 7", "MR#\t99", "mrn42"]],
  ["\\d{3}-\\d{4}", "0123456789- x", ["555-1234", "000-0000"]],
  ["a(b|c)*d", "abcdx -A", ["ad", "abcbd", "accd"]],
  ["x{2,4}", "xX y-", ["xx", "xxx", "xxxx"]],
  ["#\\d+", "#0129a -", ["#12", "#0"]],
  ["-\\d+", "-0123a _", ["-5", "-12"]],
  ["\\w+@\\w+", "a1_@ .\xc3\xa9", ["a@b", "x_1@\xc3\xa9"]],
  ["[^ ]+x", "abx -\xc3", ["ax", "-x", "\xc3x"]],
  ["\\d+(\\.\\d+)?", "0129. a", ["1.5", "12", "3.14"]],
  ["ID[0-9A-F]{4}", "IDid0129AFaf g", ["IDA0F9", "ID0000", "idffff"]],
  ["(ab|cd){2,3}", "abcdAB x", ["abcd", "cdcdab", "abab"]],
  [".{3}", "ab -\xc3\xff\x00", ["abc", "- -", "\xc3\xa9a"]],
  ["a.c", "abcC -\xc3\n", ["a-c", "a\xc3c", "abc", "a\nc"]],
  ["[a-c-]+x", "abc-x yA", ["a-bx", "-x", "cx"]],
  ["\\s\\d", " \t\r\n1a-", [" 1", "\t9", "\n0"]],
  ["(a|b)*a(a|b){3}", "ab cA", ["aaaa", "babbb", "abbab"]],
  ["[\\w.]+z", "a._ -z\xc3", ["a.z", "_z", ".z"]],
  ["PT\\d{2,}", "PT019 pt", ["PT12", "PT0000"]],
  ["(x|xy)z", "xyzXZ ", ["xyz", "xz"]],
  ["[^a-z]{2}", "aA1- zZ\xc3", ["A1", "--", "1Z"]],
  ["\\\\\\d", "\\1a ", ["\\1", "\\9"]],
  ["(\\d{3}[- ]?){2}\\d{4}", "0123456789- a", ["212-555-1234", "2125551234", "212 555 1234"]],
  ["ab{0}c", "abc ", ["ac"]],
  ["[A-Z][a-z]+ [A-Z][a-z]+", "AaBb zZ", ["Ab Ba", "Zz Aaaa"]],
  ["(\\w|-)+-(\\w|-)+", "a-_ \xc3", ["a-b", "--", "_-\xc3\xa9"]],
  ["e\\.g\\.", "eg. xE", ["e.g."]],
  ["_+", "_a -", ["_", "___"]],
  ["\\d{4}-\\d{2}-\\d{2}", "0129- T", ["1980-02-29", "2026-12-06"]],
  ["[Mm][Rr][Nn]\\d", "MmRrNn1 ", ["MRN1", "mrn2"]],
  ["a+b+", "abAB c", ["ab", "aabbb"]],
];

const GLUES = ["", " ", "-", "x", "X", "_", "9", "\xc3", "\xa9", ".", "#", "\t"];

function randomCase(rng, text) {
  return [...text].map((c) => (/[a-z]/i.test(c) && rng() < 0.5 ? (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) : c)).join("");
}

function randomWord(rng, alphabet, maxLength) {
  let s = "";
  const length = Math.floor(rng() * (maxLength + 1));
  for (let k = 0; k < length; k++) s += alphabet[Math.floor(rng() * alphabet.length)];
  return s;
}

/** Values for one pattern: random ones over its alphabet, and its plants at start, middle and end, glued or not. */
function valuesFor(rng, alphabet, plants, ignoreCase) {
  const values = [];
  for (let k = 0; k < 2000; k++) values.push(randomWord(rng, alphabet, 24));
  for (const plant of plants) {
    for (const before of GLUES) {
      for (const after of GLUES) values.push(before + plant + after);
      values.push(before + plant, `${before}${plant} ${plant}${before}`, `a b ${before}${plant}`);
    }
    for (let k = 0; k < 200; k++) {
      const planted = ignoreCase ? randomCase(rng, plant) : plant;
      values.push(randomWord(rng, alphabet, 4) + planted + randomWord(rng, alphabet, 4));
    }
  }
  return values.map(latin1);
}

test("differential: the compiled table agrees with the RegExp oracle on random and planted values", () => {
  const rng = mulberry32(0x9a77e2);
  let total = 0;
  for (const [pattern, alphabet, plants] of DIFFERENTIAL) {
    for (const ignoreCase of [false, true]) {
      const { table } = compiledFor(pattern, ignoreCase);
      let hits = 0;
      const values = valuesFor(rng, alphabet, plants, ignoreCase);
      for (const bytes of values) {
        const got = runPatternTable(table, bytes);
        const expected = oracle({ pattern, ignoreCase }, bytes);
        if (got !== expected) {
          assert.unreachable(`${pattern}${ignoreCase ? " (ignoreCase)" : ""} on ${JSON.stringify(String.fromCharCode(...bytes))}: table ${got}, oracle ${expected}`);
        }
        if (got) hits++;
      }
      // Both answers must occur, or the values would not test the pattern.
      assert.ok(hits > 0 && hits < values.length, `${pattern}: ${hits} of ${values.length} values match`);
      total += values.length;
    }
  }
  assert.ok(total > 150_000, `only ${total} values`);
});

test("differential: a pattern long enough to need hundreds of states", () => {
  const rng = mulberry32(17);
  for (const pattern of ["(a|b)*a(a|b){8}", "\\d{40,64}", "(\\d{3}-){20}\\d"]) {
    const { table, stateCount } = compiledFor(pattern, false);
    assert.ok(stateCount > 60, `${pattern}: ${stateCount} states`);
    const alphabet = pattern.includes("a") ? "ab ab-" : "0123456789012345678901234567890123456789-";
    for (let k = 0; k < 3000; k++) {
      const bytes = latin1(randomWord(rng, alphabet, 90));
      assert.is(runPatternTable(table, bytes), oracle({ pattern, ignoreCase: false }, bytes), `${pattern} on ${String.fromCharCode(...bytes)}`);
    }
  }
});

// ---------------------------------------------------------------- (d) minLength

test("minLength is the fewest bytes a match of the pattern itself can have", () => {
  const cases = [
    ["a", 1], ["abc", 3], ["MRN[-: ]?\\d{6,10}", 9], ["[A-Z]{2}\\d{6}", 8], ["(MRN|MR#)\\s?\\d+", 4], ["\\d{3}-\\d{4}", 8],
    ["a(b|c)*d", 2], ["x{2,4}", 2], ["(ab|c)+", 1], ["(ab|cde){3}", 6], ["a{2,}", 2], ["(a?b){5}", 5], ["ab{0}c", 2],
    ["(a|bc)(d|ef)", 2], [".{3,}", 3], ["x((y{2}){3})?", 1], ["\\d{64}", 64], ["(\\d{64}){2}", 128],
  ];
  for (const [pattern, min] of cases) {
    for (const ignoreCase of [false, true]) assert.is(compilePattern("m", pattern, ignoreCase).minLength, min, pattern);
  }
});

// ---------------------------------------------------------------- table layout

function header(table) {
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  return { classes: view.getUint32(0, true), states: view.getUint32(4, true), start: view.getUint32(8, true), view };
}

test("the table is laid out as the engine reads it", () => {
  for (const [pattern] of DIFFERENTIAL) {
    for (const ignoreCase of [false, true]) {
      const c = compiledFor(pattern, ignoreCase);
      const { classes, states, start, view } = header(c.table);
      assert.is(states, c.stateCount);
      assert.ok(states >= 2 && states <= MAX_PATTERN_STATES && start < states && classes >= 2 && classes <= 257);
      assert.is(c.table.length % 4, 0);
      assert.is(c.table.length, (PATTERN_TABLE_HEADER_BYTES + 2 * states * classes + 3) & ~3);
      assert.equal([...c.table.subarray(12 + 257, 12 + 260)], [0, 0, 0]);
      const classOf = c.table.subarray(12, 12 + 257);
      assert.ok(classOf.every((k) => k < classes));
      for (let k = 0; k < classes; k++) assert.ok(classOf.includes(k), `${pattern}: class ${k} has no symbol`);
      // Every target is a state; ACCEPTING is set on all transitions into a state or none.
      const accepting = new Map();
      for (let k = 0; k < states * classes; k++) {
        const entry = view.getUint16(PATTERN_TABLE_HEADER_BYTES + 2 * k, true);
        const target = entry & ~PATTERN_ACCEPTING;
        assert.ok(target < states);
        const flag = (entry & PATTERN_ACCEPTING) !== 0;
        assert.is(accepting.get(target) ?? flag, flag, `${pattern}: state ${target} both accepting and not`);
        accepting.set(target, flag);
      }
      assert.ok([...accepting.values()].includes(true), `${pattern}: no accepting state`);
      assert.is(c.name, "test");
      assert.is(c.source, pattern);
      assert.is(c.ignoreCase, ignoreCase);
      assert.ok(Object.isFrozen(c));
    }
  }
});

test("compiling is deterministic", () => {
  for (const [pattern] of DIFFERENTIAL) {
    assert.equal([...compilePattern("a", pattern, true).table], [...compilePattern("b", pattern, true).table], pattern);
  }
});

test("typical tables are small: bytes that behave alike share a class, and the automaton is minimal", () => {
  // The minimal automaton and the coarsest classes are unique, so these numbers only change with the semantics.
  const sizes = [
    ["MRN[-: ]?\\d{6,10}", true, 17, 7, 512],
    ["MRN[-: ]?\\d{6,10}", false, 17, 7, 512],
    ["[A-Z]{2}\\d{6}", false, 11, 4, 360],
    ["\\d{3}-\\d{4}", false, 11, 4, 360],
    ["a", false, 4, 3, 296],
  ];
  for (const [pattern, ignoreCase, states, classes, bytes] of sizes) {
    const c = compilePattern("s", pattern, ignoreCase);
    assert.equal([c.stateCount, header(c.table).classes, c.table.length], [states, classes, bytes], pattern);
  }
  // "a|b" is one class: a and b lead to the same states everywhere.
  const { table } = compilePattern("s", "x(a|b)", false);
  assert.is(table[12 + 0x61], table[12 + 0x62]);
  // EDGE behaves like a non-word byte the pattern does not mention.
  assert.is(table[12 + 256], table[12 + 0x21]);
});

test("a table is read from any offset of a larger buffer", () => {
  const { table } = compilePattern("o", "MRN\\d{3}", false);
  const buffer = new Uint8Array(table.length + 3);
  buffer.set(table, 3);
  const shifted = buffer.subarray(3);
  assert.ok(runPatternTable(shifted, utf8("id MRN123")));
  assert.not.ok(runPatternTable(shifted, utf8("id MRN1234")));
});

// ---------------------------------------------------------------- (e) the state limit

test(`a pattern needing more than ${MAX_PATTERN_STATES} states is refused, with a message that says so`, () => {
  const message = /^the pattern needs more than 1,024 automaton states, the limit; use fewer or narrower repetitions/;
  for (const pattern of ["(a|b)*a(a|b){9}", "(a|b)*a(a|b){12}", ".{64}x", "(\\d{64}){17}", "(x.?){64}", "(\\w{0,64}){63}x"]) {
    const error = refusal(pattern);
    assert.is(error.position, undefined);
    assert.match(error.message, message, pattern);
  }
  // One count fewer fits: the limit is about states, not about the form of the pattern.
  assert.ok(compilePattern("fits", "(a|b)*a(a|b){8}", false).stateCount <= MAX_PATTERN_STATES);
  assert.ok(compilePattern("fits", "(\\d{64}){15}", false).stateCount <= MAX_PATTERN_STATES);
});

test("refusing a pattern that explodes stays fast", () => {
  const started = performance.now();
  refusal("(\\w{0,64}){63}x");
  refusal("((a{64}){64}){64}");
  assert.ok(performance.now() - started < 5000, `${performance.now() - started} ms`);
});

test.run();
