// Audit records: one "load" record per load, one "change" record per account field that changed (accounts added
// and removed included), built from configurations only, as a pure function.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { auditRecords } from "../dist/accounts/audit.js";
import { loadAccountsConfig } from "../dist/accounts/config.js";

const AC1 = "AC00000000000000000000000000000001";
const AC2 = "AC00000000000000000000000000000002";
const AC3 = "AC00000000000000000000000000000003";
const AC4 = "AC00000000000000000000000000000004";
const T0 = new Date("2024-01-09T10:30:00.000Z");
const T1 = new Date("2024-01-09T11:00:00.250Z");
const FLEX = "flex-insights-hipaa@1";
const MY = { keep: ["EventType", "AccountSid"] };

const load = (value, source = "accounts.json") => loadAccountsConfig({ accountKey: "AccountSid", ...value }, source);

test("first load: a load record, then every account as a change from nothing (old null)", async () => {
  const config = await load({ accounts: { [AC1]: { hipaaEnabled: true }, [AC2]: {} }, tenants: [{ tenantId: "7001234", complianceSettings: { hipaaEnabled: true }, policy: "cticloud-end-of-call" }] });
  const base = { time: "2024-01-09T10:30:00.000Z", digest: config.digest, source: "accounts.json" };
  assert.equal(auditRecords(null, config, T0), [
    { ...base, event: "load", previousDigest: null, accountKey: "AccountSid", defaultPolicy: FLEX, unknownAccount: "filter",
      accounts: 3, hipaaAccounts: 2, changedPolicies: [] },
    { ...base, event: "change", account: AC1, field: "hipaaEnabled", old: null, new: true },
    { ...base, event: "change", account: AC1, field: "policy", old: null, new: FLEX },
    { ...base, event: "change", account: AC2, field: "hipaaEnabled", old: null, new: false },
    { ...base, event: "change", account: "7001234", field: "hipaaEnabled", old: null, new: true },
    { ...base, event: "change", account: "7001234", field: "policy", old: null, new: "cticloud-end-of-call@1" },
  ]);
});

test("reload: flips, policy changes, accounts added and removed; unchanged accounts give no record", async () => {
  const before = await load({
    policies: { my: MY },
    accounts: {
      [AC1]: { hipaaEnabled: false },                  // will be marked HIPAA
      [AC2]: { hipaaEnabled: true, policy: "my" },     // will change policy
      [AC3]: { hipaaEnabled: true },                   // will be removed
      [AC4]: { hipaaEnabled: true, policy: "my" },     // unchanged
    },
  });
  const after = await load({
    policies: { my: MY },
    accounts: {
      [AC1]: { hipaaEnabled: true },
      [AC2]: { hipaaEnabled: true, policy: "flex-insights-hipaa@1" },
      [AC4]: { hipaaEnabled: true, policy: "my" },
      "AC-new": { hipaaEnabled: false, policy: "my" },
    },
  }, "accounts-v2.json");
  const base = { time: "2024-01-09T11:00:00.250Z", digest: after.digest, source: "accounts-v2.json" };
  assert.equal(auditRecords(before, after, T1), [
    { ...base, event: "load", previousDigest: before.digest, accountKey: "AccountSid", defaultPolicy: FLEX, unknownAccount: "filter",
      accounts: 4, hipaaAccounts: 3, changedPolicies: [] },
    { ...base, event: "change", account: AC1, field: "hipaaEnabled", old: false, new: true },
    { ...base, event: "change", account: AC1, field: "policy", old: null, new: FLEX },
    { ...base, event: "change", account: AC2, field: "policy", old: "my", new: FLEX },
    { ...base, event: "change", account: "AC-new", field: "hipaaEnabled", old: null, new: false },
    { ...base, event: "change", account: AC3, field: "hipaaEnabled", old: true, new: null },
    { ...base, event: "change", account: AC3, field: "policy", old: FLEX, new: null },
  ]);
});

test("turning HIPAA off records the policy going to null (nothing filters the account any more)", async () => {
  const on = await load({ accounts: { [AC1]: { hipaaEnabled: true } } });
  const off = await load({ accounts: { [AC1]: { hipaaEnabled: false } } });
  const changes = auditRecords(on, off, T1).filter((r) => r.event === "change");
  assert.equal(changes.map((r) => [r.account, r.field, r.old, r.new]), [[AC1, "hipaaEnabled", true, false], [AC1, "policy", FLEX, null]]);
});

