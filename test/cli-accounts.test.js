// End-to-end tests of `hipaa-sieve filter --accounts` and `check-config` through a child process: routing
// of HIPAA, non-HIPAA and unknown accounts, the CTICloud tenant form, configuration errors, the summary,
// --stats-json, --audit and --rejects.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chmodSync, existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { compilePolicy, createFilter } from "../dist/index.js";
import { presetPolicy } from "../dist/policy/presets.js";
import {
  EXAMPLES, TASKROUTER_PHI, assertNoPhi, assertUserError, assertUserErrors, cli, cliAsync, cticloudReport,
  escapeRegExp, lines, taskRouterEvent, taskRouterLines, tempDir,
} from "./support/cli-run.js";

const T = tempDir("accounts");
const dec = new TextDecoder();

const MINIMAL = {
  keep: ["EventType", "AccountSid", "TaskAttributes.conversations.queue"],
  embeddedJson: ["TaskAttributes"],
};

function accountsFile(name, unknownAccount) {
  return T.write(name, {
    accountKey: "AccountSid",
    ...(unknownAccount !== undefined ? { unknownAccount } : {}),
    policies: { minimal: MINIMAL },
    accounts: {
      ACHIPAA: { hipaaEnabled: true },
      ACMINIMAL: { hipaaEnabled: true, policy: "minimal" },
      ACPINNED: { hipaaEnabled: true, policy: "flex-insights-hipaa@1" },
      ACPLAIN: { hipaaEnabled: false },
      ACDEFAULT: {},
    },
  });
}

/** Input lines, each with the account it belongs to in the summary and what should happen to it. */
function routingInput() {
  const events = [];
  const add = (line, account, kind) => events.push({ line, account, kind });
  for (let i = 0; i < 9; i++) {
    add(taskRouterEvent("ACHIPAA", i), "ACHIPAA", "flex");
    add(taskRouterEvent("ACMINIMAL", i), "ACMINIMAL", "minimal");
    add(taskRouterEvent("ACPINNED", i), "ACPINNED", "flex");
    add(taskRouterEvent("ACPLAIN", i), "ACPLAIN", "pass");
    add(taskRouterEvent("ACDEFAULT", i), "ACDEFAULT", "pass");
    add(taskRouterEvent("ACSTRANGER", i), "(unknown)", "unknown");
  }
  // Non-HIPAA events come out byte for byte, whitespace and escapes included.
  add('{ "AccountSid" : "ACPLAIN",  "EventType":"task.created", "Note":"caf\\u00e9 \\"x\\"" }', "ACPLAIN", "pass");
  // An account id that is not a string, or no account id at all: unknown, counted apart from ids not configured.
  add('{"AccountSid":42,"EventType":"task.created","WorkerName":"Alice Nguyen"}', "(no account id)", "unknown");
  add('{"EventType":"task.created","WorkerName":"Alice Nguyen"}', "(no account id)", "unknown");
  // Malformed events are rejected whatever the account.
  add('{"AccountSid":"ACPLAIN","EventType":"task.created","x":[1,2}', "?", "malformed");
  // The account key twice: rejected, even when both say the same.
  add('{"AccountSid":"ACPLAIN","AccountSid":"ACPLAIN","EventType":"task.created"}', "?", "duplicate");
  return events;
}

async function expectations(unknownAccount) {
  const flex = await createFilter(presetPolicy("flex-insights-hipaa"));
  const flex1 = await createFilter(presetPolicy("flex-insights-hipaa@1"));
  const minimal = await createFilter(compilePolicy(MINIMAL, "minimal"));
  const through = (f, line) => {
    const r = f.filterEvent(line);
    assert.ok(r.ok, line);
    return dec.decode(r.output);
  };
  const out = [];
  const rejected = [];
  routingInput().forEach((e, i) => {
    const line = i + 1;
    switch (e.kind) {
      case "flex":
        out.push(through(e.account === "ACPINNED" ? flex1 : flex, e.line));
        break;
      case "minimal":
        out.push(through(minimal, e.line));
        break;
      case "pass":
        out.push(e.line);
        break;
      case "unknown":
        if (unknownAccount === "reject") rejected.push({ line, code: "UNKNOWN_ACCOUNT", offset: 0 });
        else out.push(unknownAccount === "pass" ? e.line : through(flex, e.line));
        break;
      case "malformed":
        rejected.push({ line, code: "UNEXPECTED_BYTE" });
        break;
      case "duplicate":
        rejected.push({ line, code: "DUPLICATE_ACCOUNT_KEY" });
        break;
    }
  });
  return { out, rejected };
}

