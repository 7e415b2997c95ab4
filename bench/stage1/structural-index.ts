// Stage 1 of a two-stage JSON design (simdjson's): the structural index of one document, 64
// bytes per step. Built for issue 7 and measured against the engine's single pass, which it did
// not beat (README, "One pass, not two: measured"); kept as the bench's "stage 1 alone" rows, the
// floor a two-stage engine cannot go under here. The engine does not use it.
//
// Each 64-byte block is classified into 64-bit masks, one bit per byte (bit i = byte i):
//   quote, backslash    the bytes `"` and `\`
//   control             bytes below 0x20
//   operator            `{ } [ ] : ,`
//   space               space, tab, LF, CR
// From these, with no branch per byte:
//   escaped             bytes that follow an odd run of backslashes (the escaped characters)
//   inString            bytes from an opening quote up to, not including, its closing quote
//                       (a prefix XOR of the unescaped quotes, carried across blocks)
//   atomStart           the first byte of every token that is neither a string nor an operator
// The index lists, in order, the offset (from the document's first byte) of every operator
// outside strings, every unescaped quote (opening and closing), and every atom start: so every
// token of the document has an entry, and between two entries there is only whitespace, the rest
// of an atom, or the body of a string. A stage 2 would check the grammar on the entries.
//
// What stage 1 validates, for the whole document: UTF-8 (SIMD: the lookup-table method of
// Keiser and Lemire, "Validating UTF-8 in less than one instruction per byte", 2021; SWAR: each
// multi-byte sequence on its own), no control character inside a string, every escape one of
// `\" \\ \/ \b \f \n \r \t \uXXXX`, `\u` surrogates paired, every string closed. A document that
// fails any of it gets no index: buildIndex returns -1, and an engine built on it would hand the
// document to an exact byte walk to report what is wrong and where. Errors outside strings
// (a bad number, a stray byte) are left to stage 2: they stand in an atom that has an entry.
//
// Index memory (u32 entries):
//
//   index ──► ┌─────────┬─────────┬─────┬───────────┬────────┬─────────────────┐
//             │ entry 0 │ entry 1 │ ... │ entry n-1 │ length │ up to 3 scratch │
//             └─────────┴─────────┴─────┴───────────┴────────┴─────────────────┘
//   The entry after the last is the document's length (its sentinel byte), so a walk that reads
//   one entry past a token always reads a position. Flattening writes 4 entries per step
//   unconditionally, so up to 3 slots past the last real entry are scratch.
//
// Reads: a block is loaded whole only when all 64 bytes lie before the document's end; the last,
// partial block is copied into a zeroed 64-byte buffer first, so nothing past the sentinel is
// ever classified. The escape check reads at most 11 bytes past an escape's backslash, inside
// the document or its PADDING.
import { scanEscape } from "../../assembly/escapes";
import { setDocEnd } from "../../assembly/scan";
import { validateUtf8Sequence } from "../../assembly/utf8";

/** Entries an index needs beyond one per byte of document: the length entry and 3 of scratch. */
export const INDEX_SLACK: u32 = 4;

const ODD_BITS: u64 = 0xaaaaaaaaaaaaaaaa;

// ── The masks of the current block (set by classify) ──────────────────────────────────────
let quoteBits: u64 = 0;
let backslashBits: u64 = 0;
let controlBits: u64 = 0;
let operatorBits: u64 = 0;
let spaceBits: u64 = 0;
/** Bytes >= 0x80 anywhere in the block (the SIMD build keeps only "any", SWAR the bits). */
let highBits: u64 = 0;

// ── State carried from one block to the next ──────────────────────────────────────────────
/** 1 when the block's first byte is escaped (the last one ended an odd backslash run). */
let carryEscaped: u64 = 0;
/** All ones when the block starts inside a string. */
let carryInString: u64 = 0;
/** 1 when the last block ended with a byte of an atom (so the next byte does not start one). */
let carryAtom: u64 = 0;
/** Escapes before this address were checked (the second half of a surrogate pair). */
let escapesCheckedTo: usize = 0;
/** SWAR build: non-ASCII bytes before this address belong to a sequence already validated. */
let utf8CheckedTo: usize = 0;
// SIMD build, kept in memory (the scalar build has no v128 globals), 16 bytes each: the last
// input vector, whether it ends in an unfinished sequence, and the errors seen so far.
const utf8State: usize = memory.data(48, 16);
const UTF8_PREVIOUS: usize = 0;
const UTF8_UNFINISHED: usize = 16;
const UTF8_ERRORS: usize = 32;

/** A zeroed block for the document's last, partial 64 bytes. */
const tailBlock: usize = memory.data(64, 16);

