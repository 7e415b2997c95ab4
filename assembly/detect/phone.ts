// The phone detector (docs/detectors.md, "phone"): NANP numbers, with or without a "+1" or a
// trunk "1" before them, and "+" international (E.164) numbers of 8 to 15 digits.
import { byteAt, isDigit, isN, isSep, startsClean, endsClean } from "./bytes";

/** Whether the value [v, v + n) holds a phone number anywhere. */
export function findPhone(v: usize, n: usize): bool {
  for (let i: usize = 0; i < n; i++) if (phoneAt(v, n, i)) return true;
  return false;
}

/** Whether a phone number starts at index i of the value [v, v + n). */
export function phoneAt(v: usize, n: usize, i: usize): bool {
  return startsClean(v, n, i) && phoneFrom(v, n, i);
}

/** Whether a phone number starts at index i, i being known to start clean. */
export function phoneFrom(v: usize, n: usize, i: usize): bool {
  // Where "a body at k, or at k + 1 when V[k] is a SEP" is asked, a body can only start with N or
  // '(', never with a SEP, so skipping the SEP when there is one is the same as trying both.
  const c = byteAt(v, n, i);
  if (c == 0x2b) { // '+'
    const d = byteAt(v, n, i + 1);
    // "+1" is always the NANP country code, never the start of an international number.
    if (d == 0x31) return nanpAt(v, n, isSep(byteAt(v, n, i + 2)) ? i + 3 : i + 2);
    return isN(d) && internationalAt(v, n, i + 1);
  }
  if (c == 0x31) return nanpAt(v, n, isSep(byteAt(v, n, i + 1)) ? i + 2 : i + 1); // trunk prefix
  return (isN(c) || c == 0x28) && nanpAt(v, n, i);
}

/** N digit digit at k. */
// @ts-ignore: decorator
@inline
function threeFromN(v: usize, n: usize, k: usize): bool {
  return isN(byteAt(v, n, k)) && isDigit(byteAt(v, n, k + 1)) && isDigit(byteAt(v, n, k + 2));
}

/** k, or k + 1 when V[k] is a SEP (an optional separator). */
// @ts-ignore: decorator
@inline
function skipSep(v: usize, n: usize, k: usize): usize {
  return isSep(byteAt(v, n, k)) ? k + 1 : k;
}

/** A NANP body at k: area code ("(NXX)" or "NXX"), exchange NXX, line XXXX, ending clean. */
function nanpAt(v: usize, n: usize, k: usize): bool {
  if (byteAt(v, n, k) == 0x28) { // '('
    if (!threeFromN(v, n, k + 1) || byteAt(v, n, k + 4) != 0x29) return false;
    k += 5;
  } else {
    if (!threeFromN(v, n, k)) return false;
    k += 3;
  }
  k = skipSep(v, n, k);
  if (!threeFromN(v, n, k)) return false;
  k = skipSep(v, n, k + 3);
  for (let e = k + 4; k < e; k++) if (!isDigit(byteAt(v, n, k))) return false;
  return endsClean(v, n, k);
}

/**
 * An international number whose first digit (N) is at k: digits taken greedily, a single SEP
 * allowed between two digits; 8 to 15 digits, ending clean.
 */
function internationalAt(v: usize, n: usize, k: usize): bool {
  let digits = 0;
  while (true) {
    const c = byteAt(v, n, k);
    if (isDigit(c)) {
      if (++digits > 15) return false; // greedy: more digits only make it longer
      k++;
    } else if (isSep(c) && isDigit(byteAt(v, n, k + 1))) {
      k++;
    } else {
      break;
    }
  }
  return digits >= 8 && endsClean(v, n, k);
}
