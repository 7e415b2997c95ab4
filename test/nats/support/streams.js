// Streams of the cluster tests and what tests do with them: publish the input (retrying through a node
// kill, deduplicated by message id), count, wait for the consumer to be idle, read a stream back whole.
// Every loop is bounded in attempts or time.
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { waitFor } from "../../support/nats-cluster.js";

export const IN = "EVENTS";
export const OUT = "FILTERED";
export const ERR = "REJECTED";
export const SUBJECTS = { input: "events.in", output: "events.filtered", errors: "events.rejected" };
const SECOND_NS = 1e9;

export async function connectTo(cluster) {
  const nc = await connect({ servers: cluster.urls, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  return { nc, js: jetstream(nc), jsm: await jetstreamManager(nc) };
}

/** The three streams, replicated on every node, file storage, duplicate windows of two minutes. */
export async function createStreams(jsm, replicas = 3) {
  const common = { num_replicas: replicas, storage: "file", duplicate_window: 120 * SECOND_NS };
  await jsm.streams.add({ ...common, name: IN, subjects: [SUBJECTS.input] });
  await jsm.streams.add({ ...common, name: OUT, subjects: [SUBJECTS.output] });
  await jsm.streams.add({ ...common, name: ERR, subjects: [SUBJECTS.errors] });
}

/**
 * Publishes events `from`..`to`-1 (`text(i)`), `window` at a time; a failed publish (a node killed, an
 * election) is retried with the same message id, so the input stream holds each event once. Records each
 * event's stream sequence in `seqOf[i]`.
 */
export async function publishEvents(js, from, to, text, seqOf, window = 500, subject = SUBJECTS.input) {
  for (let start = from; start < to; start += window) {
    let pending = [];
    for (let i = start; i < Math.min(to, start + window); i++) pending.push(i);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 600) throw new Error(`input publish kept failing for events from ${start}`);
      if (attempt > 0) await new Promise((r) => setTimeout(r, 100));
      const results = await Promise.allSettled(
        pending.map((i) => js.publish(subject, text(i), { msgID: `input-${i}`, timeout: 5000 })),
      );
      const failed = [];
      results.forEach((r, k) => {
        if (r.status === "fulfilled") seqOf[pending[k]] = r.value.seq;
        else failed.push(pending[k]);
      });
      pending = failed;
    }
  }
}

export async function messages(jsm, stream) {
  return (await jsm.streams.info(stream)).state.messages;
}

/** Output plus rejection records stored so far. */
export async function handled(jsm) {
  return (await messages(jsm, OUT)) + (await messages(jsm, ERR));
}

/** Waits until the consumer has delivered everything and every delivery is acked. */
export async function waitConsumerIdle(jsm, consumer, timeoutMs = 180_000) {
  await waitFor(async () => {
    const info = await jsm.consumers.info(IN, consumer);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  }, `consumer ${consumer} to have every message acked`, timeoutMs, 250);
}

/** Calls `each(msg)` for every message of `stream`, in order (an ordered consumer). */
export async function readStream(js, jsm, stream, each) {
  const total = await messages(jsm, stream);
  if (total === 0) return 0;
  const consumer = await js.consumers.get(stream);
  const iterator = await consumer.consume({ max_messages: 1000 });
  let n = 0;
  const timer = setTimeout(() => iterator.stop(), 120_000);
  try {
    for await (const m of iterator) {
      each(m);
      if (++n === total) break;
    }
  } finally {
    clearTimeout(timer);
  }
  if (n !== total) throw new Error(`read ${n} of the ${total} messages of ${stream}`);
  return n;
}

/** `fn()`, tried again while it fails (a request timing out during an election), for at most `timeoutMs`. */
export async function retrying(fn, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
