// The `detect` section of a policy: what it accepts, what it refuses (naming the field and what was expected),
// and how its paths become per-node detector sets (inheritance, exemptions, kept paths only).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compilePolicy } from "../dist/index.js";
import { refusedPolicy } from "./support/policy-refusal.js";
import { BUILTIN_DETECTORS, BUILTIN_MIN_LEXEME, placeholder } from "../dist/policy/detect.js";

const SOURCE = "policies/detect.json";

const refused = (spec, ...mentions) => refusedPolicy(SOURCE, spec, ...mentions);

/** The detect settings of every kept node, by label: { label: { detectors: [names], bareSsn } }. */
function keptDetect(policy) {
  const names = [...policy.detect.builtins, ...policy.detect.patterns.map((p) => p.name)];
  const out = {};
  for (const node of policy.automaton.nodes) {
    if (!node.detect) continue;
    const detectors = names.filter((_, i) => node.detect.detectors & (1 << i));
    out[node.detect.label] = { detectors, bareSsn: node.detect.bareSsn };
  }
  return out;
}

const ALL = [...BUILTIN_DETECTORS];

test("no detect section: no node scans anything", () => {
  const p = compilePolicy({ keep: ["a", "b.c"] }, SOURCE);
  assert.is(p.detect, null);
  assert.ok(p.automaton.nodes.every((n) => n.detect === undefined));
});

test("defaults: every built-in, every kept value, numbers, reject", () => {
  const p = compilePolicy({ keep: ["a", "b.c"], detect: {} }, SOURCE);
  assert.equal(p.detect.builtins, ALL);
  assert.is(p.detect.numbers, true);
  assert.is(p.detect.action, "reject");
  assert.equal(keptDetect(p), { a: { detectors: ALL, bareSsn: false }, "b.c": { detectors: ALL, bareSsn: false } });
});

test("paths: only kept values at or under them are scanned", () => {
  const p = compilePolicy({ keep: ["a", "b.c", "b.d", "e.f.g"], detect: { detectors: ["phone"], paths: ["b", "e.*"] } }, SOURCE);
  assert.equal(Object.keys(keptDetect(p)).sort(), ["b.c", "b.d", "e.f.g"]);
});

test("exempt: a plain path exempts from every detector, an object from the ones it names; exemptions inherit", () => {
  const p = compilePolicy({
    keep: ["a", "b.c", "b.d", "t.u"],
    detect: { detectors: ["phone", "url", "date"], exempt: ["a", { path: "b", detectors: ["url"] }, { path: "b.d", detectors: ["date"] }] },
  }, SOURCE);
  assert.equal(keptDetect(p), {
    "b.c": { detectors: ["phone", "date"], bareSsn: false },
    "b.d": { detectors: ["phone"], bareSsn: false },
    "t.u": { detectors: ["phone", "date", "url"].filter((d) => ["phone", "url", "date"].includes(d)).sort((x, y) => ALL.indexOf(x) - ALL.indexOf(y)), bareSsn: false },
  });
});

test("a wildcard entry meets literal kept paths after determinizing; the label is the first kept path listed", () => {
  const p = compilePolicy({ keep: ["x.*", "x.y"], detect: { detectors: ["email"], exempt: ["*.z"] } }, SOURCE);
  const detect = keptDetect(p);
  assert.equal(detect["x.*"], { detectors: ["email"], bareSsn: false }); // x.y: labelled by x.*, listed first
  // x.z is exempt: a node kept by x.* with no detection (no label entry for it beyond x.*'s own)
  const exemptNodes = p.automaton.nodes.filter((n) => n.flags === 1 && !n.detect);
  assert.is(exemptNodes.length, 1);
});

test("bareSsn marks its paths (and needs the ssn detector)", () => {
  const p = compilePolicy({ keep: ["a", "b"], detect: { detectors: ["ssn"], bareSsn: ["b"] } }, SOURCE);
  assert.equal(keptDetect(p), { a: { detectors: ["ssn"], bareSsn: false }, b: { detectors: ["ssn"], bareSsn: true } });
  refused({ keep: ["a"], detect: { detectors: ["phone"], bareSsn: ["a"] } }, "detect.bareSsn", '"ssn" detector is not enabled');
});

test("detect entries add no kept keys: the automaton keeps exactly what it keeps without detection", () => {
  const plain = compilePolicy({ keep: ["a.b", "c.d", "c.e"] }, SOURCE);
  const detected = compilePolicy({ keep: ["a.b", "c.d", "c.e"], detect: { paths: ["a", "*.*"], exempt: ["*.b", "c.*"] } }, SOURCE);
  const shape = (p) => {
    const seen = new Map();
    const walk = (i) => {
      if (seen.has(i)) return seen.get(i);
      const n = p.automaton.nodes[i];
      const s = { flags: n.flags, wildcard: n.wildcard ? walk(n.wildcard) : null, edges: n.edges.map(([k, c]) => [k, walk(c)]) };
      seen.set(i, s);
      return s;
    };
    return walk(1);
  };
  assert.equal(shape(detected), shape(plain));
});

