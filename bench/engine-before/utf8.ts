// UTF-8: validation of one multi-byte sequence (RFC 3629) and encoding of a code point.
import { fail, INVALID_UTF8 } from "./errors";

/**
 * Validates the sequence whose lead byte (>= 0x80) is at p; returns the address after it, or 0.
 * Rejects continuation bytes as leads, overlong forms, UTF-16 surrogates and code points > U+10FFFF.
 * A sequence cut short meets the end sentinel (a byte < 0x80) and fails the continuation test.
 */
export function validateUtf8Sequence(p: usize): usize {
  const c = <u32>load<u8>(p);
  if (c < 0xc2) return fail(INVALID_UTF8, p);
  const c1 = <u32>load<u8>(p, 1);
  if (c < 0xe0) {
    if ((c1 & 0xc0) != 0x80) return fail(INVALID_UTF8, p);
    return p + 2;
  }
  if (c < 0xf0) {
    // E0 needs A0..BF (no overlong); ED needs 80..9F (no surrogates).
    const lo: u32 = c == 0xe0 ? 0xa0 : 0x80;
    const hi: u32 = c == 0xed ? 0x9f : 0xbf;
    if (c1 < lo || c1 > hi) return fail(INVALID_UTF8, p);
    if ((<u32>load<u8>(p, 2) & 0xc0) != 0x80) return fail(INVALID_UTF8, p);
    return p + 3;
  }
  if (c < 0xf5) {
    // F0 needs 90..BF (no overlong); F4 needs 80..8F (nothing above U+10FFFF).
    const lo: u32 = c == 0xf0 ? 0x90 : 0x80;
    const hi: u32 = c == 0xf4 ? 0x8f : 0xbf;
    if (c1 < lo || c1 > hi) return fail(INVALID_UTF8, p);
    if ((<u32>load<u8>(p, 2) & 0xc0) != 0x80) return fail(INVALID_UTF8, p);
    if ((<u32>load<u8>(p, 3) & 0xc0) != 0x80) return fail(INVALID_UTF8, p);
    return p + 4;
  }
  return fail(INVALID_UTF8, p);
}

/** Writes code point cp (already validated: no lone surrogates) as UTF-8 at dst; returns the address after. */
export function encodeUtf8(dst: usize, cp: u32): usize {
  if (cp < 0x80) {
    store<u8>(dst, <u8>cp);
    return dst + 1;
  }
  if (cp < 0x800) {
    store<u8>(dst, <u8>(0xc0 | (cp >> 6)));
    store<u8>(dst, <u8>(0x80 | (cp & 0x3f)), 1);
    return dst + 2;
  }
  if (cp < 0x10000) {
    store<u8>(dst, <u8>(0xe0 | (cp >> 12)));
    store<u8>(dst, <u8>(0x80 | ((cp >> 6) & 0x3f)), 1);
    store<u8>(dst, <u8>(0x80 | (cp & 0x3f)), 2);
    return dst + 3;
  }
  store<u8>(dst, <u8>(0xf0 | (cp >> 18)));
  store<u8>(dst, <u8>(0x80 | ((cp >> 12) & 0x3f)), 1);
  store<u8>(dst, <u8>(0x80 | ((cp >> 6) & 0x3f)), 2);
  store<u8>(dst, <u8>(0x80 | (cp & 0x3f)), 3);
  return dst + 4;
}
