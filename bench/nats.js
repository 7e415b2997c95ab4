#!/usr/bin/env node
// node bench/nats.js [--events N] [--json FILE]   (after npm run build; needs nats-server installed)
// Throughput through a local 3-node JetStream cluster (127.0.0.1, file storage, 3 replicas): the rate at
// which the cluster takes the events with no filter at all (publish only), next to the rate of
// `hipaa-sieve nats` with 1 and 2 processes on one durable consumer (fetch, filter, publish, ack), on the
// same realistic TaskRouter events as `npm run bench`. If the filter rows come close to the publish-only
// row, the broker is the limit, not the filter. On a small machine the servers and the filters share the
// same cores: compare the rows of one run.
import { parseArgs } from "node:util";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { NatsCluster, natsServerAvailable, waitFor } from "../test/support/nats-cluster.js";
import { FilterProcess } from "../test/nats/support/filter-process.js";
import { benchPolicy, taskRouterNdjson } from "./events.js";

const { values } = parseArgs({ options: { events: { type: "string", default: "50000" }, json: { type: "string" } } });
const count = Number(values.events);
if (!natsServerAvailable()) {
  console.error("bench/nats.js: nats-server is not installed (apt-get install -y nats-server)");
  process.exit(1);
}

const events = taskRouterNdjson(count).split("\n").filter((l) => l.length > 0);
const bytes = events.reduce((n, e) => n + Buffer.byteLength(e), 0);
const dir = mkdtempSync(join(tmpdir(), "hipaa-sieve-bench-nats-"));
const policyFile = join(dir, "policy.json");
writeFileSync(policyFile, JSON.stringify(benchPolicy));
const SECOND_NS = 1e9;
const rows = [];
const row = (name, ms) => rows.push({ name, "events/s": Math.round(count / (ms / 1000)), "MB/s": +(bytes / 1e6 / (ms / 1000)).toFixed(1), seconds: +(ms / 1000).toFixed(2) });

const cluster = await NatsCluster.start();
let nc;
try {
  nc = await connect({ servers: cluster.urls });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const stream = (name, subject) =>
    jsm.streams.add({ name, subjects: [subject], num_replicas: 3, storage: "file", duplicate_window: 120 * SECOND_NS });
  await stream("IN", "bench.in");

  // No filter: how fast the cluster stores these events (1000 publishes in flight).
  let start = performance.now();
  for (let i = 0; i < count; i += 1000) {
    await Promise.all(events.slice(i, i + 1000).map((e) => js.publish("bench.in", e)));
  }
  row("NATS publish only, no filter", performance.now() - start);

  for (const processes of [1, 2]) {
    const out = `OUT${processes}`;
    await stream(out, `bench.out${processes}`);
    const args = ["--servers", cluster.servers, "--in-stream", "IN", "--consumer", `bench${processes}`, "--out-subject",
      `bench.out${processes}`, "--policy", policyFile, "--batch", "500"];
    const filters = Array.from({ length: processes }, (_, k) => new FilterProcess(args, `filter ${k + 1}`));
    try {
      start = performance.now();
      for (const f of filters) f.start();
      await waitFor(async () => (await jsm.streams.info(out)).state.messages >= count, `${count} events filtered`, 600_000, 20);
      row(`hipaa-sieve nats, ${processes} process${processes > 1 ? "es" : ""} (startup included)`, performance.now() - start);
      for (const f of filters) await f.stop();
    } finally {
      for (const f of filters) await f.kill();
    }
    await jsm.streams.delete(out);
  }
} finally {
  await nc?.close();
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}

console.log(`${count} events, ${(bytes / 1e6).toFixed(1)} MB, 3-node cluster on 127.0.0.1, 3 replicas, file storage`);
console.table(rows);
if (values.json) writeFileSync(values.json, JSON.stringify({ events: count, bytes, rows }, null, 2));
