// Built-in presets: each preset's lists checked against the seed documents in ../shared/seeds (both directions),
// version lookup, and realistic events filtered through each preset with exact output (both engine builds).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createFilter, PolicyError } from "../dist/index.js";
import { findPreset, presetPolicy, presetVersions, PRESETS, PRESET_NAMES } from "../dist/policy/presets.js";
import { parsePath } from "../dist/policy/paths.js";
import { seed, seedFacts, seedsPresent, liveSeedFacts, bundledSeedFacts } from "./support/seeds.js";

const VARIANTS = ["simd", "scalar"];
const decoder = new TextDecoder();

/** Asserts two lists hold the same items (as sets), naming what is missing and what is extra. */
function sameSet(actual, expected, what) {
  const a = new Set(actual);
  const e = new Set(expected);
  const missing = [...e].filter((x) => !a.has(x));
  const extra = [...a].filter((x) => !e.has(x));
  assert.equal({ missing, extra }, { missing: [], extra: [] }, `${what}: missing ${JSON.stringify(missing)}, not in the seed ${JSON.stringify(extra)}`);
}

// ------------------------------------------------------------------ preset structure

/** The keep paths of a preset, parsed into lists of keys (a wildcard fails the test). */
function keepKeys(preset) {
  return preset.spec.keep.map((text) => parsePath(text).map((s) => {
    assert.not.ok(s.any, `${preset.id}: "${text}" has a wildcard; presets list every attribute`);
    return s.key;
  }));
}

/** What a preset keeps inside the embedded document at `base`: the root items and each object's children. */
function taskAttributeLists(preset, base) {
  const below = keepKeys(preset)
    .filter((keys) => keys.length > base.length && base.every((k, i) => keys[i] === k))
    .map((keys) => keys.slice(base.length));
  const root = new Set();
  const wholeRoot = new Set();
  const children = {};
  for (const rest of below) {
    root.add(rest[0]);
    if (rest.length === 1) wholeRoot.add(rest[0]);
    else {
      assert.is(rest.length, 2, `${preset.id}: ${rest.join(".")} is deeper than the seed's lists`);
      (children[rest[0]] ??= []).push(rest[1]);
    }
  }
  return { root: [...root], wholeRoot: [...wholeRoot], children };
}

function checkFlexLists(preset, base) {
  const seedLists = seedFacts().flexInsights;
  const { root, wholeRoot, children } = taskAttributeLists(preset, base);
  assert.equal(preset.spec.embeddedJson, [base.join(".")], `${preset.id}: ${base.join(".")} is the embedded JSON string`);
  sameSet(root, seedLists.root, `${preset.id}: root level of task attributes`);
  sameSet(children.conversations ?? [], seedLists.conversations, `${preset.id}: conversations object`);
  sameSet(children.customers ?? [], seedLists.customers, `${preset.id}: customers object`);
  sameSet(Object.keys(children), ["conversations", "customers"], `${preset.id}: objects with listed children`);
  // conversations and customers hold only their listed children; every other root item is kept whole
  sameSet(wholeRoot, seedLists.root.filter((k) => k !== "conversations" && k !== "customers"), `${preset.id}: root items kept whole`);
  assert.ok(wholeRoot.includes("recordings") && wholeRoot.includes("reservation_attributes"));
}

test("the seeds: required in CI, and the bundled facts say what the seeds say", () => {
  assert.throws(() => seed("no-such-seed.txt"), /seed document .*no-such-seed\.txt is missing/);
  if (process.env.CI) assert.ok(seedsPresent, "CI runs with ../shared/seeds beside the project");
  if (seedsPresent) {
    assert.ok(seed("flex-insights-hipaa.txt").includes("Preserved attributes"));
    // A seed that changed (the preserved list "may grow") must be reflected in the bundled facts.
    assert.equal(bundledSeedFacts(), liveSeedFacts(), "test/fixtures/seed-facts.json differs from ../shared/seeds");
  }
  const facts = bundledSeedFacts();
  assert.is(facts.flexInsights.root.length, 10);
  assert.ok(facts.flexInsights.conversations.length > 90 && facts.flexInsights.customers.length === 20);
});

