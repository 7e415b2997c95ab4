#!/usr/bin/env node
// node bench/pool.js [--workers 1,2,4,8] [--mb N] [--rounds N] [--cli-workers 1,2] [--no-cli]
// Scaling over cores, in one run on the same bytes: the single-thread engine loop on the main thread, then
// createFilterPool at each --workers count (default: 1 up to os.availableParallelism(), doubling), then the
// CLI end to end (--workers 1 and 2 by default) on a file of --mb MB. Rows are measured in --rounds
// interleaved rounds (every row once per round, the order rotating); ratios are medians of same-round ratios.
// "x 1 worker" is the ratio to the pool's own 1-worker row, the figure to compare across machines; "cpu s"
// is the process's CPU time (all threads) for the median run, so "cpu/wall" shows how many cores were busy.
// On a machine shared with other work, ratios are only meaningful within one run.
import { parseArgs } from "node:util";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { median } from "./timing.js";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compilePolicy, createFilter, createFilterPool } from "../dist/index.js";
import { taskRouterNdjson, benchPolicy } from "./events.js";
import { baselineSeconds } from "./baseline.js";

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
  const blockBytes = Buffer.from(block);
  const copies = Math.max(1, Math.round((Number(values.mb) * 1e6) / blockBytes.length));
  const file = join(dir, "events.ndjson");
  {
    // Bytes, not a string: a string of more than 512 MB cannot be made.
    const whole = Buffer.allocUnsafe(blockBytes.length * copies);
    for (let i = 0; i < copies; i++) blockBytes.copy(whole, i * blockBytes.length);
    writeFileSync(file, whole);
  }
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

  // Every row once per round, in an order that rotates (as bench/cli-rows.js): a burst of load on a shared
  // machine then hits every row alike, and each ratio is the median over rounds of a same-round ratio.
  const policy = compilePolicy(benchPolicy, "bench policy");
  const filter = await createFilter(policy);
  /** [name, { run: resolves to the child's CPU seconds or undefined, before?: untimed set-up }] */
  const tasks = [["engine loop, main thread", { run: async () => {
    for (const b of batches) filter.filterBatch(b);
  } }]];
  const pools = [];
  for (const workers of workerCounts) {
    const pool = await createFilterPool(policy, { workers });
    pools.push(pool);
    // Warm-up: every worker's engine grown to the batch size and its code optimized.
    await Promise.all(batches.slice(0, 4 * workers).map((b) => pool.filterBatch(b)));
    // Copied (the default: the caller keeps its bytes), then moved (transfer: true, as the CLI does; the
    // buffers to move are made before the clock starts, since moving detaches them).
    for (const transfer of [false, true]) {
      let own;
      tasks.push([`pool, ${workers} worker${workers > 1 ? "s" : ""}${transfer ? ", transfer" : ""}`, {
        workers,
        transfer,
        before: () => {
          if (transfer) own = batches.map((b) => b.slice());
        },
        run: async () => {
          const pending = [];
          for (let i = 0; i < batches.length; i++) {
            await pool.ready();
            pending.push(pool.filterBatch(transfer ? own[i] : batches[i], { transfer }));
          }
          await Promise.all(pending);
        },
      }]);
    }
  }
  const rssByWorkers = {};
  if (!values["no-cli"]) {
    // The CLI in a child that reports its own CPU time (all threads) and peak RSS on its last stderr line.
    // Peak RSS from /proc (VmHWM, in KiB) where there is one: Linux carries ru_maxrss over exec, so
    // resourceUsage().maxRSS of a child of this process (which holds the whole file) would be this process's.
    const script = `import { run } from ${JSON.stringify(RUN)}; import { readFileSync } from "node:fs";
      const code = await run(process.argv.slice(1)); const u = process.cpuUsage();
      let rss = process.resourceUsage().maxRSS;
      try { rss = Number(/VmHWM:\\s*(\\d+)/.exec(readFileSync("/proc/self/status", "utf8"))[1]); } catch {}
      process.stderr.write("cpu " + (u.user + u.system) + " rss " + rss + "\\n"); process.exitCode = code;`;
    for (const workers of cliWorkers) {
      rssByWorkers[workers] = 0;
      tasks.push([`cli --workers ${workers}, file -> /dev/null`, { cli: workers, run: async () => {
        const r = spawnSync(process.execPath, ["--input-type=module", "-e", script, "filter", "--policy", policyFile, "--input", file,
          "--output", "/dev/null", "--workers", String(workers)], { encoding: "utf8" });
        if (r.status !== 0) throw new Error(`bench: the CLI failed: ${r.stderr}`);
        const m = /cpu (\d+) rss (\d+)\n$/.exec(r.stderr);
        rssByWorkers[workers] = Math.max(rssByWorkers[workers], Number(m[2]));
        return Number(m[1]) / 1e6;
      } }]);
    }
  }
  const runs = tasks.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < tasks.length; k++) {
      const i = (k + round) % tasks.length;
      const { run, before } = tasks[i][1];
      before?.();
      const cpu0 = process.cpuUsage();
      const start = process.hrtime.bigint();
      const childCpu = await run();
      const wall = Number(process.hrtime.bigint() - start) / 1e9;
      const used = process.cpuUsage(cpu0);
      runs[i].push({ wall, cpu: childCpu ?? (used.user + used.system) / 1e6 });
    }
  }
  for (const pool of pools) await pool.close();
  // The JS baseline (JSON.parse + pick + JSON.stringify per line) on the same bytes, after the rows.
  const js = baselineSeconds(benchPolicy, batches, rounds);
  /** The median over rounds of (row j's wall / row i's wall): how many times faster i ran than j, round by round. */
  const ratio = (i, j) => median(runs[i].map((r, round) => runs[j][round].wall / r.wall));
  const find = (test) => tasks.findIndex(([, t]) => test(t));
  const rows = tasks.map(([task, t], i) => {
    const wall = median(runs[i].map((r) => r.wall));
    const cpu = runs[i].find((r) => r.wall === wall).cpu;
    // Pool rows against the pool at 1 worker in the same mode (copied or moved); CLI rows against --workers 1.
    const base = t.workers !== undefined ? find((o) => o.workers === 1 && o.transfer === t.transfer) : t.cli !== undefined ? find((o) => o.cli === 1) : -1;
    return {
      task,
      "MB/s": (data.length / wall / 1e6).toFixed(0),
      "events/s": Math.round(events / wall).toLocaleString("en-US"),
      "x 1 worker": base >= 0 ? ratio(i, base).toFixed(2) : "",
      "x main thread": ratio(i, 0).toFixed(2),
      "x JS": (js / wall).toFixed(1),
      "wall s": wall.toFixed(2),
      "cpu s": cpu.toFixed(2),
      "cpu/wall": (cpu / wall).toFixed(2),
      "peak RSS MiB": t.cli !== undefined ? (rssByWorkers[t.cli] / 1024).toFixed(0) : "",
    };
  });

  console.log(`${(data.length / 1e6).toFixed(0)} MB, ${events.toLocaleString("en-US")} events, ${(data.length / events).toFixed(0)} B/event, ` +
    `${batches.length} batches of ~1 MiB, ${rounds} interleaved rounds, ${cores} cores (${cpus()[0]?.model ?? "?"}), node ${process.version}`);
  console.table(rows);
  console.log('"x 1 worker": pool rows against the pool at 1 worker in the same mode (copied or moved); cli rows against cli --workers 1.\n' +
    '"x main thread": against the engine loop on the main thread (no pool). Both are medians over rounds of same-round ratios;\n' +
    `MB/s, events/s and wall s are medians, cpu s that of the median round. "x JS": against the JS baseline (JSON.parse + pick + JSON.stringify, ${(data.length / js / 1e6).toFixed(0)} MB/s, timed on a tenth).`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
