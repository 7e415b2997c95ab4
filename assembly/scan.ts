// Lexical kernels: whitespace, strings, escapes, numbers, literals, line ends, key hashing.
// Every document is followed by a sentinel byte (0 or a line end, all < 0x20) and at least
// PADDING readable bytes, so loops stop at the sentinel without bounds checks and 16-byte
// SIMD loads never leave memory. Positions are absolute addresses; 0 means "failed".
import {
  fail, UNEXPECTED_END, UNEXPECTED_BYTE, INVALID_NUMBER, INVALID_ESCAPE,
  CONTROL_CHARACTER, LONE_SURROGATE,
} from "./errors";
import { validateUtf8Sequence, encodeUtf8 } from "./utf8";

/** Readable bytes guaranteed after every document's sentinel. */
export const PADDING: usize = 64;

/** Address of the sentinel ending the document being walked. */
export let docEnd: usize = 0;

export function setDocEnd(end: usize): void {
  docEnd = end;
}

/** Set by scanString: whether the string just scanned held a backslash escape. */
export let stringHadEscape: bool = false;

/** A failure at p: "ended too soon" when p reached the sentinel, else `code`. */
export function failHere(code: i32, p: usize): usize {
  return fail(p >= docEnd ? UNEXPECTED_END : code, p);
}

// @ts-ignore: decorator
@inline
export function skipWhitespace(p: usize): usize {
  while (true) {
    const c = load<u8>(p);
    if (c > 0x20) return p;
    if (c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09) p++;
    else return p;
  }
}

/**
 * Scans a string whose opening quote is at p - 1, validating escapes, UTF-8 and control
 * characters. Returns the address of the closing quote, or 0.
 */
export function scanString(p: usize): usize {
  let escaped = false;
  while (true) {
    if (ASC_FEATURE_SIMD) {
      // 16 bytes at a time until one needs attention: '"', '\\', < 0x20, or >= 0x80
      // (the last two in one signed compare: bytes >= 0x80 are negative as i8).
      while (true) {
        const v = v128.load(p);
        const special = v128.or(
          i8x16.lt_s(v, i8x16.splat(0x20)),
          v128.or(i8x16.eq(v, i8x16.splat(0x22)), i8x16.eq(v, i8x16.splat(0x5c))),
        );
        const mask = i8x16.bitmask(special);
        if (mask != 0) {
          p += <usize>ctz(mask);
          break;
        }
        p += 16;
      }
    } else {
      // Scalar: 8 bytes at a time while all are printable ASCII other than '"' and '\\'.
      while (true) {
        const w = load<u64>(p);
        // A byte is "plain" if 0x20 <= b < 0x80 and b != 0x22, 0x5c. Test all eight at once.
        const high = w & 0x8080808080808080;
        const low = (w - 0x2020202020202020) & ~w & 0x8080808080808080;
        const xq = w ^ 0x2222222222222222;
        const quote = (xq - 0x0101010101010101) & ~xq & 0x8080808080808080;
        const xb = w ^ 0x5c5c5c5c5c5c5c5c;
        const slash = (xb - 0x0101010101010101) & ~xb & 0x8080808080808080;
        if ((high | low | quote | slash) != 0) break;
        p += 8;
      }
    }
    const c = load<u8>(p);
    if (c == 0x22) {
      stringHadEscape = escaped;
      return p;
    }
    if (c == 0x5c) {
      escaped = true;
      p = scanEscape(p);
      if (p == 0) return 0;
    } else if (c < 0x20) {
      return failHere(CONTROL_CHARACTER, p);
    } else if (c >= 0x80) {
      p = validateUtf8Sequence(p);
      if (p == 0) return 0;
    } else {
      p++;
    }
  }
}

/** Value of one hex digit, or -1. */
// @ts-ignore: decorator
@inline
function hexDigit(c: u32): i32 {
  if (c - 0x30 < 10) return <i32>(c - 0x30);
  const l = c | 0x20;
  if (l - 0x61 < 6) return <i32>(l - 0x61 + 10);
  return -1;
}

/** The four hex digits at p as a code unit, or -1. */
function hex4(p: usize): i32 {
  const a = hexDigit(load<u8>(p));
  const b = hexDigit(load<u8>(p, 1));
  const c = hexDigit(load<u8>(p, 2));
  const d = hexDigit(load<u8>(p, 3));
  if ((a | b | c | d) < 0) return -1;
  return (a << 12) | (b << 8) | (c << 4) | d;
}