test("the same configuration again: only the load record, with equal digests", async () => {
  const a = await load({ accounts: { [AC1]: { hipaaEnabled: true } } });
  const b = await load({ accounts: { [AC1]: { hipaaEnabled: true } } });
  const records = auditRecords(a, b, T1);
  assert.is(records.length, 1);
  assert.is(records[0].event, "load");
  assert.is(records[0].previousDigest, records[0].digest);
});

test("a defaultPolicy change shows on each HIPAA account using it; load records carry the routing settings", async () => {
  const a = await load({ policies: { my: MY }, accounts: { [AC1]: { hipaaEnabled: true }, [AC2]: { hipaaEnabled: true, policy: FLEX } } });
  const b = await load({ policies: { my: MY }, defaultPolicy: "my", unknownAccount: "reject", accounts: { [AC1]: { hipaaEnabled: true }, [AC2]: { hipaaEnabled: true, policy: FLEX } } });
  const records = auditRecords(a, b, T1);
  assert.equal(records.slice(1).map((r) => [r.account, r.field, r.old, r.new]), [[AC1, "policy", FLEX, "my"]]);
  assert.is(records[0].defaultPolicy, "my");
  assert.is(records[0].unknownAccount, "reject");
});

test("changedPolicies lists named policies whose paths changed under the same name (not description-only edits)", async () => {
  const a = await load({ policies: { my: MY, other: { keep: ["a"] } }, accounts: { [AC1]: { hipaaEnabled: true, policy: "my" } } });
  const b = await load({ policies: { my: { keep: ["EventType"] }, other: { keep: ["a"], description: "now described" } }, accounts: { [AC1]: { hipaaEnabled: true, policy: "my" } } });
  const records = auditRecords(a, b, T1);
  assert.equal(records[0].changedPolicies, ["my"]);
  assert.is(records.length, 1, "the account's policy id did not change");
  const c = await load({ policies: { my: { keep: ["EventType"], embeddedJson: [] } }, accounts: { [AC1]: { hipaaEnabled: true, policy: "my" } } });
  assert.equal(auditRecords(b, c, T1)[0].changedPolicies, [], "an empty embeddedJson is the same as none");
});

test("records hold configuration facts only: known fields, primitive values", async () => {
  const a = await load({ accounts: { [AC1]: { hipaaEnabled: true }, [AC2]: {} } });
  const b = await load({ accounts: { [AC2]: { hipaaEnabled: true } } });
  const allowed = new Set(["time", "event", "account", "field", "old", "new", "digest", "source", "previousDigest", "accountKey",
    "defaultPolicy", "unknownAccount", "accounts", "hipaaAccounts", "changedPolicies"]);
  for (const r of [...auditRecords(null, a, T0), ...auditRecords(a, b, T1)]) {
    for (const [k, v] of Object.entries(r)) {
      assert.ok(allowed.has(k), `unexpected field ${k}`);
      if (k === "changedPolicies") assert.ok(Array.isArray(v) && v.every((x) => typeof x === "string"));
      else assert.ok(v === null || ["string", "number", "boolean"].includes(typeof v), `${k} is ${typeof v}`);
    }
    assert.ok(r.event === "load" || r.event === "change");
    assert.is(JSON.parse(JSON.stringify(r)).time, r.time);
  }
});

test("pure: the same inputs give the same records; the time defaults to now", async () => {
  const a = await load({ accounts: { [AC1]: { hipaaEnabled: true } } });
  const b = await load({ accounts: { [AC1]: { hipaaEnabled: false } } });
  assert.equal(auditRecords(a, b, T1), auditRecords(a, b, T1));
  assert.equal([...a.accounts], [[AC1, { hipaaEnabled: true, policy: FLEX }]]);
  const t0 = Date.now();
  const [record] = auditRecords(null, a);
  const t = Date.parse(record.time);
  assert.ok(t >= t0 - 1000 && t <= Date.now() + 1000, record.time);
  assert.match(record.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

test.run();
