// Accounts configuration: validation messages (file, JSON path, what was expected), every problem reported
// together, the CTICloud tenant form, defaults, version pinning, digests, and that a bad file never half-loads.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { seedFacts } from "./support/seeds.js";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { canonicalJson, ConfigError, loadAccountsConfig, parseAccountsText } from "../dist/accounts/config.js";
import { findPreset, presetPolicy, PRESETS } from "../dist/policy/presets.js";
import { closest, editDistance } from "../dist/policy/suggest.js";

const SOURCE = "conf/accounts.json";
const AC1 = "AC00000000000000000000000000000001";
const AC2 = "AC00000000000000000000000000000002";
const AC3 = "AC00000000000000000000000000000003";
const MY_POLICY = { keep: ["EventType", "AccountSid", "TaskAttributes.conversations.queue_time"], embeddedJson: ["TaskAttributes"] };

/** The newest version of a preset, computed from PRESETS (not from findPreset). */
function newestId(name) {
  const versions = PRESETS.filter((p) => p.name === name).map((p) => p.version);
  return `${name}@${Math.max(...versions)}`;
}

const load = (value) => loadAccountsConfig(value, SOURCE);
const parse = (text) => parseAccountsText(text, SOURCE);

/** The ConfigError a load rejects with (fails if it resolves). */
async function refusal(promise) {
  let result;
  try {
    result = await promise;
  } catch (error) {
    assert.instance(error, ConfigError, `not a ConfigError: ${error?.stack ?? error}`);
    assert.instance(error, Error);
    assert.is(error.name, "ConfigError");
    assert.is(error.source, SOURCE);
    assert.equal(error.message.split("\n"), error.problems.map((p) => `${SOURCE}: ${p.path}: ${p.expected}`),
      "one line per problem: file, path, expected");
    return error;
  }
  assert.unreachable(`accepted: ${JSON.stringify(result?.accounts && [...result.accounts])}`);
}

/** The value is refused with exactly one problem, at `path`, whose text matches `expected`. */
async function refusedAt(value, path, expected) {
  const error = await refusal(typeof value === "string" ? parse(value) : load(value));
  assert.is(error.problems.length, 1, `expected one problem, got:\n${error.message}`);
  assert.is(error.problems[0].path, path, error.message);
  assert.match(error.problems[0].expected, expected, error.message);
  assert.ok(error.message.startsWith(`${SOURCE}: ${path}: `), error.message);
  return error;
}

// ------------------------------------------------------------------ loading

test("a full configuration: accounts, tenants and named policies map onto one model", async () => {
  const config = await load({
    accountKey: "AccountSid",
    defaultPolicy: "flex-insights-hipaa",
    unknownAccount: "reject",
    policies: { "my-policy": MY_POLICY, "unused": { keep: ["EventType"] } },
    accounts: {
      [AC1]: { hipaaEnabled: true, policy: "my-policy" },
      [AC2]: { hipaaEnabled: false },
      [AC3]: { hipaaEnabled: true, policy: "cticloud-end-of-call@1" },
    },
    tenants: [{ tenantId: "7001234", complianceSettings: { hipaaEnabled: true } }],
  });
  assert.is(config.source, SOURCE);
  assert.is(config.accountKey, "AccountSid");
  assert.equal([...config.accountKeyPath], ["AccountSid"]);
  assert.is(config.defaultPolicy, newestId("flex-insights-hipaa"));
  assert.is(config.unknownAccount, "reject");
  assert.equal([...config.accounts], [
    [AC1, { hipaaEnabled: true, policy: "my-policy" }],
    [AC2, { hipaaEnabled: false, policy: null }],
    [AC3, { hipaaEnabled: true, policy: "cticloud-end-of-call@1" }],
    ["7001234", { hipaaEnabled: true, policy: newestId("flex-insights-hipaa") }],
  ]);
  // defaultPolicy first, then "policies" in file order (unused ones too), then presets referenced by accounts
  assert.equal([...config.policies.keys()], [newestId("flex-insights-hipaa"), "my-policy", "unused", "cticloud-end-of-call@1"]);
  assert.is(config.policies.get(newestId("flex-insights-hipaa")), presetPolicy("flex-insights-hipaa"));
  assert.is(config.policies.get("my-policy").name, "my-policy");
  assert.equal(config.policies.get("my-policy").spec.keep, MY_POLICY.keep);
  assert.match(config.digest, /^sha256:[0-9a-f]{64}$/);
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.accounts.get(AC1)));
});

