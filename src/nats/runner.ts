/**
 * One member of a consumer group: pulls batches from a durable pull consumer, filters each batch in one
 * engine call, publishes every outcome with a message id, and acks each input message only after the
 * server stored everything it produced. Nothing is acked that was not durably handled, so a crash at any
 * point leaves the message to be redelivered, and the output stream's duplicate window drops the second
 * publish. Scaling out is starting more of these with the same consumer name.
 *
 * The NATS client is loaded here lazily, on start: the rest of the library never loads it.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import type { Consumer, JetStreamClient, JsMsg, PubAck } from "@nats-io/jetstream";
import type { FilterBase } from "../engine/engine.js";
import { Backoff, sleep, type BackoffOptions } from "./backoff.js";
import { checkOutputStream, ensureConsumer, NatsSetupError, type ConsumerSettings } from "./consumer-setup.js";
import { filterMessages } from "./message-batch.js";
import { publicationsFor, type Publication, type Subjects } from "./publications.js";
import { addOutcomes, newNatsRunStats, type NatsRunStats } from "./run-stats.js";
import { describeError } from "./describe-error.js";

export interface NatsFilterOptions {
  /** Server URLs (any members of the cluster; the client learns the others). */
  servers: string[];
  inStream: string;
  /** Durable pull consumer name, shared by every process of the group. */
  consumer: string;
  outSubject: string;
  /** Rejection records (no content). Without it, rejected events are only counted, then acked. */
  errorsSubject?: string;
  /** Raw bytes of rejected events. MAY HOLD PHI: only when explicitly asked for. */
  rejectsSubject?: string;
  /** The filter, or a function giving the one to use now (called once per batch: a swap lands between batches). */
  filter: FilterBase | (() => FilterBase);
  /** Messages per fetch (default 500). The unit of in-flight work of a process. */
  batch?: number;
  /** Settings checked against an existing consumer, used to create a missing one. */
  consumerSettings?: ConsumerSettings;
  /** How long a fetch waits for a full batch, ms (default 1000, the client's minimum). */
  fetchExpiresMs?: number;
  /** How long to wait for a publish acknowledgement, ms (default 5000). */
  publishTimeoutMs?: number;
  backoff?: BackoffOptions;
  /** Connection name shown by the server's monitoring. */
  name?: string;
  /** One line about the run's progress or trouble (no content). Default: nothing. */
  report?: (line: string) => void;
}

export interface NatsFilterRun {
  /** Counters, updated as the run goes. */
  readonly stats: NatsRunStats;
  /**
   * Drain: stop pulling, finish the batch in flight (its publishes and acks), close. A second call
   * abandons the batch in flight instead: its messages are handed back (nak) for redelivery.
   */
  stop(): void;
  /** Resolves with the final counters once the connection is closed; rejects on a setup error. */
  readonly done: Promise<NatsRunStats>;
}

/** How long closing waits for outstanding acks to be flushed. */
const DRAIN_TIMEOUT_MS = 10_000;

interface Job {
  msg: JsMsg;
  pending: Publication[];
}

/** Starts a group member; returns at once. Setup problems (a consumer with other settings...) reject `done`. */
export function startNatsFilter(options: NatsFilterOptions): NatsFilterRun {
  const runner = new Runner(options);
  return { stats: runner.stats, stop: () => runner.stop(), done: runner.run() };
}

class Runner {
  readonly stats: NatsRunStats;
  private stopping = false;
  private readonly abandon = new AbortController();
  private readonly wake = new AbortController();
  private readonly backoff: Backoff;
  private readonly batch: number;
  private readonly subjects: Subjects;
  private readonly report: (line: string) => void;
  private lastTrouble = "";

