// --watch through a real cluster: the accounts file changes mid-stream. Events published before the swap
// are filtered with the old configuration, events after it with the new one; a broken file in between
// changes nothing; no event is lost or published twice.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { createAccountsFilter, parseAccountsText } from "../../dist/index.js";
import { NatsCluster, natsServerAvailable } from "../support/nats-cluster.js";
import { TASKROUTER_PHI, tempDir } from "../support/cli-run.js";
import { FilterProcess } from "./support/filter-process.js";
import { PASS_ACCOUNT, accountOf, accountsText, eventText, expectedFor } from "./support/events.js";
import { ERR, IN, OUT, SUBJECTS, connectTo, createStreams, publishEvents, readStream, waitConsumerIdle } from "./support/streams.js";

const HALF = 3000;

/** The examples' accounts file with the non-HIPAA account turned into a HIPAA one. */
function hipaaEverywhere() {
  const config = JSON.parse(accountsText());
  config.accounts[PASS_ACCOUNT] = { hipaaEnabled: true };
  return JSON.stringify(config, null, 2);
}

function replace(file, text) {
  writeFileSync(file + ".tmp", text);
  renameSync(file + ".tmp", file);
}

test("--watch: a new accounts file applies to the events after it, none lost or doubled", async () => {
  assert.ok(natsServerAvailable(), "nats-server is not installed (apt-get install -y nats-server)");
  const temp = tempDir("nats-watch");
  const file = temp.write("accounts.json", accountsText());
  const cluster = await NatsCluster.start();
  let filter;
  let connection;
  try {
    connection = await connectTo(cluster);
    const { js, jsm } = connection;
    await createStreams(jsm, 1);
    filter = new FilterProcess([
      "--servers", cluster.servers, "--in-stream", IN, "--consumer", "watcher", "--out-subject", SUBJECTS.output,
      "--errors-subject", SUBJECTS.errors, "--accounts", file, "--watch", "--batch", "200",
    ], "filter").start();
    await filter.waitFor(/filtering stream/);

    const seqOf = new Int32Array(2 * HALF);
    await publishEvents(js, 0, HALF, eventText, seqOf);
    await waitConsumerIdle(jsm, "watcher");

    replace(file, '{ "accountKey": "AccountSid", "accounts": ');
    await filter.waitFor(/kept the previous configuration: .*accounts\.json/);
    replace(file, hipaaEverywhere());
    await filter.waitFor(/loaded the changed accounts file/);

    await publishEvents(js, HALF, 2 * HALF, eventText, seqOf);
    await waitConsumerIdle(jsm, "watcher");
    const exit = await filter.stop();
    assert.is(exit.code, 0, filter.stderr);

    const before = await createAccountsFilter(await parseAccountsText(accountsText(), "old"));
    const after = await createAccountsFilter(await parseAccountsText(hipaaEverywhere(), "new"));
    const indexOfSeq = new Map(Array.from(seqOf, (seq, i) => [seq, i]));
    const seen = new Uint8Array(2 * HALF);
    const decoder = new TextDecoder();
    let passedBefore = 0;
    let filteredAfter = 0;
    const each = (kind) => (m) => {
      const i = indexOfSeq.get(Number(/^EVENTS:(\d+)$/.exec(m.headers.get("Nats-Msg-Id"))[1]));
      assert.ok(i !== undefined);
      assert.is(seen[i], 0, `event ${i} published once`);
      seen[i] = 1;
      const expected = expectedFor(i < HALF ? before : after, eventText(i));
      if (kind === "error") {
        assert.is(JSON.parse(decoder.decode(m.data)).code, expected.code);
        return;
      }
      const text = decoder.decode(m.data);
      assert.is(text, expected.kept, `event ${i}, ${i < HALF ? "before" : "after"} the swap`);
      if (accountOf(i) === PASS_ACCOUNT) {
        if (i < HALF && text === eventText(i)) passedBefore++;
        if (i >= HALF) {
          filteredAfter++;
          assert.not.ok(TASKROUTER_PHI.some((marker) => text.includes(marker)), "filtered after the swap");
        }
      }
    };
    await readStream(js, jsm, OUT, each("output"));
    await readStream(js, jsm, ERR, each("error"));
    assert.is(seen.reduce((a, b) => a + b, 0), 2 * HALF, "none lost");
    assert.ok(passedBefore > 0 && filteredAfter > 0, `passed before ${passedBefore}, filtered after ${filteredAfter}`);
    assert.match(filter.stderr, /events in/);
    assert.equal(JSON.parse(readFileSync(file, "utf8")).accounts[PASS_ACCOUNT], { hipaaEnabled: true });
  } finally {
    await filter?.kill("SIGKILL");
    await connection?.nc.close().catch(() => {});
    await cluster.stop();
    temp.cleanup();
  }
});

test.run();
