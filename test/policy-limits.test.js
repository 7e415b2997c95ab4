// Compiled policies are bounded: a policy whose automaton would explode (states, edges or key bytes) is refused,
// during construction, with a message naming the file, the policy and the limit; so is a file whose policies
// together exceed the limit for one file. Realistic large configurations still load.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compilePolicy, ConfigError, createAccountsFilter, createFilter, parseAccountsText, parsePolicyText, PolicyError } from "../dist/index.js";
import { FILE_LIMITS, POLICY_LIMITS } from "../dist/policy/automaton-budget.js";
import { MAX_PATH_KEYS } from "../dist/policy/paths.js";
import { assertUserError, cli, tempDir } from "./support/cli-run.js";

const T = tempDir("policy-limits");

/** The policy: n paths of n keys, "a" at a different place in each and "*" elsewhere, then "x". 2^n states. */
function exploding(n) {
  const keep = [];
  for (let i = 0; i < n; i++) keep.push([...Array.from({ length: n }, (_, j) => (j === i ? "a" : "*")), "x"].join("."));
  return { keep };
}

function policyRefusal(text, source) {
  try {
    parsePolicyText(text, source);
  } catch (error) {
    assert.instance(error, PolicyError, `not a PolicyError: ${error?.stack ?? error}`);
    return error;
  }
  assert.unreachable("accepted");
}

