// A plain-JS oracle for custom patterns (docs/detectors.md, "Custom patterns"), independent of the compiler in
// src/policy/pattern.ts: the pattern is rewritten into a JS RegExp and the value searched with backtracking.
//
// The value's bytes become a latin1 string (one char per byte, 0x80-0xff as \x80-\xff), so "a word byte" is
// [A-Za-z0-9_\x80-\xff] and "any byte" is [\x00-\xff]. Word boundaries are a lookbehind and a lookahead around
// the pattern. Case folding is written out ([aA]) instead of the `i` flag: without `u`, `i` also folds latin1
// letters such as \xe0/\xc0, which are bytes of UTF-8 sequences here, not letters.
//
// Only for patterns compilePattern accepts: anything else gives a RegExp that means something else, or throws.

const WORD = "A-Za-z0-9_\\x80-\\xff";
const SETS = { d: "0-9", w: WORD, s: " \\t\\r\\n" };

/** spec: { pattern, ignoreCase }; bytes: Uint8Array. Whether some run of the bytes matches at word boundaries. */
export function patternMatches(spec, bytes) {
  return regexFor(spec.pattern, Boolean(spec.ignoreCase)).test(latin1(bytes));
}

const cache = new Map();

function regexFor(pattern, ignoreCase) {
  const key = `${ignoreCase ? "i" : "-"}${pattern}`;
  let re = cache.get(key);
  if (!re) {
    re = new RegExp(`(?<![${WORD}])(?:${translate(pattern, ignoreCase)})(?![${WORD}])`);
    cache.set(key, re);
  }
  return re;
}

/** Bytes to a string of the same length, char code = byte (TextDecoder("latin1") is windows-1252: not this). */
function latin1(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}

const hex = (code) => `\\x${code.toString(16).padStart(2, "0")}`;
const isLetter = (c) => /^[A-Za-z]$/.test(c);
const otherCase = (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase());

function translate(pattern, ignoreCase) {
  let out = "";
  let i = 0;
  /** One character standing for itself, outside a class. */
  const literal = (c) => (ignoreCase && isLetter(c) ? `[${c}${otherCase(c)}]` : hex(c.charCodeAt(0)));
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === "\\") {
      const e = pattern[i + 1];
      out += e in SETS ? `[${SETS[e]}]` : literal(e);
      i += 2;
    } else if (c === "[") {
      const [text, end] = translateClass(pattern, i, ignoreCase);
      out += text;
      i = end;
    } else if (c === "(") {
      out += "(?:"; // no captures: nothing refers to them
      i++;
    } else if (c === ".") {
      out += "[\\x00-\\xff]";
      i++;
    } else if (c === "{") {
      const close = pattern.indexOf("}", i);
      out += pattern.slice(i, close + 1); // {n} {n,} {n,m}: the same in JS
      i = close + 1;
    } else if ("|)?*+".includes(c)) {
      out += c;
      i++;
    } else {
      out += literal(c);
      i++;
    }
  }
  return out;
}

/** The class starting at pattern[start] === "[" as a JS class; returns it and the index after its "]". */
function translateClass(pattern, start, ignoreCase) {
  let i = start + 1;
  const negated = pattern[i] === "^";
  if (negated) i++;
  // Items first: { set } for \d \w \s, { from, to } for a range or one character (from === to).
  const items = [];
  const single = () => {
    if (pattern[i] === "\\") {
      const e = pattern[i + 1];
      i += 2;
      return e in SETS ? { set: SETS[e] } : { from: e.charCodeAt(0), to: e.charCodeAt(0) };
    }
    const code = pattern.charCodeAt(i++);
    return { from: code, to: code };
  };
  while (pattern[i] !== "]") {
    const item = single();
    if (pattern[i] === "-" && pattern[i + 1] !== "]") {
      i++;
      item.to = single().from;
    }
    items.push(item);
  }
  let body = "";
  for (const item of items) {
    if (item.set) {
      body += item.set;
      continue;
    }
    body += item.from === item.to ? hex(item.from) : `${hex(item.from)}-${hex(item.to)}`;
    if (ignoreCase) {
      // The letters of the range, in the other case: [c-x] also holds C-X.
      for (const [lo, hi, shift] of [[0x41, 0x5a, 0x20], [0x61, 0x7a, -0x20]]) {
        const from = Math.max(item.from, lo);
        const to = Math.min(item.to, hi);
        if (from <= to) body += `${hex(from + shift)}-${hex(to + shift)}`;
      }
    }
  }
  return [`[${negated ? "^" : ""}${body}]`, i + 1];
}