/**
 * Builds the index of the document [start, end) into `index`, which must hold
 * (end - start) + INDEX_SLACK entries. Returns the number of entries (the length entry not
 * counted), or -1 when the document is not lexically valid JSON text.
 */
export function buildIndex(start: usize, end: usize, index: usize): i32 {
  carryEscaped = 0;
  carryInString = 0;
  carryAtom = 0;
  escapesCheckedTo = 0;
  utf8CheckedTo = 0;
  setDocEnd(end); // scanEscape's bound (the errors it and validateUtf8Sequence record are never read)
  if (ASC_FEATURE_SIMD) memory.fill(utf8State, 0, 48);
  let w = index;
  let p = start;
  while (p + 64 <= end) {
    classify(p);
    w = indexClassified(p, start, w, ~(<u64>0));
    if (w == 0) return -1;
    p += 64;
  }
  if (p < end) {
    // The partial last block, classified from a zeroed copy; positions stay the document's own.
    const rest = end - p;
    memory.fill(tailBlock, 0, 64);
    memory.copy(tailBlock, p, rest);
    classify(tailBlock);
    w = indexClassified(p, start, w, (<u64>1 << <u64>rest) - 1);
    if (w == 0) return -1;
  }
  if (carryInString != 0 || carryEscaped != 0) return -1; // a string left open
  if (ASC_FEATURE_SIMD) {
    if (v128.any_true(v128.or(v128.load(utf8State, UTF8_ERRORS), v128.load(utf8State, UTF8_UNFINISHED)))) return -1;
  }
  const count = <i32>((w - index) >> 2);
  store<u32>(w, <u32>(end - start));
  return count;
}

/**
 * The masks of the block at p (classified already) turned into index entries at w. `valid`
 * has a bit for each byte of the block that belongs to the document. Returns the new end of the
 * entries, or 0 when the block holds a lexical error.
 */
function indexClassified(p: usize, start: usize, w: usize, valid: u64): usize {
  const quote = quoteBits & valid;
  const backslash = backslashBits & valid;

  // Escaped characters: runs of backslashes starting on an even bit, subtracted from the odd
  // bits, leave a borrow exactly past each run of odd length (the escape's character).
  const escapes = backslash & ~carryEscaped;
  const escapeAndTerminal = (((escapes << 1) | ODD_BITS) - escapes) ^ ODD_BITS;
  const escaped = escapeAndTerminal ^ (backslash | carryEscaped);
  carryEscaped = (escapeAndTerminal & backslash) >> 63;

  const realQuote = quote & ~escaped;
  const inString = prefixXor(realQuote) ^ carryInString;
  carryInString = <u64>(<i64>inString >> 63);

  // Inside strings: no control character, and escapes only of the JSON kind.
  if ((controlBits & valid & inString) != 0) return 0;
  const escapedOther = escaped & ~quote & ~backslash;
  if (escapedOther != 0 && !escapesValid(p, escapedOther)) return 0;
  if (!utf8Valid(p, valid)) return 0;

  // Atom starts: a byte that is none of operator, space or quote, right after one that is.
  const atom = ~(operatorBits | spaceBits | quote) & valid & ~inString;
  const atomStart = atom & ~((atom << 1) | carryAtom);
  carryAtom = atom >> 63;

  return flatten(w, <u32>(p - start), ((operatorBits & valid & ~inString) | realQuote | atomStart));
}

