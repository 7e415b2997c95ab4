// The event shapes the bench sweeps over, each with the policy a HIPAA account would use for it.
// Deterministic (seeded), so two runs filter the same bytes. Each shape: { name, policy, event(r, i) }.
//   taskrouter-string  TaskRouter callback, TaskAttributes a JSON string (how Twilio sends it)
//   taskrouter-object  the same event with TaskAttributes as an object (after a pipeline decoded it)
//   eventstreams       an Event Streams CloudEvent, task attributes a string in data.payload
//   cticloud           a CTICloud end-of-call report (transcript, caller and patient data dropped)
import { mulberry32 } from "../test/support/random.js";
import { taskRouterEvent, benchPolicy } from "./events.js";

const pick = (r, list) => list[Math.floor(r() * list.length)];
const hex = (r, n) => Array.from({ length: n }, () => "0123456789abcdef"[Math.floor(r() * 16)]).join("");

function taskRouterObject(r, i) {
  const event = JSON.parse(taskRouterEvent(r, i));
  event.TaskAttributes = JSON.parse(event.TaskAttributes);
  return JSON.stringify(event);
}

const eventStreamsPolicy = {
  name: "bench-eventstreams",
  keep: [
    "specversion", "type", "source", "id", "dataschema", "datacontenttype", "time",
    "data.name", "data.account_sid", "data.sid", "data.timestamp",
    "data.payload.task_sid", "data.payload.task_queue_sid", "data.payload.task_queue_name",
    "data.payload.task_channel_unique_name", "data.payload.task_age", "data.payload.task_priority",
    "data.payload.task_assignment_status", "data.payload.workflow_sid",
    ...benchPolicy.keep.filter((p) => p.startsWith("TaskAttributes.")).map((p) => `data.payload.task_attributes.${p.slice(15)}`),
  ],
  embeddedJson: ["data.payload.task_attributes"],
};

function eventStreams(r, i) {
  const source = JSON.parse(taskRouterEvent(r, i));
  return JSON.stringify({
    specversion: "1.0",
    type: `com.twilio.taskrouter.${source.EventType}`,
    source: `/v1/Workspaces/${source.WorkspaceSid}/Tasks/${source.TaskSid}`,
    id: `EX${hex(r, 32)}`,
    dataschema: "https://events-schemas.twilio.com/TaskRouter.WDSEvent/1",
    datacontenttype: "application/json",
    time: new Date(1763856000000 + i * 1000).toISOString(),
    data: {
      name: source.EventType,
      account_sid: source.AccountSid,
      sid: `EX${hex(r, 32)}`,
      timestamp: new Date(1763856000000 + i * 1000).toISOString(),
      payload: {
        task_sid: source.TaskSid, task_queue_sid: source.TaskQueueSid, task_queue_name: source.TaskQueueName,
        task_channel_unique_name: "voice", task_age: Number(source.TaskAge), task_priority: 0,
        task_assignment_status: "assigned", workflow_sid: source.WorkflowSid, workflow_name: source.WorkflowName,
        worker_sid: source.WorkerSid, worker_name: source.WorkerName, worker_attributes: source.WorkerAttributes,
        task_attributes: source.TaskAttributes,
      },
    },
  });
}

const ctiPolicy = {
  name: "bench-cticloud",
  keep: ["tenantId", "callId", "startTime", "endTime", "duration", "agentId", "queueId", "disposition", "containedPHI"],
};
const SAYS = ["follow-up after hip replacement, on warfarin", "asks about test results", "needs a refill of lisinopril", "reschedules a colonoscopy"];
function ctiCloud(r, i) {
  const name = `${pick(r, ["Dorothy", "Samuel", "Mei", "Rahul"])} ${pick(r, ["Keane", "Oyelaran", "Chen", "Gupta"])}`;
  return JSON.stringify({
    tenantId: String(7000000 + Math.floor(r() * 9999)), callId: `call_${hex(r, 10)}`,
    startTime: new Date(1704796200000 + i * 60000).toISOString(), endTime: new Date(1704796920000 + i * 60000).toISOString(),
    duration: Math.floor(r() * 1800), agentId: `agent_${Math.floor(r() * 500)}`, queueId: "queue_healthcare",
    disposition: pick(r, ["completed", "transferred", "abandoned"]), containedPHI: r() < 0.5,
    callerName: name, callerNumber: `+1${Math.floor(2000000000 + r() * 7999999999)}`,
    transcript: `Caller ${name} (DOB 19${10 + Math.floor(r() * 89)}-0${1 + Math.floor(r() * 9)}-21) says: ${pick(r, SAYS)}. ${pick(r, SAYS)}.`,
    agentNotes: `verified MRN-${Math.floor(r() * 1e8)}`,
    patient: { dob: "1949-07-21", mrn: `MRN-${Math.floor(r() * 1e8)}`, email: "patient@example.org" },
  });
}

export const SHAPES = [
  { name: "taskrouter-string", policy: benchPolicy, event: taskRouterEvent },
  { name: "taskrouter-object", policy: benchPolicy, event: taskRouterObject },
  { name: "eventstreams", policy: eventStreamsPolicy, event: eventStreams },
  { name: "cticloud", policy: ctiPolicy, event: ctiCloud },
];

/** NDJSON bytes of about `bytes` bytes of one shape (whole events), and how many events. */
export function shapeBatch(shape, bytes, seed = 1) {
  const r = mulberry32(seed);
  const lines = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = shape.event(r, i);
    lines.push(line);
    size += Buffer.byteLength(line) + 1;
  }
  return { bytes: new TextEncoder().encode(lines.join("\n") + "\n"), events: lines.length };
}

/**
 * TaskRouter events grown (or cut) to about `target` bytes each: the dropped `caller_notes` text is
 * padded, so the kept share falls as events grow, as it does with long free-text notes.
 */
export function sizedEvent(target) {
  return (r, i) => {
    const event = JSON.parse(taskRouterEvent(r, i));
    const attributes = JSON.parse(event.TaskAttributes);
    const base = Buffer.byteLength(JSON.stringify(event));
    if (target < base) {
      // Small events: a call report's worth of envelope, nothing embedded.
      const small = { EventType: event.EventType, AccountSid: event.AccountSid, TaskSid: event.TaskSid, Timestamp: event.Timestamp, WorkerName: event.WorkerName };
      const pad = Math.max(0, target - Buffer.byteLength(JSON.stringify(small)) - 16);
      return JSON.stringify({ ...small, caller_notes: "n".repeat(pad) });
    }
    attributes.caller_notes += " ".padEnd(Math.max(0, Math.floor((target - base) / 1.1)), "Follow-up call. ");
    event.TaskAttributes = JSON.stringify(attributes);
    return JSON.stringify(event);
  };
}

/** The bench policy keeping a fraction of its attributes (the envelope ids always). */
export function policyKeeping(fraction) {
  const attributes = benchPolicy.keep.filter((p) => p.startsWith("TaskAttributes."));
  const envelope = benchPolicy.keep.filter((p) => !p.startsWith("TaskAttributes."));
  const n = Math.round(attributes.length * fraction);
  return { ...benchPolicy, name: `keep ${fraction}`, keep: [...envelope, ...attributes.slice(0, Math.max(1, n))] };
}

/** The bench policy with `extra` more paths that match nothing in the events (a policy's size alone). */
export function policyWithPaths(extra) {
  const keep = [...benchPolicy.keep];
  for (let i = 0; i < extra; i++) keep.push(i % 2 ? `TaskAttributes.extra_${i}` : `Extra${i}.field`);
  return { ...benchPolicy, name: `paths ${keep.length}`, keep };
}
