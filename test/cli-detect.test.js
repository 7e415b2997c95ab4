// PHI detection end to end through the CLI: `filter` with a detect section (the --errors line names the
// detector and the kept path, the summary and --stats-json count per path), detect sections in accounts files
// (for all, per account, their precedence), and `scan`. No value a detector hit ever reaches stderr, --errors,
// --stats-json or scan's report.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { cli, tempDir } from "./support/cli-run.js";

const T = tempDir("detect");
const PHONE = "503-555-0147";
const EMAIL = "maria.gonzalez@example.com";

/** A TaskRouter-like event, TaskAttributes as a JSON string, `conversations` as given. */
const event = (account, conversations, extra = {}) =>
  JSON.stringify({ EventType: "task.created", AccountSid: account, TaskAttributes: JSON.stringify({ conversations }), ...extra });

const EVENTS = [
  event("AC1", { content: `call back at ${PHONE}`, queue: "Scheduling" }),
  event("AC1", { external_contact: EMAIL, case: "CS-48213" }),
  event("AC2", { content: "all good", case: PHONE }),
  event("AC3", { content: PHONE }),
  event("AC1", { content: "all good", queue: "Billing" }),
].join("\n") + "\n";
const input = T.write("events.ndjson", EVENTS);

const POLICY = {
  keep: ["EventType", "AccountSid", "TaskAttributes.conversations.content", "TaskAttributes.conversations.external_contact",
    "TaskAttributes.conversations.case", "TaskAttributes.conversations.queue"],
  embeddedJson: ["TaskAttributes"],
};

/** Nothing any detector hit appears in `text`. */
function noValues(text, where) {
  for (const v of [PHONE, EMAIL, "5035550147"]) assert.not.ok(text.includes(v), `${where} shows a value: ${text}`);
}

