// The built-in PHI detectors run together over one value (docs/detectors.md): one pass over its
// bytes finds the positions where a wanted detector's match could start, and only there asks that
// detector's matcher. Most bytes of most values start nothing: a word's second byte can only be
// an email's '@' (every other detector needs a start that no word byte precedes).
import { DETECTOR_SSN, DETECTOR_CARD, DETECTOR_PHONE, DETECTOR_EMAIL, DETECTOR_DATE, DETECTOR_IP, DETECTOR_URL } from "../abi";
import { isDigit, isHex, isWord, lower, startsClean, forgetHosts } from "./bytes";
import { ssnFrom } from "./ssn";
import { cardFrom } from "./card";
import { phoneFrom } from "./phone";
import { emailAt } from "./email";
import { dateFrom } from "./date";
import { ipFrom } from "./ip";
import { urlAt } from "./url";

const SSN: u32 = 1 << DETECTOR_SSN;
const CARD: u32 = 1 << DETECTOR_CARD;
const PHONE: u32 = 1 << DETECTOR_PHONE;
const EMAIL: u32 = 1 << DETECTOR_EMAIL;
const DATE: u32 = 1 << DETECTOR_DATE;
const IP: u32 = 1 << DETECTOR_IP;
const URL: u32 = 1 << DETECTOR_URL;
const BUILTINS: u32 = SSN | CARD | PHONE | EMAIL | DATE | IP | URL;
/** The detectors whose every match starts clean (IP: its IPv4 half). */
const CLEAN_STARTS: u32 = SSN | CARD | PHONE | DATE | IP;

// STARTS[c], a u32 per byte: bits 0-6, the detectors a match of which can start with byte c (a
// superset: each matcher checks its own start rule); bits 8-15, the detectors whose matches may
// start right after c (only the email's '@' after a word byte).
const STARTS: usize = buildStarts();

function buildStarts(): usize {
  const table = heap.alloc(256 * 4);
  for (let c: u32 = 0; c < 256; c++) {
    let starts: u32 = 0;
    if (isDigit(c)) starts |= SSN | CARD | DATE | IP;
    if (isDigit(c) && c != 0x30) starts |= PHONE; // '1' (trunk prefix) or N
    if (c == 0x2b || c == 0x28) starts |= PHONE; // '+', '('
    if (c == 0x40) starts |= EMAIL; // '@'
    if (isHex(c) || c == 0x3a) starts |= IP; // IPv6
    if (lower(c) == 0x68 || lower(c) == 0x77) starts |= URL; // "http", "www."
    const next = isWord(c) ? EMAIL : BUILTINS;
    store<u32>(table + (<usize>c << 2), starts | (next << 8));
  }
  return table;
}

/**
 * The detectors among `mask` (bit DETECTOR_x set: run detector x; bits of custom patterns
 * ignored) that match somewhere in the value [v, v + n), as bits in the same places. `bareSsn`:
 * whether nine bare digits count as an SSN (the value's path is listed in the policy's bareSsn).
 */
export function builtinHits(v: usize, n: usize, mask: u32, bareSsn: bool): u32 {
  let wanted = mask & BUILTINS;
  if (wanted == 0) return 0;
  forgetHosts();
  let hits: u32 = 0;
  let allowed = BUILTINS; // anything may start at index 0
  for (let i: usize = 0; i < n; i++) {
    const starts = load<u32>(STARTS + (<usize>load<u8>(v + i) << 2));
    const candidates = starts & allowed & wanted;
    allowed = starts >> 8;
    if (candidates == 0) continue;
    const found = hitsAt(v, n, i, candidates, bareSsn);
    if (found != 0) {
      hits |= found;
      wanted &= ~found; // a detector that hit needs no more looking for
      if (wanted == 0) break;
    }
  }
  return hits;
}

/** Which of the detectors in `candidates` match starting at index i. */
function hitsAt(v: usize, n: usize, i: usize, candidates: u32, bareSsn: bool): u32 {
  // "starts clean" once for all the digit-led detectors (after "1-" or "2.", none of them starts).
  const clean = (candidates & CLEAN_STARTS) != 0 && startsClean(v, n, i);
  let found: u32 = 0;
  if (clean) {
    if ((candidates & SSN) != 0 && ssnFrom(v, n, i, bareSsn)) found |= SSN;
    if ((candidates & CARD) != 0 && cardFrom(v, n, i)) found |= CARD;
    if ((candidates & PHONE) != 0 && phoneFrom(v, n, i)) found |= PHONE;
    if ((candidates & DATE) != 0 && dateFrom(v, n, i)) found |= DATE;
  }
  if ((candidates & IP) != 0 && ipFrom(v, n, i, clean)) found |= IP;
  if ((candidates & EMAIL) != 0 && emailAt(v, n, i)) found |= EMAIL;
  if ((candidates & URL) != 0 && urlAt(v, n, i)) found |= URL;
  return found;
}
