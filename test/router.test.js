// Routing by account, inside WASM: each event goes to its account's policy, straight through
// (byte-identical), or is rejected, as the accounts configuration says.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compilePolicy, createAccountsFilter } from "../dist/index.js";
import { generateEvents, mutate, toNdjson, mulberry32, EVENT_POLICY } from "./support/events.js";
import { referenceFilter, normalizeEmbedded } from "./support/reference.js";
import { duplicateKey } from "./support/json-check.js";
import { VARIANTS } from "./support/harness.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const SMALL = { keep: ["EventType", "TaskAttributes.reason"], embeddedJson: ["TaskAttributes"] };

/** A routing configuration (the shape src/accounts/config.ts produces) from plain objects. */
function routing({ accountKeyPath = ["AccountSid"], unknownAccount = "filter", accounts }) {
  return {
    accountKeyPath,
    defaultPolicy: "events",
    unknownAccount,
    policies: new Map([["events", compilePolicy(EVENT_POLICY)], ["small", compilePolicy(SMALL)]]),
    accounts: new Map(Object.entries(accounts)),
  };
}

async function filters(config) {
  return Promise.all(VARIANTS.map((variant) => createAccountsFilter(config, { variant })));
}

const out = (r) => (r.ok ? decoder.decode(r.output) : `${r.code}@${r.offset}`);

test("HIPAA accounts are filtered with their policy, others pass through byte-identical", async () => {
  const config = routing({ accounts: {
    AC1: { hipaaEnabled: true, policy: "small" },
    AC2: { hipaaEnabled: false, policy: null },
  } });
  for (const f of await filters(config)) {
    const hipaa = f.filterEvent('{"EventType":"x","WorkerName":"Jane","AccountSid":"AC1"}');
    assert.is(out(hipaa), '{"EventType":"x"}', f.variant);
    assert.is(hipaa.route, "filtered");
    assert.is(hipaa.account, "AC1");
    const plain = '{ "EventType" : "x",\t"WorkerName":"Jane", "AccountSid":"AC2" }';
    const passed = f.filterEvent(plain);
    assert.is(out(passed), plain, "not even whitespace changes");
    assert.is(passed.route, "passed");
  }
});

test("pass-through events are still validated", async () => {
  const config = routing({ accounts: { AC2: { hipaaEnabled: false, policy: null } } });
  for (const f of await filters(config)) {
    assert.is(out(f.filterEvent('{"AccountSid":"AC2","a":"\\ud800"}')), "LONE_SURROGATE@25");
    assert.is(out(f.filterEvent('{"AccountSid":"AC2","a":1}x')), "TRAILING_BYTES@26");
    assert.is(out(f.filterEvent('{"AccountSid":"AC2","a":01}')), "INVALID_NUMBER@24");
  }
});

test("unknownAccount: filter (with defaultPolicy), reject, or pass", async () => {
  const event = '{"EventType":"x","TaskSid":"WT1","WorkerName":"Jane","AccountSid":"AC9"}';
  const expected = {
    filter: '{"EventType":"x","TaskSid":"WT1","AccountSid":"AC9"}',
    reject: "UNKNOWN_ACCOUNT@0",
    pass: event,
  };
  for (const [mode, result] of Object.entries(expected)) {
    for (const f of await filters(routing({ unknownAccount: mode, accounts: { AC1: { hipaaEnabled: false, policy: null } } }))) {
      assert.is(out(f.filterEvent(event)), result, `${mode} ${f.variant}`);
      assert.is(out(f.filterEvent(event.replace(',"AccountSid":"AC9"', ""))), result.replace(',"AccountSid":"AC9"', ""), `${mode}: key missing`);
    }
  }
});

test("an account id that is not a string counts as unknown", async () => {
  for (const f of await filters(routing({ unknownAccount: "reject", accounts: { AC1: { hipaaEnabled: false, policy: null } } }))) {
    for (const id of ["1", "null", '["AC1"]', '{"AC1":1}', "true"]) {
      assert.is(out(f.filterEvent(`{"AccountSid":${id}}`)), "UNKNOWN_ACCOUNT@0", id);
    }
  }
});

test("the account key may stand anywhere among the members; its id may hold escapes", async () => {
  for (const f of await filters(routing({ unknownAccount: "reject", accounts: { AC1: { hipaaEnabled: true, policy: "small" } } }))) {
    // The account key after a long embedded string dense with escapes.
    const bigFirst = JSON.stringify({ TaskAttributes: JSON.stringify({ reason: "r", x: '"\\'.repeat(50) }), AccountSid: "AC1" });
    assert.is(out(f.filterEvent(bigFirst)), `{"TaskAttributes":${JSON.stringify('{"reason":"r"}')}}`);
    assert.is(out(f.filterEvent('{"Acc\\u006funtSid":"A\\u0043\\u0031","EventType":"e"}')), '{"EventType":"e"}');
  }
});

