// The built-in PHI detectors run together over one value (docs/detectors.md), in two stages, as
// simdjson keeps finding structure apart from acting on it:
//   1. the prefilter (possibleBuiltins, inlined where values are inspected): a look at 16-byte
//      blocks that rules out every detector for most values (ids, names, words), and a summary of
//      marks and digit counts that rules out most detectors for the rest;
//   2. builtinHits: the positions where a wanted detector's match could start, and only there that
//      detector's matcher. A word's second byte can only start an email (at its '@'): every other
//      detector needs a start that no word byte precedes, so the SIMD build looks only at the
//      positions after non-word bytes, a block at a time.
import { DETECTOR_SSN, DETECTOR_CARD, DETECTOR_PHONE, DETECTOR_EMAIL, DETECTOR_DATE, DETECTOR_IP, DETECTOR_URL } from "../abi";
import { isDigit, isHex, isWord, lower, startsClean, forgetHosts } from "./bytes";
import { ssnFrom } from "./ssn";
import { cardFrom } from "./card";
import { phoneFrom } from "./phone";
import { emailAt } from "./email";
import { dateFrom } from "./date";
import { ipFrom } from "./ip";
import { urlAt } from "./url";

const SSN: u32 = 1 << DETECTOR_SSN;
const CARD: u32 = 1 << DETECTOR_CARD;
const PHONE: u32 = 1 << DETECTOR_PHONE;
const EMAIL: u32 = 1 << DETECTOR_EMAIL;
const DATE: u32 = 1 << DETECTOR_DATE;
const IP: u32 = 1 << DETECTOR_IP;
const URL: u32 = 1 << DETECTOR_URL;
const BUILTINS: u32 = SSN | CARD | PHONE | EMAIL | DATE | IP | URL;
/** The detectors whose every match starts clean (IP: its IPv4 half). */
const CLEAN_STARTS: u32 = SSN | CARD | PHONE | DATE | IP;

// STARTS[c], a u32 per byte: bits 0-6, the detectors a match of which can start with byte c (a
// superset: each matcher checks its own start rule); bits 8-15, the detectors whose matches may
// start right after c (only the email's '@' after a word byte).
const STARTS: usize = buildStarts();

function buildStarts(): usize {
  const table = heap.alloc(256 * 4);
  for (let c: u32 = 0; c < 256; c++) {
    let starts: u32 = 0;
    if (isDigit(c)) starts |= SSN | CARD | DATE | IP;
    if (isDigit(c) && c != 0x30) starts |= PHONE; // '1' (trunk prefix) or N
    if (c == 0x2b || c == 0x28) starts |= PHONE; // '+', '('
    if (c == 0x40) starts |= EMAIL; // '@'
    if (isHex(c) || c == 0x3a) starts |= IP; // IPv6
    if (lower(c) == 0x68 || lower(c) == 0x77) starts |= URL; // "http", "www."
    const next = isWord(c) ? EMAIL : BUILTINS;
    store<u32>(table + (<usize>c << 2), starts | (next << 8));
  }
  return table;
}

/**
 * The detectors among `mask` (bit DETECTOR_x set: run detector x; bits of custom patterns
 * ignored) that match somewhere in the value [v, v + n), as bits in the same places. `bareSsn`:
 * whether nine bare digits count as an SSN (the value's path is listed in the policy's bareSsn).
 */
export function builtinHits(v: usize, n: usize, mask: u32, bareSsn: bool): u32 {
  const wanted = mask & BUILTINS;
  if (wanted == 0) return 0;
  forgetHosts();
  return ASC_FEATURE_SIMD ? hitsByBlock(v, n, wanted, bareSsn) : hitsByByte(v, n, wanted, bareSsn);
}

/** Asks the matchers at every position where a wanted detector may start, a byte at a time. */
function hitsByByte(v: usize, n: usize, wanted: u32, bareSsn: bool): u32 {
  let hits: u32 = 0;
  let allowed = BUILTINS; // anything may start at index 0
  for (let i: usize = 0; i < n; i++) {
    const starts = load<u32>(STARTS + (<usize>load<u8>(v + i) << 2));
    const candidates = starts & allowed & wanted;
    allowed = starts >> 8;
    if (candidates == 0) continue;
    const found = hitsAt(v, n, i, candidates, bareSsn);
    if (found != 0) {
      hits |= found;
      wanted &= ~found; // a detector that hit needs no more looking for
      if (wanted == 0) break;
    }
  }
  return hits;
}

