/**
 * Named detector recommendations: a `detect` section to start from (`"detect": "flex-insights-hipaa"`, or
 * `{"use": "flex-insights-hipaa", "action": "count"}`), written for the presets of the same name.
 *
 * flex-insights-hipaa: every built-in detector on every value the flex-insights-hipaa presets keep, except
 * where the preserved attribute holds, by design, what a detector would report:
 * - timestamps of the envelope (ISO dates and epoch seconds/milliseconds): exempt from every detector;
 * - `conversations.date` (the conversation's timestamp) and `customers.acquisition_date` (a business date):
 *   exempt from `date`;
 * - `conversations.segment_link` (the link Flex makes to a segment) and `customers.customer_link` (the CRM
 *   link Flex Insights preserves): exempt from `url`;
 * - `recordings` (recording SIDs, media URLs, creation timestamps): exempt from `url` and `date`;
 * - Event Streams' `dataschema` (the URL of the event's schema, on every CloudEvent): exempt from `url`.
 * Twilio SIDs need no exemption: their digits stand inside a run of letters and digits, which no detector
 * reads (docs/detectors.md, "starts clean"). Durations and counters are numbers of fewer than 9 digits,
 * which are not scanned. Every entry is optional: one that selects nothing in a policy is ignored there.
 */

export interface Recommendation {
  readonly name: string;
  readonly description: string;
  /** A detect section (without "use"): what `use` starts from. */
  readonly detect: Readonly<Record<string, unknown>>;
}

const TASK_ATTRIBUTE_BASES = ["TaskAttributes", "data.payload.task_attributes"];

const ENVELOPE_TIMESTAMPS = [
  "Timestamp", "TimestampMs", "EventDate", "EventDateMs", "TaskDateCreated", "TaskQueueEnteredDate",
  "time", "data.timestamp", "data.payload.timestamp", "data.payload.timestamp_ms", "data.payload.event_date",
  "data.payload.event_date_ms", "data.payload.task_date_created", "data.payload.task_queue_entered_date",
];

const FLEX_INSIGHTS_HIPAA: Recommendation = Object.freeze({
  name: "flex-insights-hipaa",
  description: "All seven built-in detectors on what the flex-insights-hipaa presets keep; envelope timestamps exempt, " +
    "and the dates and links Flex Insights preserves by design exempt from date and url.",
  detect: Object.freeze({
    detectors: ["ssn", "card", "phone", "email", "date", "ip", "url"],
    exempt: [
      ...ENVELOPE_TIMESTAMPS,
      { path: "dataschema", detectors: ["url"] },
      ...TASK_ATTRIBUTE_BASES.flatMap((base) => [
        { path: `${base}.conversations.date`, detectors: ["date"] },
        { path: `${base}.customers.acquisition_date`, detectors: ["date"] },
        { path: `${base}.conversations.segment_link`, detectors: ["url"] },
        { path: `${base}.customers.customer_link`, detectors: ["url"] },
        { path: `${base}.recordings`, detectors: ["url", "date"] },
      ]),
    ],
  }),
});

export const RECOMMENDATIONS: readonly Recommendation[] = Object.freeze([FLEX_INSIGHTS_HIPAA]);
export const RECOMMENDATION_NAMES: readonly string[] = Object.freeze(RECOMMENDATIONS.map((r) => r.name));

export function findRecommendation(name: string): Recommendation | undefined {
  return RECOMMENDATIONS.find((r) => r.name === name);
}