test("defaults: hipaaEnabled false, defaultPolicy the newest flex-insights-hipaa, unknownAccount filter", async () => {
  const config = await load({
    accountKey: "AccountSid",
    accounts: { [AC1]: {}, [AC2]: { hipaaEnabled: true } },
    tenants: [{ tenantId: "7001234" }, { tenantId: "7005678", complianceSettings: { dataRetentionDays: 30 } }],
  });
  assert.is(config.defaultPolicy, newestId("flex-insights-hipaa"));
  assert.is(config.defaultPolicy, findPreset("flex-insights-hipaa").id);
  assert.is(config.unknownAccount, "filter");
  assert.equal(config.accounts.get(AC1), { hipaaEnabled: false, policy: null });
  assert.equal(config.accounts.get(AC2), { hipaaEnabled: true, policy: newestId("flex-insights-hipaa") });
  assert.equal(config.accounts.get("7001234"), { hipaaEnabled: false, policy: null });
  assert.equal(config.accounts.get("7005678"), { hipaaEnabled: false, policy: null });
  assert.equal([...config.policies.keys()], [newestId("flex-insights-hipaa")]);

  const empty = await load({ accountKey: "AccountSid" });
  assert.is(empty.accounts.size, 0);
  assert.is(empty.unknownAccount, "filter");
});

test("a HIPAA account without its own policy uses defaultPolicy, whatever defaultPolicy names", async () => {
  const config = await load({
    accountKey: "AccountSid",
    defaultPolicy: "my-policy",
    policies: { "my-policy": MY_POLICY },
    accounts: { [AC1]: { hipaaEnabled: true }, [AC2]: { hipaaEnabled: true, policy: "flex-insights-hipaa" } },
  });
  assert.is(config.defaultPolicy, "my-policy");
  assert.is(config.accounts.get(AC1).policy, "my-policy");
  assert.is(config.accounts.get(AC2).policy, newestId("flex-insights-hipaa"));
});

test("version pinning: name@version resolves to exactly that preset; an unknown version is refused", async () => {
  const config = await load({
    accountKey: "AccountSid",
    defaultPolicy: "cticloud-end-of-call@1",
    accounts: { [AC1]: { hipaaEnabled: true, policy: "flex-insights-hipaa@1" }, [AC2]: { hipaaEnabled: true, policy: "flex-insights-hipaa" } },
  });
  assert.is(config.defaultPolicy, "cticloud-end-of-call@1");
  assert.is(config.accounts.get(AC1).policy, "flex-insights-hipaa@1");
  assert.is(config.policies.get("flex-insights-hipaa@1"), presetPolicy("flex-insights-hipaa@1"));
  assert.is(config.accounts.get(AC2).policy, newestId("flex-insights-hipaa"));
  await refusedAt({ accountKey: "AccountSid", accounts: { [AC1]: { hipaaEnabled: true, policy: "flex-insights-hipaa@99" } } },
    `accounts["${AC1}"].policy`, /unknown preset version "flex-insights-hipaa@99" \(versions of flex-insights-hipaa: 1\)/);
  await refusedAt({ accountKey: "AccountSid", defaultPolicy: "flex-insights-hipaa@01" },
    "defaultPolicy", /unknown preset version "flex-insights-hipaa@01"/);
});

test("CTICloud tenant form: the seed's complianceSettings example loads; tenantId is the account id", async () => {
  const tenant = seedFacts().tenantSettings;
  assert.equal(tenant, { tenantId: "7001234", complianceSettings: { hipaaEnabled: true, dataRetentionDays: 0, recordingEnabled: false, transcriptionStorage: false } });
  const config = await load({
    accountKey: "tenantId",
    defaultPolicy: "cticloud-end-of-call",
    tenants: [tenant, { tenantId: "7009999", complianceSettings: { hipaaEnabled: true }, policy: "flex-insights-hipaa" },
      { tenantId: "7005678", complianceSettings: { ...tenant.complianceSettings, hipaaEnabled: false, dataRetentionDays: 90 } }],
  });
  assert.equal([...config.accounts], [
    ["7001234", { hipaaEnabled: true, policy: newestId("cticloud-end-of-call") }],
    ["7009999", { hipaaEnabled: true, policy: newestId("flex-insights-hipaa") }],
    ["7005678", { hipaaEnabled: false, policy: null }],
  ]);
});