test("routing: HIPAA accounts filtered by their policy, others byte for byte, unknown ones per unknownAccount", async () => {
  const events = routingInput();
  const input = events.map((e) => e.line).join("\n") + "\n";
  for (const unknownAccount of [undefined, "filter", "reject", "pass"]) {
    const mode = unknownAccount ?? "default";
    const config = accountsFile(`routing-${mode}.json`, unknownAccount);
    const errors = T.file(`routing-${mode}.errors`);
    const r = await cliAsync(["filter", "--accounts", config, "--errors", errors], { input });
    assert.is(r.status, 0, r.stderr);
    const expected = await expectations(unknownAccount ?? "filter");
    assert.equal(lines(r.stdout), expected.out, `output with unknownAccount ${mode}`);
    const rejections = lines(readFileSync(errors, "utf8")).map((l) => JSON.parse(l));
    assert.equal(rejections.map((x) => [x.line, x.code]), expected.rejected.map((x) => [x.line, x.code]));
    if (unknownAccount !== "pass") {
      // Only pass-through events may hold personal data; every filtered one is clean.
      const filteredText = lines(r.stdout).filter((l) => !events.some((e) => e.kind === "pass" && e.line === l)).join("\n");
      assertNoPhi(filteredText, TASKROUTER_PHI);
    }
  }
});

test("summary and --stats-json: kept, passed through, rejected by code, per configured account", () => {
  const events = routingInput();
  const input = events.map((e) => e.line).join("\n") + "\n";
  const config = accountsFile("summary.json", "reject");
  const stats = T.file("summary.stats.json");
  const r = cli(["filter", "--accounts", config, "--stats-json", stats], { input });
  assert.is(r.status, 0, r.stderr);
  assert.equal(lines(r.stderr), [
    "hipaa-sieve: 59 events in, 46 kept (27 filtered, 19 passed through), 13 rejected (DUPLICATE_ACCOUNT_KEY 1, UNEXPECTED_BYTE 1, UNKNOWN_ACCOUNT 11); 2 without an account id, 10 of unknown accounts (not configured, or not read)",
    "hipaa-sieve: account ACDEFAULT: 9 events, 0 filtered, 9 passed through, 0 rejected",
    "hipaa-sieve: account ACHIPAA: 9 events, 9 filtered, 0 passed through, 0 rejected",
    "hipaa-sieve: account ACMINIMAL: 9 events, 9 filtered, 0 passed through, 0 rejected",
    "hipaa-sieve: account ACPINNED: 9 events, 9 filtered, 0 passed through, 0 rejected",
    // The malformed event names its account before the error; the one with the account key twice has none.
    "hipaa-sieve: account ACPLAIN: 11 events, 0 filtered, 10 passed through, 1 rejected",
    "hipaa-sieve: account (unknown): 10 events, 0 filtered, 0 passed through, 10 rejected",
    "hipaa-sieve: account (no account id): 2 events, 0 filtered, 0 passed through, 2 rejected",
  ]);
  // No account id from the events shows up, only configured ones.
  assert.not.ok(r.stderr.includes("ACSTRANGER"));
  const doc = JSON.parse(readFileSync(stats, "utf8"));
  const check = /(sha256:[0-9a-f]{64})/.exec(cli(["check-config", config]).stdout)[1];
  assert.equal(doc, {
    complete: true,
    events: 59,
    kept: 46,
    filtered: 27,
    passed: 19,
    empty: 0,
    rejected: 13,
    rejectedByCode: { DUPLICATE_ACCOUNT_KEY: 1, UNEXPECTED_BYTE: 1, UNKNOWN_ACCOUNT: 11 },
    missingAccountId: 2,
    unconfiguredAccount: 10,
    accounts: {
      ACDEFAULT: { events: 9, filtered: 0, passed: 9, rejected: 0 },
      ACHIPAA: { events: 9, filtered: 9, passed: 0, rejected: 0 },
      ACMINIMAL: { events: 9, filtered: 9, passed: 0, rejected: 0 },
      ACPINNED: { events: 9, filtered: 9, passed: 0, rejected: 0 },
      ACPLAIN: { events: 11, filtered: 0, passed: 10, rejected: 1 },
      "(unknown)": { events: 10, filtered: 0, passed: 0, rejected: 10 },
      "(no account id)": { events: 2, filtered: 0, passed: 0, rejected: 2 },
    },
    lines: 59,
    bytesIn: Buffer.byteLength(input),
    bytesOut: r.out.length,
    format: "ndjson",
    configuration: { kind: "accounts", file: config, digest: check, reloads: 0 },
  });
});

