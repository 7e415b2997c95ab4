// Seeded events whose kept values are dense with near-PHI: digit groups, separators, '@', '+', '(', hex and
// ':' runs, URL starts, dates with good and bad fields, planted detector examples, all glued in random ways.
// They drive the detection differential (engine against the plain-JS reference) into every boundary rule of
// docs/detectors.md, which realistic events almost never reach.
import { mulberry32 } from "./random.js";

const int = (rng, n) => Math.floor(rng() * n);
const pick = (rng, a) => a[int(rng, a.length)];

/** Whole examples, matching and deliberately not matching (docs/detectors.md), to glue between fuzz. */
const EXAMPLES = [
  "(212) 555-1234", "212.555.1234", "2125551234", "+1 212 555 1234", "1-800-555-0199", "+44 20 7946 0958", "+4420794609581",
  "555-1234", "123-456-7890", "020 7946 0958", "1-800-FLOWERS", "jane.doe@example.com", "j+tag@mail.example.org", "a@x.com",
  "user@localhost", "@handle", "name@host.c0m", "a@t.co", "123-45-6789", "123 45 6789", "123456789", "123-45 6789", "666-12-3456",
  "900-12-3456", "123-00-4567", "123-45-0000", "1980-02-29", "2026-12-06T20:12:36Z", "12/25/1980", "1/5/1980", "07-04-1976",
  "1980", "1980-02", "12/25/80", "25/12/1980", "19801225", "1981-02-30", "1899-01-01", "2100-01-01", "192.168.1.20", "10.0.0.1",
  "2001:db8::8a2e:370:7334", "fe80::1", "2001:0db8:0000:0000:0000:ff00:0042:8329", "192.168.01.1", "1.2.3", "1.2.3.4.5", "12:30:45",
  "00:1a:2b:3c:4d:5e", "::", "::1", "::ffff:10.0.0.1", "1.2.3.4", "256.1.1.1", "https://portal.example.com/patients/123", "HTTP://x",
  "www.example.org", "example.com", "ftp://x", "mailto:a@b.cd", "http://", "4111 1111 1111 1111", "4111-1111-1111-1111",
  "378282246310005", "6011111111111117", "4111111111111112", "1733500000123", "5105105105105100", "2221000000000009",
  "3530111333300000", "30569309025904", "6441111111111117", "MRN-00482913", "mrn 1234567", "MRN#12345678", "MR 12",
  "dead::beef", "a::b", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1::2:3:4:5:6:7", "x2125551234", "2125551234-7", "3.2125551234",
];

/** Small pieces that build near-misses: digit runs, separators, glue, letters, non-ASCII. */
function piece(rng) {
  switch (int(rng, 14)) {
    case 0: case 1: case 2: return String(int(rng, 10 ** (1 + int(rng, 5)))).padStart(1 + int(rng, 4), "0");
    case 3: return pick(rng, [" ", "-", ".", "/", ":", "(", ")", "+", "@", "_", "T", "#", ",", " x"]);
    case 4: return pick(rng, ["1", "2", "9", "0", "55", "555", "212", "1980", "02", "29", "31", "12", "255", "666"]);
    case 5: return pick(rng, ["abc", "MRN", "www.", "http://", "https://", "mail", ".com", ".org", ".c0m", "é", "東", "ff", "db8"]);
    case 6: return pick(rng, EXAMPLES);
    case 7: return pick(rng, ["4111", "1111", "6011", "3782", "8224", "6310", "005", "5105", "2221", "3530", "3056"]);
    default: return pick(rng, EXAMPLES) + (rng() < 0.5 ? pick(rng, ["", " ", ".", "-", "x", "5", "/", ":"]) : "");
  }
}

/** One fuzz value (a JS string). */
export function fuzzValue(rng) {
  let s = "";
  const n = 1 + int(rng, 6);
  for (let i = 0; i < n; i++) s += piece(rng);
  return s;
}

/** A JSON string literal for `s`, with some characters written as \u escapes (or \/). */
function quoteWithEscapes(s, rng, p) {
  let out = '"';
  for (const c of s) {
    const code = c.codePointAt(0);
    if (c === '"' || c === "\\") out += "\\" + c;
    else if (code < 0x20) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else if (code < 0x80 && rng() < p) out += c === "/" && rng() < 0.5 ? "\\/" : `\\u${code.toString(16).padStart(4, "0")}`;
    else out += c;
  }
  return out + '"';
}

/** A kept value as JSON text: mostly a fuzz string, sometimes a long number, an array of them, or an object. */
function valueText(rng, p, depth = 0) {
  const r = rng();
  if (r < 0.12) return String(int(rng, 9) + 1) + String(int(rng, 10 ** 9)).padStart(9, "0") + (rng() < 0.5 ? String(int(rng, 10 ** 6)) : "");
  if (r < 0.16 && depth < 2) return `[${valueText(rng, p, depth + 1)},${valueText(rng, p, depth + 1)}]`;
  if (r < 0.19 && depth < 2) return `{"k":${valueText(rng, p, depth + 1)},"n":${valueText(rng, p, depth + 1)}}`;
  if (r < 0.21) return pick(rng, ["true", "null", "12", "-3.5e2"]);
  return quoteWithEscapes(fuzzValue(rng), rng, p);
}

/** Kept paths of FUZZ_KEEP whose values are written here. */
const ROOT_KEPT = ["EventType", "Note", "Ids"];
const CONVERSATION_KEPT = ["content", "external_contact", "conversation_attribute_1", "case", "date", "segment_link"];

/** The policy the fuzz events are filtered with (detect sections are added per test). */
export const FUZZ_KEEP = {
  keep: [...ROOT_KEPT, ...CONVERSATION_KEPT.map((k) => `TaskAttributes.conversations.${k}`), "TaskAttributes.recordings", "Dropped.kept"],
  embeddedJson: ["TaskAttributes"],
};

/** `count` events: { bytes, text }. TaskAttributes is an object or, half the time, a JSON string holding it. */
export function fuzzEvents(seed, count) {
  const rng = mulberry32(seed);
  const encoder = new TextEncoder();
  const events = [];
  for (let i = 0; i < count; i++) {
    const p = rng() < 0.3 ? 0.15 : 0;
    const conversations = CONVERSATION_KEPT.filter(() => rng() < 0.7).map((k) => `"${k}":${valueText(rng, p)}`);
    conversations.push(`"caller_notes":${valueText(rng, p)}`); // dropped
    const attributes = `{"conversations":{${conversations.join(",")}},"recordings":[${valueText(rng, p)},{"url":${valueText(rng, p)}}]}`;
    const root = ROOT_KEPT.filter(() => rng() < 0.6).map((k) => `"${k}":${valueText(rng, p)}`);
    root.push(`"TaskAttributes":${rng() < 0.5 ? attributes : JSON.stringify(attributes)}`);
    root.push(`"Dropped":{"phone":"2125551234"}`);
    const text = `{${root.join(",")}}`;
    events.push({ text, bytes: encoder.encode(text) });
  }
  return events;
}
