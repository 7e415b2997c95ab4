// Byte classes, digit helpers and the boundary rules the built-in PHI detectors share
// (docs/detectors.md, "Character classes used below"). A value is the bytes [v, v + n); every
// detector reads it through byteAt, which answers NONE for an index outside the value (including
// "index -1", which wraps to a huge usize), so no decision ever depends on a byte outside it.
// NONE is in no class: it is not a word byte, glue, a digit or a separator, which is exactly what
// the rules say of the edges ("i == 0", "j == n"), so the edges need no cases of their own.

/** What byteAt answers for an index outside the value. */
export const NONE: u32 = 256;

// Class bits, one byte per entry of CLASSES. (Digits are told by arithmetic: see isDigit.)
/** ASCII letter, digit, '_' or any byte >= 0x80. */
export const WORD: u32 = 1;
/** '.' '-' '/': joins numbers into bigger numeric tokens. */
export const GLUE: u32 = 2;
/** Digit, a-f, A-F. */
export const HEX: u32 = 4;
/** ASCII letter. */
export const ALPHA: u32 = 8;
/** An email local part byte: A-Z a-z 0-9 . _ % + - */
export const LOCAL: u32 = 16;
/** A host byte (email domain, www. host): A-Z a-z 0-9 . - */
export const HOST: u32 = 32;
/** A phone separator (SEP): space, '-', '.'. */
export const SEP: u32 = 64;

// Indexed by byte, plus entry NONE (0: no class).
const CLASSES: usize = buildClasses();

function buildClasses(): usize {
  const table = heap.alloc(257);
  for (let c: u32 = 0; c <= NONE; c++) store<u8>(table + c, <u8>classesOf(c));
  return table;
}

function classesOf(c: u32): u32 {
  if (c == NONE) return 0;
  const letter = (c | 0x20) - 0x61 < 26;
  const digit = c - 0x30 < 10;
  let k: u32 = 0;
  if (letter || digit || c == 0x5f || c >= 0x80) k |= WORD;
  if (c == 0x2e || c == 0x2d || c == 0x2f) k |= GLUE;
  if (digit || (c | 0x20) - 0x61 < 6) k |= HEX;
  if (letter) k |= ALPHA;
  if (letter || digit || c == 0x2e || c == 0x5f || c == 0x25 || c == 0x2b || c == 0x2d) k |= LOCAL;
  if (letter || digit || c == 0x2e || c == 0x2d) k |= HOST;
  if (c == 0x20 || c == 0x2d || c == 0x2e) k |= SEP;
  return k;
}

/** The byte at index k of the value [v, v + n), or NONE when k is outside it. */
// @ts-ignore: decorator
@inline
export function byteAt(v: usize, n: usize, k: usize): u32 {
  return k < n ? <u32>load<u8>(v + k) : NONE;
}

/** The class bits of c (a byte or NONE). */
// @ts-ignore: decorator
@inline
export function classOf(c: u32): u32 {
  return <u32>load<u8>(CLASSES + <usize>c);
}

// @ts-ignore: decorator
@inline
export function isDigit(c: u32): bool {
  return c - 0x30 < 10;
}

/** N: a digit 2-9 (what a NANP area code or exchange starts with). */
// @ts-ignore: decorator
@inline
export function isN(c: u32): bool {
  return c - 0x32 < 8;
}

// @ts-ignore: decorator
@inline
export function isWord(c: u32): bool {
  return (classOf(c) & WORD) != 0;
}

// @ts-ignore: decorator
@inline
export function isHex(c: u32): bool {
  return (classOf(c) & HEX) != 0;
}

// @ts-ignore: decorator
@inline
export function isSep(c: u32): bool {
  return (classOf(c) & SEP) != 0;
}

/** c | 0x20, for comparing with a lowercase letter: only 'X' and 'x' give 'x' (NONE stays above 0xff). */
// @ts-ignore: decorator
@inline
export function lower(c: u32): u32 {
  return c | 0x20;
}

/** The `count` digits at index k read as a decimal number, or -1 if any of them is not a digit. */
export function digitsAt(v: usize, n: usize, k: usize, count: usize): i32 {
  let value: i32 = 0;
  for (let e = k + count; k < e; k++) {
    const c = byteAt(v, n, k);
    if (!isDigit(c)) return -1;
    value = value * 10 + <i32>(c - 0x30);
  }
  return value;
}

