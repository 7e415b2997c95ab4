// The detectors meet the walk here: filter.ts hands every kept string and number standing at a node
// whose detect word is not 0 to inspectScalar, which decides what becomes of it: kept as it is,
// replaced by a placeholder, or the event rejected (rules: docs/detectors.md; the word: abi.ts).
//
// Strings are scanned decoded: a string with escapes is decoded into the arena above its top (it is
// read and forgotten at once, so nothing needs to be popped; the arena keeps PADDING writable bytes
// past any top, which covers decodeString's overrun). A string of an embedded document walked in
// place (Escaped mode) with escapes of its own is a bail (the decoding path reads it), so one that is
// scanned here is its own decoded bytes. Its hits are counted and redacted where it stands (a walk in
// place that bails later takes its hits back: filter.ts); a hit that rejects is a bail, so that the
// decoding path, which reports errors inside embedded documents, reports it.
import {
  DETECT_DETECTORS, DETECT_BARE_SSN, DETECT_NUMBERS, DETECT_REJECT, DETECT_REDACT, BUILTIN_DETECTORS, FIRST_PATTERN_DETECTOR,
} from "../abi";
import { fail, PHI_DETECTED } from "../errors";
import { stringHadEscape } from "../scan";
import { arenaTop } from "../buffers";
import { decodeString, decodedEnd } from "../escapes";
import { patternTable } from "../policy-tables";
import { bail, quoteAt } from "../in-place";
import { builtinHits, possibleBuiltins } from "./builtins";
import { patternMatches } from "./patterns";
import { countHit } from "./counts";

/** inspectScalar's verdicts: the value stays; or the walk fails (errorCode says why). Else a detector number. */
export const VALUE_STAYS: i32 = -1;
export const VALUE_FAILED: i32 = -2;

/** Numbers with fewer digits than this are never scanned (counters, durations, small ids). */
const NUMBER_MIN_DIGITS: u32 = 9;

/** Set when an event is rejected for a hit: the counter of that hit (the status record's detail). */
export let rejectedCounter: u32 = 0;

/**
 * Inspects the kept scalar [p, end) (a string lexeme with its quotes, a number or a literal) at a
 * node with detect word `word` and counter base `base`. Returns VALUE_STAYS, VALUE_FAILED, or the
 * detector whose placeholder replaces the value.
 */
// @ts-ignore: decorator
@inline
export function inspectScalar<M>(p: usize, end: usize, word: u32, base: u32): i32 {
  let v: usize;
  let n: usize;
  if (quoteAt<M>(p)) {
    v = p + sizeof<M>();
    n = end - sizeof<M>() - v;
    if (stringHadEscape) { // set by the scan of this very string, the walk's last one
      if (sizeof<M>() != 1) return bailed(p); // unreachable in practice: the scan bails first
      decodeString(v, arenaTop); // validated already: it succeeds
      v = arenaTop;
      n = decodedEnd - v;
    }
  } else {
    const c = <u32>load<u8>(p);
    if (!(c == 0x2d || c - 0x30 < 10) || (word & DETECT_NUMBERS) == 0 || end - p < <usize>NUMBER_MIN_DIGITS
      || digitsIn(p, end) < NUMBER_MIN_DIGITS) return VALUE_STAYS;
    v = p;
    n = end - p;
  }
  // Most values are ruled out by the prefilter: no call is made for them.
  const detectors = word & DETECT_DETECTORS;
  const possible = (detectors & possibleBuiltins(v, n)) | (detectors & ~((1 << BUILTIN_DETECTORS) - 1));
  if (possible == 0) return VALUE_STAYS;
  return actOnHits<M>(p, v, n, word, base, possible);
}

/** The rest of inspectScalar, for a value some detector may hit. */
function actOnHits<M>(p: usize, v: usize, n: usize, word: u32, base: u32, possible: u32): i32 {
  const hits = valueHits(v, n, (word & ~DETECT_DETECTORS) | possible);
  if (hits == 0) return VALUE_STAYS;
  if (sizeof<M>() != 1 && (word & DETECT_REJECT) != 0) return bailed(p);
  const detectors = word & DETECT_DETECTORS;
  let rest = hits;
  while (rest != 0) {
    countHit(counterOf(base, detectors, ctz(rest)));
    rest &= rest - 1;
  }
  const first = ctz(hits); // detector numbers are in report order
  if (word & DETECT_REJECT) {
    rejectedCounter = counterOf(base, detectors, first);
    fail(PHI_DETECTED, p);
    return VALUE_FAILED;
  }
  return word & DETECT_REDACT ? <i32>first : VALUE_STAYS;
}

function bailed(p: usize): i32 {
  bail(p);
  return VALUE_FAILED;
}

/** The detector bits of `word` that hit the bytes [v, v + n). */
function valueHits(v: usize, n: usize, word: u32): u32 {
  const detectors = word & DETECT_DETECTORS;
  let hits = builtinHits(v, n, detectors & ((1 << BUILTIN_DETECTORS) - 1), (word & DETECT_BARE_SSN) != 0);
  let patterns = detectors >> FIRST_PATTERN_DETECTOR;
  while (patterns != 0) {
    const i = ctz(patterns);
    if (patternMatches(patternTable(i), v, n)) hits |= 1 << (FIRST_PATTERN_DETECTOR + i);
    patterns &= patterns - 1;
  }
  return hits;
}

/** The counter of `detector` at a node: its base plus the rank of the detector among the node's. */
// @ts-ignore: decorator
@inline
function counterOf(base: u32, detectors: u32, detector: u32): u32 {
  return base + <u32>popcnt(detectors & ((1 << detector) - 1));
}

function digitsIn(p: usize, end: usize): u32 {
  let digits: u32 = 0;
  for (; p < end; p++) if (<u32>load<u8>(p) - 0x30 < 10) digits++;
  return digits;
}
