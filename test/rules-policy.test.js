// Policy format rules: compilePolicy / parsePolicyText refuse malformed policies with a PolicyError naming the
// source and the bad entry; valid path syntaxes compile.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compilePolicy, parsePolicyText, PolicyError } from "../dist/index.js";
import { parsePath } from "./support/reference.js";
import { refusedPolicy } from "./support/policy-refusal.js";

const SOURCE = "policies/bad-policy.json";

/** compilePolicy(spec) throws a PolicyError whose message names SOURCE and every string in `mentions`. */
const refused = (spec, ...mentions) => refusedPolicy(SOURCE, spec, ...mentions);

test("a valid policy compiles (name, description, keep, embeddedJson)", () => {
  const p = compilePolicy({ name: "n", description: "d", keep: ["a", "b.c", "x.*.y", '["d.e"].f', 'g["h"]', "t.u"], embeddedJson: ["t"] }, SOURCE);
  assert.ok(p);
  assert.ok(compilePolicy({ keep: ["a"] }, SOURCE));
});

test("an unknown field is refused, naming it", () => {
  refused({ keep: ["a"], kep: [] }, "kep");
  refused({ keep: ["a"], embeddedJSON: ["a"] }, "embeddedJSON");
});

test("an empty keep is refused", () => {
  refused({ keep: [] }, "keep");
});

test("a missing or non-array keep is refused", () => {
  refused({}, "keep");
  refused({ keep: "a" }, "keep");
  refused({ keep: { a: 1 } }, "keep");
});

test("a policy that is not an object is refused", () => {
  for (const spec of [[], null, "keep", 3]) refused(spec);
});

test("non-string entries are refused, naming the entry", () => {
  refused({ keep: [1] }, "keep[0]");
  refused({ keep: ["a", null] }, "keep[1]");
  refused({ keep: ["a", ["b"]] }, "keep[1]");
  refused({ keep: ["a"], embeddedJson: [{}] }, "embeddedJson[0]");
  refused({ keep: ["a"], embeddedJson: "a" }, "embeddedJson");
});

test("name and description must be strings", () => {
  refused({ keep: ["a"], name: 5 }, "name");
  refused({ keep: ["a"], description: [] }, "description");
});

test("bad path syntax is refused, naming the entry and the path", () => {
  const bad = ["", "a..b", ".a", "a.", "a*", "*a", "a.**", "a.b*", 'a["b"', 'a["b"]c', "a[b]", "[]", 'a"b', "a[", '["\\x"]',
    '["unterminated]', 'a[ "b" ]', "a.[", '["a"]]'];
  bad.forEach((path) => {
    const e = refused({ keep: ["ok", path] }, "keep[1]");
    if (path) assert.ok(e.message.includes(JSON.stringify(path)), `message does not show the path ${path}: ${e.message}`);
    // the reference's own path parser agrees
    assert.throws(() => parsePath(path), `reference accepts ${path}`);
  });
  refused({ keep: ["a.b"], embeddedJson: ["a..b"] }, "embeddedJson[0]");
});

test("valid path syntaxes compile: wildcards, brackets with and without dot, escapes, empty and * keys", () => {
  for (const path of ["*", "a.*", "*.b", "a.*.c", '["a.b"]', '["a.b"].c', 'a["b.c"]', 'a.["b.c"]', '["a"]["b"]', '[""]', '["*"]',
    '["\\u0041\\""]', "a b.c-d/e]f", "é.東京.😀"]) {
    assert.ok(compilePolicy({ keep: [path] }, SOURCE), path);
    parsePath(path);
  }
});

test("an embeddedJson path selecting nothing (neither listed nor a prefix of a listed path) is refused", () => {
  refused({ keep: ["a.b"], embeddedJson: ["c"] }, "embeddedJson[0]", "c");
  refused({ keep: ["a.b"], embeddedJson: ["a.b.c"] }, "embeddedJson[0]", "a.b.c");
  refused({ keep: ["a.b", "x"], embeddedJson: ["a", "a.c"] }, "embeddedJson[1]", "a.c");
  // listed and prefix paths are fine
  assert.ok(compilePolicy({ keep: ["a.b"], embeddedJson: ["a", "a.b"] }, SOURCE));
});

test("parsePolicyText: bad JSON is a PolicyError naming the file", () => {
  for (const text of ["{bad", "", '{"keep":["a"],}']) {
    let error;
    try {
      parsePolicyText(text, "conf/file.json");
    } catch (e) {
      error = e;
    }
    assert.instance(error, PolicyError);
    assert.ok(error.message.includes("conf/file.json"), error.message);
  }
});

test("parsePolicyText: valid text compiles, and bad entries are refused naming the file", () => {
  assert.ok(parsePolicyText('{"keep":["a","b.c"],"embeddedJson":["b"]}', "conf/ok.json"));
  let error;
  try {
    parsePolicyText('{"keep":["a","b..c"]}', "conf/file.json");
  } catch (e) {
    error = e;
  }
  assert.instance(error, PolicyError);
  assert.ok(error.message.includes("conf/file.json") && error.message.includes("keep[1]"), error.message);
});

test.run();
