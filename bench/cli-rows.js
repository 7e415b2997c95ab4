// The CLI end to end, next to the engine loop it wraps, on the same file, in one run: how much of the
// engine's speed reaches a user of `hipaa-sieve filter`. Rows (medians of `rounds` runs):
//   engine loop     filterBatch over the file in 1 MiB batches of whole lines, in memory (no I/O)
//   cli file→null   hipaa-sieve filter --input F --output /dev/null (default --workers: the cores; and --workers 1)
//   cli file→file   hipaa-sieve filter --input F --output F2
//   cli pipe        cat F | hipaa-sieve filter | cat > F2   (how pipelines use it)
//   js baseline     JSON.parse + pick + JSON.stringify per line, in memory (on a tenth of the file)
// CLI rows include process start-up (node, module loading, WASM compilation), as a user sees them.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compilePolicy, createFilter } from "../dist/index.js";
import { taskRouterNdjson, benchPolicy } from "./events.js";
import { createBaseline } from "./baseline.js";

const CLI = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));

/** Measures the rows above on about `mb` MB of events; returns { bytes, events, rows: [{ task, seconds }] }. */
export async function cliRows({ mb = 100, rounds = 3 } = {}) {
  const targetBytes = mb * 1e6;
  const dir = mkdtempSync(join(tmpdir(), "hipaa-sieve-bench-"));
  try {
    // One block of distinct events, repeated to the target size (generation is slower than filtering).
    const block = taskRouterNdjson(2000, 7);
    const file = join(dir, "events.ndjson");
    const copies = Math.max(1, Math.round(targetBytes / Buffer.byteLength(block)));
    writeFileSync(file, block.repeat(copies));
    const policyFile = join(dir, "policy.json");
    writeFileSync(policyFile, JSON.stringify(benchPolicy));
    const data = readFileSync(file);
    const events = 2000 * copies;

    const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const time = (fn) => {
      const seconds = [];
      for (let i = 0; i < rounds; i++) {
        const start = process.hrtime.bigint();
        fn();
        seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
      }
      return median(seconds);
    };

    const filter = await createFilter(compilePolicy(benchPolicy, "bench policy"));
    const batches = [];
    for (let start = 0; start < data.length;) {
      let end = data.indexOf(10, Math.min(data.length - 1, start + (1 << 20)));
      end = end < 0 ? data.length : end + 1;
      batches.push(data.subarray(start, end));
      start = end;
    }
    const engine = time(() => {
      for (const b of batches) filter.filterBatch(b);
    });

    const cli = (args, shell) => () => (shell
      ? execFileSync("bash", ["-c", shell], { stdio: ["ignore", "ignore", "ignore"] })
      : execFileSync(process.execPath, [CLI, ...args], { stdio: ["ignore", "ignore", "ignore"] }));
    const out = join(dir, "out.ndjson");
    const q = (s) => `'${s.replace(/'/g, "'\\''")}'`;
    const rows = [
      ["engine loop (1 MiB batches, in memory)", engine],
      ["cli file -> /dev/null", time(cli(["filter", "--policy", policyFile, "--input", file, "--output", "/dev/null"]))],
    ["cli file -> /dev/null, --workers 1", time(cli(["filter", "--workers", "1", "--policy", policyFile, "--input", file, "--output", "/dev/null"]))],
      ["cli file -> file", time(cli(["filter", "--policy", policyFile, "--input", file, "--output", out]))],
      ["cli pipe: cat | cli | cat", time(cli(null,
        `set -o pipefail; cat ${q(file)} | ${q(process.execPath)} ${q(CLI)} filter --policy ${q(policyFile)} 2>/dev/null | cat > ${q(out)}`))],
    ];
    // The JS baseline on a tenth of the file (it is ~10x slower), scaled.
    const baseline = createBaseline(benchPolicy);
    const tenth = batches.slice(0, Math.max(1, Math.floor(batches.length / 10)));
    const tenthBytes = tenth.reduce((n, b) => n + b.length, 0);
    const decoder = new TextDecoder();
    const js = time(() => {
      for (const b of tenth) {
        for (const line of decoder.decode(b).split("\n")) if (line.length > 0) baseline(line);
      }
    }) * (data.length / tenthBytes);
    rows.push(["js JSON.parse+pick (scaled from a tenth)", js]);

    return { bytes: data.length, events, rows: rows.map(([task, seconds]) => ({ task, seconds })) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
