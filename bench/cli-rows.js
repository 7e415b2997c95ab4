// The CLI end to end, next to the engine loop it wraps, on the same file, in one run: how much of the
// engine's speed reaches a user of `hipaa-sieve filter`. Rows:
//   engine loop     filterBatch over the file in 1 MiB batches of whole lines, in memory (no I/O; the
//                   input copied into the engine and the output copied out, as the library's default does)
//   cli ...         hipaa-sieve filter: file -> /dev/null, file -> file, stdin redirected from the file,
//                   and through pipes (cat F | hipaa-sieve filter | cat > F2), at --workers 1 and at the
//                   default (the number of cores)
//   cli start-up    the same command on an empty file: node, module loading, WASM compilation
//   floor ...       the same I/O with nothing filtered: `cat F > F2` (a file copied), and
//                   `cat F | cat | cat > F2` (the pipeline with cat where the filter stands): what
//                   the operating system's part of a row costs here, so a CLI row's ratio to the
//                   engine loop can be read against the best the I/O would allow
//   js baseline     JSON.parse + pick + JSON.stringify per line, in memory (on a tenth of the file)
// The rows are measured in `rounds` interleaved rounds (every row once per round, in an order that
// rotates), so that a burst of load on a shared machine hits every row alike. A row's time is its
// median; its "x engine" is the median over rounds of the engine loop's time in that round divided by
// the row's, a same-round ratio. CLI rows include start-up, as a user sees them; "x engine steady"
// takes the start-up row's time off first (what a long run approaches).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compilePolicy, createFilter } from "../dist/index.js";
import { taskRouterNdjson, benchPolicy } from "./events.js";
import { baselineSeconds } from "./baseline.js";

const CLI = fileURLToPath(new URL("../dist/bin/main.js", import.meta.url));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function seconds(work) {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * Measures the rows above on about `mb` MB of events. Returns { bytes, events, rows: [{ task, seconds,
 * xEngine, xEngineSteady }] }, the engine loop first, the JS baseline last.
 */
export async function cliRows({ mb = 100, rounds = 3 } = {}) {
  const targetBytes = mb * 1e6;
  const dir = mkdtempSync(join(tmpdir(), "hipaa-sieve-bench-"));
  try {
    // One block of distinct events, repeated to the target size (generation is slower than filtering).
    const block = taskRouterNdjson(2000, 7);
    const file = join(dir, "events.ndjson");
    const blockBytes = Buffer.from(block);
    const copies = Math.max(1, Math.round(targetBytes / blockBytes.length));
    // Bytes, not a string: a string of more than 512 MB cannot be made.
    const whole = Buffer.allocUnsafe(blockBytes.length * copies);
    for (let i = 0; i < copies; i++) blockBytes.copy(whole, i * blockBytes.length);
    writeFileSync(file, whole);
    const empty = join(dir, "empty.ndjson");
    writeFileSync(empty, "");
    const policyFile = join(dir, "policy.json");
    writeFileSync(policyFile, JSON.stringify(benchPolicy));
    const data = readFileSync(file);
    const events = 2000 * copies;

    const filter = await createFilter(compilePolicy(benchPolicy, "bench policy"));
    const batches = [];
    for (let start = 0; start < data.length;) {
      let end = data.indexOf(10, Math.min(data.length - 1, start + (1 << 20)));
      end = end < 0 ? data.length : end + 1;
      batches.push(data.subarray(start, end));
      start = end;
    }
    const engineLoop = () => {
      for (const b of batches) filter.filterBatch(b);
    };

    const out = join(dir, "out.ndjson");
    const q = (s) => `'${s.replace(/'/g, "'\\''")}'`;
    const node = (args) => () => execFileSync(process.execPath, [CLI, ...args], { stdio: ["ignore", "ignore", "ignore"] });
    const shell = (line) => () => execFileSync("bash", ["-c", `set -o pipefail; ${line}`], { stdio: ["ignore", "ignore", "ignore"] });
    const filterArgs = (workers) => ["filter", "--policy", policyFile, ...(workers === undefined ? [] : ["--workers", String(workers)])];
    const cliLine = (workers) => [process.execPath, CLI, ...filterArgs(workers)].map(q).join(" ");
    const cliTasks = [];
    for (const workers of [1, undefined]) {
      const label = workers === undefined ? "default --workers" : "--workers 1";
      cliTasks.push(
        [`cli file -> /dev/null, ${label}`, node([...filterArgs(workers), "--input", file, "--output", "/dev/null"])],
        [`cli file -> file, ${label}`, node([...filterArgs(workers), "--input", file, "--output", out])],
        [`cli < file > file, ${label}`, shell(`${cliLine(workers)} < ${q(file)} > ${q(out)} 2>/dev/null`)],
        [`cli pipe: cat | cli | cat, ${label}`, shell(`cat ${q(file)} | ${cliLine(workers)} 2>/dev/null | cat > ${q(out)}`)],
      );
    }
    const floors = [
      ["floor: cat F > F2 (no filter)", shell(`cat ${q(file)} > ${q(out)}`)],
      ["floor: cat F | cat | cat > F2 (no filter)", shell(`cat ${q(file)} | cat | cat > ${q(out)}`)],
    ];
    const startup = ["cli start-up (empty file), --workers 1", node([...filterArgs(1), "--input", empty, "--output", "/dev/null"])];
    const tasks = [["engine loop (1 MiB batches, in memory)", engineLoop], ...cliTasks, ...floors, startup];

    const times = tasks.map(() => []);
    for (let round = 0; round < rounds; round++) {
      // Rotate the order: no row always runs right after the same neighbour.
      for (let k = 0; k < tasks.length; k++) {
        const i = (k + round) % tasks.length;
        times[i].push(seconds(tasks[i][1]));
      }
    }
    const engine = times[0];
    const start = times[times.length - 1];
    const rows = tasks.map(([task], i) => {
      const isCli = task.startsWith("cli") && !task.startsWith("cli start-up");
      return {
        task,
        seconds: median(times[i]),
        xEngine: median(times[i].map((t, r) => engine[r] / t)),
        xEngineSteady: isCli ? median(times[i].map((t, r) => engine[r] / Math.max(1e-9, t - start[r]))) : undefined,
      };
    });

    // The JS baseline on a tenth of the file (it is ~10x slower), scaled.
    const js = baselineSeconds(benchPolicy, batches, rounds);
    rows.push({ task: "js JSON.parse+pick (scaled from a tenth)", seconds: js, xEngine: median(engine) / js, xEngineSteady: undefined });
    return { bytes: data.length, events, rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