test("flex-insights-hipaa keeps exactly the seed's three lists inside TaskAttributes", () => {
  checkFlexLists(findPreset("flex-insights-hipaa"), ["TaskAttributes"]);
});

test("flex-insights-hipaa-eventstreams keeps exactly the seed's three lists inside data.payload.task_attributes", () => {
  checkFlexLists(findPreset("flex-insights-hipaa-eventstreams"), ["data", "payload", "task_attributes"]);
});

test("the set comparison fails on a missing or an extra attribute", () => {
  const failure = (fn) => {
    try {
      fn();
    } catch (error) {
      return error.message;
    }
    return "(passed)";
  };
  assert.match(failure(() => sameSet(["a"], ["a", "b"], "t")), /missing \["b"\]/);
  assert.match(failure(() => sameSet(["a", "c"], ["a"], "t")), /not in the seed \["c"\]/);
  assert.is(failure(() => sameSet(["b", "a"], ["a", "b"], "t")), "(passed)");
});

test("cticloud-end-of-call keeps exactly the keys of the seed's end-of-call report", () => {
  const p = findPreset("cticloud-end-of-call");
  const report = seedFacts().endOfCallReport;
  sameSet(keepKeys(p).map((keys) => (assert.is(keys.length, 1), keys[0])), Object.keys(report), "cticloud-end-of-call");
  assert.equal(Object.keys(report), ["callId", "startTime", "endTime", "duration", "agentId", "queueId", "disposition", "containedPHI"]);
  assert.equal(p.spec.embeddedJson ?? [], []);
});

const FLEX_ENVELOPE_KEPT = ["EventType", "AccountSid", "WorkspaceSid", "TaskSid", "Timestamp", "EventDate", "ResourceType",
  "ResourceSid", "TaskAge", "TaskPriority", "TaskAssignmentStatus", "TaskQueueSid", "TaskQueueName", "TaskChannelSid",
  "TaskChannelUniqueName", "WorkflowSid", "WorkflowName", "ReservationSid", "WorkerSid", "WorkerActivitySid",
  "WorkerActivityName", "ActivitySid", "ActivityName", "TaskDateCreated", "TaskQueueEnteredDate"];
const FLEX_ENVELOPE_DROPPED = ["WorkerName", "WorkerAttributes", "EventDescription", "WorkspaceName", "TaskCanceledReason",
  "TaskCompletedReason", "TaskQueueTargetExpression", "Reason", "TaskAttributes"];

test("flex-insights-hipaa: the envelope keeps ids, types, times, names of queues/workflows/channels/activities; no personal fields", () => {
  const p = findPreset("flex-insights-hipaa");
  const envelope = keepKeys(p).filter((keys) => keys[0] !== "TaskAttributes");
  for (const keys of envelope) assert.is(keys.length, 1, `${keys.join(".")}: envelope fields are top-level`);
  const names = envelope.map((keys) => keys[0]);
  for (const k of FLEX_ENVELOPE_KEPT) assert.ok(names.includes(k), `${k} should be kept`);
  for (const k of FLEX_ENVELOPE_DROPPED) assert.not.ok(names.includes(k), `${k} must not be kept whole`);
  for (const k of names) assert.not.match(k, /Attributes|Description|Reason|Expression|Friendly|^(Worker|Workspace)Name$/);
});

