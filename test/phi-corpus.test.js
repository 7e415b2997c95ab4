// Self-checks of the PHI corpora (test/support/phi-corpus.js), independent of the engine: the events are valid
// JSON, each planted value stands where the record says and decodes to what it says, the forms and shapes are
// mixed as intended, generation is deterministic and fast enough for 100,000 clean events. When the plain-JS
// reference detectors are there, also: each planted value hits its own detector and nothing else does, and a
// sample of clean events has no hit in any kept, non-exempt value.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync } from "node:fs";
import { createHash } from "node:crypto";
import {
  plantedEvents, cleanEvents, iterateCleanEvents, scalars, scannedValues, detectorsAt, luhnCheckDigit,
  RECOMMENDED_DETECT, MRN_PATTERN, PLANT_DETECTORS, PLANT_PATHS, FORMS,
} from "./support/phi-corpus.js";
import { findPreset } from "../dist/policy/presets.js";
import { seedFacts } from "./support/seeds.js";

const decoder = new TextDecoder();
const text = (bytes) => decoder.decode(bytes);
const TASKROUTER = findPreset("flex-insights-hipaa").spec;
const EVENTSTREAMS = findPreset("flex-insights-hipaa-eventstreams").spec;
const specOf = (preset) => (preset === "flex-insights-hipaa" ? TASKROUTER : EVENTSTREAMS);

// Made when the suite starts, not when the file is imported: uvu imports every test file first, and a
// large test process inflates the peak RSS that the CLI tests read from the children it forks.
let PLANTED;
let CLEAN;
test.before(() => {
  PLANTED = plantedEvents(1);
  CLEAN = cleanEvents(2, 2000);
});

/** The reference detectors, when they exist (written alongside). */
const reference = existsSync(new URL("./support/detectors-reference.js", import.meta.url))
  ? await import("./support/detectors-reference.js") : null;
const patternReference = existsSync(new URL("./support/pattern-reference.js", import.meta.url))
  ? await import("./support/pattern-reference.js") : null;

/** The value at a dotted path of a parsed event, descending into the TaskAttributes string when it is one. */
function valueAt(event, path) {
  let node = event;
  for (const key of path.split(".")) {
    if (typeof node === "string") node = JSON.parse(node);
    node = node?.[key];
  }
  return node;
}

/** The planted value as written: decoded string, or a number's lexeme (JSON.parse would round a card number). */
function writtenValue(p) {
  const found = scalars(text(p.bytes), ["TaskAttributes"]).filter((s) => s.path.join(".") === p.path);
  assert.is(found.length, 1, `${p.path} once in ${text(p.bytes)}`);
  return found[0];
}

// ------------------------------------------------------------------ planted events

test("planted: perDetector events for each detector, each form a quarter of them", () => {
  assert.is(PLANTED.length, 400 * PLANT_DETECTORS.length);
  for (const detector of PLANT_DETECTORS) {
    const mine = PLANTED.filter((p) => p.detector === detector);
    assert.is(mine.length, 400, detector);
    for (const form of FORMS) assert.is(mine.filter((p) => p.form === form).length, 100, `${detector} ${form}`);
  }
  assert.is(plantedEvents(3, 8).length, 8 * PLANT_DETECTORS.length);
});

test("planted: every event is one line of valid JSON; TaskAttributes an object (plain, escaped) or a JSON string (embedded)", () => {
  for (const p of PLANTED) {
    const t = text(p.bytes);
    assert.not.ok(t.includes("\n"), "one line");
    const event = JSON.parse(t);
    const embedded = p.form.startsWith("embedded");
    assert.is(typeof event.TaskAttributes, embedded ? "string" : "object", p.form);
    if (embedded) JSON.parse(event.TaskAttributes);
    assert.ok(event.EventType && event.AccountSid && event.TaskSid, "a TaskRouter callback envelope");
  }
});

test("planted: the value stands at its path and decodes to `value`; JSON numbers keep their lexeme", () => {
  for (const p of PLANTED) {
    const written = writtenValue(p);
    assert.is(written.type, p.json, `${p.detector} ${p.form} ${p.value}`);
    assert.is(written.value, p.value);
    const parsed = valueAt(JSON.parse(text(p.bytes)), p.path);
    if (p.json === "string") assert.is(parsed, p.value);
    else assert.is(parsed, Number(p.value));
    assert.ok(p.value.includes(p.phi), "the PHI is inside the value");
  }
});

