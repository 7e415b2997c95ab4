#!/usr/bin/env node
// node bench/engine-ab.js [--rounds N] [--ms MS] [--only simd|scalar]
// The engine before and after the current change, in ONE run on the same bytes: the frozen engine
// of bench/engine-before/ (built by assembly/build.mjs into build/before/*.wasm) against the
// current build/*.wasm, SIMD and scalar, on the TaskRouter shapes (TaskAttributes as a JSON string
// and as an object), next to the JS baseline and simdjson's isValid. Rounds are interleaved (each
// round runs every row for --ms milliseconds; the figure is the median over rounds, next to the
// fastest round), so a burst of load on the machine hits every row alike. Also one event per
// call: p50/p99 latency. And, on the same bytes: the pass-through and reject routes (validated,
// then copied whole or rejected), and the stage-1 kernel of a two-stage design measured alone
// (bench/stage1, not used by the engine).
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { compilePolicy, createFilter, createAccountsFilter } from "../dist/index.js";
import { SHAPES, shapeBatch } from "./shapes.js";
import { jsBaseline, simdjsonPeer, stage1Peer, routeFilters } from "./peers.js";
import { median, timePerCall } from "./timing.js";

const { values } = parseArgs({ options: {
  rounds: { type: "string", default: "7" }, ms: { type: "string", default: "250" }, only: { type: "string" },
  shapes: { type: "string", default: "taskrouter-string,taskrouter-object" },
} });
const rounds = Number(values.rounds);
const ms = Number(values.ms);
const before = (v) => readFileSync(new URL(`../build/before/${v}.wasm`, import.meta.url));
const variants = values.only ? [values.only] : ["simd", "scalar"];


function latency(lines, call, passes = 5) {
  const samples = [];
  for (let k = 0; k < passes; k++) {
    for (const line of lines) {
      const start = process.hrtime.bigint();
      call(line);
      samples.push(Number(process.hrtime.bigint() - start) / 1000);
    }
  }
  samples.sort((a, b) => a - b);
  return `${samples[Math.floor(samples.length * 0.5)].toFixed(2)} / ${samples[Math.floor(samples.length * 0.99)].toFixed(2)}`;
}

const simdjson = simdjsonPeer();
for (const shapeName of values.shapes.split(",")) {
  const shape = SHAPES.find((s) => s.name === shapeName);
  const batch = shapeBatch(shape, 1 << 20);
  const policy = compilePolicy(shape.policy, shape.name);
  const rows = [];
  for (const v of variants) {
    const old = await createFilter(policy, { variant: v, wasmBytes: before(v) });
    const now = await createFilter(policy, { variant: v });
    const a = old.filterBatch(batch.bytes);
    const b = now.filterBatch(batch.bytes);
    if (Buffer.compare(Buffer.from(a.output), Buffer.from(b.output)) !== 0 || a.kept !== batch.events) {
      throw new Error(`${shape.name} ${v}: old and new engine disagree`);
    }
    rows.push([`before ${v}`, () => old.filterBatch(batch.bytes), old]);
    rows.push([`after ${v}`, () => now.filterBatch(batch.bytes), now]);
    // The routes that do not filter (validate, then copy whole or reject), and, for scale, the
    // first stage of a two-stage design alone (README: "One pass, not two: measured").
    const routes = await routeFilters(createAccountsFilter, policy, batch.bytes, batch.events, v);
    rows.push([`pass-through route ${v}`, () => routes.pass.filterBatch(batch.bytes)]);
    rows.push([`reject route ${v}`, () => routes.reject.filterBatch(batch.bytes)]);
    rows.push([`stage 1 alone ${v}`, await stage1Peer(v, batch.bytes)]);
  }
  rows.push(["js baseline", jsBaseline(shape.policy).bind(null, batch.bytes)]);
  if (simdjson.run) rows.push(["simdjson isValid", () => simdjson.run(batch.bytes)]);
  const times = rows.map(() => []);
  for (let r = 0; r < rounds; r++) rows.forEach(([, fn], i) => times[i].push(timePerCall(fn, ms)));
  // Medians, and the fastest round: load on a shared machine only ever slows a row down, in
  // bursts that outlast a round, so the fastest round is each row undisturbed.
  const jsTimes = times[rows.findIndex(([n]) => n === "js baseline")];
  const js = median(jsTimes);
  const jsBest = Math.min(...jsTimes);
  const sj = simdjson.run ? median(times[rows.length - 1]) : NaN;
  const lines = new TextDecoder().decode(batch.bytes).split("\n").filter((l) => l.length > 0);
  console.log(`\n${shape.name}: ${batch.events} events, ${(batch.bytes.length / 1e6).toFixed(2)} MB, ${rounds} rounds x ${ms} ms`);
  console.table(rows.map(([name, , filter], i) => {
    const t = median(times[i]);
    const best = Math.min(...times[i]);
    return {
      row: name, "MB/s": (batch.bytes.length / t / 1e6).toFixed(0), "x js": (js / t).toFixed(2),
      "x simdjson": (sj / t).toFixed(2), "best MB/s": (batch.bytes.length / best / 1e6).toFixed(0),
      "best x js": (jsBest / best).toFixed(2), "one event p50/p99 us": filter ? latency(lines, (l) => filter.filterEvent(l)) : "",
    };
  }));
}