test("flex-insights-hipaa-eventstreams: CloudEvents attributes and the snake_case payload fields; no personal fields", () => {
  const p = findPreset("flex-insights-hipaa-eventstreams");
  const kept = new Set(p.spec.keep);
  for (const k of ["specversion", "type", "source", "id", "time", "datacontenttype", "dataschema"]) assert.ok(kept.has(k), k);
  for (const k of ["account_sid", "workspace_sid", "task_sid", "task_queue_sid", "task_queue_name", "task_channel_unique_name",
    "task_assignment_status", "task_age", "task_priority", "timestamp", "event_type", "eventtype", "workflow_sid", "workflow_name",
    "worker_sid", "worker_activity_name", "reservation_sid"]) {
    assert.ok(kept.has(`data.payload.${k}`), `data.payload.${k}`);
  }
  for (const k of ["data", "data.payload", "data.payload.worker_name", "data.payload.worker_attributes", "data.payload.workspace_name",
    "data.payload.task_canceled_reason", "data.payload.task_completed_reason", "data.payload.reason", "data.payload.description",
    "data.payload.task_queue_target_expression", "data.payload.task_attributes", "data.account_friendly_name",
    "data.parent_friendly_name", "data.publisher", "data.publisher_metadata"]) {
    assert.not.ok(kept.has(k), `${k} must not be kept whole`);
  }
  assert.is(p.accountKey, "data.payload.account_sid");
});

// ------------------------------------------------------------------ versions

test("PRESETS: the three presets at version 1, ids name@version, unique, frozen, every one compiles", () => {
  assert.equal(PRESETS.map((p) => p.id), ["flex-insights-hipaa@1", "flex-insights-hipaa-eventstreams@1", "cticloud-end-of-call@1"]);
  assert.equal([...PRESET_NAMES], ["flex-insights-hipaa", "flex-insights-hipaa-eventstreams", "cticloud-end-of-call"]);
  for (const p of PRESETS) {
    assert.is(p.id, `${p.name}@${p.version}`);
    assert.ok(p.description.length > 20, `${p.id} has a description`);
    assert.ok(Object.isFrozen(p) && Object.isFrozen(p.spec) && Object.isFrozen(p.spec.keep), `${p.id} is frozen`);
    assert.throws(() => p.spec.keep.push("WorkerName"));
    const policy = presetPolicy(p.id);
    assert.is(policy.name, p.id);
    assert.equal(policy.spec.keep, [...p.spec.keep]);
    assert.is(new Set(p.spec.keep).size, p.spec.keep.length, `${p.id}: no repeated path`);
  }
});

test("findPreset: the bare name is the newest version, name@N exactly N, anything else nothing", () => {
  const fake = [
    { name: "a", version: 2, id: "a@2" },
    { name: "a", version: 10, id: "a@10" },
    { name: "a", version: 1, id: "a@1" },
    { name: "b", version: 1, id: "b@1" },
  ];
  assert.is(findPreset("a", fake).id, "a@10");
  assert.is(findPreset("a@2", fake).id, "a@2");
  assert.is(findPreset("a@1", fake).id, "a@1");
  assert.is(findPreset("b", fake).id, "b@1");
  for (const bad of ["a@3", "a@02", "a@", "a@x", "a@-1", "c", "", "@1", "A"]) assert.is(findPreset(bad, fake), undefined, bad);

  assert.is(findPreset("flex-insights-hipaa").id, "flex-insights-hipaa@1");
  assert.is(findPreset("flex-insights-hipaa@1").id, "flex-insights-hipaa@1");
  assert.is(findPreset("flex-insights-hipaa@2"), undefined);
  assert.is(findPreset("cticloud-end-of-call").id, "cticloud-end-of-call@1");
  assert.equal(presetVersions("flex-insights-hipaa"), [1]);
  assert.equal(presetVersions("nope"), []);
});

test("presetPolicy: compiled once per id; an unknown name is a PolicyError listing the presets", () => {
  assert.is(presetPolicy("flex-insights-hipaa"), presetPolicy("flex-insights-hipaa@1"));
  for (const bad of ["flex-insights", "flex-insights-hipaa@2", "FLEX-INSIGHTS-HIPAA"]) {
    try {
      presetPolicy(bad);
      assert.unreachable(`accepted ${bad}`);
    } catch (error) {
      assert.instance(error, PolicyError);
      assert.ok(error.message.includes(JSON.stringify(bad).slice(1, -1)), error.message);
      for (const name of PRESET_NAMES) assert.ok(error.message.includes(name), error.message);
    }
  }
});

