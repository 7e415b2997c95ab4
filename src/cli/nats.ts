/**
 * `hipaa-sieve nats`: its options and help. The consumer-group member itself (nats-run.ts, with the
 * NATS client) is loaded only when the command runs, so that other commands start without it.
 */
import { HELP_OPTION, type CommandSpec } from "./args.js";
import type { Command } from "./run.js";

export const natsSpec: CommandSpec = {
  name: "nats",
  summary: "Filter a NATS JetStream stream as one member of a consumer group, exactly once",
  usage: [
    "nats --servers URLS --in-stream NAME --consumer NAME --out-subject SUBJECT",
    "     (--accounts FILE | --policy FILE | --preset NAME) [--errors-subject SUBJECT]",
    "     [--rejects-subject SUBJECT] [--batch N] [--watch] [--stats-json FILE] [--ack-wait SECONDS]",
    "     [--max-ack-pending N] [--max-depth N] [--max-event-bytes N]",
  ],
  options: [
    { name: "servers", type: "string", value: "URLS", description: "NATS server URLs, comma-separated (nats://127.0.0.1:4222,...)" },
    { name: "in-stream", type: "string", value: "NAME", description: "The stream holding the events, one per message" },
    { name: "consumer", type: "string", value: "NAME", description: "Durable pull consumer shared by every process of the group" },
    { name: "out-subject", type: "string", value: "SUBJECT", description: "Where kept events are published (a stream must store it)" },
    { name: "accounts", type: "string", value: "FILE", description: "Accounts configuration (JSON): each event is routed by its account" },
    { name: "policy", type: "string", value: "FILE", description: "One policy file for every event" },
    { name: "preset", type: "string", value: "NAME", description: 'One built-in policy for every event (see "hipaa-sieve presets")' },
    {
      name: "errors-subject",
      type: "string",
      value: "SUBJECT",
      description: 'One record per rejected event: {"stream","seq","code","offset","account"}, no content',
    },
    {
      name: "rejects-subject",
      type: "string",
      value: "SUBJECT",
      description: "Publish the RAW BYTES of rejected events there. MAY CONTAIN PHI",
    },
    { name: "batch", type: "string", value: "N", positiveInteger: true, description: "Messages per fetch and engine call (default 500)" },
    { name: "watch", type: "boolean", description: "Reload the --accounts file when it changes (between two batches)" },
    { name: "stats-json", type: "string", value: "FILE", description: "Write the summary as JSON when the run ends" },
    {
      name: "ack-wait",
      type: "string",
      value: "SECONDS",
      positiveInteger: true,
      description: "The consumer's ack wait: checked if it exists, used if created (default 30)",
    },
    {
      name: "max-ack-pending",
      type: "string",
      value: "N",
      positiveInteger: true,
      description: "The consumer's max ack pending: checked if it exists, used if created (default 10000)",
    },
    { name: "max-depth", type: "string", value: "N", positiveInteger: true, description: "Deepest nesting accepted (default 64)" },
    { name: "max-event-bytes", type: "string", value: "N", positiveInteger: true, description: "Largest event in bytes (default 16777216)" },
    HELP_OPTION,
  ],
  details: [
    "Every process started with the same --in-stream and --consumer shares the work: the server hands each",
    "message to one of them. Each batch is filtered in one engine call; each kept event is published on",
    "--out-subject with the message id STREAM:SEQUENCE (its input stream and sequence), and the input",
    "message is acked only once the server stored everything it produced. A process that dies leaves its",
    "unacked messages to be redelivered after the ack wait; the output stream's duplicate window drops",
    "their second publish. Input headers are not copied to the output (they are not filtered).",
    "",
    "The consumer is created when missing. One that exists with other settings (a push consumer, an ack",
    "policy other than explicit, a max_deliver limit, or another --ack-wait / --max-ack-pending than asked",
    "for) is refused. Each output subject must be stored by a stream whose duplicate window is at least",
    "twice the ack wait.",
    "",
    "--errors-subject records hold the input stream and sequence, the code, the byte offset and the",
    "account when it is a configured one: never content. --rejects-subject publishes the rejected events'",
    "raw bytes: it MAY CONTAIN PHI. Without --errors-subject rejected events are only counted.",
    "",
    "When the servers or an output stream are unavailable, the process retries with backoff and jitter,",
    "and nothing is acked meanwhile. SIGTERM or SIGINT drains: stop pulling, finish the batch in flight,",
    "ack, close, print the summary. A second signal (once \"stopping\" is reported) hands the batch in",
    "flight back for redelivery instead.",
    "",
    "Exit status: 0 after a drained stop; 1 for invalid configuration files or consumer and stream",
    "settings that cannot give exactly-once; 2 for bad arguments.",
  ],
};

export const natsCommand: Command = {
  ...natsSpec,
  run: async (values, positionals, context) => (await import("./nats-run.js")).runNats(values, positionals, context),
};
