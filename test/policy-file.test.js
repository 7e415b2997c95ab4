// Policy files go through the same strict reader as accounts files: repeated keys refused, a byte order mark
// accepted, syntax errors at a line and column, every problem at once (each with its JSON path, what was expected
// and what was found), and lone surrogates refused wherever a key, path or name can hold one.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compilePolicy, ConfigError, parseAccountsText, parsePolicyText, PolicyError } from "../dist/index.js";
import { assertUserError, cli, tempDir } from "./support/cli-run.js";

const FILE = "conf/policy.json";
const T = tempDir("policy-file");

/** The PolicyError parsePolicyText throws for `text` (fails if the text is accepted). */
function refusal(text, source = FILE) {
  try {
    parsePolicyText(text, source);
  } catch (error) {
    assert.instance(error, PolicyError, `not a PolicyError: ${error?.stack ?? error}`);
    assert.is(error.source, source);
    assert.equal(error.message.split("\n"), error.problems.map((p) => `${source}: ${p.path}: ${p.expected}`),
      "one line per problem: file, path, expected");
    return error;
  }
  assert.unreachable(`accepted: ${text}`);
}

/** [path, expected] of each problem. */
const problems = (error) => error.problems.map((p) => [p.path, p.expected]);

test("a key repeated in a policy file is refused at its JSON path (JSON.parse would keep the last)", () => {
  const error = refusal('{"keep": ["a"],\n "keep": ["b"]}');
  assert.equal(problems(error), [["keep", "key appears more than once in its object (at line 1, column 2 and line 2, column 2); each key may appear only once"]]);
  const nested = refusal('{"keep": ["a"], "name": "n", "name": "m"}');
  assert.equal(error.problems.length, 1);
  assert.is(nested.problems[0].path, "name");
});

test("a leading byte order mark is accepted in a policy file, as in an accounts file", () => {
  const text = JSON.stringify({ name: "bom", keep: ["a.b"], embeddedJson: ["a"] });
  const plain = parsePolicyText(text, FILE);
  const marked = parsePolicyText("\ufeff" + text, FILE);
  assert.equal(marked.spec, plain.spec);
  assert.equal(marked.automaton, plain.automaton);
  // only at the start: elsewhere it is not JSON whitespace
  assert.equal(problems(refusal(" \ufeff" + text)), [["line 1, column 2", 'not valid JSON: expected a value, found "\ufeff"']]);
});

test("a syntax error names the line and column, the same for policy files and accounts files", async () => {
  const cases = [
    ['{\n  "keep": [\n    "a",\n  ]\n}', "line 4, column 3", 'not valid JSON: expected a value, found "]"'],
    ['{"keep": ["a"]', "line 1, column 15", 'not valid JSON: expected "," or "}", found the end of the text'],
    ['{"keep": ["a" "b"]}', "line 1, column 15", 'not valid JSON: expected "," or "]", found "\\""'],
    ["", "line 1, column 1", "not valid JSON: expected a value, found the end of the text"],
    ['{"keep": ["\\ud80"]}', "line 1, column 12", "not valid JSON: invalid \\u escape (expected 4 hex digits)"],
  ];
  for (const [text, path, expected] of cases) {
    assert.equal(problems(refusal(text)), [[path, expected]], text);
    let accounts;
    try {
      await parseAccountsText(text, FILE);
    } catch (error) {
      accounts = error;
    }
    assert.instance(accounts, ConfigError);
    assert.equal(accounts.problems.map((p) => [p.path, p.expected]), [[path, expected]], `accounts: ${text}`);
  }
});

test("every problem of a policy is reported at once, each with what was expected and what was found", () => {
  const text = JSON.stringify({ name: 5, kep: [], description: {}, keep: ["a", 7, "b..c", null, "*x"], embeddedJson: "a" });
  assert.equal(problems(refusal(text)), [
    ["kep", 'unknown field (did you mean "keep"? expected one of: name, description, keep, embeddedJson, detect)'],
    ["name", "expected a string, found a number"],
    ["description", "expected a string, found an object"],
    ["keep[1]", "expected a path string, found a number"],
    ["keep[2]", 'bad path "b..c": empty key at character 3 (use [""] for an empty key)'],
    ["keep[3]", "expected a path string, found null"],
    ["keep[4]", 'bad path "*x": "*" must be a whole segment, found "*x" (write ["*x"] for a literal key)'],
    ["embeddedJson", "expected an array of path strings, found a string"],
  ]);
  // embeddedJson paths selecting nothing: each one
  assert.equal(problems(refusal(JSON.stringify({ keep: ["a.b"], embeddedJson: ["c", "a", "a.b.d"] }))), [
    ["embeddedJson[0]", '"c" is neither a kept path nor a prefix of one, so it would select nothing'],
    ["embeddedJson[2]", '"a.b.d" is neither a kept path nor a prefix of one, so it would select nothing'],
  ]);
  // repeated keys are reported together with the problems of the value
  assert.equal(problems(refusal('{"keep": ["a"], "keep": [1]}')).map(([path]) => path), ["keep", "keep[0]"]);
  // not an object
  assert.equal(problems(refusal("[]")), [["(file)", 'expected a policy: a JSON object with a "keep" array, found an array']]);
});

