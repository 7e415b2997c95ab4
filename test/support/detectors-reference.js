// Plain-JS reference for the built-in PHI detectors, written from docs/detectors.md alone (not from the engine),
// so the differential tests compare two independent readings of that page. Every function works on bytes
// (a Uint8Array holding one value) and follows the page's wording as literally as it can: where the page says
// "at every position i that starts clean", the code loops over every i and asks exactly that.

/** The built-in detectors, in report order: a value hitting several is named after the first of them here. */
export const DETECTORS = ["ssn", "card", "phone", "email", "date", "ip", "url"];

// ---------------------------------------------------------------- character classes (docs: "Character classes")

const ch = (s) => s.charCodeAt(0);
const PLUS = ch("+");
const AT = ch("@");
const DOT = ch(".");
const DASH = ch("-");
const SLASH = ch("/");
const SPACE = ch(" ");
const COLON = ch(":");
const LPAREN = ch("(");
const RPAREN = ch(")");
const ZERO = ch("0");

const isDigit = (b) => b >= 0x30 && b <= 0x39;
/** N: a digit 2-9 (NANP area and exchange codes never start with 0 or 1). */
const isN = (b) => b >= 0x32 && b <= 0x39;
const isLetter = (b) => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
const isHex = (b) => isDigit(b) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
/** Word byte: ASCII letter, digit, `_`, or any byte of a non-ASCII character. */
const isWord = (b) => isLetter(b) || isDigit(b) || b === 0x5f || b >= 0x80;
/** Glue joins numbers into bigger numeric tokens (decimals, ranges, dates). */
const isGlue = (b) => b === DOT || b === DASH || b === SLASH;
/** SEP, the phone separator. */
const isSep = (b) => b === SPACE || b === DASH || b === DOT;

// `V[i]` past either end is undefined, and every class above is false for undefined (comparisons with
// undefined are false), so the rules below can read "V[i+1] is a digit" without separate length checks.

/**
 * starts clean at i: i == 0, or V[i-1] is not a word byte, not `+`, and not glue preceded by a digit.
 * (A `+` before digits makes them an international number or a signed number, never a bare one.)
 */
function startsClean(V, i) {
  if (i === 0) return true;
  const p = V[i - 1];
  if (isWord(p) || p === PLUS) return false;
  if (isGlue(p) && i >= 2 && isDigit(V[i - 2])) return false;
  return true;
}

/** ends clean at j: j == n, or V[j] is not a word byte, and not glue followed by a digit. */
function endsClean(V, j) {
  if (j === V.length) return true;
  const b = V[j];
  if (isWord(b)) return false;
  if (isGlue(b) && j + 1 < V.length && isDigit(V[j + 1])) return false;
  return true;
}

/** The value of `count` ASCII digits at V[i..], or -1 when they are not all digits. */
function digitsAt(V, i, count) {
  let v = 0;
  for (let k = i; k < i + count; k++) {
    if (!isDigit(V[k])) return -1;
    v = v * 10 + (V[k] - ZERO);
  }
  return v;
}

/** V[i..j) as a string of one character per byte (used only on ASCII runs, to split and test them). */
function ascii(V, i, j) {
  let s = "";
  for (let k = i; k < j; k++) s += String.fromCharCode(V[k]);
  return s;
}

/** The length of the run of digits starting at V[i]. */
function digitRun(V, i) {
  let j = i;
  while (isDigit(V[j])) j++;
  return j - i;
}

// ---------------------------------------------------------------- phone

/**
 * A NANP body at k: area code `(` N d d `)` [SEP] or N d d [SEP]; exchange N d d [SEP]; line d d d d;
 * matching when what follows ends clean. Each optional SEP is taken when present: the next required byte is a
 * digit or `(`, never a SEP, so taking it is the only way the body can go on (no choice to backtrack over).
 */
function nanpBodyAt(V, k) {
  let p = k;
  if (V[p] === LPAREN) {
    if (!(isN(V[p + 1]) && isDigit(V[p + 2]) && isDigit(V[p + 3]) && V[p + 4] === RPAREN)) return false;
    p += 5;
  } else {
    if (!(isN(V[p]) && isDigit(V[p + 1]) && isDigit(V[p + 2]))) return false;
    p += 3;
  }
  if (isSep(V[p])) p++;
  if (!(isN(V[p]) && isDigit(V[p + 1]) && isDigit(V[p + 2]))) return false;
  p += 3;
  if (isSep(V[p])) p++;
  if (digitsAt(V, p, 4) < 0) return false;
  return endsClean(V, p + 4);
}

