/**
 * Built-in policies ("presets"), versioned. `flex-insights-hipaa@1` names one version exactly; the bare name
 * `flex-insights-hipaa` means the newest version. A published version never changes: when a source document
 * grows its list (the Flex Insights document says it "may grow"), a new version is added beside the old one,
 * so an account that pinned `@1` keeps exactly what it had.
 *
 * Sources (copies in ../shared/seeds/):
 * - flex-insights-hipaa.txt, "HIPAA for Flex Insights Historical Reporting": the preserved attributes of task
 *   attributes (root level, conversations object, customers object). test/presets.test.js checks the lists
 *   below against that text, in both directions.
 * - cticloud-hipaa.txt, "HIPAA Compliance" (CTICloud): the non-PHI end-of-call report.
 *
 * Envelope fields (outside task attributes) are kept only when they are ids, event types, timestamps, counters,
 * statuses, or names of configuration objects (queue, workflow, channel, activity). Dropped on purpose, among
 * others: WorkerName, WorkerAttributes, WorkspaceName and EventDescription (Twilio marks both as PII),
 * TaskCanceledReason / TaskCompletedReason (free text), TaskQueueTargetExpression and workflow filter
 * expressions (they may quote phone numbers or names), account and parent friendly names, and Event Streams'
 * `publisher` (the workspace name) and `publisher_metadata` (an opaque JSON string).
 *
 * No Node built-ins here: presets are used in browsers and workerd too.
 */
import { compilePolicy, PolicyError, type CompiledPolicy, type PolicySpec } from "./policy.js";
import { didYouMean } from "./suggest.js";

export interface Preset {
  /** The name without version, e.g. "flex-insights-hipaa". */
  readonly name: string;
  readonly version: number;
  /** `${name}@${version}`, e.g. "flex-insights-hipaa@1". */
  readonly id: string;
  readonly description: string;
  /** Where the account id stands in the events this preset is meant for (a suggestion for accountKey). */
  readonly accountKey?: string;
  readonly spec: Readonly<PolicySpec>;
}

// ------------------------------------------------------------------ Flex Insights preserved attributes, v1

/** "Preserved attributes on the root level of task attributes" (conversations and customers are objects). */
const FLEX_ROOT_V1 = ["channelSid", "conversations", "customers", "direction", "from_country", "hipaa_enabled",
  "reason", "recordings", "reservation_attributes", "to_country"] as const;

/** "Preserved attributes in the conversations object". */
const FLEX_CONVERSATIONS_V1 = ["abandon_time", "abandoned", "abandoned_phase", "activity", "activity_time",
  "agent_talk_time", "average_response_time", "campaign", "case", "channel", "communication_channel", "content",
  "conversation_attribute_1", "conversation_attribute_10", "conversation_attribute_2", "conversation_attribute_3",
  "conversation_attribute_4", "conversation_attribute_5", "conversation_attribute_6", "conversation_attribute_7",
  "conversation_attribute_8", "conversation_attribute_9", "conversation_id", "conversation_label_1",
  "conversation_label_10", "conversation_label_2", "conversation_label_3", "conversation_label_4",
  "conversation_label_5", "conversation_label_6", "conversation_label_7", "conversation_label_8",
  "conversation_label_9", "conversation_measure_1", "conversation_measure_10", "conversation_measure_2",
  "conversation_measure_3", "conversation_measure_4", "conversation_measure_5", "conversation_measure_6",
  "conversation_measure_7", "conversation_measure_8", "conversation_measure_9", "crosstalk_time",
  "customer_talk_time", "date", "destination", "direction", "external_contact", "external_id_label",
  "first_response_time", "focus_time", "followed_by", "handling_department_id", "handling_department_name",
  "handling_department_name_in_hierarchy", "handling_team_id", "handling_team_name",
  "handling_team_name_in_hierarchy", "hang_up_by", "hold_time", "in_business_hours", "initiated_by", "initiative",
  "ivr_path", "ivr_time", "kind", "language", "longest_silence_before_agent", "longest_silence_before_customer",
  "longest_talk_by_agent", "longest_talk_by_customer", "media", "order", "outcome", "preceded_by", "priority",
  "productive", "queue", "queue_time", "recording_status", "ring_time", "segment_link", "segment_name",
  "segment_recording_offset", "service_level", "silence_time", "source", "talk_time", "virtual", "workflow",
  "wrap_up_time"] as const;