/**
 * hitsByByte's answer, a block of 16 bytes at a time: the positions where anything may start are
 * index 0, those right after a non-word byte, and the '@'s (an email's), found with the nibble
 * classifier; only there is the start table read. A long URL or sentence has a few such positions
 * per word instead of one look per byte. Reads as summarize128 does (lanes past the value unused).
 */
function hitsByBlock(v: usize, n: usize, wanted: u32, bareSsn: bool): u32 {
  const lowNibble = v128.load(LOW_NIBBLE);
  const highNibble = v128.load(HIGH_NIBBLE);
  let hits: u32 = 0;
  let afterNonWord: u32 = 1; // index 0: anything may start there
  for (let base: usize = 0; base < n; base += 16) {
    const cls = classify(v128.load(v + base), lowNibble, highNibble);
    const nonWord = <u32>i8x16.bitmask(i8x16.eq(v128.and(cls, i8x16.splat(CLASS_WORD)), i8x16.splat(0)));
    const at = <u32>i8x16.bitmask(i8x16.ne(v128.and(cls, i8x16.splat(CLASS_AT)), i8x16.splat(0)));
    let positions = (((nonWord << 1) & 0xffff) | afterNonWord | at) & validLanes(n - base);
    afterNonWord = nonWord >> 15;
    while (positions != 0) {
      const i = base + <usize>ctz(positions);
      positions &= positions - 1;
      // After a word byte only an email may start (at its '@'); the start table says the rest.
      const allowed = i == 0 || !isWord(<u32>load<u8>(v + i - 1)) ? BUILTINS : EMAIL;
      const candidates = load<u32>(STARTS + (<usize>load<u8>(v + i) << 2)) & allowed & wanted;
      if (candidates == 0) continue;
      const found = hitsAt(v, n, i, candidates, bareSsn);
      if (found != 0) {
        hits |= found;
        wanted &= ~found;
        if (wanted == 0) return hits;
      }
    }
  }
  return hits;
}

/** Each byte's class (CLASS_*), from two 16-entry tables indexed by its nibbles (simdjson's classifier). */
// @ts-ignore: decorator
@inline
function classify(x: v128, lowNibble: v128, highNibble: v128): v128 {
  return v128.and(v128.swizzle(lowNibble, v128.and(x, i8x16.splat(0x0f))), v128.swizzle(highNibble, i8x16.shr_u(x, 4)));
}

// The prefilter. Most kept values are ids, names and words: a summary of the value's bytes, made
// in one cheap pass, rules out every detector for them before the pass above looks at a position.
// What each detector's matches always hold (docs/detectors.md):
//   ssn, card, phone, date  a digit that starts clean: at index 0, or right after a non-word byte
//                           (the '+' or '(' of a phone number is one); and 9, 13, 8, 6 digits
//   ip                      IPv4: such a digit, 4 digits and three '.'; IPv6: two ':' ("::" or seven)
//   email                   an '@'
//   url                     "://" (so a ':' followed by '/') or "www." (so a '.' right after a 'w')
// A Twilio SID ("WT" and 32 hex digits) holds none of these (its digits all follow word bytes),
// nor do "task.completed" (one '.'), "ivr:main>clinic" (one ':') or "Pharmacy Refills".
const SUMMARY_CLEAN_DIGIT: u32 = 1;
const SUMMARY_AT: u32 = 2;
const SUMMARY_URL_MARK: u32 = 4;

/** The fewest bytes a built-in detector's match has: an IPv6 address with two groups, "1::2". */
const SHORTEST_MATCH: usize = 4;

/**
 * The built-in detectors that could match [v, v + n), from its summary (a superset of those that
 * do): builtinHits need only run for these. Inlined where values are inspected.
 */
// @ts-ignore: decorator
@inline
export function possibleBuiltins(v: usize, n: usize): u32 {
  if (n < SHORTEST_MATCH) return 0;
  if (ASC_FEATURE_SIMD) return nothingToSee128(v, n) ? 0 : summarize128(v, n);
  return oneWordBytes(v, n) ? 0 : summarizeBytes(v, n);
}

/**
 * Whether [v, v + n) holds no digit that starts clean (at index 0 or right after a non-word byte)
 * and none of the marks '@', ':', '.', '/'. Nothing can match such a value, and this much costs one
 * classification per block: it settles ids, codes, words and names, most kept values, inline; the
 * others take summarize128's call. Reads up to 15 bytes past the value, as summarize128 does.
 */