test("accountKey: nested and bracketed paths give their literal keys", async () => {
  const nested = await load({ accountKey: "data.payload.account_sid" });
  assert.equal([...nested.accountKeyPath], ["data", "payload", "account_sid"]);
  const bracketed = await load({ accountKey: 'meta["tenant.id"]["*"]' });
  assert.is(bracketed.accountKey, 'meta["tenant.id"]["*"]');
  assert.equal([...bracketed.accountKeyPath], ["meta", "tenant.id", "*"]);
});

test("the example configurations load", async () => {
  const root = new URL("../examples/", import.meta.url);
  const accounts = await parseAccountsText(readFileSync(new URL("accounts.json", root), "utf8"), "examples/accounts.json");
  assert.is(accounts.accountKey, "AccountSid");
  assert.equal(accounts.accounts.get("AC5f1e0c2a9b8d47e3a6c4f2b1d0e9a8c7"), { hipaaEnabled: true, policy: "flex-insights-hipaa@1" });
  assert.ok([...accounts.accounts.values()].some((s) => !s.hipaaEnabled), "a non-HIPAA account");
  assert.ok([...accounts.accounts.values()].some((s) => s.policy === "queue-times-only"), "a named policy in use");
  const tenants = await parseAccountsText(readFileSync(new URL("cticloud-tenants.json", root), "utf8"), "examples/cticloud-tenants.json");
  assert.is(tenants.accountKey, "tenantId");
  assert.equal(tenants.accounts.get("7001234"), { hipaaEnabled: true, policy: "cticloud-end-of-call@1" });
  assert.equal(tenants.accounts.get("7005678"), { hipaaEnabled: false, policy: null });
});

// ------------------------------------------------------------------ validation messages

const BASE = { accountKey: "AccountSid" };

test("unknown fields: top level, accounts, tenants, complianceSettings (only CTICloud's documented fields pass)", async () => {
  await refusedAt({ ...BASE, colour: {} }, "colour", /^unknown field \(expected one of: accountKey, defaultPolicy, unknownAccount, policies, detect, accounts, tenants\)$/);
  await refusedAt({ ...BASE, accounts: { [AC1]: { hipaa: true } } }, `accounts["${AC1}"].hipaa`, /^unknown field \(expected one of: hipaaEnabled, policy, detect, authTokenEnv\)$/);
  await refusedAt({ ...BASE, tenants: [{ tenantId: "7001234", hipaaEnabled: true }] }, "tenants[0].hipaaEnabled",
    /^unknown field \(expected one of: tenantId, complianceSettings, policy, detect\)$/);
  await refusedAt({ ...BASE, tenants: [{ tenantId: "7001234", complianceSettings: { hipaaEnabled: true, retention: 5 } }] },
    "tenants[0].complianceSettings.retention", /^unknown field \(expected one of: hipaaEnabled, dataRetentionDays, recordingEnabled, transcriptionStorage\)$/);
  await refusedAt({ ...BASE, accounts: { [AC1]: { "odd key": 1 } } }, `accounts["${AC1}"]["odd key"]`, /^unknown field/);
  // the documented CTICloud fields are accepted (and ignored)
  await load({ ...BASE, tenants: [{ tenantId: "1", complianceSettings: { hipaaEnabled: false, dataRetentionDays: 7, recordingEnabled: true, transcriptionStorage: true } }] });
});

