// Runs cut short, through the real CLI in child processes: SIGTERM and SIGINT sent mid-stream (stdin fed
// slowly, the signal sent once the first output has arrived), standard output closed by its reader
// (`| head -1`), and a failing run. Every output must end on a whole event, --stats-json must exist and
// parse (marked incomplete), and the exit status must tell the run was cut short.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { constants } from "node:os";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { CLI, ROOT, TASKROUTER_PHI, assertNoPhi, lines, startCli, taskRouterLines, tempDir } from "./support/cli-run.js";

const T = tempDir("signals");
const SAMPLES = taskRouterLines();
/** About 350 KB: many events to filter in each batch, a truncated one among them (rejected). */
const BLOCK = Buffer.from(
  Array.from({ length: 200 }, (_, i) => (i === 100 ? SAMPLES[0].slice(0, 200) : SAMPLES[i % SAMPLES.length])).join("\n") + "\n",
);
/** The same events as elements of an endless JSON array (after a "["). */
const ARRAY_BLOCK = Buffer.from(lines(BLOCK.toString()).map((l) => l + ",").join("\n") + "\n");
/** Children still running: stopped after each test whatever happened. */
const running = new Set();

/** Spawn the CLI, fed through `child.stdin`. */
const start = (args) => startCli(args, { running });

/** Resolves when `stream` can take more, or is broken or closed. */
function drained(stream) {
  return new Promise((resolve) => {
    const events = ["drain", "error", "close"];
    const done = () => {
      for (const e of events) stream.off(e, done);
      resolve();
    };
    for (const e of events) stream.on(e, done);
  });
}

/** Write `bytes` into the child's stdin again and again, a little at a time, until the child has exited. */
async function feedSlowly(run, bytes) {
  const stdin = run.child.stdin;
  let done = false;
  run.closed.then(() => (done = true));
  while (!done && !stdin.destroyed) {
    // Once the child stops reading, the pipe breaks (EPIPE): that ends the feeding too.
    if (!stdin.write(bytes)) await drained(stdin);
    await new Promise((r) => setTimeout(r, 30)); // quiet enough for the CLI to filter what it has
  }
}

function tempFilesIn(dir) {
  return readdirSync(dir).filter((name) => name.endsWith(".tmp"));
}

async function interruptedRun(signal, format, round, workers) {
  const stats = T.file(`${signal}-${format}-${round}-${workers}.stats.json`);
  const errors = T.file(`${signal}-${format}-${round}-${workers}.errors`);
  writeFileSync(stats, "an older stats file\n");
  const run = start(["filter", "--preset", "flex-insights-hipaa", "--format", format, "--stats-json", stats, "--errors", errors, "--workers", String(workers)]);
  if (format === "json-array") run.child.stdin.write("[");
  const feeding = feedSlowly(run, format === "json-array" ? ARRAY_BLOCK : BLOCK);
  await run.firstOutput;
  run.child.kill(signal);
  const r = await run.closed;
  await feeding;
  return { ...r, stats, errors };
}

function checkInterrupted(r, signal, format) {
  const context = `${signal} ${format}: ${r.stderr}`;
  assert.is(r.signal, null, `exited by itself, not killed (${context})`);
  assert.is(r.status, 128 + constants.signals[signal], `exit status 128 + ${signal} (${context})`);
  const doc = JSON.parse(readFileSync(r.stats, "utf8"));
  assert.is(doc.complete, false, context);
  assert.is(doc.stoppedBy, signal, context);
  assert.ok(doc.kept > 0, context);
  assert.is(doc.bytesOut, Buffer.byteLength(r.stdout), `every byte counted was written (${context})`);
  if (format === "ndjson") {
    assert.ok(r.stdout.endsWith("\n"), `the output ends on a whole event (${context})`);
    const events = lines(r.stdout).map((l) => JSON.parse(l));
    assert.is(events.length, doc.kept, context);
  } else {
    assert.ok(r.stdout.endsWith("]\n"), `the array is closed (${context})`);
    assert.is(JSON.parse(r.stdout).length, doc.kept, context);
  }
  assertNoPhi(r.stdout, TASKROUTER_PHI);
  const errors = readFileSync(r.errors, "utf8");
  assert.ok(errors === "" || errors.endsWith("\n"), context);
  assert.is(lines(errors).map((l) => JSON.parse(l)).length, doc.rejected, context);
  const stderr = lines(r.stderr);
  assert.match(stderr[0], new RegExp(`^hipaa-sieve: ${doc.events} events in, ${doc.kept} kept, ${doc.rejected} rejected`));
  assert.is(stderr[stderr.length - 1], `hipaa-sieve: interrupted by ${signal} before the end of the input; the counts cover the events read until then`);
  assertNoPhi(r.stderr, TASKROUTER_PHI);
}