test("--stats-json with --policy and --preset: no per-account counts", () => {
  const stats = T.file("policy.stats.json");
  const r = cli(["filter", "--policy", "examples/policy.json", "--input", "examples/events.ndjson", "--stats-json", stats]);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, "hipaa-sieve: 10 events in, 9 kept, 1 rejected (UNEXPECTED_END 1)\n");
  const doc = JSON.parse(readFileSync(stats, "utf8"));
  assert.equal(Object.keys(doc), ["complete", "events", "kept", "filtered", "passed", "empty", "rejected", "rejectedByCode", "lines", "bytesIn", "bytesOut", "format", "configuration"]);
  assert.equal([doc.complete, doc.events, doc.kept, doc.filtered, doc.passed, doc.empty, doc.rejected], [true, 10, 9, 9, 0, 0, 1]);
  assert.equal(doc.configuration, { kind: "policy", file: "examples/policy.json", name: "flex-insights-hipaa-example" });
  const preset = cli(["filter", "--preset", "cticloud-end-of-call", "--stats-json", stats], { input: cticloudReport("1") + "\n" });
  assert.is(preset.status, 0, preset.stderr);
  assert.equal(JSON.parse(readFileSync(stats, "utf8")).configuration, { kind: "preset", preset: "cticloud-end-of-call@1" });
});

test("CTICloud tenant form: tenants' complianceSettings.hipaaEnabled, pinned preset, unknown tenants filtered", () => {
  const config = join(EXAMPLES, "cticloud-tenants.json");
  const reports = [cticloudReport("7001234", 1), cticloudReport("7002345", 2), cticloudReport("7005678", 3), cticloudReport("7009999", 4)];
  const r = cli(["filter", "--accounts", config], { input: reports.join("\n") + "\n" });
  assert.is(r.status, 0, r.stderr);
  const out = lines(r.stdout);
  assert.is(out.length, 4);
  const fields = ["callId", "startTime", "endTime", "duration", "agentId", "queueId", "disposition", "containedPHI"];
  for (const i of [0, 1, 3]) {
    assert.equal(Object.keys(JSON.parse(out[i])), fields, `report ${i} keeps exactly the non-PHI fields`);
    assertNoPhi(out[i]);
  }
  assert.is(JSON.parse(out[0]).callId, "call_1");
  assert.is(out[2], reports[2], "a tenant without HIPAA passes through unchanged");
  assert.equal(lines(r.stderr), [
    "hipaa-sieve: 4 events in, 4 kept (3 filtered, 1 passed through), 0 rejected; 1 of unknown accounts (not configured, or not read)",
    "hipaa-sieve: account 7001234: 1 event, 1 filtered, 0 passed through, 0 rejected",
    "hipaa-sieve: account 7002345: 1 event, 1 filtered, 0 passed through, 0 rejected",
    "hipaa-sieve: account 7005678: 1 event, 0 filtered, 1 passed through, 0 rejected",
    "hipaa-sieve: account (unknown): 1 event, 1 filtered, 0 passed through, 0 rejected",
  ]);
});

