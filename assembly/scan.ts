// Lexical kernels: whitespace, strings, numbers, literals, line ends, key hashing.
// Every document is followed by a sentinel byte (0 or a line end, all < 0x20) and at least
// PADDING readable bytes, so loops stop at the sentinel without bounds checks and 16-byte
// SIMD loads never leave memory. Positions are absolute addresses; 0 means "failed".
import { fail, UNEXPECTED_END, UNEXPECTED_BYTE, INVALID_NUMBER, CONTROL_CHARACTER } from "./errors";
import { validateUtf8Sequence } from "./utf8";
import { scanEscape } from "./escapes";
import { clearMemo } from "./key-memo";

/** Address of the sentinel ending the document being walked. */
export let docEnd: usize = 0;

export function setDocEnd(end: usize): void {
  docEnd = end;
}

/** Set by scanString: whether the string just scanned held a backslash escape. */
export let stringHadEscape: bool = false;

export function setStringHadEscape(escaped: bool): void {
  stringHadEscape = escaped;
}

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

/** Bytes of an 8-byte word that end a plain run in a string: '"', '\\', < 0x20 or >= 0x80 (high bit set). */
// @ts-ignore: decorator
@inline
export function specialBytes64(w: u64): u64 {
  // The lowest flagged byte is exact; flags above it may be spurious (borrows), which is all we use.
  const xq = w ^ 0x2222222222222222;
  const xb = w ^ 0x5c5c5c5c5c5c5c5c;
  return (w | ((w - 0x2020202020202020) & ~w)
    | ((xq - 0x0101010101010101) & ~xq)
    | ((xb - 0x0101010101010101) & ~xb)) & 0x8080808080808080;
}

/** Advances p over plain string bytes (8 at a time) to the first one that needs attention. */
// @ts-ignore: decorator
@inline
function skipPlain(p: usize): usize {
  while (true) {
    const mask = specialBytes64(load<u64>(p));
    if (mask != 0) return p + <usize>(ctz(mask) >> 3);
    p += 8;
  }
  return p;
}

/** Advances p over plain string bytes (a vector or a word at a time) to the first '"', '\\', control or non-ASCII byte. */
// @ts-ignore: decorator
@inline
export function skipPlainRun(p: usize): usize {
  if (ASC_FEATURE_SIMD) {
    while (true) {
      const v = v128.load(p);
      const special = v128.or(v128.or(i8x16.eq(v, i8x16.splat(0x22)), i8x16.eq(v, i8x16.splat(0x5c))), i8x16.lt_s(v, i8x16.splat(0x20)));
      const mask = i8x16.bitmask(special);
      if (mask != 0) return p + <usize>ctz(mask);
      p += 16;
    }
  }
  return skipPlain(p);
}

/**
 * Scans a string whose opening quote is at p - 1, validating escapes, UTF-8 and control
 * characters. Returns the address of the closing quote, or 0.
 */
export function scanString(p: usize): usize {
  let escaped = false;
  while (true) {
    if (ASC_FEATURE_SIMD) {
      // A vector whose only escapes are '\"' (embedded JSON is full of them) is taken whole.
      while (true) {
        const v = v128.load(p);
        const backslashes = <u32>i8x16.bitmask(i8x16.eq(v, i8x16.splat(0x5c)));
        const quotes = <u32>i8x16.bitmask(i8x16.eq(v, i8x16.splat(0x22)));
        const others = <u32>i8x16.bitmask(i8x16.lt_s(v, i8x16.splat(0x20)));
        if ((backslashes | quotes | others) == 0) {
          p += 16;
          continue;
        }
        if (others != 0 || backslashes == 0 || backslashes >= 0x8000 || ((backslashes << 1) & ~quotes) != 0) {
          p += <usize>ctz(backslashes | quotes | others);
          break;
        }
        escaped = true;
        const closing = quotes & ~(backslashes << 1);
        if (closing != 0) {
          stringHadEscape = true;
          return p + <usize>ctz(closing);
        }
        p += 16;
      }
    } else {
      p = skipPlain(p);
    }
    const c = load<u8>(p);
    if (c == 0x22) {
      stringHadEscape = escaped;
      return p;
    }
    if (c == 0x5c) {
      escaped = true;
      p = scanEscape(p);
    } else if (c >= 0x80) {
      p = validateUtf8Sequence(p);
    } else {
      return failHere(CONTROL_CHARACTER, p);
    }
    if (p == 0) return 0;
  }
}

