// The email detector (docs/detectors.md, "email"): at each '@', the local part before it and the
// domain after it, at least 7 bytes in all.
import { byteAt, classOf, LOCAL, scanHost, hostEnd, hostValidFrom } from "./bytes";

/** Whether the value [v, v + n) holds an email address anywhere. */
export function findEmail(v: usize, n: usize): bool {
  for (let a: usize = 0; a < n; a++) if (emailAt(v, n, a)) return true;
  return false;
}

/** Whether V[a] is an '@' with an email address around it. */
export function emailAt(v: usize, n: usize, a: usize): bool {
  if (byteAt(v, n, a) != 0x40) return false;
  // The local part: the longest run of local-part bytes ending at a - 1 (index -1 is NONE).
  let l = a;
  while ((classOf(byteAt(v, n, l - 1)) & LOCAL) != 0) l--;
  if (l == a) return false;
  // The domain: the longest run of host bytes from a + 1, trailing '.' and '-' taken off.
  scanHost(v, n, a + 1); // read afresh: callers need not forgetHosts before emailAt
  if (a - l + 1 + (hostEnd - (a + 1)) < 7) return false; // "a@t.co" (6) never grows when redacted
  return hostValidFrom(v, a + 1);
}