test("wrong types, each at its path", async () => {
  const cases = [
    [[], "(file)", /^expected a JSON object \(the accounts configuration\), found an array$/],
    [null, "(file)", /found null$/],
    [{ accountKey: 5 }, "accountKey", /^expected a path string such as "AccountSid", found a number$/],
    [{ ...BASE, defaultPolicy: 5 }, "defaultPolicy", /^expected a policy name \(a string\), found a number$/],
    [{ ...BASE, unknownAccount: "drop" }, "unknownAccount", /^expected one of "filter", "reject", "pass", found "drop"$/],
    [{ ...BASE, unknownAccount: true }, "unknownAccount", /^expected one of "filter", "reject", "pass", found true$/],
    [{ ...BASE, policies: [] }, "policies", /^expected an object of named policies, found an array$/],
    [{ ...BASE, accounts: [AC1] }, "accounts", /^expected an object of account ids to settings, found an array$/],
    [{ ...BASE, tenants: { tenantId: "1" } }, "tenants", /^expected an array of CTICloud tenant settings, found an object$/],
    [{ ...BASE, accounts: { [AC1]: true } }, `accounts["${AC1}"]`, /^expected an object like .*, found a boolean$/],
    [{ ...BASE, accounts: { [AC1]: { hipaaEnabled: "true" } } }, `accounts["${AC1}"].hipaaEnabled`, /^expected true or false, found "true"$/],
    [{ ...BASE, accounts: { [AC1]: { hipaaEnabled: true, policy: 3 } } }, `accounts["${AC1}"].policy`, /^expected a policy name \(a string\), found a number$/],
    [{ ...BASE, tenants: ["7001234"] }, "tenants[0]", /^expected an object like .*, found a string$/],
    [{ ...BASE, tenants: [{ tenantId: 7001234 }] }, "tenants[0].tenantId", /^expected the tenant id as a string .*found 7001234$/],
    [{ ...BASE, tenants: [{ complianceSettings: { hipaaEnabled: true } }] }, "tenants[0].tenantId", /^missing \(expected the tenant id/],
    [{ ...BASE, tenants: [{ tenantId: "1", complianceSettings: true }] }, "tenants[0].complianceSettings", /^expected an object like/],
    [{ ...BASE, tenants: [{ tenantId: "1", complianceSettings: { hipaaEnabled: "yes" } }] }, "tenants[0].complianceSettings.hipaaEnabled", /^expected true or false, found "yes"$/],
    [{ ...BASE, tenants: [{ tenantId: "1", complianceSettings: { dataRetentionDays: -1 } }] }, "tenants[0].complianceSettings.dataRetentionDays", /^expected a whole number of days, 0 or more, found -1$/],
    [{ ...BASE, tenants: [{ tenantId: "1", complianceSettings: { dataRetentionDays: "0" } }] }, "tenants[0].complianceSettings.dataRetentionDays", /found "0"$/],
    [{ ...BASE, tenants: [{ tenantId: "1", complianceSettings: { dataRetentionDays: 1.5 } }] }, "tenants[0].complianceSettings.dataRetentionDays", /found 1.5$/],
    [{ ...BASE, tenants: [{ tenantId: "1", complianceSettings: { recordingEnabled: "no" } }] }, "tenants[0].complianceSettings.recordingEnabled", /^expected true or false/],
    [{ ...BASE, tenants: [{ tenantId: "1", complianceSettings: { transcriptionStorage: 0 } }] }, "tenants[0].complianceSettings.transcriptionStorage", /^expected true or false/],
    [{ ...BASE, tenants: [{ tenantId: "1", policy: ["flex-insights-hipaa"] }] }, "tenants[0].policy", /^expected a policy name \(a string\), found an array$/],
    [{ ...BASE, accounts: { "": { hipaaEnabled: true } } }, 'accounts[""]', /^expected a non-empty account id$/],
    [{ ...BASE, tenants: [{ tenantId: "" }] }, "tenants[0].tenantId", /^expected a non-empty account id$/],
    [{ ...BASE, accounts: { "AC\ud800": {} } }, 'accounts["AC\\ud800"]', /lone surrogates/],
  ];
  for (const [value, path, expected] of cases) await refusedAt(value, path, expected);
});

test("unknown policy names: defaultPolicy, an account's, a tenant's", async () => {
  const listing = /\(expected a name from "policies" \("my-policy"\) or a preset: flex-insights-hipaa, flex-insights-hipaa-eventstreams, cticloud-end-of-call, optionally with @version\)$/;
  const policies = { "my-policy": MY_POLICY };
  await refusedAt({ ...BASE, policies, defaultPolicy: "quarterly" }, "defaultPolicy", new RegExp(`^unknown policy "quarterly" ${listing.source}`));
  await refusedAt({ ...BASE, policies, accounts: { [AC1]: { hipaaEnabled: true, policy: "flex" } } }, `accounts["${AC1}"].policy`, /^unknown policy "flex"/);
  // checked even while hipaaEnabled is false: turning it on later must not meet a broken reference
  await refusedAt({ ...BASE, policies, accounts: { [AC1]: { policy: "nope" } } }, `accounts["${AC1}"].policy`, /^unknown policy "nope"/);
  await refusedAt({ ...BASE, policies, tenants: [{ tenantId: "1", policy: "cticloud" }] }, "tenants[0].policy", /^unknown policy "cticloud"/);
  await refusedAt({ ...BASE, defaultPolicy: "nothing-like-it" }, "defaultPolicy", /^unknown policy "nothing-like-it" \(expected a name from "policies" or a preset/);
});

test("did you mean: a name close to a known one is suggested, for fields, policy names and presets", async () => {
  const policies = { "my-policy": MY_POLICY };
  const cases = [
    [{ ...BASE, acounts: {} }, "acounts", /^unknown field \(did you mean "accounts"\? expected one of: accountKey, /],
    [{ ...BASE, accounts: { [AC1]: { hipaaEnable: true } } }, `accounts["${AC1}"].hipaaEnable`, /^unknown field \(did you mean "hipaaEnabled"\? /],
    [{ ...BASE, tenants: [{ tenantId: "1", polcy: "p" }] }, "tenants[0].polcy", /^unknown field \(did you mean "policy"\? /],
    [{ ...BASE, tenants: [{ tenantId: "1", complianceSettings: { dataRetentionDay: 1 } }] }, "tenants[0].complianceSettings.dataRetentionDay",
      /^unknown field \(did you mean "dataRetentionDays"\? /],
    [{ ...BASE, policies: { p: { keep: ["a"], embeddedJSON: ["a"] } } }, 'policies["p"].embeddedJSON', /^unknown field \(did you mean "embeddedJson"\? /],
    [{ ...BASE, policies, defaultPolicy: "my-polcy" }, "defaultPolicy", /^unknown policy "my-polcy" \(did you mean "my-policy"\? expected a name from "policies"/],
    [{ ...BASE, accounts: { [AC1]: { policy: "flex-insight-hipaa" } } }, `accounts["${AC1}"].policy`, /^unknown policy "flex-insight-hipaa" \(did you mean "flex-insights-hipaa"\? /],
    [{ ...BASE, tenants: [{ tenantId: "1", policy: "cticloud-end-of-cal@1" }] }, "tenants[0].policy", /^unknown policy "cticloud-end-of-cal@1" \(did you mean "cticloud-end-of-call@1"\? /],
    [{ ...BASE, defaultPolicy: "Flex-Insights-HIPAA" }, "defaultPolicy", /^unknown policy "Flex-Insights-HIPAA" \(did you mean "flex-insights-hipaa"\? /],
  ];
  for (const [value, path, expected] of cases) await refusedAt(value, path, expected);
  // nothing close: no suggestion
  for (const [value, path] of [[{ ...BASE, colour: 1 }, "colour"], [{ ...BASE, defaultPolicy: "x" }, "defaultPolicy"],
    [{ ...BASE, policies, accounts: { [AC1]: { policy: "hipaa" } } }, `accounts["${AC1}"].policy`]]) {
    const error = await refusedAt(value, path, /^unknown /);
    assert.not.match(error.message, /did you mean/);
  }
});

test("closest: within a third of the name's length, case-only differences always, ties to the first", () => {
  assert.is(editDistance("kep", "keep"), 1);
  assert.is(editDistance("", "abc"), 3);
  assert.is(editDistance("kitten", "sitting"), 3);
  assert.is(closest("kep", ["name", "keep"]), "keep");
  assert.is(closest("KEEP", ["keep"]), "keep");
  assert.is(closest("x", ["keep", "name"]), undefined);
  assert.is(closest("keep", ["keep"]), undefined, "the word itself is no suggestion");
  assert.is(closest("abcdef", ["abcxyz"]), undefined, "3 edits in 6 characters is too far");
  assert.is(closest("abcdef", ["abcdxy"]), "abcdxy", "2 edits in 6 characters is close");
  assert.is(closest("ab", ["ax", "ay"]), "ax");
});

test("a bad policy inside \"policies\" is reported at the JSON path of its bad entry", async () => {
  const at = (spec) => ({ ...BASE, policies: { "my-policy": spec } });
  await refusedAt(at({ keep: ["EventType", "a..b"] }), 'policies["my-policy"].keep[1]', /^bad path "a\.\.b": empty key at character 3/);
  await refusedAt(at({ keep: ["EventType"], kep: [] }), 'policies["my-policy"].kep', /^unknown field \(did you mean "keep"\? expected one of: name, description, keep, embeddedJson, detect\)$/);
  await refusedAt(at({ keep: ["EventType"], "odd.field": 1 }), 'policies["my-policy"]["odd.field"]', /^unknown field/);
  await refusedAt(at({ embeddedJson: [] }), 'policies["my-policy"].keep', /^missing/);
  await refusedAt(at({ keep: [] }), 'policies["my-policy"].keep', /^expected at least one path, found an empty array/);
  await refusedAt(at({ keep: ["a", 5] }), 'policies["my-policy"].keep[1]', /^expected a path string, found a number$/);
  await refusedAt(at({ keep: ["a"], embeddedJson: ["b"] }), 'policies["my-policy"].embeddedJson[0]', /would select nothing/);
  await refusedAt(at("EventType"), 'policies["my-policy"]', /^expected a policy: a JSON object with a "keep" array, found a string$/);
  await refusedAt(at({ keep: ["a"], description: 5 }), 'policies["my-policy"].description', /^expected a string, found a number$/);
  await refusedAt(at({ keep: ["a"], name: "other" }), 'policies["my-policy"].name', /^expected "my-policy" \(the key in "policies" names the policy\) or no name, found "other"$/);
  // a name equal to the key is fine
  const ok = await load(at({ name: "my-policy", keep: ["a"] }));
  assert.is(ok.policies.get("my-policy").name, "my-policy");
});

test("a bad policy is not also reported as an unknown name where it is used", async () => {
  const error = await refusal(load({ ...BASE, defaultPolicy: "p", policies: { p: { keep: [] } }, accounts: { [AC1]: { hipaaEnabled: true, policy: "p" } } }));
  assert.equal(error.problems.map((p) => p.path), ['policies["p"].keep']);
});

test("policy names may not contain \"@\" nor be a preset's name", async () => {
  await refusedAt({ ...BASE, policies: { "mine@2": MY_POLICY } }, 'policies["mine@2"]', /^a policy name may not contain "@"/);
  for (const name of ["flex-insights-hipaa", "flex-insights-hipaa-eventstreams", "cticloud-end-of-call"]) {
    await refusedAt({ ...BASE, policies: { [name]: MY_POLICY } }, `policies["${name}"]`, /^a policy name may not be a preset's name \(presets: flex-insights-hipaa, flex-insights-hipaa-eventstreams, cticloud-end-of-call\); choose another name$/);
  }
  await refusedAt({ ...BASE, policies: { "": MY_POLICY } }, 'policies[""]', /^expected a non-empty policy name$/);
});

test("duplicate accounts: twice in tenants, or in both accounts and tenants", async () => {
  await refusedAt({ ...BASE, tenants: [{ tenantId: "7001234" }, { tenantId: "7001234", complianceSettings: { hipaaEnabled: true } }] },
    "tenants[1].tenantId", /^duplicate account "7001234" \(already configured at tenants\[0\]\); each account may appear only once$/);
  await refusedAt({ ...BASE, accounts: { "7001234": { hipaaEnabled: true } }, tenants: [{ tenantId: "7001234" }] },
    "tenants[0].tenantId", /^duplicate account "7001234" \(already configured at accounts\["7001234"\]\)/);
  // even when the first entry is itself malformed
  await refusal(load({ ...BASE, accounts: { X: 1 }, tenants: [{ tenantId: "X" }] })).then((e) =>
    assert.equal(e.problems.map((p) => p.path), ['accounts["X"]', "tenants[0].tenantId"]));
});

test("repeated keys in the file are refused wherever they stand (JSON.parse would keep the last silently)", async () => {
  await refusedAt(`{"accountKey":"AccountSid","accounts":{"${AC1}":{"hipaaEnabled":true},\n"${AC1}":{"hipaaEnabled":false}}}`,
    `accounts["${AC1}"]`, /^key appears more than once in its object \(at line 1, column 40 and line 2, column 1\); each key may appear only once$/);
  await refusedAt('{"accountKey":"AccountSid","tenants":[{"tenantId":"1","complianceSettings":{"hipaaEnabled":true,"hipaaEnabled":false}}]}',
    "tenants[0].complianceSettings.hipaaEnabled", /^key appears more than once/);
  await refusedAt('{"accountKey":"AccountSid","accountKey":"TaskSid"}', "accountKey", /^key appears more than once/);
  await refusedAt('{"accountKey":"A","policies":{"p":{"keep":["a"],"keep":["b"]}}}', 'policies["p"].keep', /^key appears more than once/);
});

test("accountKey: missing, bad syntax, or a \"*\" segment", async () => {
  await refusedAt({}, "accountKey", /^missing \(expected the path to the account id in each event, e\.g\. "AccountSid"/);
  await refusedAt({ accountKey: "data..account_sid" }, "accountKey", /^bad path "data\.\.account_sid": empty key at character 6/);
  await refusedAt({ accountKey: "" }, "accountKey", /^bad path "": empty path$/);
  await refusedAt({ accountKey: "data.*.account_sid" }, "accountKey", /^bad path "data\.\*\.account_sid": "\*" is not allowed here/);
  await refusedAt({ accountKey: "*" }, "accountKey", /"\*" is not allowed here/);
  await refusedAt({ accountKey: 'a["b' }, "accountKey", /^bad path "a\[\\"b": unterminated string/);
});

test("text that is not JSON: one problem, at the strict reader's line and column", async () => {
  const cases = [
    ['{"accountKey": "AccountSid",}', "line 1, column 29", /^not valid JSON: expected a key in double quotes, found "}"$/],
    ['{\n  "accountKey": "AccountSid"\n  "accounts": {}\n}', "line 3, column 3", /^not valid JSON: expected "," or "}", found "\\""$/],
    ['{"accountKey": "AccountSid", "accounts": {', "line 1, column 43", /^not valid JSON: expected a key in double quotes, found the end of the text$/],
    ['{"accountKey": 01}', "line 1, column 17", /^not valid JSON: invalid number/],
    ['{"accountKey": "a\tb"}', "line 1, column 18", /^not valid JSON: control character in a string \(escape it\)$/],
    ['{"accountKey": "\\x"}', "line 1, column 17", /^not valid JSON: invalid escape/],
    ['{"accountKey": "AccountSid"} x', "line 1, column 30", /^not valid JSON: expected the end of the text after the top-level value, found "x"$/],
    ["", "line 1, column 1", /^not valid JSON: expected a value, found the end of the text$/],
    ["{'accountKey': 1}", "line 1, column 2", /^not valid JSON: expected a key in double quotes, found "'"$/],
    ["[".repeat(300), "line 1, column 257", /^not valid JSON: nested deeper than 256 levels/],
  ];
  for (const [text, at, expected] of cases) {
    const error = await refusedAt(text, at, expected);
    assert.is(error.message.split("\n").length, 1);
  }
});

test("a leading byte order mark is ignored; the digest does not depend on it", async () => {
  const text = JSON.stringify({ accountKey: "AccountSid", accounts: { [AC1]: { hipaaEnabled: true } } });
  const a = await parse(text);
  const b = await parse("\ufeff" + text);
  assert.is(a.digest, b.digest);
  assert.equal([...b.accounts], [...a.accounts]);
});

test("every problem is reported together, one line each, in one ConfigError", async () => {
  const text = JSON.stringify({
    accountKey: "data.*.sid",                                              // 1
    unknownAccount: "ignore",                                              // 2
    defaultPolicy: "nope",                                                 // 3
    extra: true,                                                           // 4
    policies: {
      "p@1": MY_POLICY,                                                    // 5
      good: { keep: ["a", "b..c"] },                                       // 6
    },
    accounts: {
      [AC1]: { hipaaEnabled: "yes", policy: "missing", note: "x" },        // 7, 8, 9
      [AC2]: { hipaaEnabled: true },
    },
    tenants: [
      { tenantId: AC2, complianceSettings: { hipaaEnabled: 1, region: "us" } }, // 10, 11, 12
      { tenantId: 42 },                                                    // 13
    ],
  }).replace('"extra":true', '"extra":true,"extra":false');               // 14
  const error = await refusal(parse(text));
  assert.equal(error.problems.map((p) => p.path), [
    "extra",
    "extra",
    "accountKey",
    "unknownAccount",
    'policies["p@1"]',
    'policies["good"].keep[1]',
    "defaultPolicy",
    `accounts["${AC1}"].note`,
    `accounts["${AC1}"].hipaaEnabled`,
    `accounts["${AC1}"].policy`,
    "tenants[0].complianceSettings.region",
    "tenants[0].complianceSettings.hipaaEnabled",
    "tenants[0].tenantId",
    "tenants[1].tenantId",
  ]);
  assert.match(error.problems[0].expected, /^key appears more than once/);
  assert.match(error.problems[1].expected, /^unknown field/);
  assert.is(error.message.split("\n").length, 14);
  for (const line of error.message.split("\n")) assert.ok(line.startsWith(`${SOURCE}: `), line);
});

test("a bad file never half-loads: the load rejects, returns nothing, and leaves later loads unaffected", async () => {
  const good = { accountKey: "AccountSid", accounts: { [AC1]: { hipaaEnabled: true } } };
  const before = await load(good);
  let settled = "pending";
  const bad = { ...good, accounts: { ...good.accounts, [AC2]: { hipaaEnabled: true, policy: "nope" } } };
  await load(bad).then(() => (settled = "resolved"), (e) => (settled = e));
  assert.instance(settled, ConfigError);
  assert.not.ok("config" in settled || "accounts" in settled, "the error carries no partial configuration");
  const after = await load(good);
  assert.is(after.digest, before.digest);
  assert.equal([...after.accounts], [...before.accounts]);
  // the input object is not modified
  assert.equal(bad.accounts[AC2], { hipaaEnabled: true, policy: "nope" });
});

// ------------------------------------------------------------------ digest

function sha256(text) {
  return "sha256:" + createHash("sha256").update(text, "utf8").digest("hex");
}

test("digest: sha256 of the canonical JSON (keys sorted at every level), independent of layout", async () => {
  const value = { unknownAccount: "pass", accountKey: "AccountSid", accounts: { [AC2]: { policy: "flex-insights-hipaa", hipaaEnabled: true }, [AC1]: {} }, tenants: [{ tenantId: "é7", complianceSettings: { hipaaEnabled: false } }] };
  const canonical = `{"accountKey":"AccountSid","accounts":{"${AC1}":{},"${AC2}":{"hipaaEnabled":true,"policy":"flex-insights-hipaa"}},` +
    '"tenants":[{"complianceSettings":{"hipaaEnabled":false},"tenantId":"é7"}],"unknownAccount":"pass"}';
  assert.is(canonicalJson(value), canonical);
  const config = await load(value);
  assert.is(config.digest, sha256(canonical));
  const spaced = await parse(JSON.stringify(value, null, 2).replace('"é7"', '"\\u00e97"'));
  assert.is(spaced.digest, config.digest, "whitespace, escapes and key order do not change the digest");
  const changed = await load({ ...value, unknownAccount: "filter" });
  assert.is.not(changed.digest, config.digest);
  assert.is(canonicalJson([1, "a", null, true, { b: 1, a: [] }]), '[1,"a",null,true,{"a":[],"b":1}]');
});

test("library modules outside the CLI use no Node built-ins (they run in browsers and workerd)", () => {
  const dist = fileURLToPath(new URL("../dist/", import.meta.url));
  // The exceptions: the engine loader that package.json's "imports" give Node alone (the "node"
  // condition of #wasm-loader), and the pool's threads module and worker entry (the "node" condition of
  // #pool-threads; createFilterPool elsewhere says it needs Node). test/bundle.test.js shows browser and
  // workerd bundles never reach them.
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  const nodeOnly = join(pkg.imports["#wasm-loader"].node);
  assert.is(nodeOnly, join("dist/engine/wasm-loader-node.js"));
  const poolOnly = [join(pkg.imports["#pool-threads"].node), join("dist/pool/worker.js")];
  // dist/cli and dist/bin (the CLI bundled, its executable) are the CLI's.
  const files = readdirSync(dist, { recursive: true })
    .filter((f) => f.endsWith(".js") && !f.startsWith("cli") && !f.startsWith("bin") && join("dist", f) !== nodeOnly && !poolOnly.includes(join("dist", f)));
  assert.ok(files.length >= 15, `library modules found: ${files.length}`);
  for (const file of files) {
    const source = readFileSync(join(dist, file), "utf8");
    assert.not.match(source, /from "node:|import\("node:|require\(|from "(fs|crypto|path|os|buffer)"|Buffer|process\./, file);
    assert.not.match(source, /from "[./]*(pool\/)?worker\.js"/, `${file} imports the pool's worker entry`);
  }
});

test.run();