test("the example accounts file routes the example events", () => {
  const r = cli(["filter", "--accounts", "examples/accounts.json", "--input", "examples/events.ndjson"]);
  assert.is(r.status, 0, r.stderr);
  assert.equal(lines(r.stderr), [
    "hipaa-sieve: 10 events in, 9 kept (9 filtered, 0 passed through), 1 rejected (UNEXPECTED_END 1)",
    "hipaa-sieve: account AC5f1e0c2a9b8d47e3a6c4f2b1d0e9a8c7: 10 events, 9 filtered, 0 passed through, 1 rejected",
  ]);
  assertNoPhi(r.stdout, TASKROUTER_PHI);
});

// ---------------------------------------------------------------------------------------------
// --rejects and --audit

test("--rejects: the raw bytes of rejected events, one per line; none for too-large ones; owner-only file", () => {
  const config = accountsFile("rejects.json", "reject");
  const bad = [
    '{"AccountSid":"ACSTRANGER","PatientName":"PHI-NAME-Kowalski"}',
    '{"AccountSid":"ACPLAIN","x":tru}\r',
    '{"AccountSid":"ACHIPAA","TaskAttributes":"{\\"name\\": nope}"}',
  ];
  const input = [
    taskRouterEvent("ACHIPAA", 0), bad[0], taskRouterEvent("ACPLAIN", 1), bad[1],
    `{"AccountSid":"ACPLAIN","big":"${"x".repeat(5000)}"}`, "", bad[2],
  ].join("\n");
  const rejects = T.write("rejects.ndjson", "an older file, readable by all\n");
  chmodSync(rejects, 0o644);
  const errors = T.file("rejects.errors");
  const r = cli(["filter", "--accounts", config, "--rejects", rejects, "--errors", errors, "--max-event-bytes", "4096"], { input });
  assert.is(r.status, 0, r.stderr);
  assert.equal(lines(readFileSync(errors, "utf8")).map((l) => JSON.parse(l)).map((x) => [x.line, x.code]), [
    [2, "UNKNOWN_ACCOUNT"], [4, "UNEXPECTED_BYTE"], [5, "TOO_LARGE"], [7, "INVALID_EMBEDDED_JSON"],
  ]);
  assert.is(readFileSync(rejects, "utf8"), bad.join("\n") + "\n", "raw lines, CR included, final line given a LF");
  assert.is(statSync(rejects).mode & 0o777, 0o600);
  assert.not.ok(r.stderr.includes("PHI-NAME"));
});