/** Bit i = XOR of bits 0..i: 1 from an opening quote up to, not including, the closing one. */
// @ts-ignore: decorator
@inline
function prefixXor(x: u64): u64 {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

/**
 * Writes the offset of each set bit of `bits` (plus `offset`) at w, in order; returns the end.
 * Four entries per step with no test between them: the slack after the index takes the extra.
 */
// @ts-ignore: decorator
@inline
function flatten(w: usize, offset: u32, bits: u64): usize {
  const end = w + (<usize>popcnt(bits) << 2);
  while (bits != 0) {
    store<u32>(w, offset + <u32>ctz(bits));
    bits &= bits - 1;
    store<u32>(w, offset + <u32>ctz(bits), 4);
    bits &= bits - 1;
    store<u32>(w, offset + <u32>ctz(bits), 8);
    bits &= bits - 1;
    store<u32>(w, offset + <u32>ctz(bits), 12);
    bits &= bits - 1;
    w += 16;
  }
  return end;
}

/**
 * The escaped characters of the block at p other than `"` and `\` (rare: `\n`, `\u00e9`...),
 * each checked by the engine's own scanEscape from its backslash: one of `/ b f n r t u`, four hex
 * digits after `u`, surrogates paired (the second half of a pair is then skipped). Reads the
 * document itself (the partial last block's bytes are the same there).
 */
function escapesValid(p: usize, bits: u64): bool {
  while (bits != 0) {
    const at = p + <usize>ctz(bits);
    bits &= bits - 1;
    if (at < escapesCheckedTo) continue;
    const next = scanEscape(at - 1);
    if (next == 0) return false;
    escapesCheckedTo = next;
  }
  return true;
}

// ── Classification ────────────────────────────────────────────────────────────────────────

// Nibble tables (SIMD): a byte's class is LOW[its low nibble] & HIGH[its high nibble].
//   bit 0 `,` (0x2c)   bit 1 `:` (0x3a)   bit 2 `[ ] { }` (0x5b 0x5d 0x7b 0x7d)
//   bit 3 space (0x20) bit 4 tab, LF, CR (0x09 0x0a 0x0d)
// Bits 0-2 are the operators, bits 3-4 the spaces.
const CLASS_LOW: usize = memory.data<u8>([8, 0, 0, 0, 0, 0, 0, 0, 0, 16, 2 | 16, 4, 1, 4 | 16, 0, 0], 16);
const CLASS_HIGH: usize = memory.data<u8>([16, 0, 1 | 8, 2, 0, 4, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0], 16);

/** Sets the block masks for the 64 bytes at p. */
// @ts-ignore: decorator
@inline
function classify(p: usize): void {
  if (ASC_FEATURE_SIMD) {
    // Quotes, backslashes and operators are needed bit by bit in every block. Control bytes,
    // spaces and non-ASCII bytes are absent from most blocks of minified JSON, so they are first
    // tested for the block as a whole (one OR per vector) and made into bits only when present.
    const low = v128.load(CLASS_LOW);
    const high = v128.load(CLASS_HIGH);
    const v0 = v128.load(p);
    const v1 = v128.load(p, 16);
    const v2 = v128.load(p, 32);
    const v3 = v128.load(p, 48);
    const c0 = byteClasses(v0, low, high);
    const c1 = byteClasses(v1, low, high);
    const c2 = byteClasses(v2, low, high);
    const c3 = byteClasses(v3, low, high);
    quoteBits = bits64(equalTo(v0, 0x22), equalTo(v1, 0x22), equalTo(v2, 0x22), equalTo(v3, 0x22));
    backslashBits = bits64(equalTo(v0, 0x5c), equalTo(v1, 0x5c), equalTo(v2, 0x5c), equalTo(v3, 0x5c));
    const ops = i8x16.splat(7);
    operatorBits = bits64(inClass(c0, ops), inClass(c1, ops), inClass(c2, ops), inClass(c3, ops));
    const spaces = i8x16.splat(0x18);
    const classes = v128.or(v128.or(c0, c1), v128.or(c2, c3));
    spaceBits = v128.any_true(v128.and(classes, spaces))
      ? bits64(inClass(c0, spaces), inClass(c1, spaces), inClass(c2, spaces), inClass(c3, spaces)) : 0;
    const bytes = v128.or(v128.or(v0, v1), v128.or(v2, v3));
    highBits = <u64>i8x16.bitmask(bytes); // any non-ASCII byte: all the SIMD UTF-8 check needs
    const lowest = i8x16.min_u(i8x16.min_u(v0, v1), i8x16.min_u(v2, v3));
    controlBits = i8x16.bitmask(i8x16.lt_u(lowest, i8x16.splat(0x20))) != 0
      ? bits64(below(v0, 0x20), below(v1, 0x20), below(v2, 0x20), below(v3, 0x20)) : 0;
  } else {
    quoteBits = backslashBits = controlBits = operatorBits = spaceBits = highBits = 0;
    for (let i: u64 = 0; i < 64; i += 8) classify8(load<u64>(p + <usize>i), i);
  }
}

/** Class bits of each byte of v (see the nibble tables). */
// @ts-ignore: decorator
@inline
function byteClasses(v: v128, low: v128, high: v128): v128 {
  return v128.and(i8x16.swizzle(low, v128.and(v, i8x16.splat(0x0f))), i8x16.swizzle(high, i8x16.shr_u(v, 4)));
}

// @ts-ignore: decorator
@inline
function equalTo(v: v128, byte: i8): v128 {
  return i8x16.eq(v, i8x16.splat(byte));
}

// @ts-ignore: decorator
@inline
function below(v: v128, byte: i8): v128 {
  return i8x16.lt_u(v, i8x16.splat(byte));
}

// @ts-ignore: decorator
@inline
function inClass(classes: v128, which: v128): v128 {
  return i8x16.ne(v128.and(classes, which), i8x16.splat(0));
}

/** The lanes of four byte masks (0 or 0xff each) as 64 bits, first vector lowest. */
// @ts-ignore: decorator
@inline
function bits64(m0: v128, m1: v128, m2: v128, m3: v128): u64 {
  return <u64>i8x16.bitmask(m0) | (<u64>i8x16.bitmask(m1) << 16)
    | (<u64>i8x16.bitmask(m2) << 32) | (<u64>i8x16.bitmask(m3) << 48);
}

// SWAR (scalar build): flags in the high bit of each byte, gathered into 8 bits by a multiply.
// @ts-ignore: decorator
@inline
function gather(flags: u64): u64 {
  return ((flags >> 7) * 0x0102040810204080) >> 56;
}

/** High bit of each byte of w that equals `byte` (exact: no borrow crosses a byte). */
// @ts-ignore: decorator
@inline
function bytesEqualTo(w: u64, byte: u64): u64 {
  const x = w ^ (byte * 0x0101010101010101);
  return ~(((x & 0x7f7f7f7f7f7f7f7f) + 0x7f7f7f7f7f7f7f7f) | x) & 0x8080808080808080;
}

/** High bit of each byte of w below `limit` (<= 0x80; exact). */
// @ts-ignore: decorator
@inline
function bytesBelow(w: u64, limit: u64): u64 {
  return ~(((w & 0x7f7f7f7f7f7f7f7f) + (0x80 - limit) * 0x0101010101010101) | w) & 0x8080808080808080;
}

// @ts-ignore: decorator
@inline
function classify8(w: u64, shift: u64): void {
  const folded = w | 0x2020202020202020; // `[` `]` become `{` `}`
  quoteBits |= gather(bytesEqualTo(w, 0x22)) << shift;
  backslashBits |= gather(bytesEqualTo(w, 0x5c)) << shift;
  const control = bytesBelow(w, 0x20);
  controlBits |= gather(control) << shift;
  operatorBits |= gather(bytesEqualTo(folded, 0x7b) | bytesEqualTo(folded, 0x7d)
    | bytesEqualTo(w, 0x3a) | bytesEqualTo(w, 0x2c)) << shift;
  const tabLfCr = control & (bytesEqualTo(w, 0x09) | bytesEqualTo(w, 0x0a) | bytesEqualTo(w, 0x0d));
  spaceBits |= gather(bytesEqualTo(w, 0x20) | tabLfCr) << shift;
  highBits |= gather(w & 0x8080808080808080) << shift;
}

// ── UTF-8 ─────────────────────────────────────────────────────────────────────────────────

/** Whether the block's bytes (those in `valid`) continue a valid UTF-8 text. */
// @ts-ignore: decorator
@inline
function utf8Valid(p: usize, valid: u64): bool {
  if (ASC_FEATURE_SIMD) {
    if (highBits == 0) {
      // ASCII only: fine unless the last block ended inside a sequence.
      const errors = v128.or(v128.load(utf8State, UTF8_ERRORS), v128.load(utf8State, UTF8_UNFINISHED));
      v128.store(utf8State, errors, UTF8_ERRORS);
      v128.store(utf8State, v128.splat<i8>(0), UTF8_UNFINISHED);
      v128.store(utf8State, v128.splat<i8>(0), UTF8_PREVIOUS);
      return !v128.any_true(errors);
    }
    // The block as classified: for the partial last block, the zeroed copy.
    const q = valid == ~(<u64>0) ? p : tailBlock;
    const t = UTF8_TABLES;
    const previousHigh = v128.load(t);
    const previousLow = v128.load(t, 16);
    const currentHigh = v128.load(t, 32);
    let previous = v128.load(utf8State, UTF8_PREVIOUS);
    let errors = v128.load(utf8State, UTF8_ERRORS);
    for (let i: usize = 0; i < 64; i += 16) {
      const v = v128.load(q + i);
      errors = v128.or(errors, utf8Errors16(previous, v, previousHigh, previousLow, currentHigh));
      previous = v;
    }
    v128.store(utf8State, errors, UTF8_ERRORS);
    v128.store(utf8State, previous, UTF8_PREVIOUS);
    v128.store(utf8State, i8x16.sub_sat_u(previous, v128.load(t, 48)), UTF8_UNFINISHED);
    return !v128.any_true(errors);
  } else {
    let bits = highBits & valid;
    while (bits != 0) {
      const at = p + <usize>ctz(bits);
      bits &= bits - 1;
      if (at < utf8CheckedTo) continue;
      const next = validateUtf8Sequence(at);
      if (next == 0) return false;
      utf8CheckedTo = next;
    }
    return true;
  }
}

// The lookup-table method. For each byte and the one before it, three 16-entry tables (indexed
// by the previous byte's high nibble, its low nibble, and this byte's high nibble) give the set
// of errors the pair may show; their AND is the set it shows. The bits:
const TOO_SHORT: u8 = 1 << 0; // a lead or ASCII byte after a lead byte
const TOO_LONG: u8 = 1 << 1; // a continuation after an ASCII byte
const OVERLONG_3: u8 = 1 << 2; // E0 followed by 80..9F
const TOO_LARGE: u8 = 1 << 3; // F4 followed by 90..BF, or F5..FF as lead
const SURROGATE: u8 = 1 << 4; // ED followed by A0..BF
const OVERLONG_2: u8 = 1 << 5; // C0 or C1 as lead
const TOO_LARGE_1000: u8 = 1 << 6; // F5..FF followed by 80..8F
const OVERLONG_4: u8 = 1 << 6; // F0 followed by 80..8F
const TWO_CONTINUATIONS: u8 = 1 << 7; // a continuation after a continuation (allowed only where a
// third or fourth byte is due: the length check below flips exactly those)
const CARRY: u8 = TOO_SHORT | TOO_LONG | TWO_CONTINUATIONS; // errors decided by high nibbles alone

// Four 16-byte tables: PREVIOUS_HIGH, PREVIOUS_LOW, CURRENT_HIGH, then UNFINISHED_BELOW (per
// lane, the smallest byte that, standing there at the end of the input, leaves a sequence open).
const LARGE: u8 = CARRY | TOO_LARGE | TOO_LARGE_1000;
const UTF8_TABLES: usize = memory.data<u8>([
  // PREVIOUS_HIGH, by the previous byte's high nibble
  TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, // 0_______ ASCII
  TWO_CONTINUATIONS, TWO_CONTINUATIONS, TWO_CONTINUATIONS, TWO_CONTINUATIONS, // 10______
  TOO_SHORT | OVERLONG_2, // 1100____
  TOO_SHORT, // 1101____
  TOO_SHORT | OVERLONG_3 | SURROGATE, // 1110____
  TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4, // 1111____
  // PREVIOUS_LOW, by the previous byte's low nibble
  CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4, // ____0000
  CARRY | OVERLONG_2, // ____0001
  CARRY, CARRY, // ____001_
  CARRY | TOO_LARGE, // ____0100
  LARGE, LARGE, LARGE, // ____0101, ____011_
  LARGE, LARGE, LARGE, LARGE, LARGE, // ____1000 .. ____1100
  LARGE | SURROGATE, // ____1101
  LARGE, LARGE, // ____111_
  // CURRENT_HIGH, by this byte's high nibble
  TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, // ASCII
  TOO_LONG | OVERLONG_2 | TWO_CONTINUATIONS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4, // 1000____
  TOO_LONG | OVERLONG_2 | TWO_CONTINUATIONS | OVERLONG_3 | TOO_LARGE, // 1001____
  TOO_LONG | OVERLONG_2 | TWO_CONTINUATIONS | SURROGATE | TOO_LARGE, // 101_____
  TOO_LONG | OVERLONG_2 | TWO_CONTINUATIONS | SURROGATE | TOO_LARGE,
  TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, // 11______
  // UNFINISHED_BELOW
  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0 - 1, 0xe0 - 1, 0xc0 - 1,
], 16);

/** The errors the 16 bytes `v` show, `previous` being the 16 before them. */
// @ts-ignore: decorator
@inline
function utf8Errors16(previous: v128, v: v128, previousHigh: v128, previousLow: v128, currentHigh: v128): v128 {
  const prev1 = i8x16.shuffle(previous, v, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30);
  const special = v128.and(v128.and(
    i8x16.swizzle(previousHigh, i8x16.shr_u(prev1, 4)),
    i8x16.swizzle(previousLow, v128.and(prev1, i8x16.splat(0x0f)))),
    i8x16.swizzle(currentHigh, i8x16.shr_u(v, 4)));
  // Where a third or fourth byte is due, two continuations in a row are right, not an error.
  const prev2 = i8x16.shuffle(previous, v, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29);
  const prev3 = i8x16.shuffle(previous, v, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28);
  const due = v128.or(i8x16.sub_sat_u(prev2, i8x16.splat(<i8>(0xe0 - 0x80))), i8x16.sub_sat_u(prev3, i8x16.splat(<i8>(0xf0 - 0x80))));
  return v128.xor(v128.and(due, i8x16.splat(<i8>0x80)), special);
}