/**
 * "starts clean" at i: i == 0, or the byte before is not a word byte, not '+', and not glue
 * preceded by a digit (so the candidate is not the tail of a decimal, range or date).
 */
export function startsClean(v: usize, n: usize, i: usize): bool {
  const before = byteAt(v, n, i - 1);
  const k = classOf(before);
  if ((k & WORD) != 0 || before == 0x2b) return false;
  return (k & GLUE) == 0 || !isDigit(byteAt(v, n, i - 2));
}

/** "ends clean" at j: j == n, or V[j] is not a word byte and not glue followed by a digit. */
export function endsClean(v: usize, n: usize, j: usize): bool {
  const k = classOf(byteAt(v, n, j));
  if ((k & WORD) != 0) return false;
  return (k & GLUE) == 0 || !isDigit(byteAt(v, n, j + 1));
}

// A host name (an email's domain, the host after "www."): the longest run of host bytes from s,
// with '.' and '-' at its end taken off, needing at least two labels, none empty, the last at
// least two ASCII letters and nothing else. scanHost reads the run once and keeps what decides
// the question for any start inside it, so that hostFrom, meeting several starts in one run
// ("www.www.www...."), reads it once instead of a square of its length.

/** Set by scanHost: the index after the run of host bytes. */
let hostRunEnd: usize = 0;
/** Set by scanHost: the end of the host name (hostRunEnd with trailing '.' and '-' taken off). */
export let hostEnd: usize = 0;
/** Set by scanHost: index + 1 of the last '.' before hostEnd, or 0 when none. */
let lastDot: usize = 0;
/** Set by scanHost: index + 1 of the last '.' before hostEnd that follows another '.', or 0 when none. */
let lastEmpty: usize = 0;
/** Set by scanHost: whether the bytes after the last '.' (to hostEnd) are two or more ASCII letters. */
let tailLetters: bool = false;
/** The value and start index scanHost last read a run of, if forgetHosts was not called since. */
let runValue: usize = 0;
let runStart: usize = 0;
let runKnown = false;

/** Forgets the last host run read: call when a value's scan begins if it uses hostFrom. */
export function forgetHosts(): void {
  runKnown = false;
}

/** Reads the run of host bytes starting at s and keeps the facts the host name questions need. */
export function scanHost(v: usize, n: usize, s: usize): void {
  let j = s;
  while ((classOf(byteAt(v, n, j)) & HOST) != 0) j++;
  hostRunEnd = j;
  let e = j;
  while (e > s && (load<u8>(v + e - 1) == 0x2e || load<u8>(v + e - 1) == 0x2d)) e--;
  hostEnd = e;
  lastDot = 0;
  lastEmpty = 0;
  let letters: u32 = 0; // bytes since the last '.', while all of them are ASCII letters
  let onlyLetters = true;
  for (let k = s; k < e; k++) {
    const c = <u32>load<u8>(v + k);
    if (c == 0x2e) {
      if (lastDot == k) lastEmpty = k + 1; // V[k - 1] is a '.' too: the label between them is empty
      lastDot = k + 1;
      letters = 0;
      onlyLetters = true;
    } else if ((classOf(c) & ALPHA) != 0) {
      letters++;
    } else {
      onlyLetters = false;
    }
  }
  tailLetters = onlyLetters && letters >= 2;
  runValue = v;
  runStart = s;
  runKnown = true;
}

/**
 * Whether the host name starting at s is valid, s being inside the run scanHost last read
 * (its start <= s < its end, same value). Host names starting inside one run share its end.
 */
export function hostValidFrom(v: usize, s: usize): bool {
  if (s >= hostEnd) return false; // nothing left once the trailing '.' and '-' are off
  if (load<u8>(v + s) == 0x2e) return false; // empty first label
  // Two labels: a '.' after s. None empty: no ".." from s on (the first is not, V[s] being no '.';
  // the last is not, hostEnd having no '.' before it). The last: tailLetters.
  return lastDot > s + 1 && lastEmpty <= s + 1 && tailLetters;
}

/**
 * Whether a valid host name starts at index s of the value [v, v + n), reading its run only when
 * the run last read (since forgetHosts) does not hold s. hostEnd is its end either way.
 */
export function hostFrom(v: usize, n: usize, s: usize): bool {
  if (!runKnown || runValue != v || s < runStart || s >= hostRunEnd) scanHost(v, n, s);
  return hostValidFrom(v, s);
}
