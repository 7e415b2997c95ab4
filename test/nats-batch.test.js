// The NATS runner's pure parts, no server needed: messages → one engine batch → one outcome per message;
// message ids and rejection records; consumer settings that break exactly-once; backoff. The cluster tests
// (test/nats/*.cluster.js, `npm run test:nats`) run the real thing.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compilePolicy, createAccountsFilter, createFilter, parseAccountsText, presetPolicy } from "../dist/index.js";
import { filterMessages, messageId, rejectionRecord } from "../dist/nats/index.js";
import { needsOwnCall } from "../dist/nats/message-batch.js";
import { publicationsFor } from "../dist/nats/publications.js";
import { consumerProblems } from "../dist/nats/consumer-setup.js";
import { Backoff } from "../dist/nats/backoff.js";
import { EXAMPLES, EXAMPLE_ACCOUNT, TASKROUTER_PHI, assertNoPhi, taskRouterEvent } from "./support/cli-run.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const PASS_ACCOUNT = "AC9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b";
const VARIANTS = ["simd", "scalar"];

async function accountsFilters() {
  const config = await parseAccountsText(readFileSync(join(EXAMPLES, "accounts.json"), "utf8"), "accounts.json");
  return Promise.all(VARIANTS.map((variant) => createAccountsFilter(config, { variant })));
}

const shown = (o) => (o.kind === "kept" ? decoder.decode(o.output) : `${o.code}@${o.offset}:${o.account}`);

/** What filterBatch gives for each event alone (filterEvent for one holding a line break). */
function alone(filter, text) {
  if (/[\r\n]/.test(text) || text.trim() === "") {
    const r = filter.filterEvent(text);
    return r.ok ? decoder.decode(r.output) : `${r.code}@${r.offset}`;
  }
  const r = filter.filterBatch(encoder.encode(text + "\n"));
  return r.rejected.length > 0 ? `${r.rejected[0].code}@${r.rejected[0].offset}` : decoder.decode(r.output).slice(0, -1);
}

const MIXED = [
  taskRouterEvent(EXAMPLE_ACCOUNT, 0),
  taskRouterEvent(PASS_ACCOUNT, 1),
  `{"AccountSid":"${EXAMPLE_ACCOUNT}","EventType":"x"`, // truncated: rejected, account known
  taskRouterEvent("ACnot-configured", 2),
  `{"AccountSid":"ACsecret-unconfigured","EventType":01}`, // rejected, account not configured: never named
  `{"EventType":"task.created",\n"AccountSid":"${PASS_ACCOUNT}"}`, // a line break as whitespace: filtered alone
  `{"AccountSid":"${EXAMPLE_ACCOUNT}","TaskAttributes":"{\\"name\\":\\"x\\"}","x":"a\nb"}`, // raw LF in a string
  "",
  "  \t ",
  taskRouterEvent(EXAMPLE_ACCOUNT, 3),
  `{"AccountSid":"${PASS_ACCOUNT}","EventType":"a"}\r`,
];

test("one outcome per message, in order, each equal to what the engine gives for the event alone", async () => {
  for (const f of await accountsFilters()) {
    const r = filterMessages(f, MIXED.map((t) => encoder.encode(t)));
    assert.is(r.outcomes.length, MIXED.length);
    r.outcomes.forEach((o, i) => {
      const expected = alone(f, MIXED[i]);
      const got = o.kind === "kept" ? decoder.decode(o.output) : `${o.code}@${o.offset}`;
      assert.is(got, expected, `${f.variant} message ${i}`);
    });
    assert.is(r.outcomes[2].account, EXAMPLE_ACCOUNT, "a rejected event names its configured account");
    assert.is(r.outcomes[4].account, null, "an unconfigured account id is never named");
    assert.is(r.outcomes[7].kind, "rejected", "an empty message is an event (rejected), not a skipped line");
    assert.is(r.outcomes[8].kind, "rejected");
    assert.is(r.outcomes[6].kind, "rejected", "a raw LF inside a string stays a control character");
    assert.is(r.outcomes[6].account, EXAMPLE_ACCOUNT, "its account is found although it holds a line break");
    assert.is(shown(r.outcomes[1]), MIXED[1], "a non-HIPAA account's event passes through byte for byte");
    assert.is(shown(r.outcomes[5]), MIXED[5], "also when it holds a line break");
    assert.is(r.passed, 3);
    for (const o of r.outcomes) if (o.kind === "kept" && !shown(o).includes(PASS_ACCOUNT)) assertNoPhi(shown(o), TASKROUTER_PHI);
    assert.equal(r.accounts[EXAMPLE_ACCOUNT], { events: 4, filtered: 2, passed: 0, rejected: 2 });
    assert.equal(r.accounts[PASS_ACCOUNT], { events: 3, filtered: 0, passed: 3, rejected: 0 });
    assert.not.ok(Object.keys(r.accounts).some((id) => id.includes("not-configured") || id.includes("secret")));
  }
});