test("a recommendation by name, alone or with overrides; its entries may select nothing", () => {
  const p = compilePolicy({ keep: ["Timestamp", "TaskAttributes.conversations.segment_link", "x"], detect: "flex-insights-hipaa" }, SOURCE);
  assert.equal(keptDetect(p), {
    "TaskAttributes.conversations.segment_link": { detectors: ALL.filter((d) => d !== "url"), bareSsn: false },
    x: { detectors: ALL, bareSsn: false },
  });
  const q = compilePolicy({ keep: ["x"], detect: { use: "flex-insights-hipaa", action: "count" } }, SOURCE);
  assert.is(q.detect.action, "count");
  refused({ keep: ["x"], detect: "flex-insights" }, "detect.use", 'unknown recommendation "flex-insights"', 'did you mean "flex-insights-hipaa"');
});

test("refused: unknown fields, detectors, actions; bad paths; entries that select nothing or reach inside a kept value", () => {
  refused({ keep: ["a"], detect: { detector: ["phone"] } }, "detect.detector", "unknown field", 'did you mean "detectors"');
  refused({ keep: ["a"], detect: { detectors: ["phones"] } }, "detect.detectors[0]", 'did you mean "phone"', '"phones"');
  refused({ keep: ["a"], detect: { action: "drop" } }, "detect.action", '"reject", "redact", "count"', '"drop"');
  refused({ keep: ["a"], detect: { numbers: "yes" } }, "detect.numbers", "true or false");
  refused({ keep: ["a"], detect: { detectors: [] } }, "detect.detectors", "at least one detector");
  refused({ keep: ["a"], detect: { paths: ["a..b"] } }, "detect.paths[0]", "bad path");
  refused({ keep: ["a"], detect: { exempt: ["b"] } }, "detect.exempt[0]", '"b" selects no value the policy keeps');
  refused({ keep: ["a"], detect: { exempt: [{ path: "a", detectors: ["fax"] }] } }, "detect.exempt[0].detectors[0]", "enabled detector");
  refused({ keep: ["a"], detect: { exempt: [{ path: "a" }] } }, "detect.exempt[0].detectors", "non-empty array");
  refused({ keep: ["a"], detect: { paths: ["a.b"] } }, "detect.paths[0]", '"a.b" reaches inside a value the policy keeps whole ("a")');
  refused({ keep: ["x.y"], detect: { exempt: ["*.*.z"] } }, "detect.exempt[0]", "reaches inside", '("x.y")');
  refused({ keep: ["a"], detect: 7 }, "detect", "found a number");
});

test("patterns: compiled, named, refused with the pattern's own message", () => {
  const p = compilePolicy({ keep: ["a"], detect: { detectors: ["phone"], patterns: [{ name: "mrn", pattern: "MRN\\d{7}", ignoreCase: true }] } }, SOURCE);
  assert.equal(keptDetect(p), { a: { detectors: ["phone", "mrn"], bareSsn: false } });
  refused({ keep: ["a"], detect: { patterns: [{ name: "MRN", pattern: "x" }] } }, "detect.patterns[0].name", "lowercase");
  refused({ keep: ["a"], detect: { patterns: [{ name: "phone", pattern: "x" }] } }, "detect.patterns[0].name", "no other detector");
  refused({ keep: ["a"], detect: { patterns: [{ name: "m", pattern: "^x" }] } }, "detect.patterns[0].pattern", "character 1");
  refused({ keep: ["a"], detect: { patterns: [{ name: "m", pattern: "x", case: true }] } }, "detect.patterns[0].case", "unknown field");
});

test("redact: a placeholder is never longer than the shortest value it replaces", () => {
  for (const d of BUILTIN_DETECTORS) assert.ok(placeholder(d).length <= BUILTIN_MIN_LEXEME[d], d);
  compilePolicy({ keep: ["a"], detect: { action: "redact", patterns: [{ name: "mrn", pattern: "MRN\\d{7}" }] } }, SOURCE);
  refused({ keep: ["a"], detect: { action: "redact", patterns: [{ name: "record-number", pattern: "R\\d{5}" }] } },
    "detect.patterns[0].name", '"[record-number]" is 17 bytes', "values of 6");
  compilePolicy({ keep: ["a"], detect: { action: "count", patterns: [{ name: "record-number", pattern: "R\\d{5}" }] } }, SOURCE);
});

test.run();