test("--audit: a load record and one change record per account setting, appended run after run", () => {
  const config = accountsFile("audit.json", "filter");
  const audit = T.file("audit.log");
  const events = [taskRouterEvent("ACHIPAA", 0), taskRouterEvent("ACSTRANGER", 1)].join("\n") + "\n";
  for (let run = 1; run <= 2; run++) {
    const r = cli(["filter", "--accounts", config, "--audit", audit], { input: events });
    assert.is(r.status, 0, r.stderr);
  }
  const records = lines(readFileSync(audit, "utf8")).map((l) => JSON.parse(l));
  const digest = /(sha256:[0-9a-f]{64})/.exec(cli(["check-config", config]).stdout)[1];
  const perRun = records.length / 2;
  assert.ok(Number.isInteger(perRun));
  for (const run of [records.slice(0, perRun), records.slice(perRun)]) {
    assert.is(run[0].event, "load");
    assert.is(run[0].digest, digest);
    assert.is(run[0].source, config);
    for (const rec of run) {
      assert.match(rec.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      assert.is(rec.digest, digest);
    }
    const changes = run.filter((x) => x.event === "change").map((x) => [x.account, x.field, x.old, x.new]);
    for (const expected of [
      ["ACHIPAA", "hipaaEnabled", null, true],
      ["ACMINIMAL", "policy", null, "minimal"],
      ["ACPINNED", "policy", null, "flex-insights-hipaa@1"],
      ["ACPLAIN", "hipaaEnabled", null, false],
    ]) {
      assert.ok(changes.some((c) => JSON.stringify(c) === JSON.stringify(expected)), JSON.stringify(expected));
    }
  }
  const text = readFileSync(audit, "utf8");
  assert.not.ok(text.includes("ACSTRANGER"), "no account id from events");
  assertNoPhi(text);
});

// ---------------------------------------------------------------------------------------------
// check-config and configuration errors

test('--audit -: the audit records on standard output when --output is a file', () => {
  const out = T.file("audit-dash.out");
  const r = cli(["filter", "--accounts", accountsFile("audit-dash.json"), "--output", out, "--audit", "-"], { input: taskRouterEvent("ACPLAIN", 0) + "\n" });
  assert.is(r.status, 0, r.stderr);
  const records = lines(r.stdout).map((l) => JSON.parse(l));
  assert.equal(records.map((x) => x.event), ["load", ...Array(records.length - 1).fill("change")]);
  assert.is(readFileSync(out, "utf8"), taskRouterEvent("ACPLAIN", 0) + "\n");
});

test("check-config: one OK line for a valid file", () => {
  const r = cli(["check-config", "examples/accounts.json"]);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, "");
  assert.match(
    r.stdout,
    /^examples\/accounts\.json: OK, 4 accounts \(3 with HIPAA enabled\), 2 policies \([^)]*queue-times-only[^)]*\), default policy flex-insights-hipaa@\d+, unknown accounts: filter, account key AccountSid, sha256:[0-9a-f]{64}\n$/,
  );
  const tenants = cli(["check-config", "examples/cticloud-tenants.json"]);
  assert.is(tenants.status, 0, tenants.stderr);
  assert.match(tenants.stdout, /^examples\/cticloud-tenants\.json: OK, 3 accounts \(2 with HIPAA enabled\), .*account key tenantId, sha256:/);
});

const BAD_CONFIG = {
  accountKey: "AccountSid",
  unknownAccount: "drop",
  policies: { mine: { keep: ["EventType", "a..b"] } },
  accounts: {
    AC1: { hipaaEnabled: "yes" },
    AC2: { hipaaEnabled: true, policy: "no-such-policy" },
    AC3: { hipaaEnabled: true, colour: "blue" },
  },
  tenants: [{ tenantId: "AC1", complianceSettings: { hipaaEnabled: true } }],
};

/** The problems of BAD_CONFIG, in any order: [JSON path, what the message says]. */
const BAD_PROBLEMS = [
  ["unknownAccount", /filter|reject|pass/],
  ['policies(\\.mine|\\["mine"\\])\\.keep\\[1\\]', /a\.\.b/],
  [escapeRegExp('accounts["AC1"].hipaaEnabled'), /true or false|boolean/],
  [escapeRegExp('accounts["AC2"].policy'), /no-such-policy/],
  [escapeRegExp('accounts["AC3"].colour'), /unknown field/],
  [escapeRegExp("tenants[0].tenantId"), /duplicate/],
];

function assertProblems(r, file, status = 1) {
  assert.is(r.status, status, r.stderr);
  assert.is(r.stdout, "");
  assert.not.match(r.stderr, /\n\s+at |internal error/);
  const got = lines(r.stderr);
  assert.is(got.length, BAD_PROBLEMS.length, r.stderr);
  for (const line of got) assert.ok(line.startsWith(`hipaa-sieve: ${file}: `), line);
  for (const [path, what] of BAD_PROBLEMS) {
    const line = got.find((l) => new RegExp(`^hipaa-sieve: ${escapeRegExp(file)}: ${path}: `).test(l));
    assert.ok(line !== undefined, `a line for ${path} in:\n${r.stderr}`);
    assert.match(line, what);
  }
}

test("a bad accounts file: every problem on its own line with its JSON path; nothing created", () => {
  const bad = T.write("bad.json", BAD_CONFIG);
  assertProblems(cli(["check-config", bad]), bad);
  const out = T.file("never.ndjson");
  const audit = T.file("never.audit");
  assertProblems(cli(["filter", "--accounts", bad, "--output", out, "--audit", audit], { input: taskRouterEvent("AC1") + "\n" }), bad);
  assert.not.ok(existsSync(out));
  assert.not.ok(existsSync(audit));
});

