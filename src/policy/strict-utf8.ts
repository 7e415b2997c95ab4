/**
 * Configuration files as UTF-8 text, strictly. A lenient decoder turns bytes that are not UTF-8 (an encoded
 * surrogate such as ED A0 80, a Latin-1 "é") into U+FFFD, so a key in a path would silently become another key;
 * such a file is refused instead, at the line and column of the first bad byte, as the strict reader counts them.
 * No Node built-ins.
 */
import type { Problems } from "./problems.js";

const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }); // the BOM is left to the JSON reader

/** The text of `bytes`, or undefined (with a problem recorded) when they are not UTF-8. */
export function decodeStrictUtf8(bytes: Uint8Array, problems: Problems): string | undefined {
  try {
    return strict.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let before = strict.decode(bytes.subarray(0, at));
    if (before.charCodeAt(0) === 0xfeff) before = before.slice(1);
    const lineStart = before.lastIndexOf("\n") + 1;
    const line = before.slice(0, lineStart).split("\n").length;
    problems.addAt(line, before.length - lineStart + 1,
      "not valid UTF-8 (a byte here starts no UTF-8 character, such as an encoded surrogate or a Latin-1 letter; save the file as UTF-8)");
    return undefined;
  }
}

/** The offset of the first byte that is not part of a well-formed UTF-8 sequence (RFC 3629); only called on bytes that have one. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const continuation = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (continuation === 0 || i + continuation >= b.length) return i;
    for (let k = 1; k <= continuation; k++) if ((b[i + k] & 0xc0) !== 0x80) return i;
    const d = b[i + 1];
    // overlong forms, surrogates (ED A0..BF) and code points above U+10FFFF
    if ((c === 0xe0 && d < 0xa0) || (c === 0xed && d > 0x9f) || (c === 0xf0 && d < 0x90) || (c === 0xf4 && d > 0x8f)) return i;
    i += continuation + 1;
  }
  return b.length;
}