// ------------------------------------------------------------------ realistic events, exact output

async function filterAll(presetName, input) {
  const outputs = [];
  for (const variant of VARIANTS) {
    const f = await createFilter(presetPolicy(presetName), { variant });
    const r = f.filterEvent(input);
    assert.ok(r.ok, `${variant}: rejected ${r.code} at ${r.offset}`);
    outputs.push(decoder.decode(r.output));
  }
  assert.is(outputs[0], outputs[1], "simd and scalar agree");
  return outputs[0];
}

const PHI = ["Maria", "Gonzalez", "5035550147", "maria@example.com", "MRN-0048", "1961-04-02", "diabetes", "Alice Nguyen",
  "alice.nguyen", "hangup by patient", "Riverside", "Ramírez", "+13125550123", "task WT1 created"];

function assertNoPhi(output) {
  for (const m of PHI) assert.not.ok(output.includes(m), `output holds ${m}: ${output}`);
}

// Task attributes as a Flex voice task carries them: listed attributes, personal data beside them.
const TASK_ATTRIBUTES = {
  type: "inbound",
  name: "Maria Gonzalez",
  from: "+15035550147",
  direction: "inbound",
  channelSid: "CH0123456789abcdef0123456789abcdef",
  from_country: "US",
  to_country: "US",
  hipaa_enabled: true,
  reason: "scheduling",
  caller_notes: "type 2 diabetes, DOB 1961-04-02",
  recordings: [{ url: "https://rec.example.com/RE1", segments: [[0, 1.5]] }],
  reservation_attributes: { "WR01": { duration: 42, queue: "Scheduling" } },
  conversations: {
    conversation_id: "WT1",
    communication_channel: "voice",
    queue: "Scheduling",
    queue_time: 31,
    ivr_path: "main>appointments",
    external_contact: "+18005550100",
    conversation_note: "MRN-0048 wants sooner visit",
    conversation_measure_1: 2.5,
    "conversation_label_1": "new",
  },
  customers: {
    name: "Maria Gonzalez",
    email: "maria@example.com",
    phone: "+15035550147",
    external_id: "MRN-0048",
    gender: "female",
    year_of_birth: 1961,
    state: "OR",
    customer_label_1: "returning",
  },
};

const TASK_ATTRIBUTES_KEPT = {
  direction: "inbound",
  channelSid: "CH0123456789abcdef0123456789abcdef",
  from_country: "US",
  to_country: "US",
  hipaa_enabled: true,
  reason: "scheduling",
  recordings: [{ url: "https://rec.example.com/RE1", segments: [[0, 1.5]] }],
  reservation_attributes: { "WR01": { duration: 42, queue: "Scheduling" } },
  conversations: {
    conversation_id: "WT1",
    communication_channel: "voice",
    queue: "Scheduling",
    queue_time: 31,
    ivr_path: "main>appointments",
    external_contact: "+18005550100",
    conversation_measure_1: 2.5,
    conversation_label_1: "new",
  },
  customers: { gender: "female", year_of_birth: 1961, state: "OR", customer_label_1: "returning" },
};

