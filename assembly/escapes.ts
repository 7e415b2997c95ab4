// JSON string escapes: validating one, decoding string bodies into the documents they hold,
// and writing a filtered document back as a string body. Embedded documents are dense with '\"'
// escapes, so the SIMD build handles them a whole vector at a time: escape backslashes are found
// with bit tricks and squeezed out with a shuffle (decode), or put in with one (encode), instead
// of stopping at every escape.
import { fail, UNEXPECTED_END, INVALID_ESCAPE, LONE_SURROGATE, CONTROL_CHARACTER } from "./errors";
import { failHere, docEnd, specialBytes64, quoteOrBackslash128 } from "./scan";
import { validateUtf8Sequence, encodeUtf8 } from "./utf8";

// PACK[m]: 8 swizzle lanes gathering the bytes of an 8-byte group whose bit in m is clear.
// EXPAND[m]: 16 lanes writing the group with lane 8 (a backslash) before each byte whose bit is set.
const PACK: usize = ASC_FEATURE_SIMD ? buildPack() : 0;
const EXPAND: usize = ASC_FEATURE_SIMD ? buildExpand() : 0;

function buildPack(): usize {
  const table = heap.alloc(256 * 8);
  for (let m = 0; m < 256; m++) {
    let k = 0;
    for (let i = 0; i < 8; i++) if (((m >> i) & 1) == 0) store<u8>(table + m * 8 + k++, <u8>i);
    while (k < 8) store<u8>(table + m * 8 + k++, 0);
  }
  return table;
}

function buildExpand(): usize {
  const table = heap.alloc(256 * 16);
  for (let m = 0; m < 256; m++) {
    let k = 0;
    for (let i = 0; i < 8; i++) {
      if ((m >> i) & 1) store<u8>(table + m * 16 + k++, 8);
      store<u8>(table + m * 16 + k++, <u8>i);
    }
    while (k < 16) store<u8>(table + m * 16 + k++, 0);
  }
  return table;
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
export function hex4(p: usize): i32 {
  const a = hexDigit(load<u8>(p));
  const b = hexDigit(load<u8>(p, 1));
  const c = hexDigit(load<u8>(p, 2));
  const d = hexDigit(load<u8>(p, 3));
  if ((a | b | c | d) < 0) return -1;
  return (a << 12) | (b << 8) | (c << 4) | d;
}

/** Set by scanEscape: the code point the escape stands for. */
export let escapedCodePoint: u32 = 0;

/** Validates the escape whose backslash is at p; returns the address after it, or 0. */
export function scanEscape(p: usize): usize {
  const c = <u32>load<u8>(p, 1);
  if (c == 0x75) { // \uXXXX
    if (p + 6 > docEnd) return fail(UNEXPECTED_END, p);
    const unit = hex4(p + 2);
    if (unit < 0) return fail(INVALID_ESCAPE, p);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      // A high surrogate must be followed at once by a low one (I-JSON: no lone surrogates).
      if (load<u8>(p, 6) != 0x5c || load<u8>(p, 7) != 0x75 || p + 12 > docEnd) return fail(LONE_SURROGATE, p);
      const low = hex4(p + 8);
      if (low < 0xdc00 || low > 0xdfff) return fail(LONE_SURROGATE, p);
      escapedCodePoint = 0x10000 + ((<u32>unit - 0xd800) << 10) + (<u32>low - 0xdc00);
      return p + 12;
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) return fail(LONE_SURROGATE, p);
    escapedCodePoint = <u32>unit;
    return p + 6;
  }
  if (c == 0x22 || c == 0x5c || c == 0x2f) escapedCodePoint = c;
  else if (c == 0x62) escapedCodePoint = 0x08;
  else if (c == 0x66) escapedCodePoint = 0x0c;
  else if (c == 0x6e) escapedCodePoint = 0x0a;
  else if (c == 0x72) escapedCodePoint = 0x0d;
  else if (c == 0x74) escapedCodePoint = 0x09;
  else return failHere(INVALID_ESCAPE, p + 1);
  return p + 2;
}

/** Set by decodeString: the address after the last decoded byte. */
export let decodedEnd: usize = 0;

/**
 * Scans the string whose body starts at p (validating it as scanString does) and writes its
 * decoded bytes to dst; returns the address of the closing quote, or 0. decodedEnd tells where
 * the decoded bytes end; up to 16 bytes past it may be written.
 */
export function decodeString(p: usize, dst: usize): usize {
  while (true) {
    if (ASC_FEATURE_SIMD) {
      const v = v128.load(p);
      const backslashes = i8x16.bitmask(i8x16.eq(v, i8x16.splat(0x5c)));
      const quotes = i8x16.bitmask(i8x16.eq(v, i8x16.splat(0x22)));
      const others = i8x16.bitmask(i8x16.lt_s(v, i8x16.splat(0x20))); // controls and non-ASCII
      if ((backslashes | quotes | others) == 0) {
        v128.store(dst, v);
        p += 16;
        dst += 16;
        continue;
      }
      if (backslashes == 0) {
        v128.store(dst, v);
        const n = <usize>ctz(quotes | others);
        p += n;
        dst += n;
      } else {
        const plan = escapePlan(<u32>backslashes, <u32>quotes, <u32>others);
        dst = squeeze(v, dst, planDropped(plan));
        p += <usize>planLimit(plan);
        if (!planPending(plan)) continue;
      }
    } else {
      const n = copyPlainWords(p, dst);
      p += n;
      dst += n;
    }
    // One byte that needs attention. (Kept in this loop, not in a helper: a call here and a
    // memory.copy for the 2-4 bytes of a UTF-8 sequence cost the SIMD build 7-12% of its speed.)
    const c = load<u8>(p);
    if (c == 0x22) {
      decodedEnd = dst;
      return p;
    }
    if (c == 0x5c) {
      const e = load<u8>(p, 1);
      if (e == 0x22 || e == 0x5c) {
        store<u8>(dst, e);
        p += 2;
        dst++;
        continue;
      }
      const next = scanEscape(p);
      if (next == 0) return 0;
      p = next;
      dst = encodeUtf8(dst, escapedCodePoint);
    } else if (c >= 0x80) {
      const next = validateUtf8Sequence(p);
      if (next == 0) return 0;
      while (p < next) {
        store<u8>(dst, load<u8>(p));
        p++;
        dst++;
      }
    } else {
      return failHere(CONTROL_CHARACTER, p);
    }
  }
  return unreachable();
}

