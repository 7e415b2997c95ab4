// Seeded generator of TaskRouter-like events for the differential tests, and the policy they are filtered with.
// Events are built as small trees and serialized here (not with JSON.stringify) so that they carry random
// insignificant whitespace, escapes in strings and keys, and every JSON number form.
// Every value standing in a place the policy drops holds a unique marker "PHI-...", listed in `markers`.

import { mulberry32 } from "./random.js";
import { seedFacts } from "./seeds.js";

export { mulberry32 };

const int = (rng, n) => Math.floor(rng() * n);
const pick = (rng, a) => a[int(rng, a.length)];
const chance = (rng, p) => rng() < p;

// Flex Insights preserved attributes, straight from the seed document.
const FLEX = seedFacts().flexInsights;
export const FLEX_ROOT = FLEX.root;
export const FLEX_CONVERSATIONS = FLEX.conversations;
export const FLEX_CUSTOMERS = FLEX.customers;

/** The policy the generated events are filtered with. */
export const EVENT_POLICY = {
  name: "flex-insights-hipaa (test)",
  description: "Flex Insights preserved attributes plus a wildcard and a bracketed path",
  keep: [
    "EventType", "AccountSid", "WorkspaceSid", "TaskSid", "Timestamp",
    "WorkerAttributes.roles",
    "WorkerAttributes.skills.*.level",
    "WorkerAttributes.skills.spanish.certified",
    ...FLEX_ROOT.filter((k) => k !== "conversations" && k !== "customers").map((k) => `TaskAttributes.${k}`),
    ...FLEX_CONVERSATIONS.map((k) => `TaskAttributes.conversations.${k}`),
    ...FLEX_CUSTOMERS.map((k) => `TaskAttributes.customers.${k}`),
    'TaskAttributes["caller.meta"].locale',
    "TaskAttributes.*.hipaa_flag",
  ],
  embeddedJson: ["TaskAttributes"],
};

// ---------------------------------------------------------------- trees

const obj = (entries) => ({ t: "obj", entries });
const arr = (items) => ({ t: "arr", items });
const str = (value) => ({ t: "str", value });
const num = (lex) => ({ t: "num", lex });
const lit = (lex) => ({ t: "lit", lex });
const emb = (doc) => ({ t: "emb", doc }); // a string holding `doc` serialized

const WORDS = ["ok", "billing", "José", "Zoë", "naïve café", "東京", "北京市朝阳区", "😀", "𝄞 clef", "Ελληνικά",
  "Ünïcödé", "tab\there", "line\nbreak", 'quote " inside', "back\\slash", "slash / path", "\u2028sep\u2029",
  "nul\u0000byte", "ctl\u001f\u0001", "emoji 👩‍⚕️ nurse", "🏥", "", " ", "{\"looks\":\"like json\"}", "\u007f del",
  "\uffff", "\ud7ff", "\ue000", "ßẞ", "עברית", "العربية", "x".repeat(40)];

function numberLexeme(rng) {
  switch (int(rng, 14)) {
    case 0: return "0";
    case 1: return "-0";
    case 2: return "1e5";
    case 3: return "1.5E-3";
    case 4: return "12345678901234567890123456789";
    case 5: return "-9007199254740993";
    case 6: return "1E+2";
    case 7: return "-0.0e-0";
    case 8: return "5e-324";
    case 9: return "1.7976931348623157e308";
    default: {
      let s = chance(rng, 0.3) ? "-" : "";
      s += chance(rng, 0.2) ? "0" : String(1 + int(rng, 9)) + String(int(rng, 100000)).slice(0, int(rng, 6));
      if (chance(rng, 0.4)) s += "." + String(int(rng, 1000000)).padStart(1 + int(rng, 5), "0");
      if (chance(rng, 0.25)) s += pick(rng, ["e", "E"]) + pick(rng, ["", "+", "-"]) + String(int(rng, 30));
      return s;
    }
  }
}

function scalar(rng) {
  const r = int(rng, 10);
  if (r < 5) return str(pick(rng, WORDS));
  if (r < 8) return num(numberLexeme(rng));
  return lit(pick(rng, ["true", "false", "null"]));
}

/** Any JSON value (kept-whole contents): nested objects, arrays, nested arrays. */
function anyValue(rng, depth) {
  const r = int(rng, 10);
  if (depth <= 0 || r < 5) return scalar(rng);
  if (r < 7) return arr(Array.from({ length: int(rng, 4) }, () => anyValue(rng, depth - 1)));
  if (r < 8) return arr([arr([anyValue(rng, depth - 1)]), arr([])]);
  const keys = new Set();
  const entries = [];
  for (let i = int(rng, 4); i > 0; i--) {
    const k = pick(rng, ["a", "b", "id", "url", "t", "sid", "é", "日本", "😀", "x y", "a.b", "*", "", "re\"q"]);
    if (!keys.has(k)) { keys.add(k); entries.push([k, anyValue(rng, depth - 1)]); }
  }
  return obj(entries);
}

