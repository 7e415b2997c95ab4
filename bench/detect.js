#!/usr/bin/env node
// What PHI detection costs: the batch filter with the flex-insights-hipaa recommendation on (action
// "count": every event kept, every kept value scanned) against the same policy without detection, in
// interleaved rounds on the same bytes, for each build, with the JS baseline (JSON.parse + pick, no
// detection) in the same rounds for scale. Reports fastest and median round, the ratio to the JS
// baseline, and the loss as 1 - off/on of each (the issue's target: at most 15%). Also the cost on events that hold
// PHI in their kept values (hits counted, redacted), where the detectors run in full.
//
//   node bench/detect.js [--rounds 15] [--ms 150] [--events 1500]
import { parseArgs } from "node:util";
import { compilePolicy, createFilter } from "../dist/index.js";
import { benchPolicy, taskRouterNdjson } from "./events.js";
import { jsBaseline } from "./peers.js";
import { cleanEvents, plantedEvents } from "../test/support/phi-corpus.js";
import { median, timePerCall } from "./timing.js";

const { values } = parseArgs({ options: {
  rounds: { type: "string", default: "15" },
  ms: { type: "string", default: "150" },
  events: { type: "string", default: "1500" },
} });
const rounds = Number(values.rounds);
const ms = Number(values.ms);

/** Seconds per call of fn, timed for about `ms` milliseconds. */
const min = (xs) => Math.min(...xs);

const recommended = { use: "flex-insights-hipaa", action: "count" };
const realistic = new TextEncoder().encode(taskRouterNdjson(Number(values.events)));
// Events with one PHI value each in a preserved attribute (test/support/phi-corpus.js), as TaskRouter
// callbacks: the detectors find and count it (count) or replace it (redact).
const planted = new TextEncoder().encode(plantedEvents(7, 200).map((e) => new TextDecoder().decode(e.bytes)).join("\n") + "\n");
const flexPreset = (await import("../dist/policy/presets.js")).presetPolicy("flex-insights-hipaa").spec;
// The false-positive corpus's TaskRouter events: every preserved attribute filled with realistic non-PHI.
const clean = new TextEncoder().encode(cleanEvents(11, Number(values.events), { only: "flex-insights-hipaa" })
  .map((e) => new TextDecoder().decode(e.bytes)).join("\n") + "\n");

const cases = [
  { name: "realistic TaskRouter events (bench policy)", bytes: realistic, spec: benchPolicy },
  { name: "clean corpus, every preserved attribute filled (flex-insights-hipaa)", bytes: clean, spec: flexPreset },
  { name: "events with PHI in a kept value (flex-insights-hipaa)", bytes: planted, spec: flexPreset },
];

const results = [];
for (const { name, bytes, spec } of cases) {
  // The JS baseline (JSON.parse + pick, no detection) in the same rounds: every row's scale ("x JS").
  const js = jsBaseline(spec);
  for (const variant of ["simd", "scalar"]) {
    const off = await createFilter(compilePolicy(spec, "bench"), { variant });
    const on = await createFilter(compilePolicy({ ...spec, detect: recommended }, "bench"), { variant });
    const redact = await createFilter(compilePolicy({ ...spec, detect: { ...recommended, action: "redact" } }, "bench"), { variant });
    const run = (filter) => () => filter.filterBatch(bytes, { view: true });
    const rows = [["detection off", run(off)], ["detection on (count)", run(on)], ["detection on (redact)", run(redact)], ["js baseline", () => js(bytes)]];
    const hits = on.filterBatch(bytes).detections?.reduce((n, d) => n + d.count, 0) ?? 0;
    const times = rows.map(() => []);
    for (let r = 0; r < rounds; r++) rows.forEach(([, fn], i) => times[i].push(timePerCall(fn, ms)));
    const mb = bytes.length / 1e6;
    const jsMedian = median(times[rows.length - 1]);
    console.log(`\n${name}, ${variant}: ${(mb).toFixed(2)} MB, ${hits} values hit`);
    console.log("row                      fastest MB/s  median MB/s  x JS (median)  loss (fastest)  loss (median)");
    rows.forEach(([label], i) => {
      const detecting = i === 1 || i === 2;
      const lossFast = 1 - min(times[0]) / min(times[i]);
      const lossMed = 1 - median(times[0]) / median(times[i]);
      const xJs = jsMedian / median(times[i]);
      console.log(`${label.padEnd(24)} ${(mb / min(times[i])).toFixed(0).padStart(12)} ${(mb / median(times[i])).toFixed(0).padStart(12)}` +
        `${xJs.toFixed(1).padStart(15)}` +
        `${detecting ? `${(100 * lossFast).toFixed(1).padStart(15)}%${(100 * lossMed).toFixed(1).padStart(14)}%` : ""}`);
      results.push({ case: name, variant, row: label, fastestMBps: mb / min(times[i]), medianMBps: mb / median(times[i]), xJs, lossFastest: lossFast, lossMedian: lossMed, hits });
    });
  }
}
export { results };