// @ts-ignore: decorator
@inline
function nothingToSee128(v: usize, n: usize): bool {
  const lowNibble = v128.load(LOW_NIBBLE);
  const highNibble = v128.load(HIGH_NIBBLE);
  let afterNonWord: u32 = 1; // index 0 counts as following a non-word byte
  let i: usize = 0;
  // Whole blocks, then the last (partial, or empty when n is a multiple of 16: no lane valid).
  while (true) {
    const cls = classify(v128.load(v + i), lowNibble, highNibble);
    const nonWord = <u32>i8x16.bitmask(i8x16.eq(v128.and(cls, i8x16.splat(CLASS_WORD)), i8x16.splat(0)));
    const digits = <u32>i8x16.bitmask(i8x16.ne(v128.and(cls, i8x16.splat(CLASS_DIGIT)), i8x16.splat(0)));
    const marks = <u32>i8x16.bitmask(i8x16.ne(v128.and(cls, i8x16.splat(CLASS_MARK)), i8x16.splat(0)));
    const found = (digits & ((nonWord << 1) | afterNonWord)) | marks;
    if (i + 16 > n) return (found & ((<u32>1 << <u32>(n - i)) - 1)) == 0;
    if (found != 0) return false;
    afterNonWord = nonWord >> 15;
    i += 16;
  }
  return unreachable();
}

// The nibble tables: a byte's class is LOW_NIBBLE[its low nibble] & HIGH_NIBBLE[its high nibble].
// Bits: CLASS_DIGIT 0x30-0x39; CLASS_UPPER_A 0x41-0x4f, 0x61-0x6f; CLASS_UPPER_P 0x50-0x5a, 0x70-0x7a;
// CLASS_UNDERSCORE 0x5f; CLASS_HIGH 0x80-0xff (the word bytes, together CLASS_WORD); then the marks,
// each bit standing for exactly the bytes named: '@' 0x40, ':' 0x3a, '.' 0x2e and '/' 0x2f.
const CLASS_DIGIT: u8 = 1;
const CLASS_LETTER_LOW: u8 = 2; // high nibble 4 or 6, low nibble 1-f
const CLASS_LETTER_HIGH: u8 = 4; // high nibble 5 or 7, low nibble 0-a
const CLASS_UNDERSCORE: u8 = 8;
const CLASS_HIGH: u8 = 16;
const CLASS_AT: u8 = 32;
const CLASS_COLON: u8 = 64;
const CLASS_DOT_SLASH: u8 = 128;
const CLASS_WORD: u8 = CLASS_DIGIT | CLASS_LETTER_LOW | CLASS_LETTER_HIGH | CLASS_UNDERSCORE | CLASS_HIGH;
const CLASS_MARK: u8 = CLASS_AT | CLASS_COLON | CLASS_DOT_SLASH;
const LOW_NIBBLE: usize = ASC_FEATURE_SIMD ? nibbleTable(true) : 0;
const HIGH_NIBBLE: usize = ASC_FEATURE_SIMD ? nibbleTable(false) : 0;

function nibbleTable(low: bool): usize {
  const table = heap.alloc(16);
  for (let k: u32 = 0; k < 16; k++) {
    let bits: u32 = 0;
    if (low) {
      if (k <= 9) bits |= CLASS_DIGIT;
      if (k >= 1) bits |= CLASS_LETTER_LOW;
      if (k <= 10) bits |= CLASS_LETTER_HIGH;
      if (k == 15) bits |= CLASS_UNDERSCORE;
      bits |= CLASS_HIGH;
      if (k == 0) bits |= CLASS_AT;
      if (k == 10) bits |= CLASS_COLON;
      if (k == 14 || k == 15) bits |= CLASS_DOT_SLASH;
    } else {
      if (k == 3) bits |= CLASS_DIGIT | CLASS_COLON;
      if (k == 4 || k == 6) bits |= CLASS_LETTER_LOW;
      if (k == 5 || k == 7) bits |= CLASS_LETTER_HIGH;
      if (k == 5) bits |= CLASS_UNDERSCORE;
      if (k >= 8) bits |= CLASS_HIGH;
      if (k == 4) bits |= CLASS_AT;
      if (k == 2) bits |= CLASS_DOT_SLASH;
    }
    store<u8>(table + k, <u8>bits);
  }
  return table;
}