/** "Preserved attributes in the customers object". */
const FLEX_CUSTOMERS_V1 = ["acquisition_cost", "acquisition_date", "business_value", "category", "country",
  "customer_attribute_1", "customer_attribute_2", "customer_attribute_3", "customer_label_1", "customer_label_2",
  "customer_label_3", "customer_link", "customer_manager", "gender", "market_segment", "organization", "region",
  "state", "type", "year_of_birth"] as const;

/** The objects of the root list whose listed children are kept (the root entry itself is a prefix only). */
const FLEX_OBJECTS_V1: Record<string, readonly string[]> = {
  conversations: FLEX_CONVERSATIONS_V1,
  customers: FLEX_CUSTOMERS_V1,
};

/** Keep paths for task attributes at `base` (the field holding them): the three preserved lists. */
function flexTaskAttributePaths(base: string): string[] {
  const paths: string[] = [];
  for (const key of FLEX_ROOT_V1) {
    const children = FLEX_OBJECTS_V1[key];
    if (children) for (const child of children) paths.push(`${base}.${key}.${child}`);
    else paths.push(`${base}.${key}`); // recordings and reservation_attributes among them: kept whole
  }
  return paths;
}

// ------------------------------------------------------------------ TaskRouter event callbacks, v1

/** Envelope fields of a TaskRouter event callback that carry no personal data. */
const TASKROUTER_ENVELOPE_V1 = [
  // every event
  "EventType", "Sid", "AccountSid", "WorkspaceSid", "ResourceType", "ResourceSid",
  "Timestamp", "TimestampMs", "EventDate", "EventDateMs",
  // task
  "TaskSid", "TaskAge", "TaskAgeInQueue", "TaskPriority", "TaskAssignmentStatus", "TaskVersion",
  "TaskDateCreated", "TaskQueueEnteredDate", "TaskChannelSid", "TaskChannelUniqueName",
  // queue, workflow, reservation
  "TaskQueueSid", "TaskQueueName", "WorkflowSid", "WorkflowName", "ReservationSid",
  // worker: its id, activity and channel counters; never its name or attributes
  "WorkerSid", "WorkerActivitySid", "WorkerActivityName", "WorkerPreviousActivitySid", "WorkerPreviousActivityName",
  "WorkerTimeInPreviousActivity", "WorkerTimeInPreviousActivityMs", "WorkerVersion",
  "WorkerChannelAvailable", "WorkerChannelAvailableCapacity", "WorkerChannelPreviousCapacity", "WorkerChannelTaskCount",
  // activity events
  "ActivitySid", "ActivityName", "ActivityAvailable",
] as const;

// ------------------------------------------------------------------ Event Streams CloudEvents, v1

/** CloudEvents attributes of an Event Streams event. */
const CLOUDEVENT_ENVELOPE_V1 = ["specversion", "type", "source", "id", "time", "datacontenttype", "dataschema"] as const;

/** `data` fields of a TaskRouter Event Streams event that carry no personal data. */
const EVENTSTREAMS_DATA_V1 = ["sid", "name", "account_sid", "parent_account_sid", "timestamp", "level", "group",
  "product_name", "payload_type"] as const;

/**
 * `data.payload` fields, the snake_case forms of the callback fields above. Both `eventtype` (as Twilio's
 * examples show) and `event_type` are listed: an event type carries no personal data either way.
 */
const EVENTSTREAMS_PAYLOAD_V1 = [
  "sid", "eventtype", "event_type", "account_sid", "workspace_sid", "resource_type", "resource_sid",
  "timestamp", "timestamp_ms", "event_date", "event_date_ms",
  "task_sid", "task_age", "task_age_in_queue", "task_priority", "task_assignment_status", "task_version",
  "task_date_created", "task_queue_entered_date", "task_channel_sid", "task_channel_unique_name",
  "task_queue_sid", "task_queue_name", "workflow_sid", "workflow_name", "reservation_sid",
  "worker_sid", "worker_activity_sid", "worker_activity_name", "worker_previous_activity_sid",
  "worker_previous_activity_name", "worker_time_in_previous_activity", "worker_time_in_previous_activity_ms",
  "worker_version", "worker_channel_available", "worker_channel_available_capacity",
  "worker_channel_previous_capacity", "worker_channel_task_count",
  "activity_sid", "activity_name", "activity_available",
] as const;

// ------------------------------------------------------------------ CTICloud end-of-call report, v1

/** The fields of CTICloud's end-of-call report "containing non-PHI information". */
const CTICLOUD_END_OF_CALL_V1 = ["callId", "startTime", "endTime", "duration", "agentId", "queueId", "disposition",
  "containedPHI"] as const;

// ------------------------------------------------------------------ the registry

