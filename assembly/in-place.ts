// Walking an embedded document where it stands, still escaped as the body of a JSON string.
// `"{\"a\":1}"` holds the document `{"a":1}`: read in place, `\"` is the inner quote and `\\`
// the inner backslash, so the walk needs neither a decoded copy nor a re-escaped output (a kept
// span of the escaped body is already the escaped output). filter.ts runs the same walk in two
// modes, chosen at compile time by a type argument:
//
//   Raw      (u8,  1 byte):  a document as written; a quote is `"`
//   Escaped  (u16, 2 bytes): a document inside a string body; a quote is `\"` (0x5c 0x22)
//
// sizeof<M>() is the length of a quote in mode M, which is all the walk needs to know about the
// mode outside the kernels here. Escaped mode accepts only what it reads exactly the way the
// decoded walk would: outer escapes `\"` and `\\` everywhere, and `\n` `\t` `\r` where the
// document has whitespace. Anything else (a `\/` or `\u00e9` written by the outer encoder, a key
// with escapes, an embedded document inside this one, any error) is a bail: the walk fails,
// and filterEmbedded throws its output away and takes the decoding path, which either accepts
// the document with the same output or reports the rejection exactly. So escaped mode never
// decides a rejection; it can only be right or step aside.
//
// Why a walk that succeeds read the whole outer string: every raw `"` it stepped over was the
// second byte of an outer escape it read from its backslash, left to right, as the outer string's
// own grammar reads them; outside inner strings only structural bytes, spaces, number and literal
// bytes are accepted. So the first raw `"` the walk stops at is the outer string's closing quote,
// and every byte before it was validated (inner strings by scanEscapedString, which checks
// UTF-8, control characters and the doubly escaped inner escapes).
// Reads: every kernel reads at most 16 bytes past a position before the outer closing quote,
// which lies before the document's sentinel and its PADDING readable bytes.
import { fail, UNEXPECTED_BYTE } from "./errors";
import { skipWhitespace, scanString, skipPlainRun, setStringHadEscape, specialBytes64 } from "./scan";
import { hex4 } from "./escapes";
import { validateUtf8Sequence } from "./utf8";

/** The walk's modes: a document as written, or inside a string body (see above). */
export type Raw = u8;
export type Escaped = u16;

/** Escaped mode steps aside (never reported: the decoding path re-walks and reports). */
export function bail(p: usize): usize {
  return fail(UNEXPECTED_BYTE, p);
}

/** Whether a string opens at p. */
// @ts-ignore: decorator
@inline
export function quoteAt<M>(p: usize): bool {
  if (sizeof<M>() == 1) return load<u8>(p) == 0x22;
  return load<u16>(p) == 0x225c; // '\\' then '"', little-endian
}

// @ts-ignore: decorator
@inline
export function skipSpace<M>(p: usize): usize {
  if (sizeof<M>() == 1) return skipWhitespace(p);
  return skipEscapedWhitespace(p);
}

/**
 * Scans a string whose body starts at p (after its opening quote); returns the address of the
 * `"` that closes it (in escaped mode the second byte of `\"`), or 0. Sets stringHadEscape.
 */
// @ts-ignore: decorator
@inline
export function scanStringAt<M>(p: usize): usize {
  // Most strings of an event are short and plain: when the first byte that needs attention in
  // the next 16 (SIMD) or 8 (SWAR) bytes is the closing quote, the string ends there, no call made.
  const special: u32 = ASC_FEATURE_SIMD ? specialBytes128(p) : <u32>(ctz(specialBytes64(load<u64>(p))) >> 3);
  if (special < LOOKAHEAD) {
    const q = p + <usize>special;
    if (sizeof<M>() == 1) {
      if (load<u8>(q) == 0x22) {
        setStringHadEscape(false);
        return q;
      }
    } else if (load<u16>(q) == 0x225c) {
      setStringHadEscape(false);
      return q + 1;
    }
  }
  if (sizeof<M>() == 1) return scanString(p);
  return scanEscapedString(p);
}

const LOOKAHEAD: u32 = ASC_FEATURE_SIMD ? 16 : 8;

/** Index of the first '"', '\\', control or non-ASCII byte of the 16 at p; 32 when there is none. */
// @ts-ignore: decorator
@inline
function specialBytes128(p: usize): u32 {
  const v = v128.load(p);
  const special = v128.or(v128.or(i8x16.eq(v, i8x16.splat(0x22)), i8x16.eq(v, i8x16.splat(0x5c))), i8x16.lt_s(v, i8x16.splat(0x20)));
  return ctz(<u32>i8x16.bitmask(special));
}

/** Whitespace of an escaped document: spaces, and `\n` `\t` `\r` escapes (the rest is minified JSON). */
function skipEscapedWhitespace(p: usize): usize {
  while (true) {
    const c = load<u8>(p);
    if (c == 0x20) {
      p++;
      continue;
    }
    if (c == 0x5c) {
      const e = load<u8>(p, 1);
      if (e == 0x6e || e == 0x74 || e == 0x72) {
        p += 2;
        continue;
      }
    }
    return p;
  }
  return unreachable();
}

/**
 * An inner string, escaped: plain bytes stand for themselves; `\"` ends it; `\\` starts an inner
 * escape, whose letter follows (itself escaped when it is `"` or `\`): `\\\"`, `\\\\`, `\\n`,
 * `\\u20ac` and so on, checked as scanEscape checks the decoded ones (surrogates paired).
 */
function scanEscapedString(p: usize): usize {
  let escaped = false;
  while (true) {
    p = skipPlainRun(p);
    const c = load<u8>(p);
    if (c == 0x5c) {
      const e = load<u8>(p, 1);
      if (e == 0x22) {
        setStringHadEscape(escaped);
        return p + 1;
      }
      if (e != 0x5c) return bail(p); // `\/`, `\u00e9`...: the decoding path reads those
      escaped = true;
      const x = load<u8>(p, 2);
      if (x == 0x5c) {
        const y = load<u8>(p, 3);
        if (y != 0x22 && y != 0x5c) return bail(p);
        p += 4;
      } else if (x == 0x2f || x == 0x62 || x == 0x66 || x == 0x6e || x == 0x72 || x == 0x74) {
        p += 3;
      } else if (x == 0x75) {
        p = escapedUnicode(p);
        if (p == 0) return 0;
      } else {
        return bail(p);
      }
    } else if (c >= 0x80) {
      p = validateUtf8Sequence(p);
      if (p == 0) return 0;
    } else {
      return bail(p); // a raw '"' (the outer string ends inside this one) or a control character
    }
  }
  return unreachable();
}

/** `\\uXXXX` at p (a low surrogate after a high one as `\\uXXXX` too); the address after it, or 0. */
function escapedUnicode(p: usize): usize {
  const unit = hex4(p + 3);
  if (unit < 0 || (unit >= 0xdc00 && unit <= 0xdfff)) return bail(p);
  if (unit < 0xd800 || unit > 0xdbff) return p + 7;
  if (load<u8>(p, 7) != 0x5c || load<u8>(p, 8) != 0x5c || load<u8>(p, 9) != 0x75) return bail(p);
  const low = hex4(p + 10);
  if (low < 0xdc00 || low > 0xdfff) return bail(p);
  return p + 13;
}