/** Lanes of x holding a non-word byte (digit: x's digit lanes). */
// @ts-ignore: decorator
@inline
function nonWordMask(x: v128, digit: v128): u32 {
  const letter = i8x16.lt_u(i8x16.sub(v128.or(x, i8x16.splat(0x20)), i8x16.splat(0x61)), i8x16.splat(26));
  const word = v128.or(v128.or(digit, letter), v128.or(i8x16.eq(x, i8x16.splat(0x5f)), i8x16.lt_s(x, i8x16.splat(0))));
  return ~<u32>i8x16.bitmask(word) & 0xffff;
}

/** The lanes of a block that hold value bytes, when `rest` bytes of the value are left. */
// @ts-ignore: decorator
@inline
function validLanes(rest: usize): u32 {
  return rest >= 16 ? 0xffff : (<u32>1 << <u32>rest) - 1;
}

/** The detectors a value's summary leaves possible: flags (SUMMARY_*) and its counts of digits, '.' and ':'. */
// @ts-ignore: decorator
@inline
function fromSummary(flags: u32, digits: u32, dots: u32, colons: u32): u32 {
  let possible: u32 = 0;
  // The fewest digits each holds: 9 (ssn), 13 (card), 8 (phone: E.164's shortest), 6 (a date: 1/2/1980), 4 (IPv4).
  if ((flags & SUMMARY_CLEAN_DIGIT) != 0 && digits >= 4) {
    possible |= (digits >= 9 ? SSN : 0) | (digits >= 13 ? CARD : 0) | (digits >= 8 ? PHONE : 0) | (digits >= 6 ? DATE : 0);
    if (dots >= 3) possible |= IP;
  }
  if (colons >= 2) possible |= IP;
  if (flags & SUMMARY_AT) possible |= EMAIL;
  if (flags & SUMMARY_URL_MARK) possible |= URL;
  return possible;
}

/**
 * The summary, 16 bytes per step. A block of word bytes only (an id, a word: most blocks) costs
 * the word and digit tests alone; the marks are looked for in blocks that hold a non-word byte
 * (each of '@', ':', '.', '/' is one). Reads up to 15 bytes past the value, never used: every
 * value lies before its document's sentinel and PADDING readable bytes (in the input, or decoded
 * into the arena, which keeps PADDING writable bytes above its top).
 */
function summarize128(v: usize, n: usize): u32 {
  let flags: u32 = 0;
  let digitCount: u32 = 0;
  let dots: u32 = 0;
  let colons: u32 = 0;
  // About the byte before the block: bit 0, non-word (index 0 counts as such); bit 1, 'w'; bit 2, ':'.
  let carry: u32 = 1;
  const lowNibble = v128.load(LOW_NIBBLE);
  const highNibble = v128.load(HIGH_NIBBLE);
  for (let i: usize = 0; i < n; i += 16) {
    const x = v128.load(v + i);
    const valid = validLanes(n - i);
    const cls = classify(x, lowNibble, highNibble);
    const lowered = v128.or(x, i8x16.splat(0x20));
    const nonWord = <u32>i8x16.bitmask(i8x16.eq(v128.and(cls, i8x16.splat(CLASS_WORD)), i8x16.splat(0))) & valid;
    const digits = <u32>i8x16.bitmask(i8x16.ne(v128.and(cls, i8x16.splat(CLASS_DIGIT)), i8x16.splat(0))) & valid;
    if ((digits & ((nonWord << 1) | (carry & 1))) != 0) flags |= SUMMARY_CLEAN_DIGIT;
    digitCount += popcnt(digits);
    let w: u32;
    let colon: u32 = 0;
    if (nonWord != 0) {
      const at = <u32>i8x16.bitmask(i8x16.eq(x, i8x16.splat(0x40))) & valid;
      const dot = <u32>i8x16.bitmask(i8x16.eq(x, i8x16.splat(0x2e))) & valid;
      colon = <u32>i8x16.bitmask(i8x16.eq(x, i8x16.splat(0x3a))) & valid;
      const slash = <u32>i8x16.bitmask(i8x16.eq(x, i8x16.splat(0x2f))) & valid;
      w = <u32>i8x16.bitmask(i8x16.eq(lowered, i8x16.splat(0x77))) & valid;
      if (at != 0) flags |= SUMMARY_AT;
      if ((dot & ((w << 1) | ((carry >> 1) & 1))) != 0 || (slash & ((colon << 1) | ((carry >> 2) & 1))) != 0) flags |= SUMMARY_URL_MARK;
      dots += popcnt(dot);
      colons += popcnt(colon);
    } else {
      w = <u32>(i8x16.extract_lane_u(lowered, 15) == 0x77) << 15; // only its last lane is carried
    }
    carry = ((nonWord >> 15) & 1) | (((w >> 15) & 1) << 1) | (((colon >> 15) & 1) << 2);
  }
  return fromSummary(flags, digitCount, dots, colons);
}

