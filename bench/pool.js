#!/usr/bin/env node
// node bench/pool.js [--workers 1,2,4,8] [--mb N] [--rounds N] [--cli-workers 1,2] [--no-cli]
// Scaling over cores, in one run on the same bytes: the single-thread engine loop on the main thread, then
// createFilterPool at each --workers count (default: 1 up to os.availableParallelism(), doubling), then the
// CLI end to end (--workers 1 and 2 by default) on a file of --mb MB. Rows are medians of --rounds runs.
// "x 1 worker" is the ratio to the pool's own 1-worker row, the figure to compare across machines; "cpu s"
// is the process's CPU time (all threads) for the median run, so "cpu/wall" shows how many cores were busy.
// On a machine shared with other work, ratios are only meaningful within one run.
import { parseArgs } from "node:util";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compilePolicy, createFilter, createFilterPool } from "../dist/index.js";
import { taskRouterNdjson, benchPolicy } from "./events.js";

const cores = availableParallelism();
const doubling = [];
for (let n = 1; n < cores; n *= 2) doubling.push(n);
doubling.push(cores);
const { values } = parseArgs({
  options: {
    workers: { type: "string", default: doubling.join(",") },
    mb: { type: "string", default: "100" },
    rounds: { type: "string", default: "3" },
    "cli-workers": { type: "string", default: "1,2" },
    "no-cli": { type: "boolean", default: false },
  },
});
const counts = (text) => text.split(",").map(Number).filter((n) => Number.isSafeInteger(n) && n > 0);
const workerCounts = counts(values.workers);
const cliWorkers = counts(values["cli-workers"]);
const rounds = Number(values.rounds);
const RUN = fileURLToPath(new URL("../dist/cli/run.js", import.meta.url));

const dir = mkdtempSync(join(tmpdir(), "hipaa-sieve-pool-bench-"));
try {
  // One block of distinct events repeated to the target size (as bench/cli.js: generating is slower than filtering).
  const block = taskRouterNdjson(2000, 7);
  const copies = Math.max(1, Math.round((Number(values.mb) * 1e6) / Buffer.byteLength(block)));
  const file = join(dir, "events.ndjson");
  writeFileSync(file, block.repeat(copies));
  const policyFile = join(dir, "policy.json");
  writeFileSync(policyFile, JSON.stringify(benchPolicy));
  const data = readFileSync(file);
  const events = 2000 * copies;
  const batches = [];
  for (let start = 0; start < data.length;) {
    let end = data.indexOf(10, Math.min(data.length - 1, start + (1 << 20)));
    end = end < 0 ? data.length : end + 1;
    batches.push(new Uint8Array(data.buffer, data.byteOffset + start, end - start));
    start = end;
  }

  /** Median wall time of `rounds` runs of `fn` (after untimed `before`), with that run's CPU time: fn's answer, or this process's. */
  const measure = async (fn, before = () => {}) => {
    const runs = [];
    for (let i = 0; i < rounds; i++) {
      before();
      const cpu0 = process.cpuUsage();
      const start = process.hrtime.bigint();
      const childCpu = await fn();
      const wall = Number(process.hrtime.bigint() - start) / 1e9;
      const used = process.cpuUsage(cpu0);
      runs.push({ wall, cpu: childCpu ?? (used.user + used.system) / 1e6 });
    }
    runs.sort((a, b) => a.wall - b.wall);
    return runs[Math.floor(runs.length / 2)];
  };

  const policy = compilePolicy(benchPolicy, "bench policy");
  const filter = await createFilter(policy);
  const rows = [];
  rows.push(["engine loop, main thread", await measure(() => {
    for (const b of batches) filter.filterBatch(b);
  })]);
  /** The pool's 1-worker wall time, per mode (copied, moved): each pool row's ratio is to its own mode's. */
  const oneWorker = {};
  for (const workers of workerCounts) {
    const pool = await createFilterPool(policy, { workers });
    // Warm-up: every worker's engine grown to the batch size and its code optimized.
    await Promise.all(batches.slice(0, 4 * workers).map((b) => pool.filterBatch(b)));
    // Copied (the default: the caller keeps its bytes), then moved (transfer: true, as the CLI does; the
    // buffers to move are made before the clock starts, since moving detaches them).
    for (const transfer of [false, true]) {
      let own;
      const result = await measure(async () => {
        const pending = [];
        for (let i = 0; i < batches.length; i++) {
          await pool.ready();
          pending.push(pool.filterBatch(transfer ? own[i] : batches[i], { transfer }));
        }
        await Promise.all(pending);
      }, () => {
        if (transfer) own = batches.map((b) => b.slice());
      });
      if (workers === 1) oneWorker[transfer] = result.wall;
      result.base = oneWorker[transfer];
      rows.push([`pool, ${workers} worker${workers > 1 ? "s" : ""}${transfer ? ", transfer" : ""}`, result]);
    }
    await pool.close();
  }

  if (!values["no-cli"]) {
    // The CLI in a child that reports its own CPU time (all threads) and peak RSS on its last stderr line.
    const script = `import { run } from ${JSON.stringify(RUN)};
      const code = await run(process.argv.slice(1)); const u = process.cpuUsage();
      process.stderr.write("cpu " + (u.user + u.system) + " rss " + process.resourceUsage().maxRSS + "\\n"); process.exitCode = code;`;
    for (const workers of cliWorkers) {
      let rss = 0;
      const result = await measure(() => {
        const r = spawnSync(process.execPath, ["--input-type=module", "-e", script, "filter", "--policy", policyFile, "--input", file,
          "--output", "/dev/null", "--workers", String(workers)], { encoding: "utf8" });
        if (r.status !== 0) throw new Error(`bench: the CLI failed: ${r.stderr}`);
        const m = /cpu (\d+) rss (\d+)\n$/.exec(r.stderr);
        rss = Math.max(rss, Number(m[2]));
        return Number(m[1]) / 1e6;
      });
      result.rss = rss;
      rows.push([`cli --workers ${workers}, file -> /dev/null`, result]);
    }
  }

  const cliOne = rows.find(([name]) => name.startsWith("cli --workers 1,"))?.[1].wall;
  console.log(`${(data.length / 1e6).toFixed(0)} MB, ${events.toLocaleString("en-US")} events, ${(data.length / events).toFixed(0)} B/event, ` +
    `${batches.length} batches of ~1 MiB, median of ${rounds}, ${cores} cores (${cpus()[0]?.model ?? "?"}), node ${process.version}`);
  console.table(rows.map(([task, r]) => ({
    task,
    "MB/s": (data.length / r.wall / 1e6).toFixed(0),
    "events/s": Math.round(events / r.wall).toLocaleString("en-US"),
    "x 1 worker": task.startsWith("cli") ? (cliOne / r.wall).toFixed(2) : r.base ? (r.base / r.wall).toFixed(2) : "",
    "x main thread": (rows[0][1].wall / r.wall).toFixed(2),
    "wall s": r.wall.toFixed(2),
    "cpu s": r.cpu.toFixed(2),
    "cpu/wall": (r.cpu / r.wall).toFixed(2),
    "peak RSS MiB": r.rss ? (r.rss / 1024).toFixed(0) : "",
  })));
  console.log('"x 1 worker": pool rows against the pool at 1 worker in the same mode (copied or moved); cli rows against cli --workers 1.\n' +
    '"x main thread": against the engine loop on the main thread (no pool).');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
