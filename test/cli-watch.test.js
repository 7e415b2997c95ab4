// End-to-end tests of `hipaa-sieve filter --accounts FILE --watch --audit FILE`: the test drives the CLI's
// stdin, rewrites the accounts file mid-stream and waits for the audit log to say the change was loaded;
// events written before are treated with the old settings, events written after with the new ones, and
// none is lost or filtered twice.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { CLI, ROOT, lines, tempDir, until } from "./support/cli-run.js";

const T = tempDir("watch");

/** A running CLI whose stdin the test writes. */
function start(args) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  const run = { stdout: "", stderr: "", child };
  child.stdout.setEncoding("utf8").on("data", (d) => (run.stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d) => (run.stderr += d));
  const closed = once(child, "close");
  run.write = async (text) => {
    if (!child.stdin.write(text)) await once(child.stdin, "drain");
  };
  run.end = async () => {
    child.stdin.end();
    const [status] = await closed;
    return status;
  };
  return run;
}

const MINIMAL = { keep: ["AccountSid", "i", "EventType"] };

function config(accounts, unknownAccount = "reject") {
  return { accountKey: "AccountSid", unknownAccount, policies: { minimal: MINIMAL }, accounts };
}

/** Replace the accounts file the way editors and deploy tools do: write a new file, rename it over. */
function replace(path, value) {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2));
  renameSync(tmp, path);
}

function event(account, i) {
  return `{"AccountSid":${JSON.stringify(account)}, "i":${i},"EventType":"task.created","Name":"Pat Doe"}`;
}

function auditRecords(path) {
  return existsSync(path) ? lines(readFileSync(path, "utf8")).map((l) => JSON.parse(l)) : [];
}

/** Wait until the audit log holds a change record matching `match`. */
function untilChange(path, match) {
  return until(() => auditRecords(path).some((r) => r.event === "change" && Object.entries(match).every(([k, v]) => r[k] === v)));
}