test("a repeated account key is rejected, whatever the account", async () => {
  for (const f of await filters(routing({ accounts: { AC1: { hipaaEnabled: false, policy: null } } }))) {
    assert.is(out(f.filterEvent('{"AccountSid":"AC1","a":1,"AccountSid":"AC1"}')), "DUPLICATE_ACCOUNT_KEY@26");
    assert.is(out(f.filterEvent('{"AccountSid":"AC1","AccountSi\\u0064":2}')), "DUPLICATE_ACCOUNT_KEY@20");
  }
});

test("the account key deeper in the event, or inside an embedded document, is not a repeat", async () => {
  for (const f of await filters(routing({ unknownAccount: "reject", accounts: { AC1: { hipaaEnabled: true, policy: "small" } } }))) {
    assert.is(out(f.filterEvent('{"AccountSid":"AC1","x":{"AccountSid":"AC2"},"EventType":"e"}')), '{"EventType":"e"}');
    const embedded = JSON.stringify({ AccountSid: "AC1", TaskAttributes: JSON.stringify({ AccountSid: "AC2", reason: "r" }) });
    assert.is(out(f.filterEvent(embedded)), `{"TaskAttributes":${JSON.stringify('{"reason":"r"}')}}`);
  }
});

test("a nested accountKey: every key on its path must be unique; arrays are not searched", async () => {
  const config = routing({
    accountKeyPath: ["data", "payload", "account_sid"], unknownAccount: "reject",
    accounts: { AC1: { hipaaEnabled: false, policy: null } },
  });
  for (const f of await filters(config)) {
    const event = '{"data":{"x":{"account_sid":"no"},"payload":{"y":2,"account_sid":"AC1"}},"z":[1]}';
    assert.is(out(f.filterEvent(event)), event);
    assert.is(out(f.filterEvent('{"data":{"payload":{"account_sid":"AC1"}},"data":{}}')), "DUPLICATE_ACCOUNT_KEY@42");
    assert.is(out(f.filterEvent('{"data":{"payload":{"account_sid":"AC1"},"payload":{}}}')), "DUPLICATE_ACCOUNT_KEY@41");
    assert.is(out(f.filterEvent('{"data":[{"payload":{"account_sid":"AC1"}}]}')), "UNKNOWN_ACCOUNT@0");
  }
});

test("malformed events are rejected with their real error, whatever the route", async () => {
  for (const mode of ["filter", "reject", "pass"]) {
    for (const f of await filters(routing({ unknownAccount: mode, accounts: {} }))) {
      assert.is(out(f.filterEvent('{"AccountSid":"AC1","a":"\u0001"}')), "CONTROL_CHARACTER@25", mode);
      assert.is(out(f.filterEvent('{"AccountSid":"AC1","a":[}')), "UNEXPECTED_BYTE@25", mode);
      assert.is(out(f.filterEvent('{"AccountSid":"AC1"')), "UNEXPECTED_END@19", mode);
    }
  }
});

test("a batch reports passed events and counts per configured account; unknown ids are not named", async () => {
  const config = routing({ accounts: { AC1: { hipaaEnabled: true, policy: "small" }, AC2: { hipaaEnabled: false, policy: null } } });
  for (const f of await filters(config)) {
    const r = f.filterBatch(encoder.encode([
      '{"AccountSid":"AC1","EventType":"a"}', '{"AccountSid":"AC2"}', '{"AccountSid":"AC2","x":tru}',
      '{"AccountSid":"AC-secret","EventType":"b"}', '{"AccountSid":"AC1","AccountSid":"AC2"}',
    ].join("\n")));
    assert.is(r.kept, 3);
    assert.is(r.passed, 1);
    assert.equal(r.accounts, {
      AC1: { events: 1, filtered: 1, passed: 0, rejected: 0 },
      AC2: { events: 2, filtered: 0, passed: 1, rejected: 1 },
      "(unknown)": { events: 2, filtered: 1, passed: 0, rejected: 1 },
    });
    assert.not.ok(JSON.stringify(r.accounts).includes("secret"));
  }
});

test("thousands of accounts and dozens of policies route correctly", async () => {
  const policies = new Map(Array.from({ length: 40 }, (_, i) => [`p${i}`, compilePolicy({ keep: [`k${i}`] })]));
  const accounts = new Map(Array.from({ length: 5000 }, (_, i) => [`AC${i}`, { hipaaEnabled: i % 5 !== 0, policy: `p${i % 40}` }]));
  const config = { accountKeyPath: ["AccountSid"], defaultPolicy: "p0", unknownAccount: "reject", policies, accounts };
  for (const f of await filters(config)) {
    for (const i of [1, 2, 39, 40, 41, 1234, 4999]) {
      const event = `{"AccountSid":"AC${i}","k${i % 40}":1,"k${(i + 1) % 40}":2}`;
      assert.is(out(f.filterEvent(event)), i % 5 === 0 ? event : `{"k${i % 40}":1}`, `AC${i}`);
    }
    assert.is(out(f.filterEvent('{"AccountSid":"AC5000"}')), "UNKNOWN_ACCOUNT@0");
  }
});

