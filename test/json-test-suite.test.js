// The public JSONTestSuite parsing cases (test/fixtures/JSONTestSuite, nst/JSONTestSuite, MIT), every
// build, three ways in: the file as an event, the file as a member value ({"v":<file>}, so documents
// whose top level is not an object are read by the value grammar too), and the file as an embedded
// JSON string ({"e":"<file, escaped>"}, decoded and filtered inside the engine). Rules:
//   n_  rejected, every way in (never kept, never passed);
//   y_  accepted as a member value and as an embedded document, and as an event when the top level is
//       an object; the documented exceptions: a repeated selected key is DUPLICATE_KEY (fail closed),
//       and an event must be an object (NOT_AN_OBJECT);
//   i_  implementation-defined: the choices below, documented in the README.
// Every accepted output must have the value the plain-JS reference gives, and all builds must agree.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { filtersFor, bytes, text, VARIANTS } from "./support/harness.js";
import { referenceFilter, normalizeEmbedded } from "./support/reference.js";

const DIR = fileURLToPath(new URL("./fixtures/JSONTestSuite/test_parsing/", import.meta.url));
const cases = readdirSync(DIR).filter((f) => f.endsWith(".json")).sort()
  .map((name) => ({ name, kind: name[0], data: new Uint8Array(readFileSync(join(DIR, name))) }));

// Keep every member whole: whatever is accepted comes out with its whole value.
const WHOLE = { keep: ["*"] };
// Decode "e" as a JSON document and keep every member of its top-level object (or of its array's objects).
const EMBEDDED = { keep: ["e.*"], embeddedJson: ["e"] };

/** y_ files whose objects repeat a key: every key of a kept-whole value is selected, so DUPLICATE_KEY. */
const REPEATED_KEYS = new Set(["y_object_duplicated_key.json", "y_object_duplicated_key_and_value.json"]);

const utf8 = new TextDecoder("utf-8", { fatal: true });
function asText(data) {
  try { return utf8.decode(data); } catch { return undefined; }
}

/** Runs one event through every build; all must agree byte for byte. Returns the first result. */
async function run(spec, event, limits = {}) {
  const results = [];
  for (const f of await filtersFor(spec, limits)) {
    const r = f.filterEvent(event);
    results.push(r.ok ? { ok: true, output: text(r.output) } : r);
  }
  for (const [i, r] of results.entries()) assert.equal(r, results[0], `${VARIANTS[i]} and ${VARIANTS[0]} disagree`);
  return results[0];
}

/** The engine's result agrees with the reference: both reject, or both keep the same value. */
function agreesWithReference(spec, event, r, what) {
  const ref = referenceFilter(spec, event);
  if (!r.ok) {
    assert.not.ok(ref.ok, `${what}: the engine rejects (${r.code} at ${r.offset}), the reference keeps it`);
    return;
  }
  assert.ok(ref.ok, `${what}: the engine keeps it, the reference rejects (${ref.why})`);
  assert.equal(normalizeEmbedded(spec, JSON.parse(r.output)), normalizeEmbedded(spec, ref.value), `${what}: value`);
}

const asEvent = (c) => c.data;
const asMember = (c) => bytes('{"v":', c.data, "}");
/** The file as the body of a JSON string; undefined for files that are not UTF-8 (no string can hold them). */
function asEmbedded(c) {
  const t = asText(c.data);
  return t === undefined ? undefined : bytes(`{"e":${JSON.stringify(t)}}`);
}

test("the suite is all there: 95 y_, 188 n_, 35 i_ files", () => {
  const count = (k) => cases.filter((c) => c.kind === k).length;
  assert.equal([count("y"), count("n"), count("i")], [95, 188, 35]);
});

test("n_ files are rejected every way in, by every build, as the reference rejects them", async () => {
  for (const c of cases.filter((x) => x.kind === "n")) {
    for (const [how, spec, event] of [["event", WHOLE, asEvent(c)], ["member", WHOLE, asMember(c)], ["embedded", EMBEDDED, asEmbedded(c)]]) {
      if (event === undefined) continue;
      const r = await run(spec, event);
      assert.not.ok(r.ok, `${c.name} as ${how}: accepted as ${r.output}`);
      agreesWithReference(spec, event, r, `${c.name} as ${how}`);
    }
  }
});