test("a batch with a message holding a line break keeps every later message on its own line", async () => {
  // Without the own-call path, the LF would split message 1 into two lines and shift every outcome after it.
  const [f] = await accountsFilters();
  const messages = [
    `{"AccountSid":"${PASS_ACCOUNT}","n":1}`,
    `{"AccountSid":"${PASS_ACCOUNT}",\n"n":2}`,
    `{"AccountSid":"${PASS_ACCOUNT}","n":3}`,
  ];
  const r = filterMessages(f, messages.map((t) => encoder.encode(t)));
  assert.equal(r.outcomes.map(shown), messages);
});

test("needsOwnCall: CR, LF and blank messages only", () => {
  assert.ok(needsOwnCall(encoder.encode("{\n}")));
  assert.ok(needsOwnCall(encoder.encode("{}\r")));
  assert.ok(needsOwnCall(encoder.encode("")));
  assert.ok(needsOwnCall(encoder.encode(" \t")));
  assert.not.ok(needsOwnCall(encoder.encode('{"a":"\t"}')));
  assert.not.ok(needsOwnCall(encoder.encode(" {}")));
});

test("with one policy there is no account: rejections carry none, kept events are filtered", async () => {
  const f = await createFilter(presetPolicy("flex-insights-hipaa"));
  const r = filterMessages(f, [taskRouterEvent("AC1", 0), '{"EventType":01}'].map((t) => encoder.encode(t)));
  assert.is(r.accounts, undefined);
  assert.is(r.outcomes[1].account, null);
  assertNoPhi(shown(r.outcomes[0]), TASKROUTER_PHI);
  assert.is(shown(r.outcomes[0]), alone(f, taskRouterEvent("AC1", 0)));
});

test("a PHI_DETECTED rejection's record names the detector and the kept path, never the value (batched and alone)", async () => {
  const f = await createFilter(compilePolicy({ keep: ["EventType", "note"], detect: { detectors: ["phone"] } }));
  const messages = ['{"EventType":"a","note":"call 503-555-0147"}', '{"EventType":"b",\n"note":"503.555.0147"}', '{"EventType":"c"}'];
  const r = filterMessages(f, messages.map((t) => encoder.encode(t)));
  assert.equal(r.outcomes.map((o) => o.kind), ["rejected", "rejected", "kept"]);
  for (const [i, o] of r.outcomes.slice(0, 2).entries()) {
    const record = JSON.parse(decoder.decode(rejectionRecord("EVENTS", i, o)));
    assert.equal([record.code, record.detector, record.path], ["PHI_DETECTED", "phone", "note"]);
    assert.not.ok(decoder.decode(rejectionRecord("EVENTS", i, o)).includes("555"), "no value in the record");
  }
});