// Generated events, a third of their accounts HIPAA (two policies), a third not, a third unknown.
const events = generateEvents(20261123, 1500);
const sids = events.map((e) => JSON.parse(e.text).AccountSid);
const accounts = {};
sids.forEach((sid, i) => {
  if (i % 3 === 0) accounts[sid] = { hipaaEnabled: true, policy: i % 2 ? "small" : null };
  if (i % 3 === 1) accounts[sid] = { hipaaEnabled: false, policy: null };
});
const specOf = { events: EVENT_POLICY, small: SMALL };

/** What the reference says should happen to `bytes` under `config`: {reject} | {pass} | {value, spec}. */
function expected(config, bytes) {
  // Valid JSON at all? (A policy selecting nothing checks only that: no embedded documents, no repeats.)
  if (!referenceFilter({ keep: ["(nothing)"] }, bytes).ok) return { reject: true };
  const sid = JSON.parse(new TextDecoder().decode(bytes).replace(/^\uFEFF/, "")).AccountSid;
  const settings = typeof sid === "string" ? config.accounts.get(sid) : undefined;
  const action = settings ? (settings.hipaaEnabled ? "filter" : "pass") : config.unknownAccount;
  if (action === "reject") return { reject: true };
  if (action === "pass") return { pass: true };
  const spec = specOf[settings?.policy ?? config.defaultPolicy];
  const filtered = referenceFilter(spec, bytes);
  return filtered.ok ? { value: filtered.value, spec } : { reject: true };
}

for (const unknownAccount of ["filter", "reject", "pass"]) {
  test(`differential routing (unknownAccount ${unknownAccount}): generated and mutated events, every build`, async () => {
    const config = routing({ unknownAccount, accounts });
    const rng = mulberry32(7);
    const inputs = [...events.map((e) => e.bytes), ...events.slice(0, 1000).map((e) => mutate(e.bytes, rng))];
    const results = [];
    for (const f of await filters(config)) {
      const batch = f.filterBatch(toNdjson(inputs));
      const lines = decoder.decode(batch.output).split("\n");
      const rejected = new Set(batch.rejected.map((r) => r.line));
      let next = 0;
      inputs.forEach((bytes, i) => {
        const want = expected(config, bytes);
        const valid = i < events.length;
        if (rejected.has(i + 1)) {
          assert.ok(!valid || want.reject, `${f.variant}: valid event #${i} rejected`);
          return;
        }
        const got = lines[next++];
        assert.not.ok(want.reject, `${f.variant}: event #${i} accepted, the reference rejects it`);
        if (want.pass) {
          assert.is(got, decoder.decode(bytes), `${f.variant}: event #${i} passed through changed`);
        } else {
          assert.is(duplicateKey(got), null, `${f.variant}: event #${i} output repeats a key`);
          assert.equal(normalizeEmbedded(want.spec, JSON.parse(got)), normalizeEmbedded(want.spec, want.value), `${f.variant}: event #${i}`);
        }
      });
      results.push([batch.output, batch.rejected]);
    }
    for (const [i, r] of results.entries()) assert.equal(r, results[0], `${VARIANTS[i]} and ${VARIANTS[0]} agree byte for byte`);
  });
}

test("batch counts: events without an account id apart from ids not configured, and empty outputs", async () => {
  const config = routing({ accounts: { AC1: { hipaaEnabled: true, policy: "small" } } });
  const lines = [
    '{"EventType":"x","AccountSid":"AC1"}', // filtered, kept EventType
    '{"WorkerName":"Jane","AccountSid":"AC1"}', // filtered, nothing kept: {}
    '{"EventType":"x","AccountSid":"AC7"}', // id not configured: default policy
    '{"EventType":"x"}', // no account id
    '{"EventType":"x","AccountSid":42}', // an id that is not a string
    '{"EventType":"x","AccountSid":"AC1","AccountSid":"AC1"}', // rejected: whose is it?
  ];
  for (const f of await filters(config)) {
    const r = f.filterBatch(encoder.encode(lines.join("\n") + "\n"));
    assert.is(r.kept, 5, f.variant);
    assert.is(r.empty, 1, `${f.variant}: one event came out as {}`);
    assert.equal(r.accounts, {
      AC1: { events: 2, filtered: 2, passed: 0, rejected: 0 },
      "(unknown)": { events: 2, filtered: 1, passed: 0, rejected: 1 },
      "(no account id)": { events: 2, filtered: 2, passed: 0, rejected: 0 },
    }, f.variant);
    assert.is(f.filterEvent(lines[3]).account, null, "filterEvent: no id is null, like an id not configured");
  }
});

test.run();
