#!/usr/bin/env node
// node bench/threads-ceiling.js [--threads N] [--rounds N]
// What this machine lets N threads do side by side, next to one alone: a loop that only computes, and a
// loop that copies 64 MiB arrays back and forth (memory-bound, as a pool streaming batches is). The
// first scales with cores; the second with memory bandwidth, which cores share. A pool's "x 1 worker"
// (bench/pool.js) cannot go past the second row's figure.
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { median } from "./timing.js";

const { values } = parseArgs({
  options: { threads: { type: "string", default: String(availableParallelism()) }, rounds: { type: "string", default: "3" } },
});
const threads = Number(values.threads);
const rounds = Number(values.rounds);

// Each thread times its own loop, so start-up is not counted.
const source = `const { parentPort, workerData } = require("node:worker_threads");
const start = process.hrtime.bigint();
let x = 0;
if (workerData === "compute") {
  for (let i = 0; i < 2e8; i++) x = (x * 31 + i) | 0;
} else {
  const a = new Uint8Array(64 << 20), b = new Uint8Array(64 << 20);
  for (let r = 0; r < 30; r++) { b.set(a); a.set(b); }
}
parentPort.postMessage({ seconds: Number(process.hrtime.bigint() - start) / 1e9, x });`;

/** Seconds each of `n` threads took for the loop, run side by side. */
function side(n, kind) {
  return Promise.all(Array.from({ length: n }, () => new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: kind });
    worker.once("message", (m) => {
      resolve(m.seconds);
      void worker.terminate();
    });
    worker.once("error", reject);
  })));
}

const rows = [];
for (const kind of ["compute", "copy memory"]) {
  const ratios = [];
  for (let round = 0; round < rounds; round++) {
    const one = (await side(1, kind))[0];
    const many = await side(threads, kind);
    // N threads did N times the work in the slowest one's time: the speed-up over one thread alone.
    ratios.push((threads * one) / Math.max(...many));
  }
  rows.push({ loop: kind, threads, "x 1 thread (median)": median(ratios).toFixed(2), rounds: ratios.map((r) => r.toFixed(2)).join(" ") });
}
console.log(`node ${process.version}, ${availableParallelism()} cores`);
console.table(rows);
