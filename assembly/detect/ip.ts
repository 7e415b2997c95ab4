// The IP address detector (docs/detectors.md, "ip"): dotted-quad IPv4 and colon-hex IPv6 (at
// most one "::"; no embedded IPv4 tail, whose IPv4 part the IPv4 rule reports on its own).
import { byteAt, isDigit, isHex, isWord, startsClean, endsClean } from "./bytes";

/** Whether the value [v, v + n) holds an IP address anywhere. */
export function findIp(v: usize, n: usize): bool {
  for (let i: usize = 0; i < n; i++) if (ipAt(v, n, i)) return true;
  return false;
}

/** Whether an IPv4 or IPv6 address starts at index i of the value [v, v + n). */
export function ipAt(v: usize, n: usize, i: usize): bool {
  return ipFrom(v, n, i, startsClean(v, n, i));
}

/** Whether an IP address starts at index i, `clean` telling whether i starts clean (IPv6 has its own rule). */
export function ipFrom(v: usize, n: usize, i: usize, clean: bool): bool {
  return (clean && ipv4From(v, n, i)) || ipv6At(v, n, i);
}

/** How many bytes the octet at k takes (0-255, no leading zero), or 0 when none is there. */
function octetLength(v: usize, n: usize, k: usize): usize {
  // An octet is a whole digit run: what follows it must be '.' or a clean end, never a digit.
  const a = byteAt(v, n, k);
  if (!isDigit(a)) return 0;
  const b = byteAt(v, n, k + 1);
  if (a == 0x30) return isDigit(b) ? 0 : 1; // "0" alone, never "01"
  if (!isDigit(b)) return 1;
  const c = byteAt(v, n, k + 2);
  if (!isDigit(c)) return 2;
  if (isDigit(byteAt(v, n, k + 3))) return 0;
  return (a - 0x30) * 100 + (b - 0x30) * 10 + (c - 0x30) <= 255 ? 3 : 0;
}

/** Four octets joined by '.' at i (known to start clean), ending clean. */
function ipv4From(v: usize, n: usize, i: usize): bool {
  let k = i;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (byteAt(v, n, k) != 0x2e) return false;
      k++;
    }
    const length = octetLength(v, n, k);
    if (length == 0) return false;
    k += length;
  }
  return endsClean(v, n, k);
}

/**
 * The longest run of hex and ':' bytes at i (V[i - 1] not a word byte, ':' or '.'; the byte after
 * the run not a word byte or '.'), being groups of 1-4 hex digits joined by ':' with at most one
 * "::": 8 groups without it, 2 to 7 with it, and no single ':' at either end.
 */
function ipv6At(v: usize, n: usize, i: usize): bool {
  const before = byteAt(v, n, i - 1);
  if (isWord(before) || before == 0x3a || before == 0x2e) return false;
  let c = byteAt(v, n, i);
  if (!isHex(c) && c != 0x3a) return false;
  let j = i;
  while (isHex(c) || c == 0x3a) c = byteAt(v, n, ++j);
  if (isWord(c) || c == 0x2e) return false; // c, the byte after the run, is never ':'
  let k = i;
  let groups = 0;
  let compressed = false;
  if (load<u8>(v + k) == 0x3a) { // a leading ':' must be half of a "::"
    if (byteAt(v, n, k + 1) != 0x3a) return false;
    compressed = true;
    k += 2;
  }
  // Here k is where a group must start (or the run may end, right after a "::").
  while (k < j) {
    let digits = 0;
    while (k < j && load<u8>(v + k) != 0x3a) {
      if (++digits > 4) return false;
      k++;
    }
    if (digits == 0) return false; // ":::", or a second "::" right after the first
    if (++groups > 8) return false;
    if (k == j) break;
    k++; // the ':' after the group
    if (k == j) return false; // a single ':' at the end
    if (load<u8>(v + k) == 0x3a) { // "::"
      if (compressed) return false;
      compressed = true;
      k++;
    }
  }
  return compressed ? groups >= 2 && groups <= 7 : groups == 8;
}
