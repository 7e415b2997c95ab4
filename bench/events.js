// Realistic TaskRouter event callbacks for the benchmark: about 2 KB each, TaskAttributes as a
// JSON string, personal data in the dropped fields (about half the bytes). Deterministic.
import { mulberry32 } from "../test/support/random.js";

const FIRST = ["Maria", "James", "Wei", "Aisha", "Olga", "Juan", "Priya", "Tom\u00e1\u0161", "Zo\u00eb", "Kenji"];
const LAST = ["Garc\u00eda", "Smith", "Zhang", "Okafor", "Ivanova", "P\u00e9rez", "Patel", "Nov\u00e1k", "M\u00fcller", "Tanaka"];
const QUEUES = ["Cardiology Scheduling", "Billing", "Pharmacy Refills", "General Intake"];
const NOTES = [
  "Patient reports chest pain since Tuesday, asked about medication dosage",
  "Follow-up on lab results; requests call back after 5pm",
  "Prescription refill for metformin 500mg, insurance ID on file",
  "Rescheduling MRI appointment \u2014 prefers mornings",
];


const hex = (r, n) => Array.from({ length: n }, () => "0123456789abcdef"[Math.floor(r() * 16)]).join("");
const pick = (r, list) => list[Math.floor(r() * list.length)];
const phone = (r) => `+1${Math.floor(2000000000 + r() * 7999999999)}`;

export function taskRouterEvent(r, index, accountSid = `AC${hex(r, 32)}`) {
  const name = `${pick(r, FIRST)} ${pick(r, LAST)}`;
  const worker = `${pick(r, FIRST)} ${pick(r, LAST)}`;
  const caller = phone(r);
  const attributes = {
    from: caller,
    to: "+18005550100",
    name,
    direction: r() < 0.8 ? "inbound" : "outbound",
    channelSid: `CH${hex(r, 32)}`,
    from_country: "US",
    to_country: "US",
    reason: pick(r, ["scheduling", "billing", "refill", "results"]),
    hipaa_enabled: true,
    caller_notes: `${pick(r, NOTES)}. ${pick(r, NOTES)}. Verified identity with date of birth and last four of SSN.`,
    date_of_birth: `19${10 + Math.floor(r() * 89)}-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}`,
    email: `${name.split(" ")[0].toLowerCase()}@example.org`,
    address: `${Math.floor(r() * 9000) + 100} ${pick(r, LAST)} Street, Springfield, IL 627${Math.floor(r() * 90) + 10}`,
    insurance: { carrier: "Blue Shield", member_id: `XQ${hex(r, 10)}`, group: `G-${hex(r, 6)}` },
    conversations: {
      conversation_id: `WT${hex(r, 32)}`,
      communication_channel: "Voice",
      direction: "Inbound",
      queue: pick(r, QUEUES),
      abandoned: r() < 0.1 ? "Yes" : "No",
      hold_time: Math.floor(r() * 300),
      talk_time: Math.floor(r() * 1200),
      external_contact: caller,
      conversation_label_1: pick(r, ["new-patient", "existing"]),
      conversation_attribute_1: "ivr:main>clinic",
      virtual: "No",
      in_business_hours: "Yes",
    },
    customers: {
      name,
      phone: caller,
      email: `${name.split(" ")[1].toLowerCase()}@example.com`,
      external_id: `MRN-${Math.floor(r() * 1e8)}`,
      gender: pick(r, ["F", "M", "X"]),
      year_of_birth: 1930 + Math.floor(r() * 80),
      region: "Northeast",
      market_segment: "Medicare",
    },
    recordings: [{ sid: `RE${hex(r, 32)}`, duration: Math.floor(r() * 900) }],
  };
  const event = {
    EventType: pick(r, ["task.created", "reservation.accepted", "task.completed", "task.wrapup"]),
    AccountSid: accountSid,
    WorkspaceSid: `WS${hex(r, 32)}`,
    WorkspaceName: "Clinic Contact Center",
    EventDescription: `Task TA${hex(r, 8)} changed state`,
    ResourceType: "task",
    ResourceSid: `WT${hex(r, 32)}`,
    Timestamp: String(1763856000 + index),
    TaskSid: `WT${hex(r, 32)}`,
    TaskAge: String(Math.floor(r() * 600)),
    TaskPriority: "0",
    TaskAssignmentStatus: "assigned",
    TaskQueueSid: `WQ${hex(r, 32)}`,
    TaskQueueName: pick(r, QUEUES),
    TaskChannelUniqueName: "voice",
    WorkflowSid: `WW${hex(r, 32)}`,
    WorkflowName: "Patient Routing",
    WorkerSid: `WK${hex(r, 32)}`,
    WorkerName: worker,
    WorkerAttributes: JSON.stringify({ full_name: worker, email: "agent@example.org", contact_uri: `client:${worker}`, skills: ["cardiology", "spanish"] }),
    TaskAttributes: JSON.stringify(attributes),
  };
  return JSON.stringify(event);
}

/** The policy the benchmark filters with: envelope ids plus the Flex Insights HIPAA lists (abridged). */
export const benchPolicy = {
  name: "bench",
  keep: [
    "EventType", "AccountSid", "WorkspaceSid", "ResourceType", "Timestamp", "TaskSid", "TaskAge",
    "TaskPriority", "TaskAssignmentStatus", "TaskQueueSid", "TaskQueueName", "TaskChannelUniqueName",
    "WorkflowSid", "WorkerSid",
    "TaskAttributes.channelSid", "TaskAttributes.direction", "TaskAttributes.from_country",
    "TaskAttributes.to_country", "TaskAttributes.hipaa_enabled", "TaskAttributes.reason",
    "TaskAttributes.recordings", "TaskAttributes.reservation_attributes",
    "TaskAttributes.conversations.conversation_id", "TaskAttributes.conversations.communication_channel",
    "TaskAttributes.conversations.direction", "TaskAttributes.conversations.queue",
    "TaskAttributes.conversations.abandoned", "TaskAttributes.conversations.hold_time",
    "TaskAttributes.conversations.talk_time", "TaskAttributes.conversations.conversation_label_1",
    "TaskAttributes.conversations.conversation_attribute_1", "TaskAttributes.conversations.virtual",
    "TaskAttributes.conversations.in_business_hours",
    "TaskAttributes.customers.gender", "TaskAttributes.customers.year_of_birth",
    "TaskAttributes.customers.region", "TaskAttributes.customers.market_segment",
  ],
  embeddedJson: ["TaskAttributes"],
};

/** `count` events as NDJSON text; with `accounts`, each event's AccountSid is one of them, at random. */
export function taskRouterNdjson(count, seed = 1, accounts = undefined) {
  const r = mulberry32(seed);
  let text = "";
  for (let i = 0; i < count; i++) {
    const account = accounts ? accounts[Math.floor(r() * accounts.length)] : undefined;
    text += taskRouterEvent(r, i, account) + "\n";
  }
  return text;
}

/** Account ids for routing benchmarks. */
export function accountIds(count) {
  return Array.from({ length: count }, (_, i) => `AC${String(i).padStart(32, "0")}`);
}
