// Exactly once through a real 3-node JetStream cluster while things die: 200,000 realistic events through
// two `hipaa-sieve nats` processes sharing one durable consumer; one filter is SIGKILLed mid-run and
// restarted, and the server leading the output stream is SIGKILLed and restarted. Afterwards:
// every input event has exactly one outcome (output or rejection record), the output stream holds no
// duplicate, every output equals what filterBatch gives for its input, no PHI of a HIPAA account was
// published, and every rejected event is on the errors subject with its code, offset and account.
// Each step waits on a condition (counts in the streams, lines the processes print), never on a sleep.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createAccountsFilter, parseAccountsText } from "../../dist/index.js";
import { NatsCluster, natsServerAvailable, waitFor } from "../support/nats-cluster.js";
import { TASKROUTER_PHI } from "../support/cli-run.js";
import { FilterProcess } from "./support/filter-process.js";
import { ACCOUNTS_FILE, HIPAA_ACCOUNTS, PASS_ACCOUNT, UNKNOWN_ACCOUNT, accountOf, accountsText, eventText, expectedFor } from "./support/events.js";
import { ERR, IN, OUT, SUBJECTS, connectTo, createStreams, handled, publishEvents, readStream, retrying, waitConsumerIdle } from "./support/streams.js";

const TOTAL = 200_000;
const PRELOAD = 50_000;
const CONSUMER = "sieve";
const step = (what) => process.env.NATS_TEST_VERBOSE && console.log(`  ${new Date().toISOString()} ${what}`);

