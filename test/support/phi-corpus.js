// Seeded corpora for the PHI detectors (docs/detectors.md): what the recall and false-positive tests scan.
//
// - plantedEvents(seed, perDetector): TaskRouter event callbacks (preset flex-insights-hipaa), each holding exactly
//   one PHI value at one preserved free-text attribute, spelled in many realistic ways and encoded four ways
//   (plain, \u-escaped, inside the TaskAttributes JSON string, both). Recall is measured on these.
// - cleanEvents(seed, count): TaskRouter callbacks and Event Streams CloudEvents whose kept values hold no PHI
//   under RECOMMENDED_DETECT, but plenty of near-misses the rules deliberately do not match (seven-digit numbers,
//   three-part versions, times, 8-digit order numbers, 22-digit tracking numbers, Luhn failures...). PHI is only
//   in fields the presets drop (caller names, phones, notes), so it must never be counted.
//
// Everything is built from a mulberry32 stream, so a seed always gives the same bytes. The "why it does (not)
// match" notes next to the value builders refer to the rules in docs/detectors.md; the self-checks in
// test/phi-corpus.test.js (and the plain-JS reference detectors, when present) hold the generators to them.

import { mulberry32 } from "./random.js";

// ------------------------------------------------------------------ exported constants

/** The detectors a planted event can carry: the seven built-ins, and the custom record-number pattern. */
export const PLANT_DETECTORS = Object.freeze(["phone", "email", "ssn", "date", "ip", "url", "card", "mrn"]);

/** How a planted value is written into the event (see plantedEvents). */
export const FORMS = Object.freeze(["plain", "escaped", "embedded", "embedded-escaped"]);

/** The custom pattern the mrn events are meant for (policy JSON form). */
export const MRN_PATTERN = Object.freeze({ name: "mrn", pattern: "MRN[-: #]?\\d{6,10}", ignoreCase: true });

const BUILTINS = ["ssn", "card", "phone", "email", "date", "ip", "url"];

/** Paths (relative to the event) whose values are timestamps: exempt from every detector. */
const TIMESTAMP_PATHS = ["Timestamp", "TimestampMs", "EventDate", "EventDateMs", "TaskDateCreated",
  "TaskQueueEnteredDate", "time", "data.timestamp", "data.payload.timestamp", "data.payload.timestamp_ms",
  "data.payload.event_date", "data.payload.event_date_ms", "data.payload.task_date_created",
  "data.payload.task_queue_entered_date"];

/**
 * Task-attribute paths that hold dates or links by design, below `base`. `*` matches exactly one key, so
 * `*.conversations.date` reaches TaskAttributes.conversations.date but not the Event Streams copy three keys
 * deeper (data.payload.task_attributes...): that one gets explicit entries.
 */
function attributeExemptions(base) {
  return [
    { path: `${base}.conversations.date`, detectors: ["date"] },
    { path: `${base}.customers.acquisition_date`, detectors: ["date"] },
    { path: `${base}.conversations.segment_link`, detectors: ["url"] },
    { path: `${base}.customers.customer_link`, detectors: ["url"] },
    { path: `${base}.recordings`, detectors: ["url", "date"] },
  ];
}

/**
 * The recommended detection for the two flex-insights presets, in the JSON form policies use (exemptions apply at
 * a path and everything under it): the exemptions of the flex-insights-hipaa recommendation
 * (src/policy/recommendations.ts), with one more, `dataschema`. Every Event Streams CloudEvent carries
 * "dataschema": "https://events-schemas.twilio.com/TaskRouter.WDSEvent/<n>" (Twilio's examples, and
 * examples/eventstreams.json), the eventstreams preset keeps it, and without the exemption every such event is a
 * url hit.
 */
export const RECOMMENDED_DETECT = Object.freeze({
  detectors: [...BUILTINS],
  exempt: [
    ...TIMESTAMP_PATHS,
    ...attributeExemptions("*"),
    ...attributeExemptions("data.payload.task_attributes"),
    { path: "dataschema", detectors: ["url"] },
  ],
  action: "count",
});

/** The preserved attributes a planted value may stand at: the ones that hold free text in practice. */
export const PLANT_PATHS = Object.freeze([
  ...["external_contact", "content", "case", "campaign", "destination",
    ...range(1, 10).map((n) => `conversation_attribute_${n}`),
    ...range(1, 10).map((n) => `conversation_label_${n}`)].map((k) => `TaskAttributes.conversations.${k}`),
  ...[...range(1, 3).map((n) => `customer_attribute_${n}`), ...range(1, 3).map((n) => `customer_label_${n}`),
    "organization", "customer_manager"].map((k) => `TaskAttributes.customers.${k}`),
]);

// ------------------------------------------------------------------ small helpers