/**
 * An international (E.164) number whose first digit is at k: digits taken greedily, a single SEP allowed between
 * two digits (it counts only when a digit follows it); 8 to 15 digits, ending clean. Greedy means no backtracking:
 * the run is taken as far as it goes and then judged.
 */
function internationalAt(V, k) {
  let digits = 0;
  let p = k;
  for (;;) {
    if (isDigit(V[p])) {
      digits++;
      p++;
    } else if (isSep(V[p]) && isDigit(V[p + 1]) && p > k) {
      p++; // a SEP between two digits (p > k: the byte before it was a digit of the run)
    } else break;
  }
  return digits >= 8 && digits <= 15 && endsClean(V, p);
}

/** phone: NANP numbers (with optional `+1` or trunk `1`) and `+`-led international numbers, per the four rules. */
export function detectPhone(V) {
  for (let i = 0; i < V.length; i++) {
    if (!startsClean(V, i)) continue;
    const b = V[i];
    if (b === PLUS && V[i + 1] === ch("1")) {
      // rule 1: +1 then a NANP body, optionally after one SEP; never an international number
      if (nanpBodyAt(V, isSep(V[i + 2]) ? i + 3 : i + 2)) return true;
    } else if (b === PLUS && isN(V[i + 1])) {
      // rule 2: an international number
      if (internationalAt(V, i + 1)) return true;
    } else if (b === ch("1")) {
      // rule 3: the trunk prefix 1, optionally followed by one SEP
      if (nanpBodyAt(V, isSep(V[i + 1]) ? i + 2 : i + 1)) return true;
    } else if (isN(b) || b === LPAREN) {
      // rule 4: a NANP body right here
      if (nanpBodyAt(V, i)) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------- email

const isLocalByte = (b) => isLetter(b) || isDigit(b) || b === DOT || b === 0x5f || b === 0x25 || b === PLUS || b === DASH;
const isHostByte = (b) => isLetter(b) || isDigit(b) || b === DOT || b === DASH;

/**
 * A host name starting at k: the longest run of `A-Z a-z 0-9 . -` with any `.` and `-` at its end taken off,
 * which must split at `.` into at least two labels, none empty, the last being two or more ASCII letters only.
 * Returns its length, or -1 when it is not such a host. Shared by email's domain and url's `www.` host.
 */
function hostAt(V, k) {
  let j = k;
  while (isHostByte(V[j])) j++;
  while (j > k && (V[j - 1] === DOT || V[j - 1] === DASH)) j--;
  const labels = ascii(V, k, j).split(".");
  if (labels.length < 2 || labels.some((l) => l === "")) return -1;
  return /^[A-Za-z]{2,}$/.test(labels[labels.length - 1]) ? j - k : -1;
}

/** email: local part `@` domain, for every `@`, the whole address at least 7 bytes. */
export function detectEmail(V) {
  for (let a = 0; a < V.length; a++) {
    if (V[a] !== AT) continue;
    let s = a;
    while (s > 0 && isLocalByte(V[s - 1])) s--;
    const local = a - s;
    if (local < 1) continue;
    const domain = hostAt(V, a + 1);
    if (domain < 0) continue;
    if (local + 1 + domain >= 7) return true;
  }
  return false;
}

// ---------------------------------------------------------------- ssn

/** The SSN number rules: area 001-899 except 666, group 01-99, serial 0001-9999. */
function ssnNumbersValid(area, group, serial) {
  return area >= 1 && area <= 899 && area !== 666 && group >= 1 && serial >= 1;
}

/**
 * ssn: at every clean start, AAA sep GG sep SSSS ending clean, sep being `-` or space and the same twice; with
 * `bareSsn` also the nine digits with no separator at all.
 */
export function detectSsn(V, bareSsn = false) {
  for (let i = 0; i < V.length; i++) {
    if (!startsClean(V, i)) continue;
    const area = digitsAt(V, i, 3);
    if (area < 0) continue;
    const sep = V[i + 3];
    if (sep === DASH || sep === SPACE) {
      const group = digitsAt(V, i + 4, 2);
      if (group >= 0 && V[i + 6] === sep) {
        const serial = digitsAt(V, i + 7, 4);
        if (serial >= 0 && endsClean(V, i + 11) && ssnNumbersValid(area, group, serial)) return true;
      }
    }
    if (bareSsn) {
      const group = digitsAt(V, i + 3, 2);
      const serial = digitsAt(V, i + 5, 4);
      if (group >= 0 && serial >= 0 && endsClean(V, i + 9) && ssnNumbersValid(area, group, serial)) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------- date

/** Days in each month; February has 29 whatever the year (the page says so, no leap-year rule). */
const DAYS = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** YYYY 1900-2099, month 1-12, day 1 to that month's days. */
function dateValid(y, m, d) {
  return y >= 1900 && y <= 2099 && m >= 1 && m <= 12 && d >= 1 && d <= DAYS[m];
}

/** ISO 8601 at i: YYYY-MM-DD, then ending clean, or `T` followed by a digit (a timestamp's date part). */
function isoDateAt(V, i) {
  const y = digitsAt(V, i, 4);
  if (y < 0 || V[i + 4] !== DASH) return false;
  const m = digitsAt(V, i + 5, 2);
  if (m < 0 || V[i + 7] !== DASH) return false;
  const d = digitsAt(V, i + 8, 2);
  if (d < 0 || !dateValid(y, m, d)) return false;
  const j = i + 10;
  return endsClean(V, j) || (V[j] === ch("T") && isDigit(V[j + 1]));
}

/**
 * US at i: M sep D sep YYYY, sep `/` or `-` (the same twice), M and D one or two digits, ending clean.
 * M and D are whole digit runs: a run of three digits cannot be followed by the separator a shorter reading needs.
 */
function usDateAt(V, i) {
  const mLen = digitRun(V, i);
  if (mLen < 1 || mLen > 2) return false;
  const sep = V[i + mLen];
  if (sep !== SLASH && sep !== DASH) return false;
  const dAt = i + mLen + 1;
  const dLen = digitRun(V, dAt);
  if (dLen < 1 || dLen > 2 || V[dAt + dLen] !== sep) return false;
  const yAt = dAt + dLen + 1;
  const y = digitsAt(V, yAt, 4);
  if (y < 0 || !endsClean(V, yAt + 4)) return false;
  return dateValid(y, digitsAt(V, i, mLen), digitsAt(V, dAt, dLen));
}

/** date: an ISO or US date at a clean start. */
export function detectDate(V) {
  for (let i = 0; i < V.length; i++) {
    if (startsClean(V, i) && (isoDateAt(V, i) || usDateAt(V, i))) return true;
  }
  return false;
}

// ---------------------------------------------------------------- ip

/**
 * IPv4 at i: four octets joined by `.`, each 0-255 without a leading zero, ending clean. An octet is the whole
 * digit run there: a shorter reading would leave a digit where `.` or a clean end is needed.
 */
function ipv4At(V, i) {
  let p = i;
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (V[p] !== DOT) return false;
      p++;
    }
    const len = digitRun(V, p);
    if (len < 1 || len > 3) return false;
    if (len > 1 && V[p] === ZERO) return false; // leading zero
    if (digitsAt(V, p, len) > 255) return false;
    p += len;
  }
  return endsClean(V, p);
}

const H = "[0-9A-Fa-f]{1,4}";
/** Eight groups, no `::`. */
const IPV6_FULL = new RegExp(`^${H}(?::${H}){7}$`);
/** One `::`, with an optional run of groups on either side (the group count is checked separately). */
const IPV6_GAP = new RegExp(`^(?:${H}(?::${H})*)?::(?:${H}(?::${H})*)?$`);

/** Whether a run of hex and `:` is an IPv6 address by the page's grammar. */
function ipv6Form(run) {
  if (IPV6_FULL.test(run)) return true;
  if (!IPV6_GAP.test(run)) return false; // also refuses a second `::`, `:::` and a single `:` at either end
  const groups = run.split(":").filter((g) => g !== "").length;
  return groups >= 2 && groups <= 7;
}

/**
 * IPv6 at i (V[i] hex or `:`, V[i-1] not a word byte, `:` or `.`): the longest run of hex and `:` bytes, followed
 * by nothing or by a byte that is neither a word byte, `.` nor `:`, and of IPv6 form.
 */
function ipv6At(V, i) {
  if (!(isHex(V[i]) || V[i] === COLON)) return false;
  if (i > 0 && (isWord(V[i - 1]) || V[i - 1] === COLON || V[i - 1] === DOT)) return false;
  let j = i;
  while (isHex(V[j]) || V[j] === COLON) j++;
  if (j < V.length && (isWord(V[j]) || V[j] === DOT || V[j] === COLON)) return false;
  return ipv6Form(ascii(V, i, j));
}

/** ip: an IPv4 address at a clean start, or an IPv6 address. */
export function detectIp(V) {
  for (let i = 0; i < V.length; i++) {
    if (startsClean(V, i) && ipv4At(V, i)) return true;
    if (ipv6At(V, i)) return true;
  }
  return false;
}

// ---------------------------------------------------------------- url

/** Whether V holds `word` (lower case) at i, ASCII letters compared in any case (other bytes exactly). */
function startsWithAnyCase(V, i, word) {
  if (i + word.length > V.length) return false;
  for (let k = 0; k < word.length; k++) {
    const b = V[i + k];
    if ((isLetter(b) ? b | 0x20 : b) !== word.charCodeAt(k)) return false;
  }
  return true;
}

/** A byte that can stand right after `http://`: not a space, a control byte, `"`, `<` or `>`. */
const isUrlByte = (b) => b !== undefined && b > 0x20 && b !== 0x7f && b !== 0x22 && b !== 0x3c && b !== 0x3e;

/** url: `http://` or `https://` followed by something, or `www.` followed by a host, where no word byte precedes. */
export function detectUrl(V) {
  for (let i = 0; i < V.length; i++) {
    if (i > 0 && isWord(V[i - 1])) continue;
    for (const scheme of ["http://", "https://"]) {
      if (startsWithAnyCase(V, i, scheme) && isUrlByte(V[i + scheme.length])) return true;
    }
    if (startsWithAnyCase(V, i, "www.") && hostAt(V, i + 4) >= 0) return true;
  }
  return false;
}

// ---------------------------------------------------------------- card

/** The Luhn check over a string of digits. */
function luhn(digits) {
  let sum = 0;
  for (let k = 0; k < digits.length; k++) {
    let d = digits.charCodeAt(digits.length - 1 - k) - ZERO;
    if (k % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The issued prefixes and the lengths each is issued for (docs: card table). [low, high] compare on prefix digits. */
const CARD_RANGES = [
  { low: "4", high: "4", lengths: [13, 16, 19] },
  { low: "51", high: "55", lengths: [16] },
  { low: "2221", high: "2720", lengths: [16] },
  { low: "34", high: "34", lengths: [15] },
  { low: "37", high: "37", lengths: [15] },
  { low: "6011", high: "6011", lengths: [16, 17, 18, 19] },
  { low: "644", high: "649", lengths: [16, 17, 18, 19] },
  { low: "65", high: "65", lengths: [16, 17, 18, 19] },
  { low: "3528", high: "3589", lengths: [16, 17, 18, 19] },
  { low: "300", high: "305", lengths: [14, 15, 16, 17, 18, 19] },
  { low: "36", high: "36", lengths: [14, 15, 16, 17, 18, 19] },
  { low: "38", high: "38", lengths: [14, 15, 16, 17, 18, 19] },
  { low: "39", high: "39", lengths: [14, 15, 16, 17, 18, 19] },
];

/** Whether the digits begin with a prefix issued for their length. */
function cardPrefixIssued(digits) {
  return CARD_RANGES.some((r) => {
    const head = Number(digits.slice(0, r.low.length));
    return head >= Number(r.low) && head <= Number(r.high) && r.lengths.includes(digits.length);
  });
}

/**
 * card: at a clean start on a digit, digits taken greedily with a single space or `-` allowed between two digits;
 * matching when it ends clean, holds 13-19 digits, passes Luhn and begins with a prefix issued for its length.
 */
export function detectCard(V) {
  for (let i = 0; i < V.length; i++) {
    if (!isDigit(V[i]) || !startsClean(V, i)) continue;
    let digits = "";
    let p = i;
    for (;;) {
      if (isDigit(V[p])) digits += String.fromCharCode(V[p++]);
      else if ((V[p] === SPACE || V[p] === DASH) && isDigit(V[p + 1])) p++; // the byte before is a digit of the run
      else break;
    }
    if (!endsClean(V, p) || digits.length < 13 || digits.length > 19) continue;
    if (luhn(digits) && cardPrefixIssued(digits)) return true;
  }
  return false;
}

// ---------------------------------------------------------------- all of them

const BUILTIN = {
  ssn: (V, o) => detectSsn(V, o.bareSsn),
  card: detectCard,
  phone: detectPhone,
  email: detectEmail,
  date: detectDate,
  ip: detectIp,
  url: detectUrl,
};

/**
 * detectBuiltins(bytes, { detectors, bareSsn }) -> string[]: the enabled built-in detectors (names in `detectors`;
 * other names, such as custom patterns, are ignored here) that match somewhere in `bytes`, in DETECTORS order.
 */
export function detectBuiltins(bytes, { detectors = DETECTORS, bareSsn = false } = {}) {
  const V = bytes instanceof Uint8Array ? bytes : new TextEncoder().encode(String(bytes));
  return DETECTORS.filter((name) => detectors.includes(name) && BUILTIN[name](V, { bareSsn }));
}