test("n_ files in an embedded string are INVALID_EMBEDDED_JSON (or TOO_DEEP), reported at the string", async () => {
  let checked = 0;
  for (const c of cases.filter((x) => x.kind === "n")) {
    const event = asEmbedded(c);
    if (event === undefined) continue;
    checked++;
    const r = await run(EMBEDDED, event);
    assert.ok(["INVALID_EMBEDDED_JSON", "TOO_DEEP"].includes(r.code), `${c.name}: ${r.code}`);
    assert.is(r.offset, 5, `${c.name}: offset at the string's opening quote`);
  }
  assert.ok(checked > 150, `n_ files that are UTF-8 text: ${checked}`);
});

test("y_ files are accepted as member values and as embedded documents, with the reference's value", async () => {
  for (const c of cases.filter((x) => x.kind === "y")) {
    for (const [how, spec, event] of [["member", WHOLE, asMember(c)], ["embedded", EMBEDDED, asEmbedded(c)]]) {
      assert.ok(event !== undefined, `${c.name} is UTF-8`);
      const r = await run(spec, event);
      if (REPEATED_KEYS.has(c.name) && how === "member") {
        assert.is(r.code, "DUPLICATE_KEY", `${c.name} as ${how}`);
        continue;
      }
      assert.ok(r.ok || (REPEATED_KEYS.has(c.name) && r.code === "DUPLICATE_KEY"), `${c.name} as ${how}: ${r.code} at ${r.offset}`);
      agreesWithReference(spec, event, r, `${c.name} as ${how}`);
    }
  }
});

test("y_ files as events: an object is accepted whole, anything else is NOT_AN_OBJECT", async () => {
  let objects = 0;
  for (const c of cases.filter((x) => x.kind === "y")) {
    const r = await run(WHOLE, c.data);
    const top = JSON.parse(text(c.data));
    if (top === null || typeof top !== "object" || Array.isArray(top)) {
      assert.is(r.code, "NOT_AN_OBJECT", c.name);
    } else if (REPEATED_KEYS.has(c.name)) {
      assert.is(r.code, "DUPLICATE_KEY", c.name);
    } else {
      objects++;
      assert.ok(r.ok, `${c.name}: ${r.code} at ${r.offset}`);
      assert.equal(JSON.parse(r.output), top, c.name);
    }
    agreesWithReference(WHOLE, c.data, r, c.name);
  }
  assert.is(objects, 10, "object documents among the y_ files (the suite's own count)");
});

// The implementation-defined cases, as hipaa-sieve decides them:
// - numbers are checked against the RFC 8259 grammar only and copied as written (no range: huge
//   exponents and long integers pass as they are, for the reader to interpret);
// - strings must be valid Unicode: lone or inverted surrogate escapes are LONE_SURROGATE, bytes that
//   are not UTF-8 (overlong, truncated, Latin-1, UTF-16) are rejected, never replaced with U+FFFD;
// - nesting is bounded (maxDepth, default 64): 500 nested arrays are TOO_DEEP;
// - a byte order mark at the start of an event is ignored.
const I_ACCEPTED = (name) => name.startsWith("i_number_");
test("i_ files: numbers accepted as written; bad Unicode rejected; 500 nested arrays TOO_DEEP; a leading BOM ignored", async () => {
  for (const c of cases.filter((x) => x.kind === "i")) {
    const r = await run(WHOLE, asMember(c));
    if (I_ACCEPTED(c.name)) {
      assert.ok(r.ok, `${c.name}: ${r.code}`);
      assert.is(r.output, `{"v":${text(c.data).trim()}}`, `${c.name}: the number as written`);
    } else if (c.name === "i_structure_500_nested_arrays.json") {
      assert.is(r.code, "TOO_DEEP", c.name);
      assert.ok((await run(WHOLE, asMember(c), { maxDepth: 600 })).ok, `${c.name} within maxDepth 600`);
    } else if (c.name === "i_structure_UTF-8_BOM_empty_object.json") {
      assert.not.ok(r.ok, `${c.name}: a BOM inside an event is not whitespace`);
      assert.equal(await run(WHOLE, c.data), { ok: true, output: "{}" }, `${c.name} as an event`);
    } else {
      assert.not.ok(r.ok, `${c.name}: accepted as ${r.output}`);
      const expected = /surrogate/i.test(c.name) && asText(c.data) !== undefined ? ["LONE_SURROGATE"] : ["INVALID_UTF8", "CONTROL_CHARACTER", "UNEXPECTED_BYTE", "LONE_SURROGATE"];
      assert.ok(expected.includes(r.code), `${c.name}: ${r.code}, expected one of ${expected}`);
    }
  }
});

test.run();
