// A wrong configuration does not fail, it filters: a misspelled accountKey or the wrong preset gives
// "9 kept" and nine {}. The summary and --stats-json count events that came out empty, events without an
// account id and events of unknown accounts, and a warning names the likely mistake when most events of a
// run are affected. Never with event content.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import {
  PHI, TASKROUTER_PHI, cliAsync, cticloudReport, lines, taskRouterEvent, taskRouterLines, tempDir,
} from "./support/cli-run.js";

const T = tempDir("misconfiguration");
const EVENTS = taskRouterLines().join("\n") + "\n"; // nine TaskRouter callbacks of one HIPAA account
const WARNING = /^hipaa-sieve: warning: /;

function accounts(name, settings) {
  return T.write(name, { accountKey: "AccountSid", accounts: { ACHIPAA: { hipaaEnabled: true } }, ...settings });
}

/** Checks that nothing of the events shows on stderr. */
function assertNoContent(stderr) {
  for (const marker of [...PHI, ...TASKROUTER_PHI, "AC5f1e0c2a9b8d47e3a6c4f2b1d0e9a8c7", "ACSTRANGER", "task.created"]) {
    assert.not.ok(stderr.includes(marker), `event content on stderr: ${marker}`);
  }
}

test("the wrong preset: every kept event is {}; counted, and a warning asks about --preset", async () => {
  const stats = T.file("preset.stats.json");
  const r = await cliAsync(["filter", "--preset", "cticloud-end-of-call", "--stats-json", stats], { input: EVENTS });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, "{}\n".repeat(9));
  assert.equal(lines(r.stderr), [
    "hipaa-sieve: 9 events in, 9 kept, 0 rejected; 9 came out empty ({})",
    "hipaa-sieve: warning: 9 of 9 kept events came out empty ({}): is --preset right for these events?",
  ]);
  const doc = JSON.parse(readFileSync(stats, "utf8"));
  assert.equal([doc.kept, doc.filtered, doc.empty], [9, 9, 9]);
  assert.not.ok("missingAccountId" in doc, "no account counts without --accounts");
});

test("a policy file that fits no event: the warning names --policy", async () => {
  const policy = T.write("wrong-policy.json", { keep: ["callId", "disposition"] });
  const r = await cliAsync(["filter", "--policy", policy], { input: EVENTS });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /\nhipaa-sieve: warning: 9 of 9 kept events came out empty \(\{\}\): is --policy right for these events\?\n$/);
});

test("a misspelled accountKey: no event has an account id; counted apart from unknown accounts, and a warning", async () => {
  const config = accounts("misspelled.json", { accountKey: "AcountSid" });
  const stats = T.file("misspelled.stats.json");
  const input = EVENTS + taskRouterEvent("ACSTRANGER", 0) + "\n";
  const r = await cliAsync(["filter", "--accounts", config, "--stats-json", stats], { input });
  assert.is(r.status, 0, r.stderr);
  assert.equal(lines(r.stderr), [
    "hipaa-sieve: 10 events in, 10 kept (10 filtered, 0 passed through), 0 rejected; 10 without an account id",
    "hipaa-sieve: account (no account id): 10 events, 10 filtered, 0 passed through, 0 rejected",
    'hipaa-sieve: warning: 10 of 10 events have no account id at "AcountSid": is accountKey right?',
  ]);
  const doc = JSON.parse(readFileSync(stats, "utf8"));
  assert.equal([doc.events, doc.missingAccountId, doc.unconfiguredAccount, doc.empty], [10, 10, 0, 0]);
  assertNoContent(r.stderr);
});

test("accounts whose policy keeps nothing of these events: the warning asks about the accounts' policies", async () => {
  const config = accounts("empty-policy.json", {
    policies: { "call-reports": { keep: ["callId"] } },
    accounts: { ACHIPAA: { hipaaEnabled: true, policy: "call-reports" }, ACPLAIN: { hipaaEnabled: false } },
  });
  const input = [0, 1, 2, 3, 4, 5].map((i) => taskRouterEvent("ACHIPAA", i)).join("\n") + "\n" + taskRouterEvent("ACPLAIN", 0) + "\n";
  const r = await cliAsync(["filter", "--accounts", config], { input });
  assert.is(r.status, 0, r.stderr);
  assert.equal(lines(r.stderr), [
    "hipaa-sieve: 7 events in, 7 kept (6 filtered, 1 passed through), 0 rejected; 6 came out empty ({})",
    "hipaa-sieve: account ACHIPAA: 6 events, 6 filtered, 0 passed through, 0 rejected",
    "hipaa-sieve: account ACPLAIN: 1 event, 0 filtered, 1 passed through, 0 rejected",
    "hipaa-sieve: warning: 6 of 6 filtered events came out empty ({}): are the accounts' policies right for these events?",
  ]);
  assertNoContent(r.stderr);
});

test("events of accounts not configured are counted; a few odd events or half of them give no warning", async () => {
  const config = accounts("few.json", { unknownAccount: "filter" });
  const cases = [
    // [input lines, first summary line, warnings]
    [[taskRouterEvent("ACSTRANGER", 0), taskRouterEvent("ACHIPAA", 1)], "2 events in, 2 kept (2 filtered, 0 passed through), 0 rejected; 1 of unknown accounts (not configured, or not read)", 0],
    // Four events, all without an account id: too few to tell.
    [Array.from({ length: 4 }, () => '{"EventType":"task.created"}'), "4 events in, 4 kept (4 filtered, 0 passed through), 0 rejected; 4 without an account id", 0],
    // Exactly half: no warning; one more than half: a warning.
    [[...Array.from({ length: 3 }, () => '{"EventType":"x"}'), ...[0, 1, 2].map((i) => taskRouterEvent("ACHIPAA", i))], "6 events in, 6 kept (6 filtered, 0 passed through), 0 rejected; 3 without an account id", 0],
    [[...Array.from({ length: 4 }, () => '{"EventType":"x"}'), ...[0, 1, 2].map((i) => taskRouterEvent("ACHIPAA", i))], "7 events in, 7 kept (7 filtered, 0 passed through), 0 rejected; 4 without an account id", 1],
  ];
  const results = await Promise.all(cases.map(([input]) => cliAsync(["filter", "--accounts", config], { input: input.join("\n") + "\n" })));
  results.forEach((r, i) => {
    const [, first, warnings] = cases[i];
    assert.is(r.status, 0, r.stderr);
    assert.is(lines(r.stderr)[0], `hipaa-sieve: ${first}`, `case ${i}`);
    assert.is(lines(r.stderr).filter((l) => WARNING.test(l)).length, warnings, `case ${i}: ${r.stderr}`);
    assertNoContent(r.stderr);
  });
});

test("a few empty outputs among many: counted, no warning", async () => {
  const input = [...Array.from({ length: 3 }, (_, i) => cticloudReport("1", i)), '{"other":1}', '{"other":2}'].join("\n") + "\n";
  const r = await cliAsync(["filter", "--preset", "cticloud-end-of-call"], { input });
  assert.is(r.status, 0, r.stderr);
  assert.equal(lines(r.stderr), ["hipaa-sieve: 5 events in, 5 kept, 0 rejected; 2 came out empty ({})"]);
});

test.after(() => T.cleanup());

test.run();