// SUMMARY_BITS[c]: the classes of byte c the summary asks about.
const BYTE_WORD: u32 = 1;
const BYTE_DIGIT: u32 = 2;
const BYTE_AT: u32 = 4;
const BYTE_DOT: u32 = 8;
const BYTE_COLON: u32 = 16;
const BYTE_SLASH: u32 = 32;
const BYTE_W: u32 = 64;
const SUMMARY_BITS: usize = buildSummaryBits();

function buildSummaryBits(): usize {
  const table = heap.alloc(256);
  for (let c: u32 = 0; c < 256; c++) {
    let bits: u32 = isWord(c) ? BYTE_WORD : 0;
    if (isDigit(c)) bits |= BYTE_DIGIT;
    if (c == 0x40) bits |= BYTE_AT;
    if (c == 0x2e) bits |= BYTE_DOT;
    if (c == 0x3a) bits |= BYTE_COLON;
    if (c == 0x2f) bits |= BYTE_SLASH;
    if (lower(c) == 0x77) bits |= BYTE_W;
    store<u8>(table + <usize>c, <u8>bits);
  }
  return table;
}

/**
 * The scalar build's quick test: no non-word byte and no digit at index 0 (a single word: ids and
 * codes). One table load and an OR per byte; the rest take summarizeBytes.
 */
// @ts-ignore: decorator
@inline
function oneWordBytes(v: usize, n: usize): bool {
  if (n == 0) return true;
  let bits = <u32>load<u8>(SUMMARY_BITS + <usize>load<u8>(v)) & BYTE_DIGIT; // a digit at index 0 starts clean
  for (let i: usize = 0; i < n; i++) bits |= ~<u32>load<u8>(SUMMARY_BITS + <usize>load<u8>(v + i)) & BYTE_WORD;
  return bits == 0;
}

/** The summary, a byte at a time (the scalar build): the same as summarize128's. */
function summarizeBytes(v: usize, n: usize): u32 {
  let flags: u32 = 0;
  let digits: u32 = 0;
  let dots: u32 = 0;
  let colons: u32 = 0;
  let previous: u32 = 0; // the byte before index 0 counts as non-word
  for (let i: usize = 0; i < n; i++) {
    const bits = <u32>load<u8>(SUMMARY_BITS + <usize>load<u8>(v + i));
    if ((bits & BYTE_DIGIT) != 0 && (previous & BYTE_WORD) == 0) flags |= SUMMARY_CLEAN_DIGIT;
    if (bits & BYTE_AT) flags |= SUMMARY_AT;
    if (((bits & BYTE_DOT) != 0 && (previous & BYTE_W) != 0) || ((bits & BYTE_SLASH) != 0 && (previous & BYTE_COLON) != 0)) flags |= SUMMARY_URL_MARK;
    digits += (bits >> 1) & 1;
    dots += (bits >> 3) & 1;
    colons += (bits >> 4) & 1;
    previous = bits;
  }
  return fromSummary(flags, digits, dots, colons);
}

/** Which of the detectors in `candidates` match starting at index i. */
function hitsAt(v: usize, n: usize, i: usize, candidates: u32, bareSsn: bool): u32 {
  // "starts clean" once for all the digit-led detectors (after "1-" or "2.", none of them starts).
  const clean = (candidates & CLEAN_STARTS) != 0 && startsClean(v, n, i);
  let found: u32 = 0;
  if (clean) {
    if ((candidates & SSN) != 0 && ssnFrom(v, n, i, bareSsn)) found |= SSN;
    if ((candidates & CARD) != 0 && cardFrom(v, n, i)) found |= CARD;
    if ((candidates & PHONE) != 0 && phoneFrom(v, n, i)) found |= PHONE;
    if ((candidates & DATE) != 0 && dateFrom(v, n, i)) found |= DATE;
  }
  if ((candidates & IP) != 0 && ipFrom(v, n, i, clean)) found |= IP;
  if ((candidates & EMAIL) != 0 && emailAt(v, n, i)) found |= EMAIL;
  if ((candidates & URL) != 0 && urlAt(v, n, i)) found |= URL;
  return found;
}
