// The URL detector (docs/detectors.md, "url"): "http://" or "https://" with something after it,
// or "www." and a host name; letters in either case.
import { NONE, byteAt, isWord, lower, forgetHosts, hostFrom } from "./bytes";

/** Whether the value [v, v + n) holds a URL anywhere. */
export function findUrl(v: usize, n: usize): bool {
  forgetHosts();
  for (let i: usize = 0; i < n; i++) if (urlAt(v, n, i)) return true;
  return false;
}

/**
 * Whether a URL starts at index i of the value [v, v + n). A scan of a value calling this must
 * begin with forgetHosts (bytes.ts): "www." hosts are decided from the host run last read when
 * they start inside it, and that run must be one of this value.
 */
export function urlAt(v: usize, n: usize, i: usize): bool {
  if (isWord(byteAt(v, n, i - 1))) return false;
  const c = lower(byteAt(v, n, i));
  if (c == 0x68) return schemeAt(v, n, i); // 'h'
  if (c == 0x77) return wwwAt(v, n, i); // 'w'
  return false;
}

/** "http://" or "https://" at i followed by a byte other than a space, a control byte, '"', '<' or '>'. */
function schemeAt(v: usize, n: usize, i: usize): bool {
  if (lower(byteAt(v, n, i + 1)) != 0x74 || lower(byteAt(v, n, i + 2)) != 0x74 || lower(byteAt(v, n, i + 3)) != 0x70) return false;
  let k = i + 4;
  if (lower(byteAt(v, n, k)) == 0x73) k++; // "https"
  if (byteAt(v, n, k) != 0x3a || byteAt(v, n, k + 1) != 0x2f || byteAt(v, n, k + 2) != 0x2f) return false;
  const c = byteAt(v, n, k + 3);
  // Space and the controls are 0x00-0x20 and 0x7f; NONE (nothing after the "//") is no byte.
  return c > 0x20 && c != 0x7f && c != NONE && c != 0x22 && c != 0x3c && c != 0x3e;
}

/** "www." at i followed by a valid host name. */
function wwwAt(v: usize, n: usize, i: usize): bool {
  if (lower(byteAt(v, n, i + 1)) != 0x77 || lower(byteAt(v, n, i + 2)) != 0x77 || byteAt(v, n, i + 3) != 0x2e) return false;
  return hostFrom(v, n, i + 4);
}