/** Validates the escape whose backslash is at p; returns the address after it, or 0. */
function scanEscape(p: usize): usize {
  const c = load<u8>(p, 1);
  if (c == 0x75) { // \uXXXX
    if (p + 6 > docEnd) return fail(UNEXPECTED_END, p);
    const unit = hex4(p + 2);
    if (unit < 0) return fail(INVALID_ESCAPE, p);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      // A high surrogate must be followed at once by a low one (I-JSON: no lone surrogates).
      if (load<u8>(p, 6) != 0x5c || load<u8>(p, 7) != 0x75 || p + 12 > docEnd) return fail(LONE_SURROGATE, p);
      const low = hex4(p + 8);
      if (low < 0xdc00 || low > 0xdfff) return fail(LONE_SURROGATE, p);
      return p + 12;
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) return fail(LONE_SURROGATE, p);
    return p + 6;
  }
  if (c == 0x22 || c == 0x5c || c == 0x2f || c == 0x62 || c == 0x66 || c == 0x6e || c == 0x72 || c == 0x74) {
    return p + 2;
  }
  return failHere(INVALID_ESCAPE, p + 1);
}

/**
 * Decodes the already validated string body [p, end) into dst; returns the address after the
 * last byte written. Runs without escapes are bulk-copied.
 */
export function decodeString(p: usize, end: usize, dst: usize): usize {
  while (p < end) {
    let run = p;
    while (run < end && load<u8>(run) != 0x5c) run++;
    const n = run - p;
    if (n > 0) {
      memory.copy(dst, p, n);
      dst += n;
    }
    if (run >= end) break;
    const c = load<u8>(run, 1);
    p = run + 2;
    if (c == 0x75) {
      let cp = <u32>hex4(run + 2);
      p = run + 6;
      if (cp >= 0xd800 && cp <= 0xdbff) {
        const low = <u32>hex4(run + 8);
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        p = run + 12;
      }
      dst = encodeUtf8(dst, cp);
    } else {
      let b: u8 = c; // '"', '\\', '/'
      if (c == 0x62) b = 0x08;
      else if (c == 0x66) b = 0x0c;
      else if (c == 0x6e) b = 0x0a;
      else if (c == 0x72) b = 0x0d;
      else if (c == 0x74) b = 0x09;
      store<u8>(dst, b);
      dst++;
    }
  }
  return dst;
}

// @ts-ignore: decorator
@inline
function isDigit(c: u32): bool {
  return c - 0x30 < 10;
}

/** Validates a number (RFC 8259 grammar) starting at p; returns the address after it, or 0. */
export function scanNumber(p: usize): usize {
  const start = p;
  if (load<u8>(p) == 0x2d) p++;
  let c = <u32>load<u8>(p);
  if (c == 0x30) {
    p++;
    if (isDigit(load<u8>(p))) return fail(INVALID_NUMBER, start); // leading zero
  } else if (isDigit(c)) {
    do p++; while (isDigit(load<u8>(p)));
  } else {
    return failHere(INVALID_NUMBER, p);
  }
  c = load<u8>(p);
  if (c == 0x2e) {
    p++;
    if (!isDigit(load<u8>(p))) return failHere(INVALID_NUMBER, p);
    do p++; while (isDigit(load<u8>(p)));
    c = load<u8>(p);
  }
  if ((c | 0x20) == 0x65) {
    p++;
    c = load<u8>(p);
    if (c == 0x2b || c == 0x2d) p++;
    if (!isDigit(load<u8>(p))) return failHere(INVALID_NUMBER, p);
    do p++; while (isDigit(load<u8>(p)));
  }
  return p;
}

/** Validates true / false / null at p; returns the address after it, or 0. */
export function scanLiteral(p: usize): usize {
  const c = load<u8>(p);
  if (c == 0x74) { // true
    if (p + 4 <= docEnd && load<u32>(p) == 0x65757274) return p + 4;
  } else if (c == 0x66) { // false
    if (p + 5 <= docEnd && load<u32>(p, 1) == 0x65736c61) return p + 5;
  } else if (c == 0x6e) { // null
    if (p + 4 <= docEnd && load<u32>(p) == 0x6c6c756e) return p + 4;
  }
  return failHere(UNEXPECTED_BYTE, p);
}

/** Address of the first LF in [p, end), or end. */
export function findLineEnd(p: usize, end: usize): usize {
  if (ASC_FEATURE_SIMD) {
    while (p + 16 <= end) {
      const mask = i8x16.bitmask(i8x16.eq(v128.load(p), i8x16.splat(0x0a)));
      if (mask != 0) return p + <usize>ctz(mask);
      p += 16;
    }
  }
  while (p < end && load<u8>(p) != 0x0a) p++;
  return p;
}

/** Hash of a decoded key; the same function indexes the policy tables and the duplicate sets. */
export function hashKey(p: usize, len: usize): u32 {
  let h: u32 = <u32>len * 0x9e3779b1;
  const end = p + len;
  while (p + 4 <= end) {
    h = rotl<u32>(h ^ load<u32>(p), 13) * 0x85ebca6b;
    p += 4;
  }
  while (p < end) {
    h = rotl<u32>(h ^ <u32>load<u8>(p), 7) * 0xc2b2ae35;
    p++;
  }
  h ^= h >> 16;
  h *= 0x7feb352d;
  h ^= h >> 15;
  return h;
}
