#!/usr/bin/env node
// npm run bench [-- --quick] [--time MS] [--passes N] [--out DIR] [--no-cli] [--no-sweeps]
// The benchmark people tune hipaa-sieve with. One run measures, on the same bytes:
//   1. the filter table: hipaa-sieve's batch call (SIMD, scalar, routed), one event per call
//      (p50/p99 latency), and its peers (JS baseline, JSON.parse alone, json-mask, fast-redact,
//      simdjson validation) with the ceilings no filter can pass (memory.copy, newline scan);
//   2. the CLI end to end (file and pipe) next to the engine loop it wraps, and the worker pool at
//      1..N workers (node bench/pool.js measures scaling in more detail, --workers 1,2,4,8);
//   3. sweeps: batch size, event size, kept fraction, policy paths, accounts and policies, event shape.
// Every row gives MB/s, events/s and the ratio to the JS baseline measured in the same run: compare
// ratios across machines, not MB/s. Output: terminal tables, DIR/latest.json and one SVG chart per
// table and sweep (DIR: bench/results, or a temporary folder with --quick, which is a smoke run for
// CI that finishes in well under a minute; no figure is asserted anywhere).
// Other benches: node bench/cli.js (the CLI rows alone, larger file), node bench/config-load.js
// (configuration loading), node bench/nats.js (through a local JetStream cluster).
import { parseArgs } from "node:util";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Bench } from "tinybench";
import { availableParallelism } from "node:os";
import { compilePolicy, createFilter, createAccountsFilter, createFilterPool } from "../dist/index.js";
import { benchPolicy, accountIds, taskRouterNdjson } from "./events.js";
import { SHAPES, shapeBatch, sizedEvent, policyKeeping, policyWithPaths } from "./shapes.js";
import {
  jsBaseline, jsonParseOnly, jsonMaskPeer, fastRedactPeer, simdjsonPeer, memoryCopyPeer, newlineScanPeer,
  TASKROUTER_PHI_PATHS,
} from "./peers.js";
import { cliRows } from "./cli-rows.js";
import { barChart, lineChart } from "./svg.js";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    time: { type: "string" },
    passes: { type: "string" },
    out: { type: "string" },
    "no-cli": { type: "boolean", default: false },
    "no-sweeps": { type: "boolean", default: false },
    "no-pool": { type: "boolean", default: false },
    accounts: { type: "string", default: "5000" },
    policies: { type: "string", default: "40" },
  },
});
const quick = values.quick;
const time = Number(values.time ?? (quick ? 100 : 400));
const passes = Number(values.passes ?? (quick ? 1 : 3));
const outDir = values.out ?? (quick ? mkdtempSync(join(tmpdir(), "hipaa-sieve-bench-")) : fileURLToPath(new URL("./results/", import.meta.url)));
mkdirSync(outDir, { recursive: true });
const machine = `${cpus()[0]?.model.trim() ?? "unknown CPU"}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
const results = { machine, quick, time, passes, tables: {}, sweeps: {} };

/**
 * MB/s and events/s of each task, with the ratio to the row named `js`. The tasks are measured in
 * `passes` interleaved passes (each task's median time per call in each pass; then the median over
 * passes), so that a burst of load on a shared machine hits every row alike instead of one row.
 * Each row also keeps its fastest pass (bestMbps): load only ever slows a row down, so that is the
 * row undisturbed.
 */
async function measure(tasks, { bytes, events, js = "js baseline" }) {
  const perTask = tasks.map(() => []);
  for (let pass = 0; pass < passes; pass++) {
    const bench = new Bench({ time, warmup: true, warmupTime: Math.min(200, time) });
    for (const [name, fn] of tasks) bench.add(name, fn);
    await bench.run();
    bench.tasks.forEach((t, i) => perTask[i].push(t.result.latency.p50 / 1000));
  }
  const rows = tasks.map(([task], i) => {
    const seconds = median(perTask[i]);
    return { task, mbps: bytes / seconds / 1e6, eventsPerSecond: events / seconds, bestMbps: bytes / Math.min(...perTask[i]) / 1e6 };
  });
  const base = rows.find((r) => r.task === js);
  for (const r of rows) r.xJs = base ? r.mbps / base.mbps : NaN;
  return rows;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** p50 and p99 of one call per event, in microseconds, over `rounds` passes of the events. */
function latency(lines, call, rounds = quick ? 1 : 5) {
  const samples = [];
  for (let k = 0; k < rounds; k++) {
    for (const line of lines) {
      const start = process.hrtime.bigint();
      call(line);
      samples.push(Number(process.hrtime.bigint() - start) / 1000);
    }
  }
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(samples.length * 0.5)], p99: samples[Math.floor(samples.length * 0.99)] };
}

function print(title, rows, extra = () => ({})) {
  console.log(`\n${title}`);
  console.table(rows.map((r) => ({
    task: r.task,
    "MB/s": Number.isFinite(r.mbps) ? r.mbps.toFixed(0) : "",
    "events/s": Number.isFinite(r.eventsPerSecond) ? Math.round(r.eventsPerSecond).toLocaleString("en-US") : "",
    "x js": Number.isFinite(r.xJs) ? r.xJs.toFixed(2) : "",
    ...(r.bestMbps !== undefined && passes > 1 ? { "fastest pass MB/s": r.bestMbps.toFixed(0) } : {}),
    ...extra(r),
  })));
}

function chart(name, svg) {
  writeFileSync(join(outDir, `${name}.svg`), svg);
}

const filterFor = (spec, variant = "simd", limits = {}) => createFilter(compilePolicy(spec, spec.name), { variant, ...limits });
// The engine before the structural index (issue 7), frozen in bench/engine-before/ and built by
// assembly/build.mjs into build/before/: its rows make the gain a ratio within one run.
const beforeFor = (spec, variant) => createFilter(compilePolicy(spec, spec.name), {
  variant, wasmBytes: readFileSync(new URL(`../build/before/${variant}.wasm`, import.meta.url)),
});

// ---- 1. The filter table: same bytes for every row ----
const batchBytes = quick ? 256 * 1024 : 1 << 20;
const main = shapeBatch(SHAPES[0], batchBytes);
const mainLines = new TextDecoder().decode(main.bytes).split("\n").filter((l) => l.length > 0);
const simd = await filterFor(benchPolicy, "simd");
const scalar = await filterFor(benchPolicy, "scalar");
// PHI detection on (issue 11): the recommendation, counting (every event kept, every kept value scanned).
const detecting = { ...benchPolicy, name: "bench+detect", detect: { use: "flex-insights-hipaa", action: "count" } };
const simdDetect = await filterFor(detecting, "simd");
const scalarDetect = await filterFor(detecting, "scalar");
const simdBefore = await beforeFor(benchPolicy, "simd");
const scalarBefore = await beforeFor(benchPolicy, "scalar");
for (const f of [simd, scalar, simdBefore, scalarBefore]) {
  if (f.filterBatch(main.bytes).kept !== main.events) throw new Error(`bench: ${f.variant} did not keep every event`);
}

async function routed(accountCount, policyCount) {
  const ids = accountIds(accountCount);
  const policies = new Map(Array.from({ length: policyCount }, (_, i) =>
    [`p${i}`, compilePolicy({ ...benchPolicy, keep: [...benchPolicy.keep, `Extra${i}`] })]));
  const accounts = new Map(ids.map((id, i) => [id, { hipaaEnabled: true, policy: `p${i % policyCount}` }]));
  const config = { accountKeyPath: ["AccountSid"], defaultPolicy: "p0", unknownAccount: "reject", policies, accounts };
  const filter = await createAccountsFilter(config, { variant: "simd" });
  const events = new TextEncoder().encode(taskRouterNdjson(main.events, 1, ids));
  const r = filter.filterBatch(events);
  if (r.kept !== main.events) throw new Error("bench: routing lost events");
  return [filter, events];
}
const [fewRoutes, fewRoutesBatch] = await routed(50, 1);
const accountCount = Number(values.accounts);
const policyCount = Number(values.policies);
const [manyRoutes, manyRoutesBatch] = await routed(accountCount, policyCount);

const objectShape = shapeBatch(SHAPES[1], batchBytes);
const tasks = [
  ["hipaa-sieve SIMD batch", () => simd.filterBatch(main.bytes)],
  ["hipaa-sieve SIMD batch, output as a view (no copy out)", () => simd.filterBatch(main.bytes, { view: true })],
  ["hipaa-sieve scalar batch", () => scalar.filterBatch(main.bytes)],
  ["hipaa-sieve SIMD batch, PHI detection on (flex-insights-hipaa)", () => simdDetect.filterBatch(main.bytes)],
  ["hipaa-sieve scalar batch, PHI detection on (flex-insights-hipaa)", () => scalarDetect.filterBatch(main.bytes)],
  ["engine before issue 7: SIMD batch", () => simdBefore.filterBatch(main.bytes)],
  ["engine before issue 7: scalar batch", () => scalarBefore.filterBatch(main.bytes)],
  ["hipaa-sieve SIMD, routed: 50 accounts, 1 policy", () => fewRoutes.filterBatch(fewRoutesBatch)],
  [`hipaa-sieve SIMD, routed: ${accountCount} accounts, ${policyCount} policies`, () => manyRoutes.filterBatch(manyRoutesBatch)],
  ["hipaa-sieve SIMD, one event per call", () => { for (const line of mainLines) simd.filterEvent(line); }],
  ["js baseline", jsBaseline(benchPolicy).bind(null, main.bytes)],
  ["JSON.parse alone (no output)", jsonParseOnly().bind(null, main.bytes)],
];
const notes = {};
const mask = jsonMaskPeer(benchPolicy);
if (mask) {
  tasks.push(["json-mask (TaskAttributes string kept whole: not equivalent)", () => mask(main.bytes)]);
}
const redact = fastRedactPeer(TASKROUTER_PHI_PATHS);
if (redact) tasks.push(["fast-redact (a denylist: not equivalent)", () => redact(main.bytes)]);
const simdjson = simdjsonPeer();
if (simdjson.run) tasks.push(["simdjson addon isValid (validation only)", () => simdjson.run(main.bytes)]);
else notes.simdjson = simdjson.skip;
tasks.push(["ceiling: WASM memory.copy", await memoryCopyPeer(main.bytes)]);
tasks.push(["ceiling: newline scan", newlineScanPeer().bind(null, main.bytes)]);
const table = await measure(tasks, { bytes: main.bytes.length, events: main.events });
const sieveLatency = latency(mainLines, (line) => simd.filterEvent(line));
const pickOne = jsBaseline(benchPolicy);
const encoder = new TextEncoder();
const jsLatency = latency(mainLines, (line) => pickOne(encoder.encode(line)));
for (const r of table) {
  if (r.task.includes("one event per call")) r.latencyUs = sieveLatency;
  if (r.task === "js baseline") r.latencyUs = jsLatency;
}
console.log(`${machine}\n${main.events} TaskRouter events, ${(main.bytes.length / 1e6).toFixed(2)} MB per batch, ` +
  `${(main.bytes.length / main.events).toFixed(0)} B/event${notes.simdjson ? `\nnote: ${notes.simdjson}` : ""}`);
print("filter: same bytes, one run", table, (r) => ({ "p50/p99 us": r.latencyUs ? `${r.latencyUs.p50.toFixed(1)} / ${r.latencyUs.p99.toFixed(1)}` : "" }));
results.tables.filter = { events: main.events, bytes: main.bytes.length, rows: table, notes };
chart("filter", barChart({
  title: "Filtering the same TaskRouter events: MB/s (one run; ceilings in the table)",
  note: machine,
  unit: "MB/s",
  rows: table.filter((r) => !r.task.startsWith("ceiling")).map((r) => ({ label: r.task, value: r.mbps, highlight: r.task.startsWith("hipaa-sieve"),
    text: `${r.mbps.toFixed(0)} MB/s${Number.isFinite(r.xJs) ? ` (${r.xJs.toFixed(1)}x js)` : ""}` })),
}));

// ---- 2. The CLI end to end ----
if (!values["no-cli"]) {
  const cli = await cliRows({ mb: quick ? 8 : 200, rounds: quick ? 1 : 5 });
  const js = cli.rows[cli.rows.length - 1].seconds;
  const isStartup = (task) => task.startsWith("cli start-up");
  const rows = cli.rows.map(({ task, seconds, xEngine, xEngineSteady }) => ({
    task, seconds, xEngine, xEngineSteady,
    mbps: isStartup(task) ? NaN : cli.bytes / seconds / 1e6,
    eventsPerSecond: isStartup(task) ? NaN : cli.events / seconds,
    xJs: isStartup(task) ? NaN : js / seconds,
  }));
  print(`cli: ${(cli.bytes / 1e6).toFixed(0)} MB file, start-up included; x engine: same-round ratios, median of the rounds`, rows, (r) => ({
    "x engine": isStartup(r.task) ? `${(r.seconds * 1000).toFixed(0)} ms` : r.xEngine.toFixed(2),
    "x engine steady": r.xEngineSteady === undefined ? "" : r.xEngineSteady.toFixed(2),
  }));
  results.tables.cli = { events: cli.events, bytes: cli.bytes, rows };
  const shown = rows.filter((r) => !isStartup(r.task));
  chart("cli", barChart({
    title: `The CLI end to end against the engine loop: MB/s (${(cli.bytes / 1e6).toFixed(0)} MB, start-up included)`,
    note: `${machine}; start-up ${(rows.find((r) => isStartup(r.task)).seconds * 1000).toFixed(0)} ms`,
    unit: "MB/s",
    rows: shown.map((r) => ({
      label: r.task,
      value: r.mbps,
      highlight: r.task.startsWith("engine"),
      text: `${r.mbps.toFixed(0)} MB/s (${r.xEngine.toFixed(2)}x engine${r.xEngineSteady === undefined ? "" : `, ${r.xEngineSteady.toFixed(2)}x steady`})`,
    })),
  }));
}

// ---- 2b. The worker pool: the same batches on the main thread and over 1..N workers ----
if (!values["no-pool"]) {
  const copies = quick ? 8 : 48;
  const batches = Array.from({ length: copies }, () => main.bytes);
  const bytes = main.bytes.length * copies;
  const events = main.events * copies;
  const seconds = async (work) => {
    const runs = [];
    for (let i = 0; i < (quick ? 1 : 5); i++) {
      const start = process.hrtime.bigint();
      await work();
      runs.push(Number(process.hrtime.bigint() - start) / 1e9);
    }
    return median(runs);
  };
  const rows = [{ task: "engine loop, main thread", s: await seconds(() => { for (const b of batches) simd.filterBatch(b); }) }];
  const cores = availableParallelism();
  const counts = [...new Set([1, 2, cores])].filter((n) => n <= Math.max(2, cores));
  for (const workers of counts) {
    const pool = await createFilterPool(compilePolicy(benchPolicy, "bench"), { workers, variant: "simd" });
    try {
      await Promise.all(batches.slice(0, workers).map((b) => pool.filterBatch(b))); // warm every worker
      rows.push({ task: `pool, ${workers} worker${workers > 1 ? "s" : ""} (copied in)`, workers,
        s: await seconds(() => Promise.all(batches.map((b) => pool.filterBatch(b)))) });
    } finally {
      await pool.close();
    }
  }
  const one = rows.find((r) => r.workers === 1);
  const poolRows = rows.map((r) => ({ task: r.task, mbps: bytes / r.s / 1e6, eventsPerSecond: events / r.s, xJs: NaN, xOne: one.s / r.s }));
  const js = table.find((t) => t.task === "js baseline");
  for (const r of poolRows) r.xJs = r.mbps / js.mbps;
  print(`pool: ${copies} batches of ${(main.bytes.length / 1e6).toFixed(2)} MB, ${cores} cores`, poolRows, (r) => ({ "x 1 worker": r.xOne.toFixed(2) }));
  results.tables.pool = { bytes, events, rows: poolRows };
  chart("pool", barChart({
    title: "Worker pool: MB/s by workers (same batches)", note: machine, unit: "MB/s",
    rows: poolRows.map((r) => ({ label: r.task, value: r.mbps, highlight: r.task.startsWith("pool"), text: `${r.mbps.toFixed(0)} MB/s (${r.xOne.toFixed(2)}x 1 worker)` })),
  }));
}

// ---- 3. Sweeps ----
/** One sweep: for each x, a batch and filters; rows SIMD, scalar and the JS baseline on it. */
async function sweep(name, { title, xLabel, xs, logX = false, setup }) {
  const series = { "hipaa-sieve SIMD": [], "hipaa-sieve scalar": [], "js baseline": [] };
  const points = [];
  for (const x of xs) {
    const { bytes, events, policy, simdFilter, scalarFilter, extra = {} } = await setup(x);
    const rows = await measure([
      ["hipaa-sieve SIMD", () => simdFilter.filterBatch(bytes)],
      ["hipaa-sieve scalar", () => scalarFilter.filterBatch(bytes)],
      ["js baseline", jsBaseline(policy).bind(null, bytes)],
    ], { bytes: bytes.length, events });
    for (const r of rows) series[r.task].push(r.mbps);
    points.push({ x, events, bytes: bytes.length, ...extra, rows });
  }
  console.log(`\nsweep: ${title}`);
  console.table(points.map((p) => ({
    [xLabel]: p.x, ...Object.fromEntries(Object.entries(p).filter(([k]) => !["x", "rows", "bytes", "events"].includes(k))),
    "SIMD MB/s": p.rows[0].mbps.toFixed(0), "scalar MB/s": p.rows[1].mbps.toFixed(0), "js MB/s": p.rows[2].mbps.toFixed(0),
    "SIMD x js": p.rows[0].xJs.toFixed(1),
  })));
  results.sweeps[name] = { title, xLabel, points };
  chart(`sweep-${name}`, lineChart({
    title: `${title}: MB/s`, note: machine, xLabel, yLabel: "MB/s", xs, logX,
    series: Object.entries(series).map(([n, v]) => ({ name: n, values: v })),
  }));
}

const standard = async (policy, bytes, events, limits = {}) => ({
  bytes, events, policy,
  simdFilter: await filterFor(policy, "simd", limits),
  scalarFilter: await filterFor(policy, "scalar", limits),
});

if (!values["no-sweeps"]) {
  const sweepBytes = quick ? 128 * 1024 : 1 << 20;
  await sweep("batch-size", {
    title: "Batch size (TaskRouter events)", xLabel: "KiB per batch", logX: true,
    xs: quick ? [16, 1024] : [4, 16, 64, 256, 1024, 4096, 16384],
    setup: async (kib) => {
      const b = shapeBatch(SHAPES[0], kib * 1024);
      return standard(benchPolicy, b.bytes, b.events);
    },
  });
  await sweep("event-size", {
    title: "Event size (dropped free text grows)", xLabel: "bytes per event", logX: true,
    xs: quick ? [300, 8192] : [300, 1024, 2048, 8192, 32768, 65536],
    setup: async (size) => {
      const b = shapeBatch({ event: sizedEvent(size) }, Math.max(sweepBytes, size * 16));
      return standard(benchPolicy, b.bytes, b.events);
    },
  });
  await sweep("kept-fraction", {
    title: "Share of the attributes kept", xLabel: "attributes kept",
    xs: quick ? [0.2, 1] : [0.1, 0.25, 0.5, 0.75, 1],
    setup: async (fraction) => {
      const b = shapeBatch(SHAPES[0], sweepBytes);
      const policy = policyKeeping(fraction);
      const s = await standard(policy, b.bytes, b.events);
      const out = s.simdFilter.filterBatch(b.bytes).output.length;
      return { ...s, extra: { "bytes kept": `${((out / b.bytes.length) * 100).toFixed(0)}%` } };
    },
  });
  await sweep("policy-paths", {
    title: "Policy size (paths that match nothing added)", xLabel: "paths", logX: true,
    xs: quick ? [37, 1037] : [37, 137, 1037, 10037],
    setup: async (paths) => {
      const b = shapeBatch(SHAPES[0], sweepBytes);
      return standard(policyWithPaths(paths - benchPolicy.keep.length), b.bytes, b.events);
    },
  });
  await sweep("shapes", {
    title: "Event shapes", xLabel: "shape (1 taskrouter-string, 2 taskrouter-object, 3 eventstreams, 4 cticloud)",
    xs: quick ? [1, 4] : [1, 2, 3, 4],
    setup: async (k) => {
      const shape = SHAPES[k - 1];
      const b = shapeBatch(shape, sweepBytes);
      return { ...(await standard(shape.policy, b.bytes, b.events)), extra: { shape: shape.name } };
    },
  });

  // Accounts and policies: routing cost, against the unrouted SIMD batch on the same events.
  const routingXs = quick ? [[50, 1], [5000, 40]] : [[1, 1], [50, 1], [5000, 1], [5000, 40], [100000, 100]];
  const routingTasks = [["unrouted", () => simd.filterBatch(main.bytes)], ["js baseline", jsBaseline(benchPolicy).bind(null, main.bytes)]];
  for (const [a, p] of routingXs) {
    const [filter, events] = await routed(a, p);
    routingTasks.push([`${a} accounts, ${p} policies`, () => filter.filterBatch(events)]);
  }
  const routingRows = await measure(routingTasks, { bytes: main.bytes.length, events: main.events });
  const unrouted = routingRows[0];
  print("sweep: accounts and policies (SIMD, routed by AccountSid)", routingRows, (r) => ({ "x unrouted": (r.mbps / unrouted.mbps).toFixed(2) }));
  results.sweeps.routing = { rows: routingRows };
  chart("sweep-routing", barChart({
    title: "Routing by account: SIMD MB/s by accounts and policies", note: machine, unit: "MB/s",
    rows: routingRows.filter((r) => r.task !== "js baseline").map((r) => ({ label: r.task, value: r.mbps, highlight: r === unrouted })),
  }));
}

writeFileSync(join(outDir, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nresults: ${join(outDir, "latest.json")} and ${join(outDir, "*.svg")}`);
