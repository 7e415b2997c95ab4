// The date detector (docs/detectors.md, "date"): ISO YYYY-MM-DD (alone or starting a timestamp)
// and US M/D/YYYY or M-D-YYYY, years 1900-2099, days checked against the month (February: 29).
import { byteAt, digitsAt, isDigit, startsClean, endsClean } from "./bytes";

/** Whether the value [v, v + n) holds a date anywhere. */
export function findDate(v: usize, n: usize): bool {
  for (let i: usize = 0; i < n; i++) if (dateAt(v, n, i)) return true;
  return false;
}

/** Whether a date starts at index i of the value [v, v + n). */
export function dateAt(v: usize, n: usize, i: usize): bool {
  return startsClean(v, n, i) && dateFrom(v, n, i);
}

/** Whether a date starts at index i, i being known to start clean. */
export function dateFrom(v: usize, n: usize, i: usize): bool {
  return isoAt(v, n, i) || usAt(v, n, i);
}

// @ts-ignore: decorator
@inline
function validYear(year: i32): bool {
  return year >= 1900 && year <= 2099;
}

/** Whether month/day is a day of the calendar (no leap-year rule: February always has 29). */
function validMonthDay(month: i32, day: i32): bool {
  if (month < 1 || month > 12 || day < 1) return false;
  if (month == 2) return day <= 29;
  if (month == 4 || month == 6 || month == 9 || month == 11) return day <= 30;
  return day <= 31;
}

/** YYYY-MM-DD at i, then a clean end or 'T' and a digit (a timestamp's date part). */
function isoAt(v: usize, n: usize, i: usize): bool {
  const year = digitsAt(v, n, i, 4);
  if (!validYear(year) || byteAt(v, n, i + 4) != 0x2d || byteAt(v, n, i + 7) != 0x2d) return false;
  if (!validMonthDay(digitsAt(v, n, i + 5, 2), digitsAt(v, n, i + 8, 2))) return false;
  const j = i + 10;
  return endsClean(v, n, j) || (byteAt(v, n, j) == 0x54 && isDigit(byteAt(v, n, j + 1)));
}

/** Set by oneOrTwoDigits: the index after the digits read. */
let digitsEnd: usize = 0;

/** The one or two digits at k as a number (digitsEnd after them), or -1 when V[k] is no digit. */
function oneOrTwoDigits(v: usize, n: usize, k: usize): i32 {
  const a = byteAt(v, n, k);
  if (!isDigit(a)) return -1;
  const b = byteAt(v, n, k + 1);
  if (!isDigit(b)) {
    digitsEnd = k + 1;
    return <i32>(a - 0x30);
  }
  digitsEnd = k + 2;
  return <i32>((a - 0x30) * 10 + (b - 0x30));
}

/** M/D/YYYY or M-D-YYYY at i (the same separator twice), ending clean. */
function usAt(v: usize, n: usize, i: usize): bool {
  const month = oneOrTwoDigits(v, n, i);
  if (month < 0) return false;
  let k = digitsEnd;
  const sep = byteAt(v, n, k);
  if (sep != 0x2f && sep != 0x2d) return false;
  const day = oneOrTwoDigits(v, n, k + 1);
  if (day < 0) return false;
  k = digitsEnd;
  if (byteAt(v, n, k) != sep) return false;
  const year = digitsAt(v, n, k + 1, 4);
  return validYear(year) && validMonthDay(month, day) && endsClean(v, n, k + 5);
}