test("filter, reject: --errors names detector and path; the summary and --stats-json count; no value anywhere", () => {
  const policy = T.write("reject.json", { ...POLICY, detect: { action: "reject" } });
  const errors = T.file("errors.ndjson");
  const stats = T.file("stats.json");
  const r = cli(["filter", "--policy", policy, "--input", input, "--errors", errors, "--stats-json", stats]);
  assert.is(r.status, 0, r.stderr);
  const kept = r.stdout.trim().split("\n");
  assert.is(kept.length, 1, "only the event without PHI is kept");
  assert.ok(kept[0].includes("Billing"));
  const rejections = readFileSync(errors, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(rejections.map((x) => [x.line, x.code, x.detector, x.path]), [
    [1, "PHI_DETECTED", "phone", "TaskAttributes.conversations.content"],
    [2, "PHI_DETECTED", "email", "TaskAttributes.conversations.external_contact"],
    [3, "PHI_DETECTED", "phone", "TaskAttributes.conversations.case"],
    [4, "PHI_DETECTED", "phone", "TaskAttributes.conversations.content"],
  ]);
  assert.match(r.stderr, /5 events in, 1 kept, 4 rejected \(PHI_DETECTED 4\)/);
  assert.match(r.stderr, /detected phone at TaskAttributes\.conversations\.content: 2 values \(reject, policy policy\)/);
  const doc = JSON.parse(readFileSync(stats, "utf8"));
  assert.equal(doc.detections.map((d) => `${d.path}|${d.detector}|${d.count}|${d.action}`), [
    "TaskAttributes.conversations.case|phone|1|reject",
    "TaskAttributes.conversations.content|phone|2|reject",
    "TaskAttributes.conversations.external_contact|email|1|reject",
  ]);
  for (const [what, text] of [["stderr", r.stderr], ["errors", readFileSync(errors, "utf8")], ["stats", readFileSync(stats, "utf8")]]) noValues(text, what);
});

test("filter, redact: values replaced by their detector's placeholder inside the embedded document", () => {
  const policy = T.write("redact.json", { ...POLICY, detect: { action: "redact" } });
  const r = cli(["filter", "--policy", policy, "--input", input]);
  assert.is(r.status, 0, r.stderr);
  const out = r.stdout.trim().split("\n").map((l) => JSON.parse(JSON.parse(l).TaskAttributes).conversations);
  assert.equal(out, [
    { content: "[phone]", queue: "Scheduling" }, { external_contact: "[email]", case: "CS-48213" },
    { content: "all good", case: "[phone]" }, { content: "[phone]" }, { content: "all good", queue: "Billing" },
  ]);
  noValues(r.stdout + r.stderr, "redact run");
});

test("accounts: the file's detect for all, an account's own detect instead, a policy's own section first", () => {
  const accounts = T.write("accounts.json", {
    accountKey: "AccountSid",
    defaultPolicy: "own",
    policies: { own: POLICY, strict: { ...POLICY, detect: { detectors: ["email"], action: "reject" } } },
    detect: { action: "count", exempt: ["TaskAttributes.conversations.case", "Nowhere.at.all"] },
    accounts: {
      AC1: { hipaaEnabled: true },
      AC2: { hipaaEnabled: true, detect: { detectors: ["phone"], action: "redact" } },
      AC3: { hipaaEnabled: true, policy: "strict" },
    },
  });
  const stats = T.file("accounts-stats.json");
  const r = cli(["filter", "--accounts", accounts, "--input", input, "--stats-json", stats]);
  assert.is(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.is(lines.length, 5, "nothing rejected: AC3's policy detects only email");
  assert.ok(lines[2].includes("[phone]"), "AC2 redacts its case field (the file's exemption is not AC2's)");
  assert.ok(lines[0].includes("call back at"), "AC1 counts only");
  const doc = JSON.parse(readFileSync(stats, "utf8"));
  assert.equal(doc.detections.map((d) => `${d.policy}|${d.path}|${d.detector}|${d.action}|${d.count}`), [
    "own+detect|TaskAttributes.conversations.content|phone|count|1",
    "own+detect|TaskAttributes.conversations.external_contact|email|count|1",
    "own+detect[AC2]|TaskAttributes.conversations.case|phone|redact|1",
  ]);
  noValues(r.stderr + readFileSync(stats, "utf8"), "accounts run");
});

test("accounts: detect problems are reported where they are written", () => {
  const bad = T.write("bad-accounts.json", {
    accountKey: "AccountSid",
    detect: { detectors: ["fax"] },
    accounts: {
      AC1: { hipaaEnabled: true, detect: { exempt: ["No.such.path"] } },
      AC2: { hipaaEnabled: false, detect: {} },
    },
  });
  const r = cli(["check-config", bad]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /bad-accounts\.json: detect\.detectors\[0\]: expected a detector name/);
  assert.match(r.stderr, /bad-accounts\.json: accounts\["AC1"\]\.detect\.exempt\[0\]: "No\.such\.path" selects no value the policy keeps/);
  assert.match(r.stderr, /bad-accounts\.json: accounts\["AC2"\]\.detect: an account that is not HIPAA-enabled passes through unfiltered/);
});

test("scan: counts per kept path and detector, text and JSON; the policy's action becomes count", () => {
  const policy = T.write("scan-policy.json", { ...POLICY, detect: { action: "reject", patterns: [{ name: "case", pattern: "CS-\\d{5}" }] } });
  const r = cli(["scan", "--policy", policy, "--input", input]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^5 events scanned, 5 kept, 0 rejected; 5 values hit a detector\n/);
  assert.match(r.stdout, /TaskAttributes\.conversations\.content +phone +2 +policy\n/);
  assert.match(r.stdout, /TaskAttributes\.conversations\.case +case +1 +policy\n/);
  const json = cli(["scan", "--policy", policy, "--input", input, "--json"]);
  const doc = JSON.parse(json.stdout);
  assert.equal(doc.detections.map((d) => `${d.path}|${d.detector}|${d.count}`).sort(), [
    "TaskAttributes.conversations.case|case|1", "TaskAttributes.conversations.case|phone|1",
    "TaskAttributes.conversations.content|phone|2", "TaskAttributes.conversations.external_contact|email|1",
  ]);
  noValues(r.stdout + r.stderr + json.stdout, "scan");
});

test("scan: a preset without detect uses the recommendation (--detect); bad command lines exit 2", () => {
  const r = cli(["scan", "--preset", "flex-insights-hipaa", "--input", input]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /TaskAttributes\.conversations\.content +phone +2 +flex-insights-hipaa@1/);
  for (const args of [["scan", "--input", input], ["scan", "--preset", "flex-insights-hipaa"],
    ["scan", "--preset", "flex-insights-hipaa", "--input", input, "--detect", "nope"]]) {
    const bad = cli(args);
    assert.is(bad.status, 2, `${args.join(" ")}: ${bad.stderr}`);
    assert.is(bad.stderr.trim().split("\n").length, 1);
  }
  const missing = cli(["scan", "--preset", "flex-insights-hipaa", "--input", T.file("missing.ndjson")]);
  assert.is(missing.status, 1);
  assert.match(missing.stderr, /missing\.ndjson/);
});

test("explain: each kept path says which detectors apply there, as the engine resolves exemptions", () => {
  const policy = T.write("explain.json", {
    keep: ["EventType", "Timestamp", "TaskAttributes.conversations.segment_link", "TaskAttributes.customers.*"],
    embeddedJson: ["TaskAttributes"],
    detect: { use: "flex-insights-hipaa", detectors: ["phone", "url", "ssn"], bareSsn: ["TaskAttributes.customers"], action: "count" },
  });
  const r = cli(["explain", "--policy", policy]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /PHI detection: count on a hit; detectors ssn, phone, url; numbers of 9\+ digits scanned too/);
  assert.match(r.stdout, /^EventType {2}\(kept whole; scanned for ssn, phone, url\)$/m);
  assert.match(r.stdout, /^Timestamp {2}\(kept whole; not scanned\)$/m);
  assert.match(r.stdout, /segment_link {2}\(kept whole; scanned for ssn, phone\)$/m);
  assert.match(r.stdout, /\* {2}\(kept whole; scanned for ssn, phone, url \(bare 9-digit SSNs too\)\)$/m);
});

test.after(() => T.cleanup());
test.run();