test("--watch: a changed accounts file applies from the moment it is loaded; no event lost or filtered twice", async () => {
  const accounts = T.file("swap.json");
  const audit = T.file("swap.audit");
  const errors = T.file("swap.errors");
  const stats = T.file("swap.stats.json");
  replace(accounts, config({ ACSWITCH: { hipaaEnabled: false }, ACOTHER: { hipaaEnabled: true } }));
  const run = start(["filter", "--accounts", accounts, "--watch", "--audit", audit, "--errors", errors, "--stats-json", stats]);

  // Before: ACSWITCH passes through, ACOTHER is filtered by the default preset, ACNEW is unknown (rejected).
  const before = [];
  for (let i = 0; i < 300; i++) before.push(event(["ACSWITCH", "ACOTHER", "ACNEW"][i % 3], i));
  await run.write(before.join("\n") + "\n");
  await until(() => lines(run.stdout).length === 200);

  const next = config({ ACSWITCH: { hipaaEnabled: true, policy: "minimal" }, ACOTHER: { hipaaEnabled: true, policy: "minimal" }, ACNEW: {} });
  replace(accounts, next);
  await untilChange(audit, { account: "ACSWITCH", field: "hipaaEnabled", new: true });

  const after = [];
  for (let i = 300; i < 600; i++) after.push(event(["ACSWITCH", "ACOTHER", "ACNEW"][i % 3], i));
  await run.write(after.join("\n") + "\n");
  const status = await run.end();
  assert.is(status, 0, run.stderr);

  const out = lines(run.stdout);
  assert.is(out.length, 200 + 300, "every event accounted for, once");
  const expected = [];
  for (let i = 0; i < 600; i++) {
    const account = ["ACSWITCH", "ACOTHER", "ACNEW"][i % 3];
    if (i < 300) {
      if (account === "ACSWITCH") expected.push(event(account, i));
      else if (account === "ACOTHER") expected.push(`{"AccountSid":"ACOTHER","EventType":"task.created"}`);
    } else if (account === "ACNEW") {
      expected.push(event(account, i));
    } else {
      expected.push(`{"AccountSid":${JSON.stringify(account)},"i":${i},"EventType":"task.created"}`);
    }
  }
  assert.equal(out, expected);
  const rejected = lines(readFileSync(errors, "utf8")).map((l) => JSON.parse(l));
  assert.equal(rejected.map((r) => [r.line, r.code]), before.map((_, i) => [i + 1, "UNKNOWN_ACCOUNT"]).filter((_, i) => i % 3 === 2));

  const records = auditRecords(audit);
  const loads = records.filter((r) => r.event === "load");
  assert.is(loads.length, 2);
  assert.is(loads[1].previousDigest, loads[0].digest);
  const changes = records.filter((r) => r.event === "change" && r.digest === loads[1].digest).map((r) => [r.account, r.field, r.old, r.new]);
  const other = changes.find((c) => c[0] === "ACOTHER");
  assert.match(other[2], /^flex-insights-hipaa@\d+$/, "ACOTHER used the default preset");
  assert.equal(changes.sort(), [
    ["ACNEW", "hipaaEnabled", null, false],
    ["ACOTHER", "policy", other[2], "minimal"],
    ["ACSWITCH", "hipaaEnabled", false, true],
    ["ACSWITCH", "policy", null, "minimal"],
  ].sort());
  assert.ok(!readFileSync(audit, "utf8").includes("Pat Doe"), "no event content in the audit log");

  const err = lines(run.stderr);
  assert.match(err[0], new RegExp(`^hipaa-sieve: loaded the changed accounts file ".*swap\\.json" \\(${loads[1].digest}\\): 4 account settings changed$`));
  assert.equal(err.slice(1), [
    "hipaa-sieve: 600 events in, 500 kept (300 filtered, 200 passed through), 100 rejected (UNKNOWN_ACCOUNT 100); 100 of unknown accounts (not configured, or not read)",
    "hipaa-sieve: account ACNEW: 100 events, 0 filtered, 100 passed through, 0 rejected",
    "hipaa-sieve: account ACOTHER: 200 events, 200 filtered, 0 passed through, 0 rejected",
    "hipaa-sieve: account ACSWITCH: 200 events, 100 filtered, 100 passed through, 0 rejected",
    "hipaa-sieve: account (unknown): 100 events, 0 filtered, 0 passed through, 100 rejected",
  ]);
  const doc = JSON.parse(readFileSync(stats, "utf8"));
  assert.equal(doc.configuration, { kind: "accounts", file: accounts, digest: loads[1].digest, reloads: 1 });
});