// An escape plan for one 16-byte vector: which bytes before `limit` are escape backslashes to
// drop, and whether a byte this plan does not handle (an escape other than '\"' or '\\', a
// control or non-ASCII byte, the closing quote) stands at `limit`. Packed: dropped mask in the
// high half, limit in bits 0-4, pending in bit 5.
// @ts-ignore: decorator
@inline
function planDropped(plan: u32): u32 {
  return plan >> 16;
}

// @ts-ignore: decorator
@inline
function planLimit(plan: u32): u32 {
  return plan & 31;
}

// @ts-ignore: decorator
@inline
function planPending(plan: u32): bool {
  return (plan & 32) != 0;
}

/** The plan for a vector with these bitmasks (at least one backslash). */
// @ts-ignore: decorator
@inline
function escapePlan(backslashes: u32, quotes: u32, others: u32): u32 {
  let drop: u32 = 0;
  let escaped: u32 = 0;
  let limit: u32 = 16; // bytes of this vector handled here
  let pending = false; // an escape this plan does not handle starts at `limit`
  let rest = backslashes;
  if ((rest & ~(quotes >> 1)) == 0 && rest < 0x8000) {
    // The usual case: every backslash escapes the quote right after it.
    drop = rest;
    escaped = rest << 1;
    rest = 0;
  }
  while (rest != 0) {
    const i = ctz(rest);
    if (i == 15) { // its escaped byte is in the next vector: start there next time
      limit = 15;
      break;
    }
    if ((((quotes | backslashes) >> (i + 1)) & 1) == 0) {
      limit = i;
      pending = true;
      break;
    }
    drop |= 1 << i;
    escaped |= 2 << i;
    rest &= ~(3 << i);
  }
  if (others != 0 && <u32>ctz(others) < limit) {
    limit = ctz(others);
    pending = true;
  }
  const closing = quotes & ~escaped & ((1 << limit) - 1);
  if (closing != 0) {
    limit = ctz(closing);
    pending = true;
  }
  const dropped = (drop | ~((1 << limit) - 1)) & 0xffff;
  return (dropped << 16) | (pending ? 32 : 0) | limit;
}

/** Writes the bytes of v whose bit in `dropped` is clear to dst, 8 lanes at a time; returns the new end. */
// @ts-ignore: decorator
@inline
function squeeze(v: v128, dst: usize, dropped: u32): usize {
  const low = dropped & 0xff;
  const high = dropped >> 8;
  v128.store64_lane(dst, v128.swizzle(v, v128.load64_zero(PACK + <usize>low * 8)), 0);
  dst += <usize>(8 - popcnt(low));
  const upper = i8x16.add(v128.load64_zero(PACK + <usize>high * 8), i8x16.splat(8));
  v128.store64_lane(dst, v128.swizzle(v, upper), 0);
  return dst + <usize>(8 - popcnt(high));
}

/** Copies plain string bytes from p to dst a word at a time; returns how many, up to the first special one. */
// @ts-ignore: decorator
@inline
function copyPlainWords(p: usize, dst: usize): usize {
  let n: usize = 0;
  while (true) {
    const w = load<u64>(p + n);
    store<u64>(dst + n, w);
    const mask = specialBytes64(w);
    if (mask != 0) return n + <usize>(ctz(mask) >> 3);
    n += 8;
  }
  return unreachable();
}

/**
 * Writes [p, end), minified JSON, at dst as the body of a JSON string: '"' and '\\' get a
 * backslash; nothing else needs one (minified JSON holds no whitespace or control characters).
 * Returns the address after the last byte written; up to 16 bytes past it may be written.
 */
export function encodeString(p: usize, end: usize, dst: usize): usize {
  if (ASC_FEATURE_SIMD) {
    while (p + 8 <= end) {
      const group = v128.load64_zero(p);
      const mask = <u32>quoteOrBackslash128(group);
      if (mask == 0) {
        v128.store64_lane(dst, group, 0);
        dst += 8;
      } else {
        const lanes = v128.load(EXPAND + <usize>mask * 16);
        v128.store(dst, v128.swizzle(i8x16.replace_lane(group, 8, 0x5c), lanes));
        dst += <usize>(8 + popcnt(mask));
      }
      p += 8;
    }
  }
  while (p < end) {
    const c = load<u8>(p);
    if (c == 0x22 || c == 0x5c) {
      store<u8>(dst, 0x5c);
      dst++;
    }
    store<u8>(dst, c);
    dst++;
    p++;
  }
  return dst;
}