test("message ids: stream and sequence; rejection records hold no content", () => {
  assert.is(messageId("EVENTS", 42), "EVENTS:42");
  const payload = encoder.encode(`{"AccountSid":"${EXAMPLE_ACCOUNT}","name":"PHI-NAME-Kowalski",`);
  const rejected = { kind: "rejected", code: "UNEXPECTED_END", offset: 71, account: EXAMPLE_ACCOUNT };
  const record = JSON.parse(decoder.decode(rejectionRecord("EVENTS", 42, rejected)));
  assert.equal(record, { stream: "EVENTS", seq: 42, code: "UNEXPECTED_END", offset: 71, account: EXAMPLE_ACCOUNT });
  const unknown = JSON.parse(decoder.decode(rejectionRecord("EVENTS", 7, { ...rejected, account: null })));
  assert.not.ok("account" in unknown);

  const subjects = { output: "out", errors: "err" };
  const pubs = publicationsFor(rejected, "EVENTS", 42, payload, subjects);
  assert.equal(pubs.map((p) => [p.subject, p.msgID, p.kind]), [["err", "EVENTS:42", "error"]]);
  assert.not.ok(decoder.decode(pubs[0].data).includes("Kowalski"));
  const withRaw = publicationsFor(rejected, "EVENTS", 42, payload, { ...subjects, rejects: "raw" });
  assert.equal(withRaw.map((p) => [p.subject, p.msgID]), [["err", "EVENTS:42"], ["raw", "EVENTS:42:raw"]]);
  assert.is(withRaw[1].data, payload, "raw rejects only on the opt-in subject");
  assert.equal(publicationsFor(rejected, "EVENTS", 42, payload, { output: "out" }), [], "no errors subject: nothing published");
  const kept = publicationsFor({ kind: "kept", output: encoder.encode("{}") }, "EVENTS", 43, payload, subjects);
  assert.equal(kept.map((p) => [p.subject, p.msgID, decoder.decode(p.data)]), [["out", "EVENTS:43", "{}"]]);
});

test("consumer settings that would break exactly-once are named", () => {
  const good = { ack_policy: "explicit", ack_wait: 30e9, max_ack_pending: 10000, max_deliver: -1 };
  assert.equal(consumerProblems(good, {}), []);
  assert.equal(consumerProblems(good, { ackWaitMs: 30000, maxAckPending: 10000 }), []);
  const cases = [
    [{ ...good, deliver_subject: "push.here" }, {}, /push consumer/],
    [{ ...good, ack_policy: "none" }, {}, /ack policy is "none"/],
    [{ ...good, ack_policy: "all" }, {}, /ack policy is "all"/],
    [{ ...good, max_deliver: 5 }, {}, /max_deliver is 5.*lost/],
    [good, { ackWaitMs: 5000 }, /ack wait is 30000 ms, not the 5000 ms/],
    [good, { maxAckPending: 20 }, /max_ack_pending is 10000, not the 20/],
  ];
  for (const [config, wanted, pattern] of cases) {
    const problems = consumerProblems(config, wanted);
    assert.is(problems.length, 1, JSON.stringify(config));
    assert.match(problems[0], pattern);
  }
});

test("backoff: doubling ceiling with jitter in its upper half, capped, reset by a success", () => {
  const low = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0 });
  assert.equal([1, 2, 3, 4, 5, 6].map(() => low.nextDelay()), [50, 100, 200, 400, 500, 500]);
  const high = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0.999999 });
  assert.equal([1, 2, 3, 4, 5].map(() => high.nextDelay()), [100, 200, 400, 800, 1000]);
  high.succeeded();
  assert.is(high.attempts, 0);
  assert.is(high.nextDelay(), 100);
  // Different random draws give different delays: processes retrying together spread apart.
  let seed = 1;
  const spread = new Set(Array.from({ length: 20 }, () => new Backoff({ random: () => (seed = (seed * 48271) % 2147483647) / 2147483647 }).nextDelay()));
  assert.ok(spread.size > 10);
});

test("the library and hipaa-sieve/nats load without the NATS client; only a run needs it", async () => {
  // A copy of dist/ where @nats-io cannot be resolved: any static import of it would fail to load.
  const { cpSync, mkdtempSync, rmSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { spawnSync } = await import("node:child_process");
  const dir = mkdtempSync(join(tmpdir(), "hipaa-sieve-no-nats-"));
  try {
    cpSync("dist", join(dir, "dist"), { recursive: true });
    // The package's "imports" too: dist/ resolves its engine loader (#wasm-loader) through them.
    const { imports } = JSON.parse(readFileSync("package.json", "utf8"));
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module", imports }));
    const script = [
      'const lib = await import("./dist/index.js");',
      'const nats = await import("./dist/nats/index.js");',
      'if (typeof lib.createFilter !== "function" || typeof nats.startNatsFilter !== "function") process.exit(3);',
      'const run = nats.startNatsFilter({ servers: ["nats://127.0.0.1:1"], inStream: "I", consumer: "c", outSubject: "o", filter: { filterBatch() {}, filterEvent() {} } });',
      'await run.done.then(() => process.exit(4), (e) => { process.stdout.write(String(e.code)); });',
    ].join("\n");
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: dir, encoding: "utf8" });
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, "ERR_MODULE_NOT_FOUND", "starting a run is what loads the client");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