/**
 * The raw literal of the string at `path` in a JSON text (quotes included): the text between the quote after the
 * key and the closing quote. Keys of planted paths are unique in an event, so searching for the key is enough.
 */
function rawLiteral(json, path) {
  const key = `"${path.split(".").pop()}":"`;
  const at = json.indexOf(key);
  assert.ok(at >= 0, `${key} in ${json}`);
  let i = at + key.length;
  while (json[i] !== '"') i += json[i] === "\\" ? 2 : 1;
  return json.slice(at + key.length - 1, i + 1);
}

/** For each character a JSON string literal decodes to, whether it was written as an escape. */
function escapedChars(literal) {
  const out = [];
  for (let i = 1; i < literal.length - 1; ) {
    if (literal[i] !== "\\") {
      out.push(false);
      i++;
    } else {
      out.push(true);
      i += literal[i + 1] === "u" ? 6 : 2;
    }
  }
  return out;
}

test("planted: escaped forms spell the PHI with escapes, plain forms as is", () => {
  let outer = 0;
  for (const p of PLANTED) {
    const t = text(p.bytes);
    const inner = p.form.startsWith("embedded") ? JSON.parse(t).TaskAttributes : t;
    if (p.json === "number") {
      assert.ok(new RegExp(`"${p.path.split(".").pop()}":${p.value}[,}]`).test(inner), `${p.value} as a number`);
      continue;
    }
    const literal = rawLiteral(inner, p.path);
    assert.is(JSON.parse(literal), p.value);
    const escaped = escapedChars(literal);
    assert.is(escaped.length, p.value.length);
    const start = p.value.indexOf(p.phi);
    const inPhi = escaped.slice(start, start + p.phi.length).some(Boolean);
    if (p.form === "plain" || p.form === "embedded") assert.is(literal, JSON.stringify(p.value), `${p.form}: written as is`);
    else assert.ok(inPhi, `${p.form}: an escape inside the PHI of ${literal}`);
    if (p.form.startsWith("embedded")) {
      // an escape written in the TaskAttributes string itself (an odd run of backslashes before "u"): the
      // document text it decodes to holds the plain character
      const outerLiteral = rawLiteral(t, "TaskAttributes");
      if (/(^|[^\\])(\\\\)*\\u00[0-9a-fA-F]{2}/.test(outerLiteral)) {
        assert.is(p.form, "embedded-escaped", "only embedded-escaped events have outer escapes");
        outer++;
      }
    }
  }
  assert.ok(outer > 20, `${outer} embedded-escaped events have escapes at the outer level too`);
});

test("planted: paths are preserved free-text attributes, spread over all of them", () => {
  const { conversations, customers } = seedFacts().flexInsights;
  for (const path of PLANT_PATHS) {
    const [base, object, key] = path.split(".");
    assert.is(base, "TaskAttributes");
    assert.ok((object === "conversations" ? conversations : customers).includes(key), `${path} is preserved`);
    assert.ok(TASKROUTER.keep.includes(path), `${path} is a keep path of flex-insights-hipaa`);
  }
  const used = new Set(PLANTED.map((p) => p.path));
  assert.is(used.size, PLANT_PATHS.length, "every plant path used");
});

