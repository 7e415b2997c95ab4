/**
 * The durable pull consumer the filter processes share, and the checks that make exactly-once hold: the
 * consumer is created when missing; one that exists with settings that would break the guarantees is
 * refused with a message saying which setting and why, rather than silently changed (other processes of
 * the group may be using it). The output streams must exist and keep message ids longer than a redelivery
 * can take.
 */
import type { ConsumerConfig, JetStreamManager } from "@nats-io/jetstream";

export interface ConsumerSettings {
  /** How long the server waits for an ack before redelivering, ms. Checked only when given; default 30 s at creation. */
  ackWaitMs?: number;
  /** Unacked messages the server hands out to the whole group at most. Checked only when given; default 10000 at creation. */
  maxAckPending?: number;
}

export const DEFAULT_ACK_WAIT_MS = 30_000;
export const DEFAULT_MAX_ACK_PENDING = 10_000;

/** A setting that cannot work: the message is for the user as it is (names and numbers, no event content). */
export class NatsSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NatsSetupError";
  }
}

const NANOS_PER_MS = 1_000_000;
const ms = (nanos: number): number => Math.round(nanos / NANOS_PER_MS);

function apiCode(error: unknown): number | undefined {
  const api = (error as { api_error?: { err_code?: number } } | null)?.api_error;
  if (typeof api?.err_code === "number") return api.err_code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}

const CONSUMER_NOT_FOUND = 10014;
const STREAM_NOT_FOUND = 10059;

/** Why an existing consumer's configuration cannot be used; empty when it can. */
export function consumerProblems(config: Partial<ConsumerConfig>, wanted: ConsumerSettings): string[] {
  const problems: string[] = [];
  if (config.deliver_subject) problems.push("it is a push consumer (it has a deliver subject); a pull consumer is needed");
  if (config.ack_policy !== "explicit") problems.push(`its ack policy is ${JSON.stringify(config.ack_policy)}; "explicit" is needed (each message is acked after its output is stored)`);
  if (typeof config.max_deliver === "number" && config.max_deliver > 0) {
    problems.push(`its max_deliver is ${config.max_deliver}: the server would give up on an event after that many deliveries and it would be lost; -1 is needed`);
  }
  if (wanted.ackWaitMs !== undefined && config.ack_wait !== undefined && ms(config.ack_wait) !== wanted.ackWaitMs) {
    problems.push(`its ack wait is ${ms(config.ack_wait)} ms, not the ${wanted.ackWaitMs} ms asked for`);
  }
  if (wanted.maxAckPending !== undefined && config.max_ack_pending !== wanted.maxAckPending) {
    problems.push(`its max_ack_pending is ${config.max_ack_pending}, not the ${wanted.maxAckPending} asked for`);
  }
  return problems;
}

/**
 * Makes sure `stream` has the durable pull consumer `name`; returns its ack wait in ms. Two processes
 * starting together may both create it: the server accepts an identical create as a no-op.
 */
export async function ensureConsumer(jsm: JetStreamManager, stream: string, name: string, wanted: ConsumerSettings): Promise<number> {
  let existing: Partial<ConsumerConfig> | undefined;
  try {
    existing = (await jsm.consumers.info(stream, name)).config;
  } catch (error) {
    const code = apiCode(error);
    if (code === STREAM_NOT_FOUND) throw new NatsSetupError(`input stream ${JSON.stringify(stream)} does not exist`);
    if (code !== CONSUMER_NOT_FOUND) throw error;
  }
  if (existing !== undefined) {
    const problems = consumerProblems(existing, wanted);
    if (problems.length > 0) {
      throw new NatsSetupError(
        `consumer ${JSON.stringify(name)} of stream ${JSON.stringify(stream)} exists with other settings: ${problems.join("; ")} ` +
          "(delete it or use another --consumer name)",
      );
    }
    return ms(existing.ack_wait ?? DEFAULT_ACK_WAIT_MS * NANOS_PER_MS);
  }
  const ackWaitMs = wanted.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
  const created = await jsm.consumers.add(stream, {
    durable_name: name,
    ack_policy: "explicit" as ConsumerConfig["ack_policy"],
    ack_wait: ackWaitMs * NANOS_PER_MS,
    max_ack_pending: wanted.maxAckPending ?? DEFAULT_MAX_ACK_PENDING,
    max_deliver: -1,
    deliver_policy: "all" as ConsumerConfig["deliver_policy"],
  });
  const problems = consumerProblems(created.config, { ...wanted, ackWaitMs });
  if (problems.length > 0) {
    throw new NatsSetupError(`consumer ${JSON.stringify(name)} of stream ${JSON.stringify(stream)} exists with other settings: ${problems.join("; ")}`);
  }
  return ackWaitMs;
}

/**
 * The stream that stores what is published on `subject` must exist, and its duplicate window must be longer
 * than twice the ack wait: a message whose ack was lost is redelivered one ack wait later, and its output
 * must still be recognized as a duplicate then (twice leaves room for a retry or a slow ack).
 */
export async function checkOutputStream(jsm: JetStreamManager, subject: string, option: string, ackWaitMs: number): Promise<string> {
  let stream: string;
  try {
    stream = await jsm.streams.find(subject);
  } catch (error) {
    if (apiCode(error) === STREAM_NOT_FOUND || /no stream matches subject/i.test(String((error as Error)?.message))) {
      throw new NatsSetupError(`no stream stores subject ${JSON.stringify(subject)} (${option}): create one first`);
    }
    throw error;
  }
  const info = await jsm.streams.info(stream);
  const windowMs = ms(info.config.duplicate_window ?? 0);
  if (windowMs < 2 * ackWaitMs) {
    throw new NatsSetupError(
      `stream ${JSON.stringify(stream)} (${option}) keeps message ids for ${windowMs} ms, less than twice the consumer's ack wait ` +
        `(${ackWaitMs} ms): a redelivered event could be published twice; raise its duplicate_window`,
    );
  }
  return stream;
}