function preset(name: string, version: number, description: string, spec: PolicySpec, accountKey?: string): Preset {
  const frozenSpec: PolicySpec = { description, keep: Object.freeze([...spec.keep]) as string[] };
  if (spec.embeddedJson) frozenSpec.embeddedJson = Object.freeze([...spec.embeddedJson]) as string[];
  const p: Preset = { name, version, id: `${name}@${version}`, description, spec: Object.freeze(frozenSpec) };
  return Object.freeze(accountKey === undefined ? p : { ...p, accountKey });
}

/** Every preset version, oldest first within a name. */
export const PRESETS: readonly Preset[] = Object.freeze([
  preset("flex-insights-hipaa", 1,
    "TaskRouter event callbacks for HIPAA accounts, as Flex Insights filters them: envelope ids, event types, " +
    "timestamps, queue/workflow/channel/activity names and task counters; inside TaskAttributes (a JSON string) " +
    "only the attributes Flex Insights preserves, with recordings and reservation_attributes kept whole. " +
    "Worker names and attributes, workspace names, event descriptions and free-text reasons are dropped.",
    {
      keep: [...TASKROUTER_ENVELOPE_V1, ...flexTaskAttributePaths("TaskAttributes")],
      embeddedJson: ["TaskAttributes"],
    },
    "AccountSid"),
  preset("flex-insights-hipaa-eventstreams", 1,
    "The flex-insights-hipaa rules for TaskRouter events delivered by Event Streams (CloudEvents): the CloudEvents " +
    "attributes, the non-personal data and data.payload fields, and inside data.payload.task_attributes (a JSON " +
    "string) only the attributes Flex Insights preserves.",
    {
      keep: [
        ...CLOUDEVENT_ENVELOPE_V1,
        ...EVENTSTREAMS_DATA_V1.map((k) => `data.${k}`),
        ...EVENTSTREAMS_PAYLOAD_V1.map((k) => `data.payload.${k}`),
        ...flexTaskAttributePaths("data.payload.task_attributes"),
      ],
      embeddedJson: ["data.payload.task_attributes"],
    },
    "data.payload.account_sid"),
  preset("cticloud-end-of-call", 1,
    "CTICloud's end-of-call report, limited to its non-PHI fields: callId, startTime, endTime, duration, agentId, " +
    "queueId, disposition, containedPHI.",
    { keep: [...CTICLOUD_END_OF_CALL_V1] }),
]);

/** The preset names (without versions), in PRESETS order. */
export const PRESET_NAMES: readonly string[] = Object.freeze([...new Set(PRESETS.map((p) => p.name))]);

/**
 * "name" → the newest version of that preset; "name@N" → exactly that version (N a positive integer written
 * without leading zeros). Anything else → undefined. `presets` defaults to PRESETS (tests pass their own).
 */
export function findPreset(nameOrId: string, presets: readonly Preset[] = PRESETS): Preset | undefined {
  const at = nameOrId.lastIndexOf("@");
  if (at < 0) {
    let newest: Preset | undefined;
    for (const p of presets) if (p.name === nameOrId && (!newest || p.version > newest.version)) newest = p;
    return newest;
  }
  const version = nameOrId.slice(at + 1);
  if (!/^[1-9][0-9]*$/.test(version)) return undefined;
  return presets.find((p) => p.id === nameOrId);
}

/** The versions of a preset name, ascending (empty for an unknown name). */
export function presetVersions(name: string): number[] {
  return PRESETS.filter((p) => p.name === name).map((p) => p.version).sort((a, b) => a - b);
}

/** `did you mean "flex-insights-hipaa"? ` for a misspelt preset name or id, else "". */
export function presetSuggestion(nameOrId: string): string {
  return didYouMean(nameOrId, [...PRESET_NAMES, ...PRESETS.map((p) => p.id)]);
}

const compiled = new Map<string, CompiledPolicy>();

/** The compiled policy of a preset (compiled once, then shared: compiled policies are immutable). */
export function presetPolicy(nameOrId: string): CompiledPolicy {
  const p = findPreset(nameOrId);
  if (!p) {
    throw new PolicyError("presets", [{
      path: JSON.stringify(nameOrId),
      expected: `unknown preset (${presetSuggestion(nameOrId)}expected one of: ${PRESET_NAMES.join(", ")}, ` +
        `optionally with @version, e.g. ${PRESETS[0].id})`,
    }]);
  }
  let policy = compiled.get(p.id);
  if (!policy) {
    policy = compilePolicy(p.spec, `preset ${p.id}`, p.id);
    compiled.set(p.id, policy);
  }
  return policy;
}
