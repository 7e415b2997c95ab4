// The payment card detector (docs/detectors.md, "card"): 13 to 19 digits (single spaces or '-'
// allowed between them) passing the Luhn check, with a prefix issued for that length.
import { byteAt, isDigit, startsClean, endsClean } from "./bytes";

/** Whether the value [v, v + n) holds a card number anywhere. */
export function findCard(v: usize, n: usize): bool {
  for (let i: usize = 0; i < n; i++) if (cardAt(v, n, i)) return true;
  return false;
}

/** Whether a card number starts at index i of the value [v, v + n). */
export function cardAt(v: usize, n: usize, i: usize): bool {
  return startsClean(v, n, i) && cardFrom(v, n, i);
}

/** Whether a card number starts at index i, i being known to start clean. */
export function cardFrom(v: usize, n: usize, i: usize): bool {
  if (!isDigit(byteAt(v, n, i))) return false;
  let k = i;
  let digits: u32 = 0;
  let prefix: u32 = 0; // the first four digits
  let lengths: u32 = 0; // bit L: L digits are issued with this prefix (known after four digits)
  // Luhn doubles every second digit counting from the last one, and the length is known only at
  // the end: sum both ways (doubling the digits at even or at odd indexes from the first) and take
  // the one that doubles the second-to-last digit.
  let doubleEven: u32 = 0;
  let doubleOdd: u32 = 0;
  while (true) {
    const c = byteAt(v, n, k);
    if (isDigit(c)) {
      const d = c - 0x30;
      const twice = d < 5 ? d * 2 : d * 2 - 9;
      if ((digits & 1) == 0) {
        doubleEven += twice;
        doubleOdd += d;
      } else {
        doubleEven += d;
        doubleOdd += twice;
      }
      if (++digits > 19) return false; // greedy: more digits only make it longer
      if (digits <= 4) {
        prefix = prefix * 10 + d;
        // An unissued prefix (a timestamp's "2024-", epoch milliseconds' "17") needs no more reading.
        if (digits == 4 && (lengths = issuedLengths(prefix)) == 0) return false;
      }
      k++;
    } else if ((c == 0x20 || c == 0x2d) && isDigit(byteAt(v, n, k + 1))) {
      k++;
    } else {
      break;
    }
  }
  if (((lengths >> digits) & 1) == 0 || !endsClean(v, n, k)) return false; // lengths is 0 below 4 digits
  return ((digits & 1) == 0 ? doubleEven : doubleOdd) % 10 == 0;
}

/** The lengths issued for numbers beginning with these four digits, as bits (1 << 16: 16 digits); the rows are disjoint. */
function issuedLengths(prefix: u32): u32 {
  const two = prefix / 100;
  const three = prefix / 10;
  const SIXTEEN_UP: u32 = (1 << 16) | (1 << 17) | (1 << 18) | (1 << 19);
  if (prefix / 1000 == 4) return (1 << 13) | (1 << 16) | (1 << 19); // Visa
  if ((two >= 51 && two <= 55) || (prefix >= 2221 && prefix <= 2720)) return 1 << 16; // Mastercard
  if (two == 34 || two == 37) return 1 << 15; // American Express
  if (prefix == 6011 || (three >= 644 && three <= 649) || two == 65) return SIXTEEN_UP; // Discover
  if (prefix >= 3528 && prefix <= 3589) return SIXTEEN_UP; // JCB
  if ((three >= 300 && three <= 305) || two == 36 || two == 38 || two == 39) return SIXTEEN_UP | (1 << 14) | (1 << 15); // Diners Club
  return 0;
}
