// The bundled examples, one per preset, run through the CLI as the README shows them: every planted piece
// of personal data of a HIPAA account is gone, the preserved attributes are there, and non-HIPAA accounts
// pass through byte for byte.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { assertNoPhi, cli, EXAMPLES, TASKROUTER_PHI } from "./support/cli-run.js";

/** Personal data written into the example events (names, phones, emails, birth dates, MRNs, clinical notes). */
const PLANTED = [
  "Dorothy Keane", "+15415550182", "dkeane@example.com", "1949-07-21", "MRN-31-884-02", "warfarin",
  "Samuel Oyelaran", "+12125550164", "s.oyelaran@example.org", "1977-02-09", "MRN-50-117-96", "HIV",
  "Priya Raman", "+14085550139", "priya.raman@example.net", "1990-11-30", "MRN-22-409-51", "gestational",
  "Gina Albright", "gina.albright", "Lakeside Clinic",
];
const planted = (text) => PLANTED.filter((p) => text.includes(p));
const example = (name) => readFileSync(join(EXAMPLES, name), "utf8");

test("flex-insights-hipaa-eventstreams: a batched Event Streams webhook body (JSON array of CloudEvents)", () => {
  const r = cli(["filter", "--accounts", "examples/eventstreams-accounts.json", "--format", "json-array",
    "--input", "examples/eventstreams.json"]);
  assert.is(r.status, 0, r.stderr);
  assert.ok(planted(example("eventstreams.json")).length >= 15, "the example does hold personal data");
  assert.equal(planted(r.stdout), []);
  const events = JSON.parse(r.stdout);
  assert.is(events.length, 4);
  for (const e of events) {
    assert.is(e.specversion, "1.0");
    assert.ok(e.data.payload.task_sid.startsWith("WT"));
    assert.equal(Object.keys(e.data).includes("publisher"), false, "the workspace name is dropped");
    const attributes = JSON.parse(e.data.payload.task_attributes);
    assert.equal(Object.keys(attributes.customers).sort(), ["gender", "market_segment", "region", "year_of_birth"]);
    assert.is(attributes.conversations.queue, "Scheduling");
    assert.not.ok("agent_notes" in attributes.conversations);
  }
});

test("cticloud-end-of-call: HIPAA tenants keep the non-PHI report fields, the non-HIPAA tenant passes through", () => {
  const input = example("cticloud-end-of-call.ndjson");
  const r = cli(["filter", "--accounts", "examples/cticloud-tenants.json", "--input", "examples/cticloud-end-of-call.ndjson"]);
  assert.is(r.status, 0, r.stderr);
  const inLines = input.trim().split("\n");
  const outLines = r.stdout.trim().split("\n");
  assert.is(outLines.length, inLines.length);
  outLines.forEach((line, i) => {
    const tenant = JSON.parse(inLines[i]).tenantId;
    if (tenant === "7005678") {
      assert.is(line, inLines[i], "hipaaEnabled false: byte for byte");
      return;
    }
    assert.equal(Object.keys(JSON.parse(line)),
      ["callId", "startTime", "endTime", "duration", "agentId", "queueId", "disposition", "containedPHI"]);
    assert.equal(planted(line), []);
  });
});

test("flex-insights-hipaa: the TaskRouter callbacks of the quick start", () => {
  const r = cli(["filter", "--accounts", "examples/accounts.json", "--input", "examples/events.ndjson"]);
  assert.is(r.status, 0, r.stderr);
  const out = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.is(out.length, 9);
  assertNoPhi(r.stdout, TASKROUTER_PHI);
  for (const e of out) {
    assert.ok(e.EventType && e.AccountSid, "envelope ids kept");
    assert.not.ok("WorkerName" in e);
  }
});

test.run();