test("SIGTERM and SIGINT mid-stream: whole events only, closed arrays, stats marked incomplete, exit 128+N", async () => {
  // Repeated, so that kills land at different moments. (Before signals were handled, a kill at the
  // first output left half an event at the end nearly every time: the write in flight.) Round 0 on this
  // thread, the others with 3 worker threads (batches in flight when the signal comes).
  const ROUNDS = 3;
  for (const format of ["ndjson", "json-array"]) {
    for (const signal of ["SIGTERM", "SIGINT"]) {
      for (let round = 0; round < ROUNDS; round += 2) {
        const results = await Promise.all([round, round + 1].filter((n) => n < ROUNDS).map((n) => interruptedRun(signal, format, n, n === 0 ? 1 : 3)));
        for (const r of results) checkInterrupted(r, signal, format);
      }
    }
  }
  assert.equal(tempFilesIn(T.dir), [], "no temporary stats file left behind");
});

for (const workers of [1, 3])
test(`standard output closed by its reader (| head -1), --workers ${workers}: exit 141 through pipefail, stats and summary written`, () => {
  const input = T.write("big.ndjson", Buffer.concat(Array.from({ length: 30 }, () => BLOCK))); // ~10 MB
  const stats = T.file(`epipe-${workers}.stats.json`);
  const errors = T.file(`epipe-${workers}.errors`);
  const shell = `set -o pipefail; "${process.execPath}" "${CLI}" filter --preset flex-insights-hipaa --input "${input}" --stats-json "${stats}" --errors "${errors}" --workers ${workers} | head -1 > /dev/null`;
  // The time limit only keeps a broken build from hanging the test run; it is not an assertion.
  const r = spawnSync("bash", ["-c", shell], { cwd: ROOT, timeout: 300_000, killSignal: "SIGKILL" });
  const stderr = r.stderr.toString();
  assert.is(r.status, 141, stderr);
  const doc = JSON.parse(readFileSync(stats, "utf8"));
  assert.is(doc.complete, false);
  assert.is(doc.stoppedBy, "EPIPE");
  assert.ok(doc.events < 30 * 200, "stopped before the end");
  assert.is(lines(readFileSync(errors, "utf8")).length, doc.rejected, "the errors file ends on a whole line");
  assert.equal(lines(stderr).slice(-1), [
    "hipaa-sieve: stopped: standard output was closed by its reader before the end of the input; the counts cover the events read until then",
  ]);
  assert.not.match(stderr, /internal error|\n\s+at /);
});

test("--stats-json is written whole or not at all: replaced by a complete run, left as it was by a failed one", () => {
  const stats = T.write("whole.stats.json", "an older stats file\n");
  const ok = spawnSync(process.execPath, [CLI, "filter", "--preset", "flex-insights-hipaa", "--stats-json", stats], { input: BLOCK });
  assert.is(ok.status, 0, ok.stderr.toString());
  const doc = JSON.parse(readFileSync(stats, "utf8"));
  assert.equal([doc.complete, doc.events, doc.rejected], [true, 200, 1]);
  assert.not.ok("stoppedBy" in doc);
  // Not a JSON array: exit 1 after some events were filtered; the stats file stays as it was.
  writeFileSync(stats, "an older stats file\n");
  const failed = spawnSync(process.execPath, [CLI, "filter", "--preset", "flex-insights-hipaa", "--format", "json-array", "--stats-json", stats], {
    input: `[${lines(BLOCK.toString()).slice(0, 50).join(",")}] trailing`,
  });
  assert.is(failed.status, 1);
  assert.is(readFileSync(stats, "utf8"), "an older stats file\n");
  // Refused before anything is written: no stats file created.
  const missing = T.file("never.stats.json");
  const refused = spawnSync(process.execPath, [CLI, "filter", "--preset", "flex-insights-hipaa", "--input", T.file("nope"), "--stats-json", missing]);
  assert.is(refused.status, 1);
  assert.not.ok(existsSync(missing));
  // An output opened after it fails (--audit in no directory): the temporary file goes too.
  const accounts = T.write("accounts.json", { accountKey: "AccountSid", accounts: { AC1: { hipaaEnabled: true } } });
  const late = spawnSync(process.execPath, [CLI, "filter", "--accounts", accounts, "--stats-json", missing, "--audit", T.file("no/dir/audit")], { input: BLOCK });
  assert.is(late.status, 1, late.stderr.toString());
  assert.match(late.stderr.toString(), /^hipaa-sieve: cannot write audit file .*: no such file or directory\n$/);
  assert.not.ok(existsSync(missing));
  assert.equal(tempFilesIn(T.dir), [], "no temporary file left behind");
});

test.after.each(() => {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
});

test.after(() => T.cleanup());

test.run();