  constructor(private readonly options: NatsFilterOptions) {
    this.batch = options.batch ?? 500;
    if (!Number.isInteger(this.batch) || this.batch < 1) throw new RangeError("batch must be a positive integer");
    this.backoff = new Backoff(options.backoff);
    this.report = options.report ?? (() => {});
    this.subjects = { output: options.outSubject };
    if (options.errorsSubject !== undefined) this.subjects.errors = options.errorsSubject;
    if (options.rejectsSubject !== undefined) this.subjects.rejects = options.rejectsSubject;
    const filter = this.currentFilter();
    this.stats = newNatsRunStats((filter as { config?: unknown }).config !== undefined);
  }

  stop(): void {
    if (this.stopping) {
      if (!this.abandon.signal.aborted) this.report("abandoning the batch in flight: its messages are handed back for redelivery");
      this.abandon.abort();
      return;
    }
    this.stopping = true;
    this.report("stopping: no more fetches; finishing the batch in flight (stop again to hand it back instead)");
    this.wake.abort();
  }

  private currentFilter(): FilterBase {
    const f = this.options.filter;
    return typeof f === "function" ? f() : f;
  }

  /** A trouble line, once per kind in a row: a long outage gives one line, not one per retry. */
  private trouble(line: string): void {
    if (line === this.lastTrouble) return;
    this.lastTrouble = line;
    this.report(line);
  }

  private recovered(): void {
    if (this.lastTrouble !== "") this.report("recovered");
    this.lastTrouble = "";
    this.backoff.succeeded();
  }

  private async pause(): Promise<void> {
    await sleep(this.backoff.nextDelay(), this.wake.signal);
  }