test("flex-insights-hipaa on a reservation.accepted callback: exact output", async () => {
  const event = {
    EventType: "reservation.accepted",
    AccountSid: "AC5f1e0c2a9b8d47e3a6c4f2b1d0e9a8c7",
    WorkspaceSid: "WS0d3c4b5a69788796a5b4c3d2e1f0a9b8",
    WorkspaceName: "Riverside Health",
    EventDescription: "task WT1 created",
    ResourceType: "reservation",
    ResourceSid: "WR0000000000000000000000000000001",
    Timestamp: "1704796260",
    TimestampMs: "1704796260123",
    TaskSid: "WT00000000000000000000000000000001",
    TaskAge: "60",
    TaskPriority: "0",
    TaskAssignmentStatus: "assigned",
    TaskQueueSid: "WQ00000000000000000000000000000001",
    TaskQueueName: "Scheduling",
    TaskQueueTargetExpression: "worker.name == \"Alice Nguyen\"",
    TaskChannelUniqueName: "voice",
    WorkflowSid: "WW00000000000000000000000000000001",
    WorkflowName: "Assign to Anyone",
    ReservationSid: "WR0000000000000000000000000000001",
    WorkerSid: "WK00000000000000000000000000000001",
    WorkerName: "Alice Nguyen",
    WorkerAttributes: JSON.stringify({ full_name: "Alice Nguyen", contact_uri: "client:alice.nguyen", skills: ["es"] }),
    WorkerActivityName: "Busy",
    TaskAttributes: JSON.stringify(TASK_ATTRIBUTES),
    TaskCompletedReason: "hangup by patient",
  };
  const out = await filterAll("flex-insights-hipaa", JSON.stringify(event));
  const expected = JSON.stringify({
    EventType: "reservation.accepted",
    AccountSid: "AC5f1e0c2a9b8d47e3a6c4f2b1d0e9a8c7",
    WorkspaceSid: "WS0d3c4b5a69788796a5b4c3d2e1f0a9b8",
    ResourceType: "reservation",
    ResourceSid: "WR0000000000000000000000000000001",
    Timestamp: "1704796260",
    TimestampMs: "1704796260123",
    TaskSid: "WT00000000000000000000000000000001",
    TaskAge: "60",
    TaskPriority: "0",
    TaskAssignmentStatus: "assigned",
    TaskQueueSid: "WQ00000000000000000000000000000001",
    TaskQueueName: "Scheduling",
    TaskChannelUniqueName: "voice",
    WorkflowSid: "WW00000000000000000000000000000001",
    WorkflowName: "Assign to Anyone",
    ReservationSid: "WR0000000000000000000000000000001",
    WorkerSid: "WK00000000000000000000000000000001",
    WorkerActivityName: "Busy",
    TaskAttributes: JSON.stringify(TASK_ATTRIBUTES_KEPT),
  });
  assert.is(out, expected);
  assertNoPhi(out);
});

test("flex-insights-hipaa on a worker.activity.update callback: worker name and attributes dropped", async () => {
  const input = '{"EventType":"worker.activity.update","AccountSid":"AC1","WorkspaceSid":"WS1","Timestamp":"1704796300",' +
    '"ResourceType":"worker","ResourceSid":"WK1","WorkerSid":"WK1","WorkerName":"Alice Nguyen",' +
    '"WorkerAttributes":{"full_name":"Alice Nguyen","email":"alice.nguyen@example.com"},"WorkerActivitySid":"WA2",' +
    '"WorkerActivityName":"Offline","WorkerPreviousActivitySid":"WA1","WorkerPreviousActivityName":"Available",' +
    '"WorkerTimeInPreviousActivity":"3600","WorkerTimeInPreviousActivityMs":"3600000",' +
    '"EventDescription":"Worker Alice Nguyen updated to Offline Activity"}';
  const out = await filterAll("flex-insights-hipaa", input);
  assert.is(out, '{"EventType":"worker.activity.update","AccountSid":"AC1","WorkspaceSid":"WS1","Timestamp":"1704796300",' +
    '"ResourceType":"worker","ResourceSid":"WK1","WorkerSid":"WK1","WorkerActivitySid":"WA2",' +
    '"WorkerActivityName":"Offline","WorkerPreviousActivitySid":"WA1","WorkerPreviousActivityName":"Available",' +
    '"WorkerTimeInPreviousActivity":"3600","WorkerTimeInPreviousActivityMs":"3600000"}');
  assertNoPhi(out);
});