function shuffle(rng, a) {
  for (let i = a.length - 1; i > 0; i--) {
    const j = int(rng, i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** An object from [key, value] pairs, shuffled; keys are unique by construction (checked). */
function mixed(rng, entries) {
  const seen = new Set();
  for (const [k] of entries) {
    if (seen.has(k)) throw new Error(`generator bug: duplicate key ${k}`);
    seen.add(k);
  }
  return obj(shuffle(rng, entries));
}

function hex(rng, n) {
  let s = "";
  for (let i = 0; i < n; i++) s += "0123456789abcdef"[int(rng, 16)];
  return s;
}

export class EventGenerator {
  constructor(seed) {
    this.rng = mulberry32(seed);
    this.seed = seed;
    this.count = 0;
  }

  marker(markers) {
    const m = `PHI-${this.seed.toString(36)}-${(this.count++).toString(36)}`;
    markers.push(m);
    // markers live inside realistic-looking values, sometimes with Unicode around them
    return pick(this.rng, [m, `Dr. José ${m}`, `${m} 😀`, `+1-555-${m}`, `${m}@example.com`, `東京 ${m}`]);
  }

  phi(markers) {
    const rng = this.rng;
    const r = int(rng, 6);
    if (r < 4) return str(this.marker(markers));
    if (r < 5) return obj([["value", str(this.marker(markers))], ["verified", lit("true")]]);
    return arr([str(this.marker(markers)), num(numberLexeme(rng))]);
  }

  conversation(markers) {
    const rng = this.rng;
    const entries = [];
    for (const k of shuffle(rng, FLEX_CONVERSATIONS.slice()).slice(0, 2 + int(rng, 8))) {
      entries.push([k, chance(rng, 0.85) ? scalar(rng) : anyValue(rng, 3)]);
    }
    for (const k of ["customer_name", "caller_phone", "notes", "address", "mrn"]) {
      if (chance(rng, 0.4)) entries.push([k, this.phi(markers)]);
    }
    if (chance(rng, 0.1)) entries.push(["hipaa_flag", anyValue(rng, 2)]);
    return mixed(rng, entries);
  }

  customer(markers) {
    const rng = this.rng;
    const entries = [];
    for (const k of shuffle(rng, FLEX_CUSTOMERS.slice()).slice(0, 1 + int(rng, 6))) {
      entries.push([k, chance(rng, 0.85) ? scalar(rng) : anyValue(rng, 3)]);
    }
    for (const k of ["phone", "email", "external_id", "full_name", "ssn"]) {
      if (chance(rng, 0.5)) entries.push([k, this.phi(markers)]);
    }
    return mixed(rng, entries);
  }

  /** A value at a prefix-only path: usually the object, sometimes an array of them, nested arrays, or a scalar. */
  prefixValue(markers, make) {
    const rng = this.rng;
    const r = int(rng, 20);
    if (r < 13) return make();
    if (r < 16) return arr(Array.from({ length: int(rng, 3) }, () => make()));
    if (r < 17) return arr([arr([make()]), str(this.marker(markers)), arr([]), obj([])]);
    if (r < 18) return arr([make(), num(numberLexeme(rng)), lit("null"), str(this.marker(markers))]);
    if (r < 19) return obj([]);
    return str(this.marker(markers)); // a scalar where an object is expected: dropped with its key
  }

  taskAttributes(markers) {
    const rng = this.rng;
    const entries = [];
    const listed = FLEX_ROOT.filter((k) => k !== "conversations" && k !== "customers");
    for (const k of listed) {
      if (!chance(rng, 0.6)) continue;
      if (k === "recordings") {
        entries.push([k, arr([
          obj([["url", str(`https://rec.example.com/${hex(rng, 8)}`)], ["segments", arr([arr([num("0"), num("1.5")]), arr([num("2"), num("3e2")])])]]),
          anyValue(rng, 3),
        ])]);
      } else if (k === "reservation_attributes") entries.push([k, anyValue(rng, 4)]);
      else entries.push([k, chance(rng, 0.8) ? scalar(rng) : anyValue(rng, 3)]);
    }
    if (chance(rng, 0.9)) entries.push(["conversations", this.prefixValue(markers, () => this.conversation(markers))]);
    if (chance(rng, 0.8)) entries.push(["customers", this.prefixValue(markers, () => this.customer(markers))]);
    for (const k of ["name", "phone", "email", "dob", "diagnosis"]) {
      if (chance(rng, 0.6)) entries.push([k, this.phi(markers)]);
    }
    if (chance(rng, 0.5)) {
      const meta = [["locale", chance(rng, 0.8) ? str(pick(rng, ["en-US", "es-MX", "ja-JP"])) : anyValue(rng, 2)]];
      if (chance(rng, 0.7)) meta.push(["ani", str(this.marker(markers))]);
      entries.push(["caller.meta", mixed(rng, meta)]);
    }
    if (chance(rng, 0.3)) {
      // decoy for the bracketed path: caller -> meta -> locale is NOT TaskAttributes["caller.meta"].locale
      entries.push(["caller", obj([["meta", obj([["locale", str(this.marker(markers))]])]])]);
    }
    if (chance(rng, 0.3)) {
      // an object the wildcard TaskAttributes.*.hipaa_flag reaches into
      const inner = [["notes", str(this.marker(markers))]];
      if (chance(rng, 0.6)) inner.push(["hipaa_flag", anyValue(rng, 2)]);
      entries.push(["intake", mixed(rng, inner)]);
    }
    return mixed(rng, entries);
  }

  workerAttributes(markers) {
    const rng = this.rng;
    const skills = [];
    for (const k of shuffle(rng, ["english", "spanish", "billing", "cardiology", "日本語"]).slice(0, int(rng, 4))) {
      const r = int(rng, 10);
      if (r < 7) {
        const s = [["level", chance(rng, 0.8) ? num(numberLexeme(rng)) : anyValue(rng, 2)], ["note", str(this.marker(markers))]];
        if (chance(rng, 0.5)) s.push(["certified", lit(pick(rng, ["true", "false"]))]);
        skills.push([k, mixed(rng, s)]);
      } else if (r < 8) skills.push([k, arr([obj([["level", num("3")], ["mentor", str(this.marker(markers))]]), str(this.marker(markers))])]);
      else skills.push([k, str(this.marker(markers))]);
    }
    const entries = [["skills", mixed(rng, skills)], ["full_name", str(this.marker(markers))]];
    if (chance(rng, 0.6)) entries.push(["roles", arr([str("agent"), str(pick(rng, WORDS))])]);
    if (chance(rng, 0.5)) entries.push(["contact_uri", str(this.marker(markers))]);
    return mixed(rng, entries);
  }

  /** One event: { text: string (no LF), markers: string[] }. */
  event() {
    const rng = this.rng;
    const markers = [];
    const entries = [
      ["EventType", str(pick(rng, ["task.created", "reservation.accepted", "task.completed", "task.wrapup", "worker.activity.update"]))],
      ["AccountSid", str(`AC${hex(rng, 32)}`)],
      ["WorkspaceSid", str(`WS${hex(rng, 32)}`)],
      ["TaskSid", str(`WT${hex(rng, 32)}`)],
      ["Timestamp", chance(rng, 0.7) ? num(pick(rng, ["1700000000", "1700000000.123", "1.7e9", "-0", "0"])) : str("2024-01-02T03:04:05Z")],
    ];
    if (chance(rng, 0.8)) entries.push(["WorkerName", str(this.marker(markers))]);
    if (chance(rng, 0.8)) entries.push(["WorkerAttributes", this.workerAttributes(markers)]);
    const r = int(rng, 40);
    let ta;
    if (r < 30) ta = emb(this.taskAttributes(markers));
    else if (r < 37) ta = this.taskAttributes(markers);
    else if (r < 38) ta = emb(str(this.marker(markers))); // a JSON document whose top level is a scalar: key dropped
    else if (r < 39) ta = emb(arr([this.taskAttributes(markers)])); // top-level array of objects: filtered
    else ta = num(numberLexeme(rng)); // a scalar where the embedded object is expected: dropped
    entries.push(["TaskAttributes", ta]);
    if (chance(rng, 0.5)) entries.push(["Extra", this.phi(markers)]);
    const text = serialize(mixed(rng, entries), rng, false);
    return { text, markers };
  }
}

// ---------------------------------------------------------------- serialization

function ws(rng, inner) {
  if (!chance(rng, 0.15)) return "";
  return pick(rng, inner ? [" ", "\t", "\n", "\r\n  ", "  "] : [" ", "\t", "  ", " \t ", "\r"]);
}

const SHORT = { '"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function u4(rng, code) {
  const h = code.toString(16).padStart(4, "0");
  return "\\u" + (chance(rng, 0.5) ? h : h.toUpperCase());
}

/** A JSON string literal for s, with random (valid) escapes. */
export function quote(s, rng, pEscape = chance(rng, 0.3) ? 0.1 : 0) {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (ch === '"' || ch === "\\" || c < 0x20) {
      out += SHORT[ch] && chance(rng, 0.7) ? SHORT[ch] : u4(rng, c);
    } else if (chance(rng, pEscape)) {
      if (ch === "/" && chance(rng, 0.5)) out += "\\/";
      else if (c > 0xffff) out += u4(rng, ch.charCodeAt(0)) + u4(rng, ch.charCodeAt(1));
      else out += u4(rng, c);
    } else out += ch;
  }
  return out + '"';
}

/** Serialize a tree with random whitespace and escapes. `inner`: may use LF as whitespace. */
export function serialize(node, rng, inner) {
  const w = () => ws(rng, inner);
  switch (node.t) {
    case "obj":
      return "{" + w() + node.entries.map(([k, v]) => w() + quote(k, rng) + w() + ":" + w() + serialize(v, rng, inner) + w()).join(",") + w() + "}";
    case "arr":
      return "[" + w() + node.items.map((v) => w() + serialize(v, rng, inner) + w()).join(",") + w() + "]";
    case "str":
      return quote(node.value, rng);
    case "num":
    case "lit":
      return node.lex;
    case "emb":
      return quote(w() + serialize(node.doc, rng, true) + w(), rng, 0.01);
  }
  throw new Error(`bad node ${node.t}`);
}

// ---------------------------------------------------------------- bytes

const encoder = new TextEncoder();

/** Generate n events from a seed: [{ text, bytes, markers }]. */
export function generateEvents(seed, n) {
  const g = new EventGenerator(seed);
  const out = [];
  for (let i = 0; i < n; i++) {
    const e = g.event();
    out.push({ ...e, bytes: encoder.encode(e.text) });
  }
  return out;
}

/** NDJSON bytes from events (strings or Uint8Arrays), each followed by "\n" (or "\r\n" when crlf). */
export function toNdjson(events, { crlf = false } = {}) {
  const parts = events.map((e) => (typeof e === "string" ? encoder.encode(e) : e));
  const eol = crlf ? 2 : 1;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length + eol, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
    if (crlf) out[o++] = 0x0d;
    out[o++] = 0x0a;
  }
  return out;
}

const INTERESTING = [0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x30, 0x31, 0x2d, 0x2e, 0x65, 0x75, 0x20, 0x09,
  0x0d, 0x00, 0x1f, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0x41];

/**
 * 1 to 3 random edits (replace / bit flip / insert / delete one byte). Never produces an LF byte,
 * so a mutated event stays one NDJSON line. Returns a new Uint8Array.
 */
export function mutate(bytes, rng) {
  let b = Array.from(bytes);
  const randomByte = () => {
    let x;
    do x = chance(rng, 0.5) ? pick(rng, INTERESTING) : int(rng, 256);
    while (x === 0x0a);
    return x;
  };
  for (let edits = 1 + int(rng, 3); edits > 0; edits--) {
    const pos = int(rng, b.length + 1);
    const op = int(rng, 4);
    if (op === 0 && pos < b.length) b[pos] = randomByte();
    else if (op === 1 && pos < b.length) {
      const x = b[pos] ^ (1 << int(rng, 8));
      b[pos] = x === 0x0a ? b[pos] ^ 0x80 : x;
    } else if (op === 2) b.splice(pos, 0, randomByte());
    else if (pos < b.length) b.splice(pos, 1);
    else b.splice(pos, 0, randomByte());
  }
  return Uint8Array.from(b);
}

/**
 * An NDJSON batch from event byte strings (none holding LF), with random blank lines (empty, spaces/tabs, CR),
 * LF or CRLF line ends, and sometimes no line end after the last event.
 * Returns { bytes, lineOf: 1-based line of each event, lines: total lines }.
 */
export function buildBatch(eventBytes, rng) {
  const parts = [];
  const lineOf = [];
  let line = 0;
  const blank = () => {
    parts.push(encoder.encode(pick(rng, ["\n", "  \t\n", "\r\n", " \r\n", "\t\n"])));
    line++;
  };
  const noFinalLf = chance(rng, 0.3);
  eventBytes.forEach((b, i) => {
    if (chance(rng, 0.05)) blank();
    parts.push(b);
    lineOf.push(++line);
    if (!(noFinalLf && i === eventBytes.length - 1)) parts.push(encoder.encode(chance(rng, 0.2) ? "\r\n" : "\n"));
  });
  if (!noFinalLf && chance(rng, 0.1)) blank();
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.length;
  }
  return { bytes, lineOf, lines: line };
}