  async run(): Promise<NatsRunStats> {
    const { connect } = await import("@nats-io/transport-node");
    const { jetstream, jetstreamManager } = await import("@nats-io/jetstream");

    let nc: NatsConnection | undefined;
    while (nc === undefined && !this.stopping) {
      try {
        nc = await connect({
          servers: this.options.servers,
          name: this.options.name ?? "hipaa-sieve",
          maxReconnectAttempts: -1,
          reconnectTimeWait: 250,
          reconnectJitter: 250,
        });
      } catch (error) {
        this.trouble(`cannot reach the NATS servers (${describeError(error)}); retrying`);
        await this.pause();
      }
    }
    if (nc === undefined) return this.stats;
    this.recovered();
    const connection = nc;
    void this.watchStatus(connection);
    try {
      let consumer: Consumer | undefined;
      let js: JetStreamClient | undefined;
      const streams: Record<string, string> = {};
      while (consumer === undefined && !this.stopping) {
        try {
          const jsm = await jetstreamManager(connection);
          const ackWaitMs = await ensureConsumer(jsm, this.options.inStream, this.options.consumer, this.options.consumerSettings ?? {});
          for (const [subject, option] of [
            [this.subjects.output, "--out-subject"],
            [this.subjects.errors, "--errors-subject"],
            [this.subjects.rejects, "--rejects-subject"],
          ] as const) {
            if (subject !== undefined) streams[subject] = await checkOutputStream(jsm, subject, option, ackWaitMs);
          }
          js = jetstream(connection);
          consumer = await js.consumers.get(this.options.inStream, this.options.consumer);
        } catch (error) {
          if (error instanceof NatsSetupError) throw error;
          this.trouble(`cannot set up the consumer (${describeError(error)}); retrying`);
          await this.pause();
        }
      }
      if (consumer !== undefined && js !== undefined) {
        this.recovered();
        this.report(`filtering stream ${JSON.stringify(this.options.inStream)} as consumer ${JSON.stringify(this.options.consumer)}`);
        await this.loop(consumer, js, streams);
      }
      return this.stats;
    } finally {
      // Acks are sent without waiting for an answer: flush them out before closing. A drain cannot finish
      // while no server is reachable; an ack it could not send is a redelivery, deduplicated downstream.
      const drained = connection.drain().catch(() => {});
      await Promise.race([drained, sleep(DRAIN_TIMEOUT_MS)]);
      if (!connection.isClosed()) await connection.close().catch(() => {});
    }
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === "disconnect") this.trouble("disconnected from a NATS server; reconnecting");
      else if (s.type === "reconnect") this.report("reconnected");
    }
  }

  private async loop(consumer: Consumer, js: JetStreamClient, streams: Record<string, string>): Promise<void> {
    const expires = Math.max(1000, this.options.fetchExpiresMs ?? 1000);
    while (!this.stopping) {
      const messages: JsMsg[] = [];
      let failed = false;
      try {
        // A fetch ends when the batch is full or after `expires`: on stop, the one under way is let finish
        // and its messages are handled, so stopping takes at most `expires` plus one batch.
        const iterator = await consumer.fetch({ max_messages: this.batch, expires });
        for await (const m of iterator) messages.push(m);
      } catch (error) {
        failed = true;
        this.stats.fetchFailures++;
        this.trouble(`cannot fetch from consumer ${JSON.stringify(this.options.consumer)} (${describeError(error)}); retrying`);
      }
      if (messages.length > 0) await this.handle(messages, js, streams);
      if (failed && messages.length === 0) await this.pause();
    }
  }

  private async handle(messages: JsMsg[], js: JetStreamClient, streams: Record<string, string>): Promise<void> {
    const payloads = messages.map((m) => m.data);
    const result = filterMessages(this.currentFilter(), payloads);
    addOutcomes(this.stats, result);
    const jobs: Job[] = messages.map((msg, i) => {
      this.stats.bytesIn += msg.data.length;
      if (msg.redelivered) this.stats.redelivered++;
      const outcome = result.outcomes[i]!;
      if (outcome.kind === "kept") this.stats.bytesOut += outcome.output.length;
      return { msg, pending: publicationsFor(outcome, this.options.inStream, msg.seq, msg.data, this.subjects) };
    });
    await this.publishAndAck(jobs, js, streams);
  }

  /**
   * Publishes every job's publications, retrying the failed ones with backoff (same message ids, so a
   * publish that was stored but whose acknowledgement was lost is dropped as a duplicate); acks a job's
   * input message once all of its publications are stored.
   */
  private async publishAndAck(jobs: Job[], js: JetStreamClient, streams: Record<string, string>): Promise<void> {
    const timeout = this.options.publishTimeoutMs ?? 5000;
    let pending = jobs;
    for (;;) {
      const failures: unknown[] = [];
      await Promise.all(
        pending.map(async (job) => {
          const left: Publication[] = [];
          await Promise.all(
            job.pending.map(async (p) => {
              try {
                const ack: PubAck = await js.publish(p.subject, p.data, {
                  msgID: p.msgID,
                  timeout,
                  // Stored in the stream checked at start, or not at all.
                  expect: { streamName: streams[p.subject] as string },
                });
                this.stats.published++;
                if (ack.duplicate) this.stats.duplicates++;
              } catch (error) {
                failures.push(error);
                left.push(p);
              }
            }),
          );
          job.pending = left;
          if (left.length === 0) {
            job.msg.ack();
            this.stats.acked++;
          }
        }),
      );
      pending = pending.filter((job) => job.pending.length > 0);
      if (pending.length === 0) {
        if (failures.length === 0) this.recovered();
        return;
      }
      this.stats.publishRetries += failures.length;
      this.trouble(`cannot publish (${describeError(failures[0])}); retrying with backoff`);
      if (this.abandon.signal.aborted) {
        this.giveBack(pending);
        return;
      }
      // Tell the server these are still being worked on, so it does not hand them to another process
      // while this one waits out an election.
      for (const job of pending) job.msg.working();
      await sleep(this.backoff.nextDelay(), this.abandon.signal);
      if (this.abandon.signal.aborted) {
        this.giveBack(pending);
        return;
      }
    }
  }

  /** Abandoned at shutdown: hand the messages back for redelivery now rather than after the ack wait. */
  private giveBack(jobs: Job[]): void {
    for (const job of jobs) job.msg.nak();
    this.stats.abandoned += jobs.length;
  }
}