const STATES = /^the paths compile to more than 100,000 automaton states, the limit for one policy \(each "\*" beside literal keys can multiply the states/;
const BYTES = /^the paths compile to more than 8,388,608 bytes of tables, the limit for one policy/;

test("the limits are the documented ones", () => {
  assert.equal({ ...POLICY_LIMITS }, { states: 100_000, tableBytes: 8 * 1024 * 1024 });
  assert.equal({ ...FILE_LIMITS }, { states: 250_000, tableBytes: 16 * 1024 * 1024 });
});

test("the issue's 20-path policy (890 bytes, 2^20 states) is refused, naming the file, the entry and the limit", () => {
  const text = JSON.stringify(exploding(20));
  assert.is(text.length, 890);
  const error = policyRefusal(text, "conf/exploding.json");
  assert.is(error.problems.length, 1);
  assert.is(error.problems[0].path, "keep");
  assert.match(error.problems[0].expected, STATES);
  assert.ok(error.message.startsWith("conf/exploding.json: keep: the paths compile to more than 100,000 automaton states"), error.message);
});

test("just under the state limit compiles (15 paths: 98,301 states)", () => {
  const policy = compilePolicy(exploding(15), "p.json");
  assert.is(policy.automaton.nodes.length - 1, 98_301); // node 0, "drop", is no state
});

test("edges multiplying without many states: refused at the table-bytes limit", () => {
  // Each of the 200 "a_i" states gets an edge for each of the 5000 keys under "*": 1,000,000 edges, 5,400 states.
  const keep = [...Array.from({ length: 5000 }, (_, j) => `*.k${j}`), ...Array.from({ length: 200 }, (_, i) => `a${i}.x`)];
  const error = policyRefusal(JSON.stringify({ keep }), "edges.json");
  assert.equal(error.problems.map((p) => p.path), ["keep"]);
  assert.match(error.problems[0].expected, BYTES);
});

test("key bytes count toward the tables: a 9 MB key is refused", () => {
  const error = policyRefusal(JSON.stringify({ keep: ["k".repeat(9_000_000)] }), "long-key.json");
  assert.match(error.problems[0].expected, BYTES);
});

test(`a path of more than ${MAX_PATH_KEYS} keys is refused (no event nests that deep); ${MAX_PATH_KEYS} keys compile`, () => {
  const deepest = Array(MAX_PATH_KEYS).fill("k").join(".");
  assert.ok(compilePolicy({ keep: [deepest] }, "deep.json"));
  const error = policyRefusal(JSON.stringify({ keep: ["a", `${deepest}.k`] }), "deep.json");
  assert.equal(error.problems.map((p) => p.path), ["keep[1]"]);
  assert.match(error.problems[0].expected, /: more than 1024 keys \(no event nests deeper than the engine's maxDepth, at most 1024\)$/);
});

test("an exploding policy inside an accounts file is refused at its JSON path", async () => {
  const text = JSON.stringify({ accountKey: "AccountSid", policies: { fine: { keep: ["a"] }, big: exploding(20) } });
  let error;
  try {
    await parseAccountsText(text, "conf/accounts.json");
  } catch (e) {
    error = e;
  }
  assert.instance(error, ConfigError);
  assert.equal(error.problems.map((p) => p.path), ['policies["big"].keep']);
  assert.match(error.problems[0].expected, STATES);
});

test("the policies of one accounts file share one budget: each fits alone, three together do not", async () => {
  // three distinct policies of 98,302 states each (the extra path adds one): 294,906 together, over the 250,000 of one file
  const variant = (i) => ({ keep: [...exploding(15).keep, `only${i}`] });
  const one = await parseAccountsText(JSON.stringify({ accountKey: "AccountSid", policies: { p0: variant(0) } }), "one.json");
  assert.ok(one.policies.has("p0"));
  let error;
  try {
    await parseAccountsText(JSON.stringify({ accountKey: "AccountSid", policies: { p0: variant(0), p1: variant(1), p2: variant(2) } }), "three.json");
  } catch (e) {
    error = e;
  }
  assert.instance(error, ConfigError);
  assert.equal(error.problems.map((p) => p.path), ['policies["p2"].keep']);
  assert.match(error.problems[0].expected,
    /^the paths compile to more than 250,000 automaton states, the limit for the policies of one file together/);
});

test("a realistic large policy loads and filters: 10,000 plain paths", async () => {
  const keep = [];
  for (let i = 0; i < 100; i++) for (let j = 0; j < 100; j++) keep.push(`section_${i}.group_${j % 10}.field_${i}_${j}`);
  const policy = parsePolicyText(JSON.stringify({ keep }), "large.json");
  const filter = await createFilter(policy);
  const r = filter.filterEvent('{"section_42":{"group_7":{"field_42_17":1,"field_42_18":2,"name":"x"}},"other":3}');
  assert.ok(r.ok);
  assert.is(new TextDecoder().decode(r.output), '{"section_42":{"group_7":{"field_42_17":1}}}');
});

test("a realistic large accounts file loads and routes: 100 policies x 100,000 accounts", async () => {
  const policies = {};
  for (let p = 0; p < 100; p++) policies[`policy-${p}`] = { keep: ["EventType", `Custom${p}`, "TaskAttributes.conversations.queue"], embeddedJson: ["TaskAttributes"] };
  const accounts = {};
  for (let a = 0; a < 100_000; a++) accounts[`AC${a.toString(16).padStart(32, "0")}`] = { hipaaEnabled: true, policy: `policy-${a % 100}` };
  const config = await parseAccountsText(JSON.stringify({ accountKey: "AccountSid", policies, accounts }), "large-accounts.json");
  assert.is(config.accounts.size, 100_000);
  assert.is(config.policies.size, 101); // the default preset and the 100
  const routed = await createAccountsFilter(config);
  const id = `AC${(12_345).toString(16).padStart(32, "0")}`; // policy-45
  const r = routed.filterEvent(`{"AccountSid":"${id}","EventType":"e","Custom45":1,"Custom46":2}`);
  assert.ok(r.ok);
  assert.is(new TextDecoder().decode(r.output), '{"EventType":"e","Custom45":1}');
});

test("CLI: filter --policy and check-config refuse an exploding policy in one line, exit 1", () => {
  const policy = T.write("exploding.json", exploding(20));
  assertUserError(cli(["filter", "--policy", policy], { input: "" }), 1,
    /exploding\.json: keep: the paths compile to more than 100,000 automaton states, the limit for one policy/);
  const accounts = T.write("accounts.json", { accountKey: "AccountSid", policies: { big: exploding(20) } });
  assertUserError(cli(["check-config", accounts]), 1,
    /accounts\.json: policies\["big"\]\.keep: the paths compile to more than 100,000 automaton states/);
});

test.after(() => T.cleanup());

test.run();