test("--watch: a bad new file keeps the old configuration and is reported; a fixed file is then loaded", async () => {
  const accounts = T.file("bad.json");
  const audit = T.file("bad.audit");
  replace(accounts, config({ ACSWITCH: { hipaaEnabled: false } }, "pass"));
  const run = start(["filter", "--accounts", accounts, "--watch", "--audit", audit]);
  const batch = (from) => Array.from({ length: 100 }, (_, k) => event("ACSWITCH", from + k)).join("\n") + "\n";

  await run.write(batch(0));
  await until(() => lines(run.stdout).length === 100);
  // Written in place, with two problems.
  writeFileSync(accounts, JSON.stringify({ ...config({ ACSWITCH: { hipaaEnabled: "yes" } }), colour: "blue" }));
  await until(() => auditRecords(audit).some((r) => r.event === "error"));
  await run.write(batch(100));
  await until(() => lines(run.stdout).length === 200);
  replace(accounts, config({ ACSWITCH: { hipaaEnabled: true, policy: "minimal" } }, "pass"));
  await untilChange(audit, { account: "ACSWITCH", field: "hipaaEnabled", new: true });
  await run.write(batch(200));
  assert.is(await run.end(), 0, run.stderr);

  const out = lines(run.stdout);
  assert.is(out.length, 300);
  out.forEach((line, i) => {
    if (i < 200) assert.is(line, event("ACSWITCH", i), "old configuration: passed through");
    else assert.is(line, `{"AccountSid":"ACSWITCH","i":${i},"EventType":"task.created"}`, "new configuration: filtered");
  });

  const error = auditRecords(audit).find((r) => r.event === "error");
  const first = auditRecords(audit)[0];
  assert.is(error.digest, first.digest, "the error record names the configuration still in use");
  assert.is(error.source, accounts);
  assert.is(error.problems.length, 2);
  assert.ok(error.problems.some((p) => p.includes("colour") && p.includes("unknown field")));
  assert.ok(error.problems.some((p) => p.includes('accounts["ACSWITCH"].hipaaEnabled')));
  const err = lines(run.stderr);
  const kept = err.filter((l) => l.startsWith("hipaa-sieve: kept the previous configuration: "));
  assert.is(kept.length, 2, run.stderr);
  assert.ok(kept.every((l) => l.includes(`${accounts}: `)));
  assert.ok(err.some((l) => l.startsWith("hipaa-sieve: loaded the changed accounts file")));
  assert.ok(err.includes("hipaa-sieve: 300 events in, 300 kept (100 filtered, 200 passed through), 0 rejected"));
  assert.not.match(run.stderr, /\n\s+at |internal error/);
});

test("--watch: events streaming while the file flips back and forth: one switch per change, none lost", async () => {
  const accounts = T.file("flip.json");
  const audit = T.file("flip.audit");
  const settings = (hipaa) => config({ ACSWITCH: hipaa ? { hipaaEnabled: true, policy: "minimal" } : { hipaaEnabled: false } });
  replace(accounts, settings(false));
  const run = start(["filter", "--accounts", accounts, "--watch", "--audit", audit]);
  await until(() => auditRecords(audit).some((r) => r.event === "load"));
  let i = 0;
  let writing = true;
  const writer = (async () => {
    while (writing) {
      const burst = [];
      for (let k = 0; k < 50; k++) burst.push(event("ACSWITCH", i++));
      await run.write(burst.join("\n") + "\n");
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  const flips = 4;
  for (let f = 1; f <= flips; f++) {
    const hipaa = f % 2 === 1;
    const seen = i;
    await until(() => i >= seen + 200); // some events under the current settings first
    replace(accounts, settings(hipaa));
    await until(() => auditRecords(audit).filter((r) => r.event === "load").length >= f + 1);
    const last = auditRecords(audit).filter((r) => r.event === "change").pop();
    assert.equal([last.account, last.field, last.new], ["ACSWITCH", "policy", hipaa ? "minimal" : null]);
  }
  const seen = i;
  await until(() => i >= seen + 200);
  writing = false;
  await writer;
  assert.is(await run.end(), 0, run.stderr);

  const out = lines(run.stdout);
  assert.is(out.length, i, "every event written came out once");
  let switches = 0;
  let filtered = false;
  out.forEach((line, n) => {
    const isFiltered = !line.includes("Pat Doe");
    assert.is(line, isFiltered ? `{"AccountSid":"ACSWITCH","i":${n},"EventType":"task.created"}` : event("ACSWITCH", n), `event ${n} in order`);
    if (isFiltered !== filtered) switches++;
    filtered = isFiltered;
  });
  assert.is(switches, flips, "the settings switch exactly once per change, and never go back");
  assert.is(auditRecords(audit).filter((r) => r.event === "load").length, flips + 1);
});

test("--watch ends with the input, even when the accounts file never changes", async () => {
  const accounts = T.write("still.json", config({ ACSWITCH: {} }));
  const run = start(["filter", "--accounts", accounts, "--watch"]);
  await run.write(event("ACSWITCH", 1) + "\n");
  assert.is(await run.end(), 0);
  assert.is(run.stdout, event("ACSWITCH", 1) + "\n");
});

test.after(() => T.cleanup());

test.run();