test("flex-insights-hipaa-eventstreams on a CloudEvent: exact output", async () => {
  const event = {
    specversion: "1.0",
    type: "com.twilio.taskrouter.task.canceled",
    source: "/v1/Workspaces/WS1/Tasks/WT1",
    id: "EV00000000000000000000000000000001",
    dataschema: "https://events-schemas.twilio.com/TaskRouter.WDSEvent/4",
    datacontenttype: "application/json",
    time: "2024-01-09T10:31:00.000Z",
    data: {
      sid: "EV00000000000000000000000000000001",
      name: "TaskCanceled",
      account_sid: "AC5f1e0c2a9b8d47e3a6c4f2b1d0e9a8c7",
      account_friendly_name: "Riverside Health",
      timestamp: "2024-01-09T10:31:00.000Z",
      level: "INFO",
      product_name: "TaskRouter",
      publisher: "Riverside Health Contact Center",
      publisher_metadata: JSON.stringify({ note: "Maria Gonzalez" }),
      payload_type: "application/json",
      payload: {
        eventtype: "task.canceled",
        account_sid: "AC5f1e0c2a9b8d47e3a6c4f2b1d0e9a8c7",
        workspace_sid: "WS0d3c4b5a69788796a5b4c3d2e1f0a9b8",
        workspace_name: "Riverside Health",
        task_sid: "WT00000000000000000000000000000001",
        task_attributes: JSON.stringify(TASK_ATTRIBUTES),
        task_age: 60,
        task_priority: 0,
        task_assignment_status: "canceled",
        task_canceled_reason: "hangup by patient",
        task_channel_unique_name: "voice",
        task_queue_sid: "WQ00000000000000000000000000000001",
        task_queue_name: "Scheduling",
        worker_name: "Alice Nguyen",
        worker_attributes: JSON.stringify({ email: "alice.nguyen@example.com" }),
        timestamp: "2024-01-09T10:31:00.000Z",
        event_type: "task.canceled",
      },
    },
  };
  const out = await filterAll("flex-insights-hipaa-eventstreams", JSON.stringify(event));
  const expected = JSON.stringify({
    specversion: "1.0",
    type: "com.twilio.taskrouter.task.canceled",
    source: "/v1/Workspaces/WS1/Tasks/WT1",
    id: "EV00000000000000000000000000000001",
    dataschema: "https://events-schemas.twilio.com/TaskRouter.WDSEvent/4",
    datacontenttype: "application/json",
    time: "2024-01-09T10:31:00.000Z",
    data: {
      sid: "EV00000000000000000000000000000001",
      name: "TaskCanceled",
      account_sid: "AC5f1e0c2a9b8d47e3a6c4f2b1d0e9a8c7",
      timestamp: "2024-01-09T10:31:00.000Z",
      level: "INFO",
      product_name: "TaskRouter",
      payload_type: "application/json",
      payload: {
        eventtype: "task.canceled",
        account_sid: "AC5f1e0c2a9b8d47e3a6c4f2b1d0e9a8c7",
        workspace_sid: "WS0d3c4b5a69788796a5b4c3d2e1f0a9b8",
        task_sid: "WT00000000000000000000000000000001",
        task_attributes: JSON.stringify(TASK_ATTRIBUTES_KEPT),
        task_age: 60,
        task_priority: 0,
        task_assignment_status: "canceled",
        task_channel_unique_name: "voice",
        task_queue_sid: "WQ00000000000000000000000000000001",
        task_queue_name: "Scheduling",
        timestamp: "2024-01-09T10:31:00.000Z",
        event_type: "task.canceled",
      },
    },
  });
  assert.is(out, expected);
  assertNoPhi(out);
});

test("cticloud-end-of-call on the seed's report with PHI added around it: exactly the seed's report", async () => {
  const report = seedFacts().endOfCallReport;
  const input = JSON.stringify({
    tenantId: "7001234",
    callId: report.callId,
    callerName: "José Ramírez",
    callerNumber: "+13125550123",
    startTime: report.startTime,
    endTime: report.endTime,
    duration: report.duration,
    agentId: report.agentId,
    agentNotes: "patient reports chest pain; on sertraline",
    queueId: report.queueId,
    disposition: report.disposition,
    transcript: [{ speaker: "caller", text: "my MRN is MRN-0048" }],
    containedPHI: report.containedPHI,
  });
  const out = await filterAll("cticloud-end-of-call", input);
  assert.is(out, JSON.stringify(report));
  assertNoPhi(out);
});

test.run();