/** Bitmask of the '"' and '\\' bytes of a 16-byte vector. */
// @ts-ignore: decorator
@inline
export function quoteOrBackslash128(v: v128): i32 {
  return i8x16.bitmask(v128.or(i8x16.eq(v, i8x16.splat(0x22)), i8x16.eq(v, i8x16.splat(0x5c))));
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
  let word: u64 = 0; // the literal's bytes, little-endian
  let length: usize = 0;
  if (c == 0x74) { word = 0x65757274; length = 4; } // true
  else if (c == 0x66) { word = 0x65736c6166; length = 5; } // false
  else if (c == 0x6e) { word = 0x6c6c756e; length = 4; } // null
  else return failHere(UNEXPECTED_BYTE, p);
  for (let i: usize = 1; i < length; i++) {
    // The sentinel at docEnd never matches, so a literal cut short fails at docEnd.
    if (<u64>load<u8>(p + i) != ((word >> (i * 8)) & 0xff)) return failHere(UNEXPECTED_BYTE, p + i);
  }
  return p + length;
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

/**
 * Whether [a, a + n) and [b, b + n) hold the same bytes. Reads whole words, the last one
 * overlapping; short keys read up to 7 bytes past their end (always readable: padding).
 */
export function bytesEqual(a: usize, b: usize, n: usize): bool {
  if (n >= 8) {
    const last = n - 8;
    for (let i: usize = 0; i < last; i += 8) {
      if (load<u64>(a + i) != load<u64>(b + i)) return false;
    }
    return load<u64>(a + last) == load<u64>(b + last);
  }
  if (n == 0) return true;
  const mask: u64 = (<u64>1 << (<u64>n << 3)) - 1;
  return ((load<u64>(a) ^ load<u64>(b)) & mask) == 0;
}

/** Seed of hashKey, random per engine instance (set by the host): collisions cannot be planned. */
let hashSeed: u64 = 0x9e3779b97f4a7c15;

export function setHashSeed(low: u32, high: u32): void {
  hashSeed = (<u64>high << 32) | <u64>low | 1;
  clearMemo(); // it remembers hashes made with the old seed
}

/**
 * Hash of a decoded key; the same function indexes the policy tables and the duplicate sets.
 * Every byte is read: 8-byte words, the last one overlapping. Never 0 (0 means "not hashed").
 */
export function hashKey(p: usize, len: usize): u32 {
  let h: u64 = hashSeed ^ (<u64>len * 0x9e3779b97f4a7c15);
  if (len >= 8) {
    const last = p + len - 8;
    for (let q = p; q < last; q += 8) {
      h = (h ^ load<u64>(q)) * 0xff51afd7ed558ccd;
      h ^= h >> 32;
    }
    h = (h ^ load<u64>(last)) * 0xc4ceb9fe1a85ec53;
  } else if (len >= 4) {
    h = (h ^ (<u64>load<u32>(p) | (<u64>load<u32>(p + len - 4) << 32))) * 0xc4ceb9fe1a85ec53;
  } else if (len > 0) {
    const bytes = <u64>load<u8>(p) | (<u64>load<u8>(p + (len >> 1)) << 8) | (<u64>load<u8>(p + len - 1) << 16);
    h = (h ^ bytes) * 0xc4ceb9fe1a85ec53;
  }
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9;
  h ^= h >> 32;
  return <u32>h | 1;
}
