/**
 * hipaa-sieve/nats: the filter as a member of a NATS JetStream consumer group. A separate entry point, so
 * that importing "hipaa-sieve" never loads the NATS client; this one loads it only when a run starts.
 */
export { startNatsFilter, type NatsFilterOptions, type NatsFilterRun } from "./runner.js";
export { NatsSetupError, DEFAULT_ACK_WAIT_MS, DEFAULT_MAX_ACK_PENDING, type ConsumerSettings } from "./consumer-setup.js";
export { formatNatsSummary, type NatsRunStats } from "./run-stats.js";
export { filterMessages, type Outcome, type BatchOutcomes } from "./message-batch.js";
export { messageId, rejectionRecord } from "./publications.js";
export type { BackoffOptions } from "./backoff.js";