function range(lo, hi) {
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

const HEX = "0123456789abcdef";
const HEX_BYTE = Array.from({ length: 256 }, (_, b) => HEX[b >> 4] + HEX[b & 15]);

/** mulberry32 with the helpers the generators need. */
class Rand {
  constructor(seed) {
    this.next = mulberry32(seed);
  }
  int(n) {
    return Math.floor(this.next() * n);
  }
  /** An integer in [lo, hi]. */
  range(lo, hi) {
    return lo + this.int(hi - lo + 1);
  }
  pick(a) {
    return a[this.int(a.length)];
  }
  chance(p) {
    return this.next() < p;
  }
  digits(n) {
    let s = "";
    for (let i = 0; i < n; i++) s += String(this.int(10));
    return s;
  }
  /** n lowercase hex digits, eight from each 32-bit draw (SIDs are most of what is generated). */
  hex(n) {
    let s = "";
    while (s.length < n) {
      const x = Math.floor(this.next() * 4294967296);
      s += HEX_BYTE[x >>> 24] + HEX_BYTE[(x >>> 16) & 255] + HEX_BYTE[(x >>> 8) & 255] + HEX_BYTE[x & 255];
    }
    return s.length === n ? s : s.slice(0, n);
  }
  shuffle(a) {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }
}

const pad = (n, w) => String(n).padStart(w, "0");

/** A Twilio SID: two letters and 32 lowercase hex. Digits inside always follow a letter, so no digit-led match. */
const sid = (r, prefix) => prefix + r.hex(32);

/**
 * Hex that holds at least one letter. In a bare hex token only position 0 starts clean and only the end ends
 * clean, so a digit-led detector could match only an all-digit token (a 16-digit one may pass Luhn).
 */
function hexId(r, n) {
  const s = r.hex(n);
  if (/[a-f]/.test(s)) return s;
  const i = r.int(n);
  return s.slice(0, i) + "abcdef"[r.int(6)] + s.slice(i + 1);
}

/** A UUID whose every group holds a letter (same reason as hexId: groups are joined by '-', which is glue). */
const uuid = (r) => [hexId(r, 8), hexId(r, 4), "4" + hexId(r, 3), hexId(r, 4), hexId(r, 12)].join("-");

// ------------------------------------------------------------------ PHI values (docs/detectors.md, each "Matches")

const AREA_CODES = ["212", "206", "303", "305", "312", "404", "415", "503", "512", "541", "602", "617", "646",
  "702", "713", "720", "808", "917", "971"];
const TOLL_FREE = ["800", "833", "844", "855", "866", "877", "888"];

/** A NANP number's parts: 555-01xx (reserved for fiction) mostly, other exchanges and lines too. */
function nanpParts(r, tollFree = false) {
  const area = tollFree ? r.pick(TOLL_FREE) : r.chance(0.7) ? r.pick(AREA_CODES) : `${r.range(2, 9)}${r.digits(2)}`;
  const exchange = r.chance(0.6) ? "555" : `${r.range(2, 9)}${r.digits(2)}`;
  const line = exchange === "555" && r.chance(0.8) ? `01${r.digits(2)}` : r.digits(4);
  return [area, exchange, line];
}

// Every separator style the NANP rule accepts: "(" area ")" then an optional SEP, SEPs optional after the area
// code and the exchange, a "+1" or "1" trunk prefix with or without a SEP.
const NANP_STYLES = [
  (a, e, l) => `(${a}) ${e}-${l}`, (a, e, l) => `(${a})${e}-${l}`, (a, e, l) => `(${a}) ${e} ${l}`,
  (a, e, l) => `(${a})-${e}-${l}`, (a, e, l) => `(${a}).${e}.${l}`, (a, e, l) => `${a}-${e}-${l}`,
  (a, e, l) => `${a}.${e}.${l}`, (a, e, l) => `${a} ${e} ${l}`, (a, e, l) => `${a}${e}${l}`,
  (a, e, l) => `${a}-${e}${l}`, (a, e, l) => `${a} ${e}-${l}`,
  (a, e, l) => `+1 ${a} ${e} ${l}`, (a, e, l) => `+1-${a}-${e}-${l}`, (a, e, l) => `+1${a}${e}${l}`,
  (a, e, l) => `+1 (${a}) ${e}-${l}`, (a, e, l) => `+1.${a}.${e}.${l}`, (a, e, l) => `+1 ${a}-${e}-${l}`,
];
const TRUNK_STYLES = [
  (a, e, l) => `1-${a}-${e}-${l}`, (a, e, l) => `1 (${a}) ${e}-${l}`, (a, e, l) => `1${a}${e}${l}`,
  (a, e, l) => `1.${a}.${e}.${l}`, (a, e, l) => `1 ${a} ${e} ${l}`, (a, e, l) => `1(${a})${e}-${l}`,
];

// E.164 numbers, written as each country does (all 11 to 13 digits: any digits after the country code, joined
// by single SEPs, are at most 12, so the card rule can never see 13 of them).
const INTERNATIONAL = [
  (r) => `+44 20 7946 0${r.digits(3)}`, // London, Ofcom's drama range
  (r) => `+44 7700 900${r.digits(3)}`, // UK mobile drama range
  (r) => `+44 161 496 0${r.digits(3)}`,
  (r) => `+49 30 ${r.digits(8)}`,
  (r) => `+49 151 ${r.digits(8)}`,
  (r) => `+33 1 ${r.digits(2)} ${r.digits(2)} ${r.digits(2)} ${r.digits(2)}`,
  (r) => `+33 6 ${r.digits(2)} ${r.digits(2)} ${r.digits(2)} ${r.digits(2)}`,
  (r) => `+61 491 570 ${r.digits(3)}`, // Australia's fiction range
  (r) => `+81 3 ${r.digits(4)} ${r.digits(4)}`,
  (r) => `+52 55 ${r.digits(4)} ${r.digits(4)}`,
  (r) => `+91 9${r.digits(4)} ${r.digits(5)}`,
  (r) => `+353 1 ${r.digits(3)} ${r.digits(4)}`,
  (r) => `+34 9${r.digits(2)} ${r.digits(3)} ${r.digits(3)}`,
  (r) => `+39 06 ${r.digits(4)} ${r.digits(4)}`,
  (r) => `+55 11 9${r.digits(4)}-${r.digits(4)}`,
];

/** { text, number } — number: the text is also a valid JSON number lexeme the phone rule reads. */
function phoneValue(r) {
  const k = r.int(20);
  if (k < 4) {
    // bare ten digits: area and exchange both start 2-9, as a string or a JSON number
    const [a, e, l] = nanpParts(r);
    return { text: a + e + l, number: true };
  }
  if (k < 10) return { text: r.pick(NANP_STYLES)(...nanpParts(r)), number: false };
  if (k < 13) return { text: r.pick(TRUNK_STYLES)(...nanpParts(r, true)), number: false };
  let text = r.pick(INTERNATIONAL)(r);
  const variant = r.int(6);
  if (variant === 0) text = text.replace(/[ -]/g, ""); // +4915112345678
  else if (variant === 1) text = text.replace(/ /g, "-");
  else if (variant === 2) text = text.replace(/ /g, ".");
  return { text, number: false };
}

const FIRST = ["jane", "maria", "robert", "li", "ahmed", "sofia", "dorothy", "samuel", "priya", "kenji", "olga",
  "luis", "grace", "tomás", "noah"];
const LAST = ["doe", "gonzalez", "chen", "khan", "rossi", "keane", "oyelaran", "patel", "tanaka", "ivanova",
  "garcia", "nguyen", "okafor"];
// Two-label to four-label domains, TLDs of 2 to 6 letters; never "www." (that would also be a url hit).
const EMAIL_DOMAINS = ["example.com", "example.org", "example.net", "mail.example.com", "health.example.org",
  "clinic.example.co.uk", "patients.example.io", "example.health", "uni.example.edu", "mx.mail.example.info",
  "example.de", "riverside-health.example.us", "post.example.museum", "example.travel"];

/** An email address. Local parts use only ASCII (the rule's class) so "tomás" is folded to "tomas". */
function emailValue(r) {
  const first = r.pick(FIRST).replace("á", "a");
  const last = r.pick(LAST);
  const local = r.pick([
    () => `${first}.${last}`, () => `${first[0]}.${last}`, () => `${first}_${last}`,
    () => `${first}${last}${r.range(1, 99)}`, () => `${first}.${last}+clinic`, () => `${first}+${r.pick(["rx", "appt", "billing"])}`,
    () => `${last}.${first}`.toUpperCase(), () => `${first}-${last}`, () => `${first}.${"abcdefghjkmnprstw"[r.int(17)]}.${last}`,
    () => `${first[0]}${last}`, () => `${first}.${last}%ext`,
  ])();
  let domain = r.pick(EMAIL_DOMAINS);
  if (r.chance(0.15)) domain = domain.toUpperCase();
  return { text: `${local}@${domain}`, number: false };
}

/** An SSN with an issued area (001-899, not 666), group 01-99 and serial 0001-9999; dashed or spaced. */
function ssnValue(r) {
  let area;
  do area = r.range(1, 899);
  while (area === 666);
  const sep = r.chance(0.7) ? "-" : " ";
  return { text: [pad(area, 3), pad(r.range(1, 99), 2), pad(r.range(1, 9999), 4)].join(sep), number: false };
}

const isLeap = (y) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (y, m) => [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];

/** A calendar date 1920-2025, one in ten a February 29 of a leap year. */
function calendarDate(r) {
  if (r.chance(0.1)) {
    let y;
    do y = r.range(1920, 2024);
    while (!isLeap(y));
    return [y, 2, 29];
  }
  const y = r.range(1920, 2025);
  const m = r.range(1, 12);
  return [y, m, r.range(1, daysIn(y, m))];
}

function dateValue(r) {
  const [y, m, d] = calendarDate(r);
  const iso = `${y}-${pad(m, 2)}-${pad(d, 2)}`;
  const time = `${pad(r.range(0, 23), 2)}:${pad(r.range(0, 59), 2)}:${pad(r.range(0, 59), 2)}`;
  const text = r.pick([
    () => iso,
    () => `${iso}T${time}Z`,
    () => `${iso}T${time}.${r.digits(3)}Z`,
    () => `${iso}T${time}${r.pick(["-05:00", "-08:00", "+01:00", "+05:30"])}`,
    () => `${m}/${d}/${y}`,
    () => `${pad(m, 2)}/${pad(d, 2)}/${y}`,
    () => `${pad(m, 2)}-${pad(d, 2)}-${y}`,
    () => `${m}-${d}-${y}`,
  ])();
  return { text, number: false };
}

/** An octet without a leading zero (the rule rejects "01"). */
const octet = (r) => String(r.chance(0.2) ? r.range(0, 9) : r.range(0, 255));

function ipv4(r) {
  return r.pick([
    () => `10.${octet(r)}.${octet(r)}.${octet(r)}`,
    () => `192.168.${octet(r)}.${r.range(1, 254)}`,
    () => `172.${r.range(16, 31)}.${octet(r)}.${r.range(1, 254)}`,
    () => `203.0.113.${r.range(1, 254)}`, // documentation ranges
    () => `198.51.100.${r.range(1, 254)}`,
    () => `${r.range(1, 223)}.${octet(r)}.${octet(r)}.${octet(r)}`,
  ])();
}

/** One IPv6 group: 1-4 hex digits, leading zeros dropped as usually written. */
const group6 = (r) => r.hex(r.range(1, 4)).replace(/^0+(?=.)/, "");

function ipv6(r) {
  let text = r.pick([
    // full, zero-padded: 2001:0db8:0000:0000:0000:ff00:0042:8329
    () => ["2001", "0db8", ...Array.from({ length: 6 }, () => r.hex(4))].join(":"),
    // full, leading zeros dropped
    () => ["2001", "db8", ...Array.from({ length: 6 }, () => group6(r))].join(":"),
    // compressed: 2 to 7 groups around one "::", never at either end
    () => {
      const total = r.range(2, 7);
      const left = r.range(1, total - 1);
      const groups = ["2001", "db8", ...Array.from({ length: 6 }, () => group6(r))].slice(0, total);
      return groups.slice(0, left).join(":") + "::" + groups.slice(left).join(":");
    },
    // link-local, sometimes with a zone id (the run of hex and ':' ends at '%', not a word byte)
    () => "fe80::" + Array.from({ length: r.range(1, 4) }, () => group6(r)).join(":") + (r.chance(0.2) ? "%eth0" : ""),
  ])();
  if (r.chance(0.15)) text = text.toUpperCase().replace("%ETH0", "%eth0");
  return text;
}

function ipValue(r) {
  return { text: r.chance(0.55) ? ipv4(r) : ipv6(r), number: false };
}

const URL_HOSTS = ["portal.example.com", "mychart.example.org", "telehealth.example.net", "records.example-clinic.com",
  "app.example.io", "patients.riverside-health.example", "lab.example.co.uk"];
const URL_PATHS = ["/patients/{id}", "/visit/{hex}", "/appointments/confirm", "/join/{word}", "/records/view",
  "/rx/refill/{id}", "/billing/statements/{hex}", ""];
const URL_QUERIES = ["", "", "?id={id}", "?ref=sms&lang=es", "?token={hex}", "?pid=A{id}&view=summary", "?utm_source=ivr"];

/** A URL: http(s):// or www., with paths and query strings; ids of at most 8 digits (no phone inside). */
function urlValue(r) {
  const fill = (s) => s.replace("{id}", String(r.range(1000, 99999999))).replace("{hex}", hexId(r, 10))
    .replace("{word}", `${r.hex(3)}-${r.hex(4)}-${r.hex(3)}`);
  const host = r.pick(URL_HOSTS);
  const rest = fill(r.pick(URL_PATHS)) + fill(r.pick(URL_QUERIES));
  const k = r.int(10);
  let text;
  if (k < 5) text = `https://${host}${rest}`;
  else if (k < 7) text = `http://${host}${rest}`;
  else if (k < 9) text = `www.${host.split(".").slice(1).join(".")}${rest}`;
  else text = `${r.pick(["HTTPS", "Https", "HTTP"])}://${host.toUpperCase()}${rest}`;
  return { text, number: false };
}

// Issued prefixes and lengths from the card table; grouping as printed on the card.
const CARD_NETWORKS = [
  { prefix: () => "4", lengths: [16, 16, 16, 13, 19] }, // Visa
  { prefix: (r) => String(r.range(51, 55)), lengths: [16] }, // Mastercard
  { prefix: (r) => String(r.range(2221, 2720)), lengths: [16] }, // Mastercard 2-series
  { prefix: (r) => r.pick(["34", "37"]), lengths: [15], groups: [4, 6, 5] }, // Amex
  { prefix: (r) => r.pick(["6011", String(r.range(644, 649)), "65"]), lengths: [16, 16, 19] }, // Discover
  { prefix: (r) => String(r.range(3528, 3589)), lengths: [16, 16, 19] }, // JCB
  { prefix: (r) => r.pick([String(r.range(300, 305)), "36", "38", "39"]), lengths: [14], groups: [4, 6, 4] }, // Diners
];

/** The Luhn check digit for `body` (all digits but the last). */
export function luhnCheckDigit(body) {
  let sum = 0;
  for (let i = body.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = body.charCodeAt(i) - 48;
    if (double) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** A random number of that issuer and length that passes Luhn. */
function cardNumber(r, network) {
  const length = r.pick(network.lengths);
  let body = network.prefix(r);
  while (body.length < length - 1) body += String(r.int(10));
  return { digits: body + luhnCheckDigit(body), groups: network.groups };
}

/** Split digits into groups (4s by default, the last one shorter or longer as printed). */
function groupDigits(digits, groups, sep) {
  const sizes = groups ?? (digits.length === 13 ? [4, 4, 5] : Array(Math.ceil(digits.length / 4)).fill(4));
  const parts = [];
  let i = 0;
  for (const n of sizes) {
    parts.push(digits.slice(i, i + n));
    i += n;
  }
  return parts.filter(Boolean).join(sep);
}

function cardValue(r) {
  const network = r.pick(CARD_NETWORKS);
  let { digits, groups } = cardNumber(r, network);
  const k = r.int(10);
  // Four-digit groups (and Amex's 4-6-5) never read as a phone: the rule needs a SEP after three digits, or
  // ten digits in a row. Diners' 4-6-4 spaced can: "3056 930902 5904" holds "930902 5904" (exchange 902, a
  // space, line 5904), so those are drawn again: a planted value should hit only its own detector.
  if (k < 4) return { text: digits, number: true };
  if (k < 8) {
    while (groups && groups[1] === 6 && groups[2] === 4 && /^\d{4}[2-9]\d{2}[2-9]/.test(digits)) ({ digits, groups } = cardNumber(r, network));
    return { text: groupDigits(digits, groups, " "), number: false };
  }
  return { text: groupDigits(digits, groups, "-"), number: false };
}

/**
 * A medical record number for MRN_PATTERN. Ten digits start with 0 or 1: "MRN:5035550147" would also be a phone
 * (':' is not a word byte), and a planted value should hit only its own detector.
 */
function mrnValue(r) {
  const n = r.range(6, 10);
  const number = n === 10 ? r.pick(["0", "1"]) + r.digits(9) : r.digits(n);
  const label = r.pick(["MRN", "MRN", "MRN", "mrn", "Mrn"]);
  return { text: label + r.pick(["-", "-", ":", " ", "#", ""]) + number, number: false };
}

const PHI_VALUES = { phone: phoneValue, email: emailValue, ssn: ssnValue, date: dateValue, ip: ipValue,
  url: urlValue, card: cardValue, mrn: mrnValue };

// Sentences the values stand in. The words around "{}" are separated from it by spaces or punctuation that ends
// the match cleanly (never '.' right after an IPv6 address, which the rule treats as part of the address).
const SENTENCES = {
  phone: ["caller asked to be called back at {} after 5pm", "best number is {}", "cb {}",
    "pt wife cell {} - ok to leave msg", "transferred from {}", "{} (mobile)", "please call {}, ext. 22",
    "daughter's number {}; call after work"],
  email: ["send the forms to {}", "patient email {}", "{} prefers email over phone", "reply to <{}>",
    "updated email: {}."],
  ssn: ["SSN {} verified", "ssn: {}", "caller read SSN {} for verification", "last 4 mismatch, full {} on file"],
  date: ["DOB {}", "born {}", "visit on {} at the Elm St clinic", "date of service {}",
    "admitted {}, discharged next day", "dob: {}."],
  ip: ["login from {} flagged", "portal session ip {}", "client IP: {} (VPN)", "blocked {} after 5 tries"],
  url: ["portal link {} sent by sms", "see {}", "uploaded to {} per agent", "{} was shared in chat"],
  card: ["card {} declined", "paid copay with {}", "cc {} needs update", "caller read card {} aloud"],
  mrn: ["patient {} transferred", "{} chart updated", "re: {}", "lookup by {} failed"],
};

// Characters whose escape changes the bytes the rule looks at: the separator, '@', '/', ':' and the like.
const KEY_CHARS = { phone: "()-+. ", email: "@.+_-", ssn: "- ", date: "-/:T", ip: ".:", url: "/:.?=&",
  card: " -", mrn: "-:# M" };

// Paths a detector's values are most natural at (half of each detector's events use one of them).
const NATURAL_PATHS = {
  phone: ["external_contact", "destination", "content"],
  email: ["external_contact", "content", "customer_attribute_1"],
  ssn: ["content", "customer_attribute_2", "conversation_attribute_3"],
  date: ["content", "customer_attribute_1", "conversation_attribute_2"],
  ip: ["content", "conversation_attribute_4", "customer_attribute_3"],
  url: ["content", "destination", "conversation_attribute_5"],
  card: ["content", "conversation_attribute_1", "customer_attribute_2"],
  mrn: ["case", "content", "customer_label_1", "conversation_label_2"],
};

// ------------------------------------------------------------------ clean, kept values (no detector matches)

const QUEUES = ["Scheduling", "Nurse Line", "Pharmacy Refills", "Billing", "Billing - Tier 2", "Spanish Intake",
  "Referrals", "Lab Results", "Behavioral Health", "Pediatrics", "Everyone", "After Hours", "Prior Authorization",
  "Cardiology Clinic", "Urgent Care Triage", "Niños y Familias"];
const WORKFLOWS = ["Assign to Anyone", "Default Fifo Workflow", "Clinical Routing", "Language Routing v2",
  "Overflow 24/7", "Skills Based Routing", "Pharmacy Workflow 3.1.0"];
const ACTIVITIES = ["Available", "Unavailable", "Offline", "Break", "Lunch", "Training", "Wrap Up", "Busy"];
const CHANNELS = ["voice", "chat", "sms", "email", "default", "video", "whatsapp"];
const LANGUAGES = ["en-US", "es-MX", "es-US", "fr-CA", "vi-VN", "zh-CN", "ja-JP", "pt-BR", "ko-KR"];
const REASONS = ["appointment scheduling", "prescription refill", "billing question", "lab results", "triage",
  "insurance verification", "referral status", "transfer", "callback", "portal access", "interpreter request"];
const CONTENT = ["Caller asked about clinic hours", "Refill request routed to pharmacy", "Appointment confirmed",
  "Billing question resolved", "Transferred to nurse line", "Left voicemail", "Insurance card update requested",
  "Portal password reset", "Interpreter requested", "Callback scheduled", "Chat closed by customer",
  "Survey offered", "Escalated to supervisor", "Duplicate task closed", "Directions to parking garage given"];
const CAMPAIGNS = ["Flu Shot Reminder", "Annual Checkup Outreach", "Diabetes Education", "No-Show Follow-up",
  "Medicare Open Enrollment", "Colorectal Screening Recall", "Back to School Vaccines"];
const DESTINATIONS = ["Scheduling queue", "voicemail", "IVR main menu", "Pharmacy", "After-hours answering service",
  "Nurse Line", "Spanish queue", "Billing callback list"];
const EXTERNAL_CONTACTS = ["main line", "pharmacy line", "web chat widget", "SMS short code", "Nurse advice line",
  "toll-free main", "1-800-FLOWERS", "patient portal chat", "WhatsApp business"];
const LABELS = ["VIP", "Returning", "New patient", "Escalated", "Spanish", "Callback", "Urgent", "Self-pay",
  "Medicare", "Medicaid", "Commercial", "Interpreter", "Café Team", "東京センター"];
const ORGANIZATIONS = ["Riverside Health", "Lakeside Clinic", "Northwind Medical Group", "Contoso Pharmacy",
  "Fabrikam Labs", "Medicare Advantage", "Self-pay", "Blue Harbor Employers Trust"];
const MANAGERS = ["Account Team West", "Care Coordination", "Team Aurora", "Tier 2 Support", "Enterprise Accounts",
  "Provider Relations"];
const TEAMS = ["Scheduling A", "Scheduling B", "Pharmacy", "Nurse Triage", "Billing East", "Billing West"];
const DEPARTMENTS = ["Patient Access", "Pharmacy Services", "Clinical Support", "Revenue Cycle"];
const OUTCOMES = ["Resolved", "Scheduled", "Transferred", "Abandoned", "Voicemail", "Escalated", "No answer"];
const ATTRIBUTE_WORDS = ["new-appointment", "ivr:appointments", "tier-2", "promo-SPRING25", "lang:es", "nps:9",
  "skill=billing", "region-west", "pref-sms", "plan:gold", "segment-B", "loyalty tier 3", "source=web",
  "callback-requested", "bot-handoff", "consent:yes"];

/**
 * Near-misses: shapes the rules deliberately do not match. Each note says which rule keeps it out.
 * They make the zero-false-positive figure mean something.
 */
const NEAR_MISSES = [
  (r) => `ticket 555-${r.digits(4)}`, // seven-digit local number
  (r) => `order ${r.range(1, 9)}${r.digits(7)}`, // 8 digits: no detector reads them
  (r) => `order #${r.range(10000000, 99999999)}`,
  (r) => `CS-${r.range(10000, 99999)}`,
  (r) => `v${r.range(1, 12)}.${r.range(0, 20)}.${r.range(0, 30)}`, // three parts: not IPv4
  (r) => `${r.range(1, 12)}.${r.range(0, 20)}.${r.range(0, 30)}`,
  (r) => `callback window ${pad(r.range(0, 23), 2)}:${pad(r.range(0, 59), 2)}:${pad(r.range(0, 59), 2)}`, // 3 groups: not IPv6
  (r) => `v20${r.range(24, 27)}.${r.range(1, 12)}`, // "v2026.12": a year alone is not a date
  (r) => `$${r.range(1, 99)}.${r.digits(2)}`,
  (r) => `$${r.range(1, 9)},${r.digits(3)}.${r.digits(2)}`,
  (r) => `${r.range(1, 99)}.${r.range(0, 9)}%`,
  (r) => `ext ${r.range(100, 9999)}`,
  (r) => `Q${r.range(1, 4)} ${r.range(2019, 2026)}`,
  (r) => `FY${r.range(2019, 2027)}`,
  (r) => `INV 9${r.digits(2)}-${r.digits(2)}-${r.digits(4)}`, // SSN-shaped, but area 9xx is never issued
  (r) => `tracking ${trackingNumber(r)}`,
  (r) => `tracking 94${r.digits(20)}`,
  (r) => `txn ${luhnFailing(r)}`, // Visa-shaped, fails Luhn
  (r) => `batch ${r.range(1, 9)}${r.digits(11)}`, // 12 digits: one too many for a phone after 10, too few for a card
  (r) => `lot ${r.range(1, 9)}${r.digits(8)}`, // 9 digits: bare SSNs are not read here
  (r) => `press ${r.range(1, 9)} for ${r.pick(["pharmacy", "billing", "nurse"])}`,
  () => "1-800-FLOWERS", // letters
  (r) => `room ${r.range(100, 999)}${r.pick(["A", "B", "C"])}`,
  () => "Mon-Fri 08:00-17:00",
  () => "2-3 business days",
  () => "open 24/7",
  (r) => `ref ${uuid(r)}`,
  (r) => `team-${r.digits(4)}`,
  (r) => `skill@tier${r.range(1, 3)}`, // a one-label domain
  (r) => `kb.example.com article ${r.range(10000, 99999)}`, // a bare domain is not a url
  () => "bind ::1", // fewer than two groups
  (r) => `INC${r.digits(7)}`, // digits glued to letters
  (r) => `${r.range(2, 9)}${r.digits(2)} ${r.range(2, 9)}${r.digits(2)}`, // area + exchange, no line
];

/**
 * A USPS-style tracking number, 22 digits in groups of 4: longer than any card. But every group starts clean, so
 * the card rule also reads the 18 and 14 digits from the second and third groups on: those start with a digit no
 * card of that length is issued with (not 3 or 6).
 */
function trackingNumber(r) {
  const safe = () => r.pick(["0", "1", "2", "4", "5", "7", "8", "9"]);
  const digits = "94" + r.digits(2) + safe() + r.digits(3) + safe() + r.digits(13);
  return groupDigits(digits, [4, 4, 4, 4, 4, 2], " ");
}

/** A 16-digit number starting with 4 whose check digit is wrong. */
function luhnFailing(r) {
  const body = "4" + r.digits(14);
  const good = luhnCheckDigit(body);
  return body + String((Number(good) + 1 + r.int(9)) % 10);
}

/** Free text for a kept attribute: a word from `pool`, sometimes with a near-miss beside it. */
function cleanText(r, pool) {
  const k = r.int(10);
  if (k < 5) return r.pick(pool);
  if (k < 8) return `${r.pick(pool)}, ${r.pick(NEAR_MISSES)(r)}`;
  return r.pick(NEAR_MISSES)(r);
}

/**
 * A number for conversation_measure_*: mostly small, some 9 to 19 digits that still match nothing:
 * 12 digits (a phone body is 10, and 2 digits after it end it uncleanly; a card needs 13), 9 digits (bare SSNs
 * are not read), ten digits with decimals (the '.' before a digit is glue: no clean end), and 13-19 digits with an
 * unissued first digit (1, 7, 8, 9: epoch milliseconds, JavaScript's 9007199254740993).
 */
function measure(r) {
  const k = r.int(20);
  if (k < 8) return r.range(0, 5000);
  if (k < 11) return `${r.range(0, 999)}.${r.digits(2)}`;
  if (k < 13) return `${r.range(1, 9)}${r.digits(11)}`;
  if (k < 15) return `${r.range(1, 9)}${r.digits(8)}`;
  if (k < 17) return `${r.range(2, 9)}${r.digits(9)}.${r.digits(2)}`;
  return `${r.pick(["1", "7", "8", "9"])}${r.digits(r.range(12, 18))}`;
}

/**
 * A number JSON must carry as its lexeme (too long for a double, or with trailing zeros): a marked string that
 * toJson() writes as a bare number.
 */
const RAW_MARK = "\u0002";
const raw = (lexeme) => RAW_MARK + lexeme + RAW_MARK;

/** A value as a JSON number or a string of digits, like Twilio's mix of form-encoded and JSON fields. */
const numOrString = (r, n) => (r.chance(0.5) ? n : String(n));

// ------------------------------------------------------------------ PHI for dropped fields (must never count)

const fullName = (r) => `${cap(r.pick(FIRST))} ${cap(r.pick(LAST))}`;
const cap = (s) => s[0].toUpperCase() + s.slice(1);
const NOTES = ["says her type 2 diabetes is worse since starting metformin", "chest pain since Tuesday",
  "needs refill of sertraline 50 mg", "post-op follow-up after hip replacement", "pregnant, 32 weeks, spotting",
  "asks about HIV test results", "on warfarin, missed INR check"];

function phiNote(r) {
  const detector = r.pick(["phone", "email", "ssn", "date", "card", "mrn"]);
  return `${fullName(r)} ${r.pick(NOTES)}; ${detector} ${PHI_VALUES[detector](r).text}`;
}

// ------------------------------------------------------------------ event builders

/**
 * A JSON object as ordered key and value lists. Events get random subsets of their optional keys; built as plain
 * JS objects, every combination was a new hidden class and generation ran several times slower.
 * Keys are plain ASCII names or SIDs, written without escaping.
 */
class Obj {
  constructor(fields) {
    this.keys = [];
    this.values = [];
    if (fields) this.assign(fields);
  }
  set(key, value) {
    const i = this.keys.indexOf(key);
    if (i < 0) {
      this.keys.push(key);
      this.values.push(value);
    } else this.values[i] = value;
    return this;
  }
  assign(fields) {
    for (const key in fields) this.set(key, fields[key]);
    return this;
  }
  get(key) {
    const i = this.keys.indexOf(key);
    return i < 0 ? undefined : this.values[i];
  }
}

/** JSON text of a value built here: Obj, raw() lexemes, and plain values (JSON.stringify). */
function toJson(v) {
  const parts = [];
  writeJson(v, parts);
  return parts.join("");
}

function writeJson(v, parts) {
  if (v instanceof Obj) {
    for (let i = 0; i < v.keys.length; i++) {
      parts.push(i ? ',"' : '{"', v.keys[i], '":');
      writeJson(v.values[i], parts);
    }
    parts.push(v.keys.length ? "}" : "{}");
  } else if (typeof v === "string") {
    if (v.charCodeAt(0) === 2) parts.push(v.slice(1, -1));
    else if (NEEDS_ESCAPE.test(v)) parts.push(JSON.stringify(v));
    else parts.push('"', v, '"'); // most values: JSON.stringify per string was a third of the time
  } else parts.push(JSON.stringify(v));
}

/** What a JSON string literal cannot hold as is (lone surrogates never occur here). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

const TASK_EVENTS = ["task.created", "task.updated", "task.canceled", "task.completed", "task.wrapup",
  "task.deleted", "task.system-deleted", "task-queue.entered", "task-queue.moved", "task-queue.timeout",
  "workflow.target-matched", "workflow.entered", "workflow.timeout"];
const RESERVATION_EVENTS = ["reservation.created", "reservation.accepted", "reservation.rejected",
  "reservation.timeout", "reservation.canceled", "reservation.rescinded", "reservation.completed", "reservation.wrapup"];
const WORKER_EVENTS = ["worker.activity.update", "worker.attributes.update", "worker.capacity.update",
  "worker.channel.availability.update"];
const STATUSES = { "task.created": "pending", "task.canceled": "canceled", "task.completed": "completed",
  "task.wrapup": "wrapping", "reservation.accepted": "assigned", "reservation.created": "reserved" };

/** The epochs events fall in: 2024-01-01 to about 2025-12. */
const EPOCH_FROM = 1704067200;

/** Shared per-corpus context: a few accounts and workspaces, as a real stream would carry. */
class Context {
  constructor(r) {
    this.accounts = Array.from({ length: 4 }, () => ({ account: sid(r, "AC"), workspace: sid(r, "WS") }));
    this.queues = QUEUES.map((name) => ({ name, sid: sid(r, "WQ") }));
    this.workflows = WORKFLOWS.map((name) => ({ name, sid: sid(r, "WW") }));
    this.activities = ACTIVITIES.map((name) => ({ name, sid: sid(r, "WA") }));
    this.channels = CHANNELS.map((name) => ({ name, sid: sid(r, "TC") }));
  }
}

/** The facts one event is built from, shared by both envelope shapes. */
function eventFacts(r, ctx, eventType) {
  const seconds = EPOCH_FROM + r.int(60 * 60 * 24 * 700);
  const ms = seconds * 1000 + r.int(1000);
  const created = seconds - r.int(3600);
  const kind = eventType.split(".")[0];
  const hasTask = kind !== "worker" || r.chance(0.1);
  const hasWorker = kind === "reservation" || kind === "worker" || (eventType === "task.completed" && r.chance(0.5));
  return {
    eventType, kind, seconds, ms, created, hasTask, hasWorker,
    ...r.pick(ctx.accounts),
    task: sid(r, "WT"), reservation: sid(r, "WR"), worker: sid(r, "WK"),
    queue: r.pick(ctx.queues), workflow: r.pick(ctx.workflows), channel: r.pick(ctx.channels),
    activity: r.pick(ctx.activities), previous: r.pick(ctx.activities),
    age: seconds - created, status: STATUSES[eventType] ?? r.pick(["pending", "reserved", "assigned", "wrapping"]),
  };
}

const DAYS = new Map();

/** "2024-01-09T10:30:00Z", or with milliseconds "2024-01-09T10:30:00.000Z" (days cached: Date is slow). */
function iso(seconds, ms = false) {
  const day = Math.floor(seconds / 86400);
  let date = DAYS.get(day);
  if (!date) DAYS.set(day, (date = new Date(day * 86400000).toISOString().slice(0, 10)));
  const t = seconds - day * 86400;
  return `${date}T${pad(Math.floor(t / 3600), 2)}:${pad(Math.floor(t / 60) % 60, 2)}:${pad(t % 60, 2)}${ms ? ".000Z" : "Z"}`;
}

function pickEventType(r) {
  const k = r.int(20);
  if (k < 9) return r.pick(TASK_EVENTS);
  if (k < 16) return r.pick(RESERVATION_EVENTS);
  return r.pick(WORKER_EVENTS);
}

const pickOf = (list) => (r) => r.pick(list);

/** Sets `count` attributes drawn from `table` ([key, value maker]) on `c` (a key drawn twice is set once). */
function someOf(r, c, table, count, f) {
  for (let n = 0; n < count; n++) {
    const [key, make] = r.pick(table);
    c.set(key, make(r, f));
  }
}
const upTo = (max) => (r) => r.range(0, max);

/**
 * The free-text preserved attributes of the conversations object, [key, value]: each in 30% of the events, as the
 * near-misses stand there.
 */
const CONVERSATION_FREE_TEXT = [
  ["campaign", (r) => cleanText(r, CAMPAIGNS)],
  ["case", (r) => r.pick([`CS-${r.range(10000, 99999)}`, `CASE-${r.range(100000, 999999)}`, `#${r.range(10000, 99999)}`])],
  ["content", (r) => cleanText(r, CONTENT)],
  ["destination", (r) => cleanText(r, DESTINATIONS)],
  ["external_contact", pickOf(EXTERNAL_CONTACTS)],
];

/** The other optional preserved attributes of the conversations object, [key, value]: a few of them per event. */
const CONVERSATION_OPTIONAL = [
  ["abandoned", pickOf(["Yes", "No"])], ["abandoned_phase", pickOf(["Queue", "IVR", "Ringing"])],
  ["abandon_time", upTo(600)], ["activity", pickOf(["Talking", "Hold", "Wrap up"])],
  ["activity_time", upTo(3600)], ["agent_talk_time", upTo(3600)],
  ["average_response_time", upTo(300)], ["channel", pickOf(CHANNELS)],
  ["crosstalk_time", upTo(60)], ["customer_talk_time", upTo(3600)],
  ["external_id_label", pickOf(["CRM id", "Zendesk ticket", "Epic CSN"])],
  ["first_response_time", upTo(120)], ["focus_time", upTo(3600)],
  ["followed_by", pickOf(["Transfer to Queue", "Transfer to Agent", "External Transfer"])],
  ["handling_department_id", (r) => (r.chance(0.5) ? uuid(r) : `dept-${r.range(10, 99)}`)],
  ["handling_department_name", pickOf(DEPARTMENTS)],
  ["handling_department_name_in_hierarchy", (r) => `Health System › ${r.pick(DEPARTMENTS)}`],
  ["handling_team_id", (r) => (r.chance(0.5) ? hexId(r, 12) : `team-${r.digits(4)}`)],
  ["handling_team_name", pickOf(TEAMS)],
  ["handling_team_name_in_hierarchy", (r) => `${r.pick(DEPARTMENTS)} › ${r.pick(TEAMS)}`],
  ["hang_up_by", pickOf(["Customer", "Agent"])], ["hold_time", upTo(900)],
  ["in_business_hours", pickOf(["Yes", "No"])], ["initiated_by", pickOf(["Customer", "Agent", "Bot"])],
  ["initiative", pickOf(["Inbound", "Outbound", "Callback"])],
  ["ivr_path", (r) => `main>${r.pick(["appointments", "pharmacy", "billing", "nurse"])}>${r.range(1, 9)}`],
  ["ivr_time", upTo(300)], ["kind", pickOf(["Conversation", "Voicemail", "Callback"])],
  ["language", pickOf(LANGUAGES)], ["longest_silence_before_agent", upTo(60)],
  ["longest_silence_before_customer", upTo(60)], ["longest_talk_by_agent", upTo(600)],
  ["longest_talk_by_customer", upTo(600)], ["media", pickOf(["voice", "text"])],
  ["order", (r) => r.range(1, 6)], ["outcome", pickOf(OUTCOMES)],
  ["preceded_by", pickOf(["Transfer to Queue", "IVR", "Bot"])], ["priority", upTo(100)],
  ["productive", pickOf(["Yes", "No"])], ["queue_time", upTo(1800)],
  ["recording_status", pickOf(["Recorded", "Not recorded", "Paused"])], ["ring_time", upTo(60)],
  ["segment_link", (r, f) => `https://flex.twilio.com/insights/segments/${f.task}`], // exempt from url
  ["segment_name", pickOf(["IVR", "Queue", "Agent", "Wrap"])], ["segment_recording_offset", upTo(600)],
  ["service_level", (r) => `${r.range(60, 100)}%`], ["silence_time", upTo(120)],
  ["source", pickOf(["Call", "Chat", "Flex UI"])], ["talk_time", upTo(3600)],
  ["virtual", pickOf(["Yes", "No"])], ["wrap_up_time", upTo(300)],
];

/** The conversations object: kept attributes (clean) and, beside them, dropped ones holding PHI. */
function conversations(r, f) {
  const c = new Obj({
    conversation_id: f.task,
    communication_channel: r.pick(["Call", "Chat", "SMS", "Email", "Video"]),
    direction: r.pick(["Inbound", "Outbound"]),
    queue: f.queue.name,
    workflow: f.workflow.name,
    date: r.chance(0.5) ? iso(f.created) : iso(f.created, true), // exempt from date
  });
  for (const [key, make] of CONVERSATION_FREE_TEXT) if (r.chance(0.3)) c.set(key, make(r, f));
  someOf(r, c, CONVERSATION_OPTIONAL, r.range(1, 6), f);
  for (let n = 1; n <= 10; n++) {
    if (r.chance(0.08)) c.set(`conversation_attribute_${n}`, r.chance(0.3) ? uuid(r) : cleanText(r, ATTRIBUTE_WORDS));
    if (r.chance(0.05)) c.set(`conversation_label_${n}`, cleanText(r, LABELS));
    if (r.chance(0.08)) {
      const m = measure(r);
      c.set(`conversation_measure_${n}`, typeof m === "string" && r.chance(0.6) ? raw(m) : m);
    }
  }
  if (r.chance(0.15)) c.set("conversation_note", `${fullName(r)} ${r.pick(NOTES)}`); // dropped
  if (r.chance(0.1)) c.set("agent_notes", phiNote(r)); // dropped
  return c;
}

/** The optional preserved attributes of the customers object, [key, value]: a few of them per event. */
const CUSTOMER_OPTIONAL = [
  ["acquisition_cost", (r) => (r.chance(0.5) ? r.range(1, 500) : `$${r.range(1, 99)}.${r.digits(2)}`)],
  ["acquisition_date", (r) => iso(EPOCH_FROM - r.int(60 * 60 * 24 * 3000)).slice(0, 10)], // exempt from date
  ["business_value", upTo(100000)], ["category", pickOf(["Patient", "Caregiver", "Provider", "Payer"])],
  ["country", pickOf(["US", "CA", "MX"])],
  ["customer_link", (r) => `https://crm.example.com/customers/${hexId(r, 12)}`], // exempt from url
  ["customer_manager", pickOf(MANAGERS)], ["gender", pickOf(["female", "male", "nonbinary", "unknown"])],
  ["market_segment", pickOf(["medicare", "medicaid", "commercial", "self-pay"])],
  ["organization", pickOf(ORGANIZATIONS)], ["region", pickOf(["Pacific Northwest", "Southwest", "Northeast"])],
  ["state", pickOf(["OR", "WA", "CA", "NY", "TX"])], ["type", pickOf(["patient", "member", "prospect"])],
  ["year_of_birth", (r) => r.range(1925, 2020)], // four digits: never scanned, and a year alone is allowed
];

/** The customers object: kept attributes (clean) and dropped identity fields holding PHI. */
function customers(r) {
  const c = new Obj();
  if (r.chance(0.4)) c.set("name", fullName(r)); // dropped
  if (r.chance(0.3)) c.set("phone", phoneValue(r).text); // dropped
  if (r.chance(0.2)) c.set("email", emailValue(r).text); // dropped
  if (r.chance(0.2)) c.set("external_id", mrnValue(r).text); // dropped
  if (r.chance(0.2)) c.set("date_of_birth", dateValue(r).text); // dropped
  someOf(r, c, CUSTOMER_OPTIONAL, r.range(1, 5));
  for (let n = 1; n <= 3; n++) {
    if (r.chance(0.2)) c.set(`customer_attribute_${n}`, cleanText(r, ATTRIBUTE_WORDS));
    if (r.chance(0.15)) c.set(`customer_label_${n}`, cleanText(r, LABELS));
  }
  return c;
}

/** The task attributes document Flex writes (an Obj). */
function taskAttributes(r, f) {
  const doc = new Obj();
  const channel = f.channel.name;
  doc.set("type", r.pick(["inbound", "outbound", "callback"]));
  doc.set("name", fullName(r)); // dropped
  if (channel === "voice" || channel === "sms" || r.chance(0.3)) {
    doc.set("from", phoneValue(r).text); // dropped
    doc.set("to", `+1${nanpParts(r, true).join("")}`); // dropped
    doc.set("call_sid", sid(r, "CA")); // dropped
  }
  doc.assign({
    direction: r.pick(["inbound", "outbound"]),
    from_country: r.pick(["US", "US", "US", "CA", "MX"]),
    to_country: "US",
    channelSid: sid(r, "CH"),
    reason: cleanText(r, REASONS),
    hipaa_enabled: true,
  });
  if (r.chance(0.2)) doc.set("caller_notes", phiNote(r)); // dropped
  if (r.chance(0.85)) doc.set("customers", customers(r));
  if (r.chance(0.9)) doc.set("conversations", conversations(r, f));
  if (r.chance(0.2)) {
    // kept whole, exempt from url and date: a SID, a media URL, a duration, a creation time
    const rec = sid(r, "RE");
    doc.set("recordings", {
      sid: rec,
      url: `https://api.twilio.com/2010-04-01/Accounts/${f.account}/Recordings/${rec}`,
      media_url: `https://media.twiliocdn.com/${f.account}/${hexId(r, 32)}.wav`,
      duration: r.range(5, 3600),
      channels: r.pick([1, 2]),
      date_created: iso(f.seconds - r.int(600)),
    });
  }
  if (r.chance(0.2)) {
    // kept whole, with no exemption: SIDs and epoch seconds and milliseconds (10 and 13 digits starting 1:
    // a "1" is read as a trunk prefix, and 9 digits after it are too few for a phone; no card starts with 1)
    const started = f.seconds - r.int(300);
    doc.set("reservation_attributes", new Obj().set(f.reservation, { workerSid: f.worker, started, startedMs: started * 1000 + r.int(1000) }));
  }
  if (r.chance(0.1)) doc.set("pre_engagement_data", { friendlyName: fullName(r), email: emailValue(r).text, question: r.pick(NOTES) }); // dropped
  return doc;
}

/** Worker attributes (dropped everywhere: Twilio marks them as PII), a JSON string. */
const workerAttributes = (r) => JSON.stringify({
  full_name: fullName(r), email: emailValue(r).text, contact_uri: `client:${r.pick(FIRST)}_${r.pick(LAST)}`,
  routing: { skills: r.shuffle(["spanish", "scheduling", "billing", "pharmacy"]).slice(0, 2), levels: { spanish: r.range(1, 5) } },
});

/** A TaskRouter event callback (flex-insights-hipaa shape), with TaskAttributes an Obj (not serialized). */
function taskRouterEvent(r, ctx, f) {
  const e = new Obj({
    EventType: f.eventType,
    Sid: sid(r, "EV"),
    AccountSid: f.account,
    WorkspaceSid: f.workspace,
    WorkspaceName: `${r.pick(ORGANIZATIONS)} Contact Center`, // dropped
    ResourceType: f.kind === "task-queue" || f.kind === "workflow" ? "task" : f.kind,
    ResourceSid: f.kind === "reservation" ? f.reservation : f.kind === "worker" ? f.worker : f.task,
    Timestamp: numOrString(r, f.seconds), // exempt, like the other three times
    EventDate: iso(f.seconds, r.chance(0.5)),
    EventDescription: `${f.eventType} for ${fullName(r)}`, // dropped (Twilio marks it PII)
  });
  // Fields Twilio added later, or sends for some event types only, are left out of some events (this also keeps
  // the events near 2 KB).
  if (r.chance(0.6)) e.set("TimestampMs", numOrString(r, f.ms));
  if (r.chance(0.6)) e.set("EventDateMs", numOrString(r, f.ms));
  if (f.hasTask) {
    e.assign({
      TaskSid: f.task,
      TaskAge: numOrString(r, f.age),
      TaskPriority: numOrString(r, r.range(0, 10)),
      TaskAssignmentStatus: f.status,
      TaskDateCreated: r.chance(0.8) ? iso(f.created) : String(f.created), // exempt
      TaskChannelUniqueName: f.channel.name,
      TaskQueueSid: f.queue.sid,
      TaskQueueName: f.queue.name,
      WorkflowSid: f.workflow.sid,
      WorkflowName: f.workflow.name,
    });
    if (r.chance(0.5)) e.set("TaskAgeInQueue", numOrString(r, r.int(f.age + 1)));
    if (r.chance(0.5)) e.set("TaskVersion", numOrString(r, r.range(1, 12)));
    if (r.chance(0.5)) e.set("TaskChannelSid", f.channel.sid);
    if (f.kind === "task-queue" || r.chance(0.5)) e.set("TaskQueueEnteredDate", iso(f.created + r.int(30))); // exempt
    if (r.chance(0.3)) e.set("TaskQueueTargetExpression", `worker.phone == "${phoneValue(r).text}"`); // dropped
    if (f.eventType === "task.canceled") e.set("TaskCanceledReason", `Caller ${fullName(r)} hung up`); // dropped
    if (f.eventType === "task.completed") e.set("TaskCompletedReason", phiNote(r)); // dropped
    e.set("TaskAttributes", taskAttributes(r, f));
  }
  if (f.kind === "reservation") e.set("ReservationSid", f.reservation);
  if (f.hasWorker) {
    e.assign({
      WorkerSid: f.worker,
      WorkerName: fullName(r), // dropped
      WorkerActivitySid: f.activity.sid,
      WorkerActivityName: f.activity.name,
      WorkerVersion: numOrString(r, r.range(1, 400)),
    });
    if (f.kind === "worker" || r.chance(0.4)) e.set("WorkerAttributes", workerAttributes(r)); // dropped
    if (f.kind === "worker") {
      e.assign({
        WorkerPreviousActivitySid: f.previous.sid,
        WorkerPreviousActivityName: f.previous.name,
        WorkerTimeInPreviousActivity: numOrString(r, r.range(0, 30000)),
        // milliseconds: up to ten digits, which then start with 1 (a trunk prefix and nine digits: no phone)
        WorkerTimeInPreviousActivityMs: numOrString(r, r.chance(0.8) ? r.range(0, 99999999) : r.range(1000000000, 1999999999)),
        WorkerChannelAvailable: r.pick([true, false, "true", "false"]),
        WorkerChannelAvailableCapacity: numOrString(r, r.range(0, 3)),
        WorkerChannelPreviousCapacity: numOrString(r, r.range(0, 3)),
        WorkerChannelTaskCount: numOrString(r, r.range(0, 3)),
        ActivitySid: f.activity.sid,
        ActivityName: f.activity.name,
        ActivityAvailable: r.pick([true, false, "true", "false"]),
      });
    }
  }
  return e;
}

/** An Event Streams CloudEvent (flex-insights-hipaa-eventstreams shape); task_attributes always a JSON string. */
function eventStreamsEvent(r, ctx, f) {
  const p = new Obj({
    sid: sid(r, "EV"),
    eventtype: f.eventType,
    account_sid: f.account,
    workspace_sid: f.workspace,
    workspace_name: `${r.pick(ORGANIZATIONS)} Contact Center`, // dropped
    resource_type: f.kind === "reservation" || f.kind === "worker" ? f.kind : "task",
    resource_sid: f.kind === "reservation" ? f.reservation : f.kind === "worker" ? f.worker : f.task,
    timestamp: iso(f.seconds, true), // exempt, like the other three times
    event_description: `${f.eventType} for ${fullName(r)}`, // dropped
  });
  if (r.chance(0.5)) p.set("timestamp_ms", f.ms);
  if (r.chance(0.5)) p.set("event_date", iso(f.seconds, true));
  if (r.chance(0.5)) p.set("event_date_ms", f.ms);
  if (f.hasTask) {
    p.assign({
      task_sid: f.task,
      task_attributes: toJson(taskAttributes(r, f)),
      task_age: f.age,
      task_date_created: iso(f.created, true), // exempt
      task_priority: r.range(0, 10),
      task_assignment_status: f.status,
      task_channel_unique_name: f.channel.name,
      task_queue_sid: f.queue.sid,
      task_queue_name: f.queue.name,
      task_queue_entered_date: iso(f.created + r.int(30), true), // exempt
      workflow_sid: f.workflow.sid,
      workflow_name: f.workflow.name,
    });
    if (r.chance(0.5)) p.set("task_age_in_queue", r.int(f.age + 1));
    if (r.chance(0.5)) p.set("task_version", r.range(1, 12));
    if (r.chance(0.5)) p.set("task_channel_sid", f.channel.sid);
    if (f.eventType === "task.canceled") p.set("task_canceled_reason", `Caller ${fullName(r)} hung up`); // dropped
  }
  if (f.kind === "reservation") p.set("reservation_sid", f.reservation);
  if (f.hasWorker) {
    p.assign({
      worker_sid: f.worker,
      worker_name: fullName(r), // dropped
      worker_activity_sid: f.activity.sid,
      worker_activity_name: f.activity.name,
      worker_version: r.range(1, 400),
    });
    if (f.kind === "worker" || r.chance(0.4)) p.set("worker_attributes", workerAttributes(r)); // dropped
    if (f.kind === "worker") {
      p.assign({
        worker_previous_activity_sid: f.previous.sid,
        worker_previous_activity_name: f.previous.name,
        worker_time_in_previous_activity: r.range(0, 30000),
        worker_time_in_previous_activity_ms: r.chance(0.8) ? r.range(0, 99999999) : r.range(1000000000, 1999999999),
        worker_channel_available: r.chance(0.5),
        worker_channel_available_capacity: r.range(0, 3),
        worker_channel_task_count: r.range(0, 3),
        activity_sid: f.activity.sid,
        activity_name: f.activity.name,
        activity_available: r.chance(0.5),
      });
    }
  }
  return new Obj({
    specversion: "1.0",
    type: `com.twilio.taskrouter.${f.eventType}`,
    source: `/v1/Workspaces/${f.workspace}/${f.kind === "worker" ? "Workers" : "Tasks"}/${f.kind === "worker" ? f.worker : f.task}`,
    id: sid(r, "EZ"),
    dataschema: `https://events-schemas.twilio.com/TaskRouter.WDSEvent/${r.pick([1, 2, 4])}`, // exempt from url (see RECOMMENDED_DETECT)
    datacontenttype: "application/json",
    time: iso(f.seconds, true), // exempt
    data: new Obj({
      sid: p.get("sid"),
      name: f.eventType,
      account_sid: f.account,
      account_friendly_name: `${fullName(r)}'s account`, // dropped
      parent_account_sid: f.account,
      timestamp: iso(f.seconds, true), // exempt
      level: "INFO",
      group: f.kind === "worker" ? "worker" : f.kind === "reservation" ? "reservation" : "task",
      product_name: "TaskRouter",
      publisher: `${r.pick(ORGANIZATIONS)} Contact Center`, // dropped
      publisher_metadata: JSON.stringify({ worker: fullName(r), phone: phoneValue(r).text }), // dropped
      payload_type: "application/json",
      payload: p,
    }),
  });
}

// ------------------------------------------------------------------ serialization

const encoder = new TextEncoder();

/** "\u00XX" for an ASCII character, hex digits in random case. */
function uEscape(r, ch) {
  const h = pad(ch.charCodeAt(0).toString(16), 4);
  return "\\u" + (r.chance(0.5) ? h : h.toUpperCase());
}

/** A character as plain JSON string content (escaping what must be). */
const plainChar = (ch) => JSON.stringify(ch).slice(1, -1);

/**
 * The planted value's characters, each with how it is written at the inner level (the JSON text holding the
 * value) and, for embedded forms, the outer level (the string holding that text): "plain", "u" (\u00XX) or
 * "slash" (\/).
 */
function plan(r, value, span, detector, form) {
  const chars = [...value].map((ch) => ({ ch, inner: "plain", outer: "plain" }));
  if (form === "plain" || form === "embedded") return chars;
  const inSpan = (i) => i >= span[0] && i < span[1];
  let keys = chars.map((c, i) => i).filter((i) => inSpan(i) && KEY_CHARS[detector].includes(chars[i].ch));
  if (keys.length === 0) keys = chars.map((c, i) => i).filter(inSpan); // bare digits: escape a digit
  const chosen = new Set(r.shuffle(keys).slice(0, r.range(1, Math.min(3, keys.length))));
  chars.forEach((c, i) => {
    if (!chosen.has(i) && !r.chance(inSpan(i) ? 0.1 : 0.03)) return;
    const kind = c.ch === "/" && r.chance(0.5) ? "slash" : "u";
    // embedded-escaped: most escapes at the inner level (the document text holds "\u0040"), some at the outer
    // one (the TaskAttributes string holds "\u0040", which decodes to '@' in the document text); the first
    // chosen character always inner, so every such event has an inner escape
    if (form === "embedded-escaped" && kind === "u" && !(chosen.has(i) && i === Math.min(...chosen)) && r.chance(0.3)) c.outer = "u";
    else c.inner = kind;
  });
  return chars;
}

/** How each planned character is spelled in the inner JSON text (the one holding the value). */
const innerSpellings = (r, chars) =>
  chars.map((c) => (c.inner === "u" ? uEscape(r, c.ch) : c.inner === "slash" ? "\\/" : plainChar(c.ch)));

/**
 * The value's literal inside the outer string (the TaskAttributes string): the inner literal with its quotes and
 * backslashes escaped as JSON requires, except the characters planned for an outer \u00XX.
 */
function outerLiteralContent(r, chars, spellings) {
  const body = chars.map((c, i) => (c.outer === "u" ? uEscape(r, c.ch) : plainChar(spellings[i]))).join("");
  return `\\"${body}\\"`;
}

const PLANT = "\u0001PHI-PLANT\u0001";
const PLANT_JSON = JSON.stringify(PLANT);

/**
 * One planted event's text: the clean event `e` (TaskAttributes an Obj), `path` set to the planted value,
 * written in `form` as `chars` plans it (a JSON number, `asNumber`, is written as is).
 */
function writePlanted(r, e, path, value, chars, asNumber, form) {
  const [, object, key] = path.split(".");
  const attributes = e.get("TaskAttributes");
  if (!attributes.get(object)) attributes.set(object, new Obj());
  attributes.get(object).set(key, PLANT);
  if (form === "plain" || form === "escaped") {
    const literal = asNumber ? value : `"${innerSpellings(r, chars).join("")}"`;
    return toJson(e).replace(PLANT_JSON, () => literal);
  }
  const innerText = toJson(attributes);
  const at = innerText.indexOf(PLANT_JSON);
  e.set("TaskAttributes", PLANT);
  const outer = toJson(e);
  const before = JSON.stringify(innerText.slice(0, at)).slice(1, -1);
  const after = JSON.stringify(innerText.slice(at + PLANT_JSON.length)).slice(1, -1);
  const middle = asNumber ? value : outerLiteralContent(r, chars, innerSpellings(r, chars));
  return outer.replace(PLANT_JSON, () => `"${before}${middle}${after}"`);
}

// ------------------------------------------------------------------ public generators

/**
 * Events with exactly one planted PHI value each: `perDetector` events for each of PLANT_DETECTORS, forms
 * balanced within each detector (a quarter each), the order shuffled.
 *
 * Returns [{ bytes, detector, path, form, value, phi, json }]:
 * - bytes: the event, one NDJSON line without "\n";
 * - path: the keep path of flex-insights-hipaa where the value stands ("TaskAttributes.conversations.case");
 * - value: what the value decodes to (for json "number", its lexeme); phi: the PHI inside it (value itself, or
 *   the part of a sentence);
 * - json: "string" or "number" (bare ten-digit phones and plain card numbers, in the plain and embedded forms).
 */
export function plantedEvents(seed, perDetector = 400) {
  const r = new Rand(seed);
  const ctx = new Context(r);
  const out = [];
  for (const detector of PLANT_DETECTORS) {
    const forms = r.shuffle(Array.from({ length: perDetector }, (_, i) => FORMS[i % FORMS.length]));
    for (const form of forms) {
      const { text: phi, number } = PHI_VALUES[detector](r);
      const numberForm = form === "plain" || form === "embedded";
      const asNumber = number && numberForm && r.chance(0.7);
      let value = phi;
      if (!asNumber && r.chance(0.6)) value = r.pick(SENTENCES[detector]).replace("{}", phi);
      const span = [value.indexOf(phi), value.indexOf(phi) + phi.length];
      const key = r.chance(0.5) ? r.pick(NATURAL_PATHS[detector]) : null;
      const path = key ? PLANT_PATHS.find((p) => p.endsWith(`.${key}`)) : r.pick(PLANT_PATHS);
      const f = eventFacts(r, ctx, r.pick([...TASK_EVENTS, ...RESERVATION_EVENTS]));
      const e = taskRouterEvent(r, ctx, f);
      const chars = plan(r, value, span, detector, form);
      const text = writePlanted(r, e, path, value, chars, asNumber, form);
      out.push({ bytes: encoder.encode(text), detector, path, form, value, phi, json: asNumber ? "number" : "string" });
    }
  }
  return r.shuffle(out);
}

/**
 * Clean events one at a time: [{ bytes, preset }] where preset is the preset the event is meant for,
 * "flex-insights-hipaa" (TaskRouter callbacks: TaskAttributes a JSON string in 80% of those that carry it, an
 * object otherwise) or "flex-insights-hipaa-eventstreams" (CloudEvents, about a fifth of all).
 * `only` restricts the corpus to one of the two presets.
 */
export function* iterateCleanEvents(seed, count, { only } = {}) {
  const r = new Rand(seed);
  const ctx = new Context(r);
  for (let i = 0; i < count; i++) {
    const f = eventFacts(r, ctx, pickEventType(r));
    const streams = only ? only === "flex-insights-hipaa-eventstreams" : r.chance(0.2);
    let e;
    if (streams) e = eventStreamsEvent(r, ctx, f);
    else {
      e = taskRouterEvent(r, ctx, f);
      const attributes = e.get("TaskAttributes");
      if (attributes && r.chance(0.8)) e.set("TaskAttributes", toJson(attributes));
    }
    yield { bytes: encoder.encode(toJson(e)), preset: streams ? "flex-insights-hipaa-eventstreams" : "flex-insights-hipaa" };
  }
}

/** `count` clean events as an array (see iterateCleanEvents); the first n of a seed are the same for any count. */
export function cleanEvents(seed, count, options) {
  return Array.from(iterateCleanEvents(seed, count, options));
}

// ------------------------------------------------------------------ reading events back (for checks)

/**
 * Every scalar of a JSON text with its path (keys; array items as "[i]"), descending into the strings at
 * `embedded` paths (dotted text, e.g. "TaskAttributes") as JSON documents. Strings come decoded; numbers with
 * their lexeme as written (JSON.parse would round long ones). Returns [{ path: string[], type, value }], where
 * type is "string", "number" or "literal" and value the decoded string or the lexeme. Expects valid JSON.
 */
export function scalars(text, embedded = [], prefix = [], out = []) {
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null/y;
  let i = 0;
  const space = () => {
    while (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r") i++;
  };
  const string = () => {
    const start = i++;
    let plain = true;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c === 92) {
        plain = false;
        i += 2;
      } else i++;
    }
    i++;
    return plain ? text.slice(start + 1, i - 1) : JSON.parse(text.slice(start, i));
  };
  const value = (path) => {
    space();
    const c = text[i];
    if (c === "{" || c === "[") {
      const object = c === "{";
      i++;
      space();
      if (text[i] === (object ? "}" : "]")) return void i++;
      for (let n = 0; ; n++) {
        space();
        let key = `[${n}]`;
        if (object) {
          key = string();
          space();
          i++; // ':'
        }
        value([...path, key]);
        space();
        if (text[i++] !== ",") return;
      }
    }
    if (c === '"') {
      const s = string();
      if (embedded.length && embedded.includes(path.join("."))) scalars(s, [], path, out);
      else out.push({ path, type: "string", value: s });
      return;
    }
    NUMBER.lastIndex = i;
    const lexeme = NUMBER.exec(text)[0];
    i += lexeme.length;
    out.push({ path, type: c === "t" || c === "f" || c === "n" ? "literal" : "number", value: lexeme });
  };
  value(prefix);
  return out;
}

/** Whether an exemption path (keys; `*` for exactly one key) covers `path` (it or something under it). */
function covers(keys, path) {
  if (keys.length > path.length) return false;
  for (let n = 0; n < keys.length; n++) if (keys[n] !== "*" && keys[n] !== path[n]) return false;
  return true;
}

const EXEMPTIONS = new WeakMap();

/** A detect section's exemptions as [keys, detectors or null for all] (split once per section). */
function exemptions(detect) {
  let list = EXEMPTIONS.get(detect);
  if (!list) {
    list = detect.exempt.map((e) => (typeof e === "string" ? [e.split("."), null] : [e.path.split("."), e.detectors]));
    EXEMPTIONS.set(detect, list);
  }
  return list;
}

/** The detectors of `detect` that apply at `path` (keys) after its exemptions. */
export function detectorsAt(path, detect = RECOMMENDED_DETECT) {
  const exempt = exemptions(detect).filter(([keys]) => covers(keys, path));
  return detect.detectors.filter((d) => !exempt.some(([, detectors]) => !detectors || detectors.includes(d)));
}

const DIGIT_RUN = /\d/g;

const KEEP_SETS = new WeakMap();

/** The keep paths of a policy as a set of dotted texts (made once per policy object). */
function keepSet(policy) {
  let set = KEEP_SETS.get(policy);
  if (!set) KEEP_SETS.set(policy, (set = new Set(policy.keep)));
  return set;
}

/** Whether a keep path is `path` or one of its prefixes (a kept object keeps everything under it). */
export function isKept(keep, path) {
  let prefix = "";
  for (let n = 0; n < path.length; n++) {
    prefix = n ? `${prefix}.${path[n]}` : path[n];
    if (keep.has(prefix)) return true;
  }
  return false;
}

/**
 * What a detector scan sees in one event under a preset's keep list: every kept scalar that is scanned (strings;
 * numbers with 9+ digits), with its dotted path, its bytes and the detectors that apply there.
 * `policy` is { keep: string[], embeddedJson: string[] } (a preset's spec); keep paths are plain dotted keys.
 */
export function scannedValues(bytes, policy, detect = RECOMMENDED_DETECT) {
  const text = typeof bytes === "string" ? bytes : new TextDecoder().decode(bytes);
  const keep = keepSet(policy);
  const out = [];
  for (const s of scalars(text, policy.embeddedJson ?? [])) {
    if (!isKept(keep, s.path)) continue;
    if (s.type === "literal" || (s.type === "number" && (s.value.match(DIGIT_RUN) ?? []).length < 9)) continue;
    out.push({ path: s.path.join("."), value: s.value, bytes: encoder.encode(s.value), detectors: detectorsAt(s.path, detect) });
  }
  return out;
}
