#!/usr/bin/env node
// npm run bench [-- --events N --time MS --json FILE]
// Throughput of the WASM batch call (SIMD and scalar builds) against the plain JS baseline, on
// realistic TaskRouter events, measured in the same run. Figures are medians; ratios are what
// to compare across machines.
import { parseArgs } from "node:util";
import { writeFileSync } from "node:fs";
import { Bench } from "tinybench";
import { compilePolicy, createFilter, createAccountsFilter } from "../dist/index.js";
import { taskRouterNdjson, benchPolicy, accountIds } from "./events.js";
import { createBaseline } from "./baseline.js";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "500" },
    time: { type: "string", default: "2000" },
    json: { type: "string" },
    accounts: { type: "string", default: "5000" },
    policies: { type: "string", default: "40" },
  },
});
const eventCount = Number(values.events);
const time = Number(values.time);

const text = taskRouterNdjson(eventCount);
const batch = new TextEncoder().encode(text);
const lines = text.split("\n").filter((l) => l.length > 0);
const policy = compilePolicy(benchPolicy, "bench policy");
const simd = await createFilter(policy, { variant: "simd" });
const scalar = await createFilter(policy, { variant: "scalar" });
const baseline = createBaseline(benchPolicy);
const decoder = new TextDecoder();

// Same work on each side: bytes in, filtered NDJSON bytes out.
const encoder = new TextEncoder();
const jsBatch = () => {
  const source = decoder.decode(batch);
  let out = "";
  let start = 0;
  while (start < source.length) {
    let end = source.indexOf("\n", start);
    if (end < 0) end = source.length;
    if (end > start) out += baseline(source.slice(start, end)) + "\n";
    start = end + 1;
  }
  return encoder.encode(out);
};

// Sanity: everything kept, the same number of output lines everywhere.
for (const f of [simd, scalar]) {
  const r = f.filterBatch(batch);
  if (r.kept !== lines.length) throw new Error(`bench: ${f.variant} kept ${r.kept} of ${lines.length}`);
}

// Routing: the same events, each from one of `accounts` HIPAA accounts spread over `policies`
// policies that all do the bench policy's work (plus one key each, so they are distinct).
async function routed(accountCount, policyCount) {
  const ids = accountIds(accountCount);
  const policies = new Map(Array.from({ length: policyCount }, (_, i) =>
    [`p${i}`, compilePolicy({ ...benchPolicy, keep: [...benchPolicy.keep, `Extra${i}`] })]));
  const accounts = new Map(ids.map((id, i) => [id, { hipaaEnabled: true, policy: `p${i % policyCount}` }]));
  const config = { accountKeyPath: ["AccountSid"], defaultPolicy: "p0", unknownAccount: "reject", policies, accounts };
  const filter = await createAccountsFilter(config, { variant: "simd" });
  const events = new TextEncoder().encode(taskRouterNdjson(eventCount, 1, ids));
  const r = filter.filterBatch(events);
  if (r.kept !== eventCount || r.accounts["(unknown)"]) throw new Error("bench: routing lost events");
  return [filter, events];
}
const accountCount = Number(values.accounts);
const policyCount = Number(values.policies);
const [fewRoutes, fewRoutesBatch] = await routed(50, 1);
const [manyRoutes, manyRoutesBatch] = await routed(accountCount, policyCount);

const bench = new Bench({ time, warmup: true, warmupTime: 500 });
bench
  .add("wasm simd (batch)", () => simd.filterBatch(batch))
  .add("wasm scalar (batch)", () => scalar.filterBatch(batch))
  .add("wasm simd, routed: 50 accounts, 1 policy", () => fewRoutes.filterBatch(fewRoutesBatch))
  .add(`wasm simd, routed: ${accountCount} accounts, ${policyCount} policies`, () => manyRoutes.filterBatch(manyRoutesBatch))
  .add("js JSON.parse+pick", jsBatch);
await bench.run();

const rows = bench.tasks.map((task) => {
  const seconds = task.result.latency.p50 / 1000;
  return {
    task: task.name,
    "MB/s": batch.length / seconds / 1e6,
    "events/s": lines.length / seconds,
    "±%": task.result.latency.rme,
    samples: task.result.latency.samplesCount ?? task.result.latency.samples?.length,
  };
});
const js = rows.find((r) => r.task.startsWith("js"));
for (const row of rows) row["x js"] = row["MB/s"] / js["MB/s"];

console.log(`${lines.length} events, ${(batch.length / 1e6).toFixed(2)} MB per batch, ` +
  `${(batch.length / lines.length).toFixed(0)} B/event, node ${process.version}`);
console.table(rows.map((r) => ({
  task: r.task,
  "MB/s": r["MB/s"].toFixed(0),
  "events/s": Math.round(r["events/s"]).toLocaleString("en-US"),
  "x js": r["x js"].toFixed(1),
  "±%": r["±%"].toFixed(1),
})));
if (values.json) writeFileSync(values.json, JSON.stringify({ events: lines.length, bytes: batch.length, rows }, null, 2));