test("compilePolicy (a value, not text) reports every problem too, the whole policy as (policy)", () => {
  let error;
  try {
    compilePolicy({ keep: [1, 2] }, "api");
  } catch (e) {
    error = e;
  }
  assert.instance(error, PolicyError);
  assert.equal(problems(error), [["keep[0]", "expected a path string, found a number"], ["keep[1]", "expected a path string, found a number"]]);
  assert.is(error.message, "api: keep[0]: expected a path string, found a number\napi: keep[1]: expected a path string, found a number");
  try {
    compilePolicy("keep", "api");
  } catch (e) {
    error = e;
  }
  assert.equal(problems(error), [["(policy)", 'expected a policy: a JSON object with a "keep" array, found a string']]);
});

test("lone surrogates are refused in policy paths and names, escaped in the text or in a value", () => {
  const escaped = refusal('{"name": "n\\udc00", "keep": ["a.\\ud800", "[\\"\\ud800x\\"]", "ok.\\ud83d\\ude00"]}');
  assert.equal(problems(escaped), [
    ["name", "expected a policy name without lone surrogates (it must be valid Unicode)"],
    ["keep[0]", 'bad path "a.\\ud800": holds a lone surrogate at character 3 (a key must be valid Unicode)'],
    ["keep[1]", 'bad path "[\\"\\ud800x\\"]": holds a lone surrogate at character 3 (a key must be valid Unicode)'],
  ]);
  let error;
  try {
    compilePolicy({ keep: ["x", "a\udfffb"], embeddedJson: ["\ud800"] }, "api");
  } catch (e) {
    error = e;
  }
  assert.equal(problems(error), [
    ["keep[1]", 'bad path "a\\udfffb": holds a lone surrogate at character 2 (a key must be valid Unicode)'],
    ["embeddedJson[0]", 'bad path "\\ud800": holds a lone surrogate at character 1 (a key must be valid Unicode)'],
  ]);
  // a surrogate pair is a character like any other
  assert.ok(compilePolicy({ keep: ["ok.\ud83d\ude00"] }, "api"));
});

test("lone surrogates are refused in accountKey, account ids and policy names of an accounts file", async () => {
  const text = '{"accountKey": "data.\\ud800", "policies": {"p\\udc00": {"keep": ["a"]}, "q": {"keep": ["\\ud800"]}},' +
    ' "accounts": {"AC\\ud800": {}}, "tenants": [{"tenantId": "\\udfff"}]}';
  let error;
  try {
    await parseAccountsText(text, FILE);
  } catch (e) {
    error = e;
  }
  assert.instance(error, ConfigError);
  assert.equal(problems(error), [
    ["accountKey", 'bad path "data.\\ud800": holds a lone surrogate at character 6 (a key must be valid Unicode)'],
    ['policies["p\\udc00"]', "expected a policy name without lone surrogates (it must be valid Unicode)"],
    ['policies["q"].keep[0]', 'bad path "\\ud800": holds a lone surrogate at character 1 (a key must be valid Unicode)'],
    ['accounts["AC\\ud800"]', "expected an account id without lone surrogates (it could never match UTF-8 event bytes)"],
    ["tenants[0].tenantId", "expected an account id without lone surrogates (it could never match UTF-8 event bytes)"],
  ]);
  for (const { expected } of error.problems) assert.ok(expected.isWellFormed(), "messages themselves hold no lone surrogate");
});

test("CLI: a policy file with several problems prints one line each and exits 1", () => {
  const file = T.write("several.json", '{"kep": [],\n "keep": ["a", 3],\n "keep": ["b..c"]}');
  const r = cli(["filter", "--policy", file], { input: "" });
  assertUserError(r, 1,
    new RegExp(`^hipaa-sieve: ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: keep: key appears more than once in its object \\(at line 2, column 2 and line 3, column 2\\)`),
    /: kep: unknown field \(did you mean "keep"\? /,
    /: keep\[0\]: bad path "b\.\.c": empty key at character 3/);
  const syntax = T.write("syntax.json", '{\n  "keep": ["a",]\n}');
  assertUserError(cli(["explain", "--policy", syntax]), 1, /syntax\.json: line 2, column 16: not valid JSON: expected a value, found "\]"$/);
});

test.after(() => T.cleanup());

test.run();