test("200,000 events, 2 filters, a filter SIGKILLed and a server SIGKILLed: each event exactly once", async () => {
  assert.ok(natsServerAvailable(), "nats-server is not installed (apt-get install -y nats-server)");
  const cluster = await NatsCluster.start();
  const filters = [];
  let connection;
  try {
    connection = await connectTo(cluster);
    const { js, jsm } = connection;
    await createStreams(jsm);
    const seqOf = new Int32Array(TOTAL);
    // A backlog first, so that the filter killed below is in the middle of a batch.
    await publishEvents(js, 0, PRELOAD, eventText, seqOf);

    const args = [
      "--servers", cluster.servers, "--in-stream", IN, "--consumer", CONSUMER, "--out-subject", SUBJECTS.output,
      "--errors-subject", SUBJECTS.errors, "--accounts", ACCOUNTS_FILE, "--batch", "500", "--ack-wait", "5",
    ];
    filters.push(new FilterProcess(args, "filter A").start(), new FilterProcess(args, "filter B").start());
    const publishing = publishEvents(js, PRELOAD, TOTAL, eventText, seqOf);
    let published = false;
    publishing.then(() => (published = true), () => {});

    // 1. SIGKILL a filter mid-run, restart it.
    await waitFor(async () => (await handled(jsm)) >= 40_000, "40,000 events handled", 180_000, 200);
    step("killing filter A");
    const killedFilter = await filters[0].kill("SIGKILL");
    assert.is(killedFilter.signal, "SIGKILL");
    filters[0].start();

    // 2. SIGKILL the server leading the output stream; restart it once the others made progress without it.
    await waitFor(async () => (await handled(jsm)) >= 100_000, "100,000 events handled", 180_000, 200);
    const leader = (await retrying(() => jsm.streams.info(OUT))).cluster.leader;
    const node = cluster.nodes.findIndex((n) => n.name === leader);
    assert.ok(node >= 0, `leader ${leader} is one of the nodes`);
    step(`killing server ${leader}`);
    await cluster.killNode(node);
    const atKill = await retrying(() => handled(jsm));
    await waitFor(async () => (await handled(jsm)) >= atKill + 20_000, "progress with a node down", 180_000, 200);
    step(`restarting server ${leader}`);
    await cluster.restartNode(node);

    await publishing;
    step("input published");
    assert.ok(published);
    await waitConsumerIdle(jsm, CONSUMER);

    step("consumer idle");
    // Drain: SIGTERM, each exits 0 with its summary.
    for (const f of filters) {
      const exit = await f.stop();
      assert.is(exit.code, 0, `${f.name}: ${f.stderr}`);
      assert.match(f.stderr, /events in \(\d+ redelivered\)/);
    }

    // Every input sequence is known and distinct.
    const indexOfSeq = new Map();
    for (let i = 0; i < TOTAL; i++) {
      assert.ok(seqOf[i] > 0, `event ${i} has a sequence`);
      indexOfSeq.set(seqOf[i], i);
    }
    assert.is(indexOfSeq.size, TOTAL, "the input stream holds each event once");

    const filter = await createAccountsFilter(await parseAccountsText(accountsText(), ACCOUNTS_FILE));
    const decoder = new TextDecoder();
    const seen = new Uint8Array(TOTAL);
    const counts = { in: TOTAL, out: 0, distinctOut: 0, duplicates: 0, rejected: 0, lost: 0, mismatches: 0, phi: 0 };
    const idSeq = (m) => {
      const id = m.headers?.get("Nats-Msg-Id") ?? "";
      const match = /^EVENTS:(\d+)$/.exec(id);
      assert.ok(match, `message id ${id}`);
      return Number(match[1]);
    };

    await readStream(js, jsm, OUT, (m) => {
      counts.out++;
      const i = indexOfSeq.get(idSeq(m));
      assert.ok(i !== undefined, "an output's id names an input");
      if (seen[i] !== 0) {
        counts.duplicates++;
        return;
      }
      seen[i] = 1;
      counts.distinctOut++;
      const text = decoder.decode(m.data);
      const expected = expectedFor(filter, eventText(i));
      if (expected.kept !== text) counts.mismatches++;
      if (accountOf(i) !== PASS_ACCOUNT && TASKROUTER_PHI.some((marker) => text.includes(marker))) counts.phi++;
    });

    await readStream(js, jsm, ERR, (m) => {
      const seq = idSeq(m);
      const i = indexOfSeq.get(seq);
      assert.ok(i !== undefined);
      if (seen[i] !== 0) {
        counts.duplicates++;
        return;
      }
      seen[i] = 2;
      counts.rejected++;
      const record = JSON.parse(decoder.decode(m.data));
      const expected = expectedFor(filter, eventText(i));
      const account = accountOf(i);
      // Named only when configured, and not when the account key appears twice (either could be meant).
      const configured = account !== UNKNOWN_ACCOUNT && expected.code !== "DUPLICATE_ACCOUNT_KEY";
      assert.equal(Object.keys(record).sort(), configured ? ["account", "code", "offset", "seq", "stream"] : ["code", "offset", "seq", "stream"]);
      assert.equal(record, { stream: IN, seq, code: expected.code, offset: expected.offset, ...(configured ? { account } : {}) });
    });

    for (let i = 0; i < TOTAL; i++) {
      if (seen[i] === 0) counts.lost++;
      else if (seen[i] === 1 && expectedFor(filter, eventText(i)).kept === undefined) counts.mismatches++;
    }
    const expectedRejected = Array.from({ length: TOTAL }, (_, i) => i).filter((i) => expectedFor(filter, eventText(i)).kept === undefined).length;
    const total = (pattern) => filters.reduce((n, f) => n + Number(pattern.exec(f.stderr)?.[1] ?? 0), 0);
    const redelivered = total(/events in \((\d+) redelivered\)/);
    const droppedAsDuplicates = total(/(\d+) dropped by the stream as duplicates/);
    const summaries = filters.map((f) => f.stderr.split("\n").filter((l) => /events in|published|failed|recovered|cannot/.test(l)));
    console.log(`\n  crash test: ${JSON.stringify({ ...counts, expectedRejected, redelivered, droppedAsDuplicates })}`);
    for (const [k, lines] of summaries.entries()) console.log(`  ${filters[k].name} ${k === 0 ? " (its run after the restart)" : ""}:\n    ${[...new Set(lines)].join("\n    ")}`);

    assert.is(counts.lost, 0, "lost");
    assert.is(counts.duplicates, 0, "duplicates");
    assert.is(counts.distinctOut + counts.rejected, TOTAL);
    assert.is(counts.mismatches, 0, "outputs different from filterBatch");
    assert.is(counts.phi, 0, "PHI published");
    assert.is(counts.rejected, expectedRejected, "every rejected event on the errors subject");
    assert.ok(expectedRejected > 0 && HIPAA_ACCOUNTS.length === 3);
  } finally {
    for (const f of filters) await f.kill("SIGKILL");
    await connection?.nc.close().catch(() => {});
    await cluster.stop();
  }
});

test.run();