test("accounts files that cannot be used: one line each, exit 1", async () => {
  const syntax = T.write("syntax.json", '{"accountKey": "AccountSid",\n  "accounts": {"AC1": {"hipaaEnabled": true},}\n}');
  const repeated = T.write("repeated.json", '{"accountKey":"AccountSid","accounts":{"AC1":{},"AC1":{"hipaaEnabled":true}}}');
  const wildcard = T.write("wildcard.json", { accountKey: "data.*.account_sid" });
  const notObject = T.write("array.json", "[]");
  await assertUserErrors([
    [["check-config", T.file("nope.json")], 1, new RegExp(`cannot read accounts file ${escapeRegExp(JSON.stringify(T.file("nope.json")))}: no such file or directory`)],
    [["filter", "--accounts", T.file("nope.json")], 1, /cannot read accounts file .*: no such file or directory/],
    [["check-config", T.dir], 1, /cannot read accounts file .*: is a directory/],
    [["check-config", syntax], 1, new RegExp(`^hipaa-sieve: ${escapeRegExp(syntax)}: .*(line 2|2:)`)],
    [["check-config", repeated], 1, new RegExp(`${escapeRegExp(repeated)}: .*AC1.*`)],
    [["check-config", wildcard], 1, new RegExp(`${escapeRegExp(wildcard)}: accountKey: `)],
    [["check-config", notObject], 1, new RegExp(`${escapeRegExp(notObject)}: `)],
  ]);
});

test("bad command lines for --accounts and check-config exit 2 with one line", async () => {
  const good = "examples/accounts.json";
  await assertUserErrors([
    [["filter"], 2, /one of --accounts FILE, --policy FILE or --preset NAME is required \(see "hipaa-sieve filter --help"\)/],
    [["filter", "--accounts", good, "--policy", "examples/policy.json"], 2, /options --accounts and --policy cannot be used together/],
    [["filter", "--preset", "flex-insights-hipaa", "--policy", "examples/policy.json"], 2, /options --policy and --preset cannot be used together/],
    [["filter", "--policy", "examples/policy.json", "--watch"], 2, /option --watch needs --accounts FILE/],
    [["filter", "--preset", "flex-insights-hipaa", "--audit", T.file("a.log")], 2, /option --audit needs --accounts FILE/],
    [["filter", "--accounts", "-"], 2, /option --accounts needs a file name, not "-"/],
    [["filter", "--accounts", good, "--audit", "-"], 2, /options --output and --audit would both write to standard output/],
    [["filter", "--accounts", good, "--rejects", "-"], 2, /options --output and --rejects would both write to standard output/],
    [["filter", "--accounts", good, "--stats-json", "-"], 2, /options --output and --stats-json would both write to standard output/],
    [["filter", "--accounts", good, "--rejects", T.file("x"), "--errors", T.file("x")], 2, /options --errors and --rejects name the same file/],
    [["filter", "--accounts", good, "--audit", good], 2, /audit file .* is the same file as the accounts file/],
    [["filter", "--accounts", good, "--format", "csv"], 2, /option --format must be one of ndjson, json-array, got "csv"/],
    [["filter", "--preset", "no-such-preset"], 2, /unknown preset "no-such-preset" \(run "hipaa-sieve presets" for the list\)/],
    [["filter", "--preset", "flex-insights-hipaa@99"], 2, /unknown preset "flex-insights-hipaa@99"/],
    [["check-config"], 2, /missing the accounts FILE to check \(see "hipaa-sieve check-config --help"\)/],
    [["check-config", good, good], 2, /unexpected argument/],
    [["check-config", "--bogus", good], 2, /unknown option --bogus/],
  ]);
  assert.ok(readFileSync(good, "utf8").includes("accountKey"), "the accounts file is untouched");
});

test.after(() => T.cleanup());

test.run();