test("planted: the values come in many shapes", () => {
  const values = (detector) => PLANTED.filter((p) => p.detector === detector).map((p) => p.phi);
  const some = (detector, re, what) => assert.ok(values(detector).some((v) => re.test(v)), `${detector}: ${what}`);
  some("phone", /^\(\d{3}\) \d{3}-\d{4}$/, "(503) 555-0147");
  some("phone", /^\d{3}\.\d{3}\.\d{4}$/, "dots");
  some("phone", /^\d{10}$/, "bare ten digits");
  some("phone", /^\+1[ -]/, "+1 with a separator");
  some("phone", /^1-8\d\d-/, "1-800-");
  some("phone", /^\+44 20 7946/, "+44 20 7946 ...");
  some("phone", /^\+[2-9]\d{9,}$/, "compact E.164");
  some("email", /\+/, "a plus tag");
  some("email", /@[A-Z.]+$/, "upper case domain");
  some("email", /\.[a-z]{6}$/, "a six-letter TLD");
  some("ssn", /^\d{3}-\d{2}-\d{4}$/, "dashed");
  some("ssn", /^\d{3} \d{2} \d{4}$/, "spaced");
  some("date", /^\d{4}-02-29/, "February 29");
  some("date", /^\d{4}-\d{2}-\d{2}T/, "ISO timestamp");
  some("date", /^\d{1,2}\/\d{1,2}\/\d{4}$/, "m/d/yyyy");
  some("date", /^\d{2}-\d{2}-\d{4}$/, "mm-dd-yyyy");
  some("ip", /^\d+\.\d+\.\d+\.\d+$/, "IPv4");
  some("ip", /^fe80::/i, "link-local IPv6");
  some("ip", /^[0-9a-f]{1,4}(:[0-9a-f]{1,4}){7}$/i, "full IPv6");
  some("ip", /[0-9a-f]::[0-9a-f]/i, "compressed IPv6");
  some("url", /^https:\/\/.*\?/, "https with a query");
  some("url", /^www\./, "www.");
  some("url", /^HTTP/, "upper-case scheme");
  for (const [prefix, name] of [[/^4/, "Visa"], [/^5[1-5]/, "Mastercard"], [/^2[2-7]/, "Mastercard 2-series"],
    [/^3[47]/, "Amex"], [/^(6011|64[4-9]|65)/, "Discover"], [/^35/, "JCB"], [/^3(0[0-5]|[689])/, "Diners"]]) {
    some("card", prefix, name);
  }
  some("card", /^\d{4} \d{4}/, "spaced");
  some("card", /^\d{4}-\d{4}/, "dashed");
  some("mrn", /^MRN-\d/, "MRN-");
  some("mrn", /^mrn /i, "mrn and a space");
  some("mrn", /^MRN#/i, "MRN#");
  some("mrn", /^MRN:/i, "MRN:");
  for (const p of PLANTED.filter((q) => q.detector === "card")) {
    const digits = p.phi.replace(/\D/g, "");
    assert.is(luhnCheckDigit(digits.slice(0, -1)), digits.slice(-1), `${p.phi} passes Luhn`);
  }
  const sentences = PLANTED.filter((p) => p.value !== p.phi).length;
  assert.ok(sentences > PLANTED.length * 0.4 && sentences < PLANTED.length * 0.8, `PHI inside a sentence: ${sentences}`);
  for (const detector of ["phone", "card"]) {
    const numbers = PLANTED.filter((p) => p.detector === detector && p.json === "number").length;
    assert.ok(numbers >= 25, `${detector}: ${numbers} as JSON numbers`);
  }
  assert.ok(PLANTED.every((p) => p.json === "string" || (p.form === "plain" || p.form === "embedded")), "numbers are never escaped");
});

// ------------------------------------------------------------------ clean events

test("clean: the mix of presets, TaskAttributes forms and event types", () => {
  const byPreset = { "flex-insights-hipaa": 0, "flex-insights-hipaa-eventstreams": 0 };
  const forms = { string: 0, object: 0 };
  const types = new Set();
  for (const e of CLEAN) {
    byPreset[e.preset]++;
    const event = JSON.parse(text(e.bytes));
    if (e.preset === "flex-insights-hipaa") {
      types.add(event.EventType);
      if (event.TaskAttributes !== undefined) forms[typeof event.TaskAttributes]++;
    } else {
      assert.is(event.specversion, "1.0");
      types.add(event.data.name);
      if (event.data.payload.task_attributes !== undefined) assert.type(event.data.payload.task_attributes, "string");
    }
  }
  const streams = byPreset["flex-insights-hipaa-eventstreams"] / CLEAN.length;
  assert.ok(streams > 0.15 && streams < 0.25, `Event Streams share ${streams}`);
  assert.ok(forms.string > 3 * forms.object && forms.object > 0.1 * forms.string, `TaskAttributes ${JSON.stringify(forms)}`);
  assert.ok(types.size >= 20, `${types.size} event types`);
  assert.is(cleanEvents(4, 50, { only: "flex-insights-hipaa-eventstreams" }).filter((e) => e.preset === "flex-insights-hipaa").length, 0);
});

test("clean: kept values carry the by-design dates and links at exempt paths, and the near-misses elsewhere", () => {
  const kept = CLEAN.flatMap((e) => scannedValues(e.bytes, specOf(e.preset)));
  const at = (suffix) => kept.filter((v) => v.path.endsWith(suffix));
  assert.ok(at("conversations.date").every((v) => /^\d{4}-\d{2}-\d{2}T/.test(v.value)) && at("conversations.date").length > 100);
  assert.ok(at("customers.acquisition_date").every((v) => /^\d{4}-\d{2}-\d{2}$/.test(v.value)) && at("acquisition_date").length > 10);
  assert.ok(at("segment_link").every((v) => v.value.startsWith("https://")) && at("segment_link").length > 10);
  assert.ok(at("customer_link").every((v) => v.value.startsWith("https://")) && at("customer_link").length > 10);
  assert.ok(kept.some((v) => v.path.includes(".recordings.") && v.value.startsWith("https://")));
  assert.ok(kept.some((v) => v.path === "dataschema" && v.value.startsWith("https://")));
  const free = kept.filter((v) => v.detectors.length === RECOMMENDED_DETECT.detectors.length).map((v) => v.value);
  for (const [re, what] of [[/\b555-\d{4}\b/, "ticket 555-1234"], [/\b\d+\.\d+\.\d+\b/, "three-part versions"],
    [/\b\d\d:\d\d:\d\d\b/, "times"], [/^v20\d\d\.\d+$|, v20\d\d\.\d+$/, "v2026.12"], [/\border #?\d{8}\b/, "8-digit orders"],
    [/\bCS-\d{5}\b/, "CS-48213"], [/\$\d+\.\d\d/, "prices"], [/\d%/, "percentages"], [/INV 9\d\d-\d\d-\d{4}/, "9xx SSN shapes"],
    [/tracking 94\d\d \d{4}/, "spaced 22-digit tracking numbers"], [/txn 4\d{15}/, "Luhn-failing Visa shapes"],
    [/^[0-9a-f]{8}-[0-9a-f]{4}-4/, "UUIDs"], [/^\d{12}$/, "12-digit measures"], [/^[2-9]\d{9}\.\d\d$/, "ten digits with decimals"],
    [/^[1789]\d{12,18}$/, "13-19 digits with an unissued prefix"], [/1-800-FLOWERS/, "1-800-FLOWERS"]]) {
    assert.ok(free.some((v) => re.test(v)), `a near-miss: ${what}`);
  }
});

test("clean: generation is deterministic, and a shorter run is a prefix of a longer one", () => {
  const digest = (events) => events.reduce((h, e) => h.update(e.bytes).update(e.preset ?? e.form), createHash("sha256")).digest("hex");
  assert.is(digest(cleanEvents(2, 300)), digest(CLEAN.slice(0, 300)));
  assert.is.not(digest(cleanEvents(3, 300)), digest(CLEAN.slice(0, 300)));
  assert.is(digest(plantedEvents(1, 400)), digest(PLANTED));
  assert.is.not(digest(plantedEvents(2, 400)), digest(PLANTED));
});

test("clean: 100,000 events in a few seconds, every one valid JSON, embedded documents too", () => {
  const start = performance.now();
  let bytes = 0;
  let count = 0;
  let largest = 0;
  for (const e of iterateCleanEvents(5, 100_000)) {
    bytes += e.bytes.length;
    largest = Math.max(largest, e.bytes.length);
    count++;
    const event = JSON.parse(text(e.bytes));
    const inner = event.TaskAttributes ?? event.data?.payload?.task_attributes;
    if (typeof inner === "string") JSON.parse(inner);
  }
  const seconds = (performance.now() - start) / 1000;
  assert.is(count, 100_000);
  assert.ok(bytes / count > 1000 && bytes / count < 2600, `average ${Math.round(bytes / count)} bytes`);
  assert.ok(largest < 8000, `largest ${largest} bytes`);
  assert.ok(seconds < 30, `generated and parsed in ${seconds.toFixed(1)} s`);
});

// ------------------------------------------------------------------ the recommendation

test("RECOMMENDED_DETECT: exemptions where the presets keep dates and links by design", () => {
  const all = RECOMMENDED_DETECT.detectors;
  assert.equal([...all].sort(), ["card", "date", "email", "ip", "phone", "ssn", "url"]);
  assert.is(RECOMMENDED_DETECT.action, "count");
  const at = (path) => detectorsAt(path.split("."));
  for (const p of ["Timestamp", "TimestampMs", "EventDate", "EventDateMs", "TaskDateCreated", "TaskQueueEnteredDate", "time",
    "data.timestamp", "data.payload.timestamp", "data.payload.event_date_ms", "data.payload.task_queue_entered_date"]) {
    assert.equal(at(p), [], p);
  }
  for (const base of ["TaskAttributes", "data.payload.task_attributes"]) {
    assert.equal(at(`${base}.conversations.date`), all.filter((d) => d !== "date"));
    assert.equal(at(`${base}.customers.acquisition_date`), all.filter((d) => d !== "date"));
    assert.equal(at(`${base}.conversations.segment_link`), all.filter((d) => d !== "url"));
    assert.equal(at(`${base}.customers.customer_link`), all.filter((d) => d !== "url"));
    assert.equal(at(`${base}.recordings.url`), all.filter((d) => d !== "url" && d !== "date"));
    assert.equal(at(`${base}.conversations.content`), all);
    assert.equal(at(`${base}.customers.organization`), all);
  }
  assert.equal(at("dataschema"), all.filter((d) => d !== "url"));
  assert.equal(at("TaskAttributes.conversations.date_of_visit"), all, "exemptions cover a path and what is under it, not longer keys");
});

// ------------------------------------------------------------------ against the reference detectors

const withReference = reference ? test : test.skip;

withReference("reference: each planted value hits its own detector and no other; the rest of its event is clean", () => {
  const misses = [];
  const others = [];
  for (const p of PLANTED) {
    const values = scannedValues(p.bytes, TASKROUTER);
    const planted = values.filter((v) => v.path === p.path);
    assert.is(planted.length, 1, p.path);
    const hits = reference.detectBuiltins(planted[0].bytes, { detectors: RECOMMENDED_DETECT.detectors });
    const own = p.detector === "mrn" ? !patternReference || patternReference.patternMatches(MRN_PATTERN, planted[0].bytes) : hits.includes(p.detector);
    if (!own) misses.push(`${p.detector} ${JSON.stringify(p.value)}`);
    if (hits.some((h) => h !== p.detector)) others.push(`${p.detector} ${JSON.stringify(p.value)}: ${hits}`);
    for (const v of values) {
      if (v.path === p.path) continue;
      const stray = reference.detectBuiltins(v.bytes, { detectors: v.detectors });
      if (stray.length) others.push(`${v.path} ${JSON.stringify(v.value)}: ${stray}`);
    }
  }
  assert.equal(misses, [], "planted values the reference does not find");
  assert.equal(others, [], "hits besides the planted one");
});

withReference("reference: no kept, non-exempt value of 2,000 clean events hits (and dropped fields do carry PHI)", () => {
  const hits = [];
  let droppedHits = 0;
  for (const e of CLEAN) {
    for (const v of scannedValues(e.bytes, specOf(e.preset))) {
      const found = reference.detectBuiltins(v.bytes, { detectors: v.detectors });
      if (found.length) hits.push(`${v.path} ${JSON.stringify(v.value)}: ${found}`);
      if (patternReference?.patternMatches(MRN_PATTERN, v.bytes)) hits.push(`${v.path} ${JSON.stringify(v.value)}: mrn`);
    }
    for (const v of droppedValues(e)) if (reference.detectBuiltins(v.bytes).length) droppedHits++;
  }
  assert.equal(hits, []);
  assert.ok(droppedHits > CLEAN.length / 2, `${droppedHits} PHI hits in dropped fields`);
});

/** Every scanned value of an event that its preset drops (what the policy must remove before detection). */
function droppedValues(e) {
  const keep = specOf(e.preset).keep.map((p) => p.split("."));
  const out = [];
  for (const s of scalars(text(e.bytes), specOf(e.preset).embeddedJson)) {
    if (s.type !== "string" || keep.some((k) => k.length <= s.path.length && k.every((key, n) => key === s.path[n]))) continue;
    out.push({ path: s.path.join("."), bytes: new TextEncoder().encode(s.value) });
  }
  return out;
}

test.run();
