// The nats command against a real cluster, around the edges: settings that cannot give exactly-once are
// refused with a message naming them; an unavailable output stream makes it retry with backoff and ack
// nothing meanwhile; a drain that cannot finish is abandoned by a second SIGTERM, handing the batch back
// for redelivery, and another process then publishes it, once.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { CLI, ROOT } from "../support/cli-run.js";
import { NatsCluster, natsServerAvailable, waitFor } from "../support/nats-cluster.js";
import { FilterProcess } from "./support/filter-process.js";
import { ACCOUNTS_FILE, eventText } from "./support/events.js";
import { IN, SUBJECTS, connectTo, createStreams, publishEvents, readStream, retrying } from "./support/streams.js";

let cluster;
let connection;

function nats(args) {
  return spawnSync(process.execPath, [CLI, "nats", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
}

const base = () => ["--servers", cluster.servers, "--in-stream", IN, "--out-subject", SUBJECTS.output, "--preset", "flex-insights-hipaa"];

test.before(async () => {
  assert.ok(natsServerAvailable(), "nats-server is not installed (apt-get install -y nats-server)");
  cluster = await NatsCluster.start();
  connection = await connectTo(cluster);
  await createStreams(connection.jsm, 1);
});

test.after(async () => {
  await connection?.nc.close().catch(() => {});
  await cluster?.stop();
});

test("bad arguments: exit 2, one line", () => {
  const r = nats(["--in-stream", IN, "--consumer", "c", "--out-subject", "o", "--preset", "flex-insights-hipaa"]);
  assert.is(r.status, 2);
  assert.match(r.stderr, /^hipaa-sieve: option --servers is required \(see "hipaa-sieve nats --help"\)\n$/);
  const same = nats([...base(), "--consumer", "c", "--errors-subject", SUBJECTS.output]);
  assert.is(same.status, 2);
  assert.match(same.stderr, /must be different subjects/);
  const watch = nats([...base(), "--consumer", "c", "--watch"]);
  assert.is(watch.status, 2);
  assert.match(watch.stderr, /--watch needs --accounts FILE/);
});

test("a consumer that exists with other settings is refused, not changed", async () => {
  const { jsm } = connection;
  await jsm.consumers.add(IN, { durable_name: "limited", ack_policy: "explicit", max_deliver: 3, ack_wait: 30e9 });
  const r = nats([...base(), "--consumer", "limited"]);
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stderr, /consumer "limited" of stream "EVENTS" exists with other settings: its max_deliver is 3/);
  await jsm.consumers.add(IN, { durable_name: "slow", ack_policy: "explicit", ack_wait: 30e9 });
  const other = nats([...base(), "--consumer", "slow", "--ack-wait", "10"]);
  assert.is(other.status, 1);
  assert.match(other.stderr, /its ack wait is 30000 ms, not the 10000 ms asked for/);
  assert.is((await jsm.consumers.info(IN, "slow")).config.ack_wait, 30e9, "left as it was");
});

test("no stream for the output subject, or a duplicate window shorter than twice the ack wait: refused", async () => {
  const missing = nats(["--servers", cluster.servers, "--in-stream", IN, "--out-subject", "nowhere.stored", "--consumer", "c1", "--preset", "flex-insights-hipaa"]);
  assert.is(missing.status, 1);
  assert.match(missing.stderr, /no stream stores subject "nowhere\.stored" \(--out-subject\)/);
  await connection.jsm.streams.add({ name: "SHORT", subjects: ["short.window"], duplicate_window: 20e9 });
  const short = nats([...base().slice(0, 4), "--out-subject", "short.window", "--consumer", "c2", "--preset", "flex-insights-hipaa", "--ack-wait", "30"]);
  assert.is(short.status, 1);
  assert.match(short.stderr, /stream "SHORT" \(--out-subject\) keeps message ids for 20000 ms, less than twice the consumer's ack wait \(30000 ms\)/);
  const missingInput = nats(["--servers", cluster.servers, "--in-stream", "NOPE", "--out-subject", SUBJECTS.output, "--consumer", "c", "--preset", "flex-insights-hipaa"]);
  assert.is(missingInput.status, 1);
  assert.match(missingInput.stderr, /input stream "NOPE" does not exist/);
});

test("output stream down: nothing acked, backoff; a second SIGTERM hands the batch back; another process publishes it once", async () => {
  const { js, jsm } = connection;
  // One-replica streams on chosen nodes: killing n2 makes the output unavailable while the input, on n1, stays up.
  const subjects = { input: "outage.in", output: "outage.out" };
  await jsm.streams.add({ name: "OUTAGE_IN", subjects: [subjects.input], num_replicas: 1, placement: { tags: ["node:n1"] } });
  await jsm.streams.add({ name: "OUTAGE_OUT", subjects: [subjects.output], num_replicas: 1, duplicate_window: 120e9, placement: { tags: ["node:n2"] } });
  const COUNT = 300;
  await publishEvents(js, 0, COUNT, eventText, new Int32Array(COUNT), 100, subjects.input);
  await cluster.killNode(1);

  const args = ["--servers", cluster.servers, "--in-stream", "OUTAGE_IN", "--consumer", "outage", "--out-subject", subjects.output,
    "--accounts", ACCOUNTS_FILE, "--batch", "100", "--ack-wait", "30"];
  const first = new FilterProcess(args, "first").start();
  let second;
  try {
    // It cannot even check the output stream while its node is down: it retries, it does not give up.
    await first.waitFor(/cannot set up the consumer .*; retrying/);
    await cluster.restartNode(1);
    await first.waitFor(/filtering stream/);
    await waitFor(async () => (await jsm.consumers.info("OUTAGE_IN", "outage")).num_ack_pending === 0 &&
      (await jsm.streams.info("OUTAGE_OUT")).state.messages > 0, "the first batches published", 60_000, 100);

    // Now the output goes away mid-run: publishes fail, nothing more is acked.
    const acked = (await jsm.consumers.info("OUTAGE_IN", "outage")).ack_floor.stream_seq;
    await cluster.killNode(1);
    await publishEvents(js, COUNT, 2 * COUNT, eventText, new Int32Array(2 * COUNT), 100, subjects.input);
    await first.waitFor(/cannot publish \(.*\); retrying with backoff/);
    const during = await retrying(() => jsm.consumers.info("OUTAGE_IN", "outage"));
    assert.ok(during.num_ack_pending > 0, "a batch is held, unacked");
    assert.ok(during.ack_floor.stream_seq <= 2 * COUNT && during.ack_floor.stream_seq >= acked);

    // SIGTERM drains, but the drain cannot finish; a second SIGTERM abandons the batch (nak: redelivered now).
    first.child.kill("SIGTERM");
    await first.waitFor(/stopping: no more fetches/);
    first.child.kill("SIGTERM");
    await first.waitFor(/abandoning the batch in flight/);
    const exit = await first.exited;
    assert.is(exit.code, 0, first.stderr);
    assert.match(first.stderr, /left unacked for redelivery/);

    await cluster.restartNode(1);
    second = new FilterProcess(args, "second").start();
    await waitFor(async () => {
      const info = await jsm.consumers.info("OUTAGE_IN", "outage");
      return info.num_pending === 0 && info.num_ack_pending === 0;
    }, "every event handled", 120_000, 200);
    assert.is((await second.stop()).code, 0, second.stderr);
    const ids = new Set();
    let total = 0;
    await readStream(js, jsm, "OUTAGE_OUT", (m) => {
      total++;
      ids.add(m.headers.get("Nats-Msg-Id"));
    });
    const rejected = Array.from({ length: 2 * COUNT }, (_, i) => i).filter((i) => i % 199 === 11).length;
    assert.is(ids.size, 2 * COUNT - rejected, "every kept event published");
    assert.is(total, ids.size, "none twice");
  } finally {
    await first.kill("SIGKILL");
    await second?.kill("SIGKILL");
  }
});

test.run();
