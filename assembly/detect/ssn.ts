// The SSN detector (docs/detectors.md, "ssn"): AAA-GG-SSSS or AAA GG SSSS (the same separator
// twice), or nine bare digits where the caller says they count; never-issued numbers excluded.
import { byteAt, digitsAt, startsClean, endsClean } from "./bytes";

/** Whether the value [v, v + n) holds an SSN anywhere; `bare`: whether nine bare digits count. */
export function findSsn(v: usize, n: usize, bare: bool): bool {
  for (let i: usize = 0; i < n; i++) if (ssnAt(v, n, i, bare)) return true;
  return false;
}

/** Whether an SSN starts at index i of the value [v, v + n). */
export function ssnAt(v: usize, n: usize, i: usize, bare: bool): bool {
  return startsClean(v, n, i) && ssnFrom(v, n, i, bare);
}

/** Whether an SSN starts at index i, i being known to start clean. */
export function ssnFrom(v: usize, n: usize, i: usize, bare: bool): bool {
  const area = digitsAt(v, n, i, 3);
  if (area < 1 || area > 899 || area == 666) return false; // 000, 666 and 9xx are never issued
  const sep = byteAt(v, n, i + 3);
  let group: i32, serial: i32, end: usize;
  if (sep == 0x2d || sep == 0x20) {
    if (byteAt(v, n, i + 6) != sep) return false; // "123-45 6789": mixed separators
    group = digitsAt(v, n, i + 4, 2);
    serial = digitsAt(v, n, i + 7, 4);
    end = i + 11;
  } else if (bare) {
    group = digitsAt(v, n, i + 3, 2);
    serial = digitsAt(v, n, i + 5, 4);
    end = i + 9;
  } else {
    return false;
  }
  // -1 (not all digits) fails these too; so do group 00 and serial 0000.
  return group >= 1 && serial >= 1 && endsClean(v, n, end);
}
