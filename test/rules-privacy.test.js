// Rejections carry a code and an offset, never content: events full of unique markers, rejected for every
// reason, must not leak a marker into any Rejection, result or thrown message.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bytes, filtersFor } from "./support/harness.js";

const SPEC = { keep: ["a", "t.k"], embeddedJson: ["t"] };
const LIMITS = { maxDepth: 8, maxEventBytes: 400 };

let n = 0;
const markers = [];
const m = () => {
  const s = `SECRET-${(n++).toString(36)}-MRN`;
  markers.push(s);
  return s;
};

// [expected code, event]; every value and key around the fault is a marker
function badEvents() {
  const out = [];
  const add = (code, ev) => out.push([code, ev]);
  add("UNEXPECTED_END", `{"${m()}":"${m()}","a":"${m()}`);
  add("UNEXPECTED_BYTE", `{"${m()}":"${m()}",}`);
  add("UNEXPECTED_BYTE", `{"a":"${m()}" "${m()}":1}`);
  add("INVALID_NUMBER", `{"${m()}":01,"a":"${m()}"}`);
  add("INVALID_ESCAPE", `{"${m()}":"${m()}\\x${m()}"}`);
  add("INVALID_ESCAPE", `{"${m()}\\q":"${m()}"}`);
  add("CONTROL_CHARACTER", `{"a":"${m()}\u0001${m()}"}`);
  add("INVALID_UTF8", bytes(`{"a":"${m()}`, [0xc0, 0xaf], `${m()}"}`));
  add("INVALID_UTF8", bytes(`{"${m()}`, [0xed, 0xa0, 0x80], `${m()}":1}`));
  add("LONE_SURROGATE", `{"a":"${m()}\\ud800${m()}"}`);
  add("NOT_AN_OBJECT", `["${m()}","${m()}"]`);
  add("NOT_AN_OBJECT", `"${m()}"`);
  add("TRAILING_BYTES", `{"a":"${m()}"}"${m()}"`);
  add("TOO_DEEP", `{"a":[[[[[[[[["${m()}"]]]]]]]]],"${m()}":1}`);
  add("TOO_LARGE", `{"a":"${m()}","b":"${m().repeat(40)}"}`);
  add("DUPLICATE_KEY", `{"a":"${m()}","a":"${m()}"}`);
  add("DUPLICATE_KEY", `{"t":{"k":"${m()}","k":"${m()}"}}`);
  add("INVALID_EMBEDDED_JSON", `{"t":"{\\"k\\":\\"${m()}\\",\\"${m()}\\"}","a":"${m()}"}`);
  add("INVALID_EMBEDDED_JSON", `{"t":"${m()}"}`);
  return out;
}

const leaks = (s) => markers.filter((x) => s.includes(x) || s.includes(x.slice(0, 12)));

test("no Rejection, result or error message carries event content", async () => {
  const events = badEvents();
  const seen = new Set();
  for (const f of await filtersFor(SPEC, LIMITS)) {
    for (const [code, ev] of events) {
      let r;
      try {
        r = f.filterEvent(ev);
      } catch (e) {
        assert.equal(leaks(String(e?.stack ?? e)), [], `thrown error leaks content`);
        throw e;
      }
      assert.not.ok(r.ok, `${f.variant}: accepted, expected ${code}`);
      assert.is(r.code, code, `${f.variant}: code`);
      seen.add(r.code);
      assert.equal(Object.keys(r).sort(), ["code", "offset", "ok"]);
      assert.equal(leaks(JSON.stringify(r)), [], `${f.variant}: rejection leaks content`);
      assert.equal(leaks(String(r.code) + String(r.offset)), []);
    }
    const lines = events.map(([, ev]) => (typeof ev === "string" ? ev : new TextDecoder().decode(ev)));
    const all = bytes(...events.flatMap(([, ev]) => [ev, "\n"]));
    const r = f.filterBatch(all);
    assert.is(r.kept, 0, `${f.variant}: nothing kept`);
    assert.is(r.rejected.length, lines.length);
    for (const x of r.rejected) assert.equal(Object.keys(x).sort(), ["code", "line", "offset"]);
    assert.equal(leaks(JSON.stringify(r.rejected)), [], `${f.variant}: batch rejections leak content`);
    assert.equal(leaks(JSON.stringify({ ...r, output: undefined, rejected: undefined })), []);
  }
  const codes = ["UNEXPECTED_END", "UNEXPECTED_BYTE", "INVALID_NUMBER", "INVALID_ESCAPE", "CONTROL_CHARACTER", "INVALID_UTF8",
    "LONE_SURROGATE", "NOT_AN_OBJECT", "TRAILING_BYTES", "TOO_DEEP", "TOO_LARGE", "DUPLICATE_KEY", "INVALID_EMBEDDED_JSON"];
  assert.equal([...seen].sort(), codes.sort(), "every rejection reason was exercised");
});

test("errors thrown for bad arguments carry no event content", async () => {
  for (const f of await filtersFor(SPEC, LIMITS)) {
    for (const bad of [{ secret: m() }, [m()], 42, null, undefined]) {
      try {
        const r = f.filterEvent(bad);
        assert.equal(leaks(JSON.stringify(r) ?? ""), []);
      } catch (e) {
        assert.equal(leaks(String(e?.stack ?? e)), [], "thrown message leaks content");
      }
    }
  }
});

test.run();
