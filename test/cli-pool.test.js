// `hipaa-sieve filter --workers N`: at 2 and 3 workers, the output, --errors, --rejects, --stats-json and
// the summary are byte for byte those of --workers 1, on generated and mutated events routed by account
// (and as a JSON array); a --watch change lands at the same event; a killed worker ends the run with one
// error line and whole events only; a long stream keeps peak RSS bounded.
// The runs are in this process (the CLI's run() with small batches, so that a few MB make hundreds of
// batches), except the RSS one (a child process: test/support/rss-child.js).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { PassThrough, Writable } from "node:stream";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { run } from "../dist/cli/run.js";
import { createAccountsFilter } from "../dist/index.js";
import { defaultWorkers, filterArgs } from "../dist/cli/filter/options.js";
import { parseAccountsText } from "../dist/accounts/config.js";
import { buildBatch, mulberry32 } from "./support/events.js";
import { ROOT, tempDir } from "./support/cli-run.js";
import { accountIdsOf, accountsValue, poolEvents } from "./support/pool-events.js";

const T = tempDir("pool");
const { events } = poolEvents(0x5eed, 1500, 1500);
const ids = accountIdsOf(events);
// One line longer than --max-event-bytes below: rejected by the batcher, not the engine (line numbers merge).
const huge = new TextEncoder().encode(`{"AccountSid":"${ids[0]}","TaskAttributes":"${"x".repeat(5000)}"}`);
const input = buildBatch([...events.slice(0, 1000), huge, ...events.slice(1000)], mulberry32(3)).bytes;
const INPUT = T.write("events.ndjson", input);
const ACCOUNTS = T.write("accounts.json", accountsValue(ids, "reject"));
const BATCH_BYTES = 16 * 1024;

/** Runs the CLI in this process; stdin is `stdin` (a stream the test may write) or empty. */
async function runCli(args, { stdin, onStderr } = {}) {
  const out = [];
  let stderr = "";
  const stdout = new Writable({ write(chunk, _encoding, done) { out.push(Buffer.from(chunk)); done(); } });
  const errStream = new Writable({
    write(chunk, _encoding, done) {
      stderr += chunk;
      onStderr?.(stderr);
      done();
    },
  });
  const source = stdin ?? new PassThrough().end();
  const status = await run(args, { stdin: source, stdout, stderr: errStream, batchBytes: BATCH_BYTES });
  return { status, stdout: Buffer.concat(out), stderr };
}

/** Everything a run leaves: exit status, summary, and every output file's bytes. */
async function filterRun(workers, extra, name) {
  const files = ["out", "errors", "rejects", "stats"].map((f) => join(T.dir, `${name}-${workers}.${f}`));
  const r = await runCli([
    "filter", ...extra, "--workers", String(workers), "--output", files[0], "--errors", files[1], "--rejects", files[2],
    "--stats-json", files[3],
  ]);
  return { status: r.status, stderr: r.stderr, stdout: r.stdout.toString(), files: files.map((f) => readFileSync(f).toString("latin1")) };
}

test("--workers by default: the cores, but the single-thread path on 2 cores or fewer (measured faster there)", () => {
  assert.equal([1, 2, 3, 4, 16].map(defaultWorkers), [1, 1, 3, 4, 16]);
  assert.is(filterArgs({ policy: "p.json", workers: 3 }).workers, 3, "given, it is taken as it is");
});

test("--workers 2 and 3: output, --errors, --rejects, --stats-json and summary identical to --workers 1 (accounts routing)", async () => {
  const args = ["--accounts", ACCOUNTS, "--input", INPUT, "--max-event-bytes", "4096"];
  const one = await filterRun(1, args, "accounts");
  assert.is(one.status, 0, one.stderr);
  const stats = JSON.parse(one.files[3]);
  assert.ok(stats.rejectedByCode.TOO_LARGE === 1 && Object.keys(stats.rejectedByCode).length >= 4, one.files[3]);
  assert.ok(stats.passed > 0 && stats.accounts["(unknown)"].rejected > 0, "every route taken");
  assert.ok(input.length / BATCH_BYTES > 50, "many batches");
  for (const workers of [2, 3]) assert.equal(await filterRun(workers, args, "accounts"), one, `--workers ${workers}`);
});

test("--workers 3 with --format json-array and --policy: identical to --workers 1", async () => {
  const valid = poolEvents(0x5eed, 1500, 0).events;
  const decoder = new TextDecoder();
  const arrayInput = T.write("events.json", `[\n${valid.map((e) => decoder.decode(e)).join(",\n")}\n]\n`);
  const policy = T.write("policy.json", { keep: accountsValue([]).policies.events.keep, embeddedJson: ["TaskAttributes"] });
  const args = ["--policy", policy, "--input", arrayInput, "--format", "json-array"];
  const one = await filterRun(1, args, "array");
  assert.is(one.status, 0, one.stderr);
  assert.equal(await filterRun(3, args, "array"), one);
});

test("--watch with --workers 3: a change lands at the same event as with --workers 1", async () => {
  const half = Math.floor(events.length / 2);
  const first = buildBatch(events.slice(0, half), mulberry32(5)).bytes;
  const second = buildBatch(events.slice(half), mulberry32(6)).bytes;
  const before = accountsValue(ids, "reject");
  const after = accountsValue(ids, "pass", 1);
  // What each half must give: the first with the old configuration, the second with the new.
  const expectedFirst = (await createAccountsFilter(await parseAccountsText(JSON.stringify(before), "a"))).filterBatch(first).output;
  const expectedSecond = (await createAccountsFilter(await parseAccountsText(JSON.stringify(after), "a"))).filterBatch(second).output;
  const runs = [];
  for (const workers of [1, 3]) {
    const path = T.write(`watch-${workers}.json`, before);
    const stdin = new PassThrough();
    let stderr = "";
    const out = [];
    const stdout = new Writable({ write(chunk, _e, done) { out.push(Buffer.from(chunk)); done(); } });
    const errStream = new Writable({ write(chunk, _e, done) { stderr += chunk; done(); } });
    const finished = run(["filter", "--accounts", path, "--watch", "--workers", String(workers)], {
      stdin, stdout, stderr: errStream, batchBytes: BATCH_BYTES,
    });
    const until = async (condition) => {
      while (!condition()) await new Promise((r) => setTimeout(r, 10));
    };
    stdin.write(first);
    // The first half written out (the quiet input flushes it): it was read before the change.
    await until(() => Buffer.concat(out).length >= expectedFirst.length);
    writeFileSync(`${path}.tmp`, JSON.stringify(after));
    renameSync(`${path}.tmp`, path);
    await until(() => stderr.includes("loaded the changed accounts file"));
    stdin.end(second);
    const status = await finished;
    runs.push({ status, stdout: Buffer.concat(out), stderr: stderr.replaceAll(path, "FILE") });
  }
  assert.is(runs[0].status, 0, runs[0].stderr);
  assert.equal(runs[0].stdout, Buffer.concat([expectedFirst, expectedSecond]));
  assert.equal(runs[1], runs[0]);
});

test("a killed worker ends the run: exit 1, one error line, whole events only, no --stats-json", async () => {
  const one = await filterRun(1, ["--accounts", ACCOUNTS, "--input", INPUT], "kill");
  const original = Worker.prototype.postMessage;
  let batches = 0;
  // The 20th batch handed out kills the worker it goes to, before it gets there.
  Worker.prototype.postMessage = function (message, transfer) {
    if (message?.type === "batch" && ++batches === 20) void this.terminate();
    return original.call(this, message, transfer);
  };
  const out = join(T.dir, "killed.out");
  const stats = join(T.dir, "killed.stats");
  let r;
  try {
    r = await runCli(["filter", "--accounts", ACCOUNTS, "--input", INPUT, "--workers", "3", "--output", out, "--stats-json", stats]);
  } finally {
    Worker.prototype.postMessage = original;
  }
  assert.is(r.status, 1);
  assert.match(r.stderr, /^hipaa-sieve: the filtering stopped: a filter pool worker stopped unexpectedly \(exit code 1\); [^\n]*\n$/);
  assert.not.match(r.stderr, /AC[0-9a-f]{32}|PHI-/, "no event content");
  const written = readFileSync(out).toString("latin1");
  assert.ok(written.length < one.files[0].length, "stopped early");
  assert.ok(one.files[0].startsWith(written) && (written === "" || written.endsWith("\n")), "a prefix of the output, on a whole event");
  assert.not.ok(existsSync(stats), "no --stats-json for a failed run");
});

test("--workers 0 and --workers x are usage errors", async () => {
  for (const bad of ["0", "x", "-1"]) {
    const r = await runCli(["filter", "--accounts", ACCOUNTS, "--input", INPUT, "--workers", bad]);
    assert.is(r.status, 2, bad);
    assert.match(r.stderr, /--workers/);
  }
});

test("--workers 3: 200 MB and a 128 MiB line through stdin keep peak RSS bounded", async () => {
  const samples = readFileSync(join(ROOT, "examples", "events.ndjson"), "utf8").split("\n").filter((l) => l.endsWith("}"));
  let text = "";
  let lines = 0;
  while (text.length < 1 << 20) {
    text += samples[lines++ % samples.length] + "\n";
  }
  const block = Buffer.from(text);
  const child = spawn(process.execPath, [join(ROOT, "test", "support", "rss-child.js"), "filter", "--policy",
    join(ROOT, "examples", "policy.json"), "--workers", "3"], { cwd: ROOT, stdio: ["pipe", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const closed = once(child, "close");
  const write = async (chunk) => {
    if (!child.stdin.write(chunk)) await once(child.stdin, "drain");
  };
  for (let i = 0; i < 100; i++) await write(block);
  await write('{"EventType":"task.created","TaskAttributes":"');
  const filler = Buffer.alloc(1 << 20, 0x61);
  for (let i = 0; i < 128; i++) await write(filler);
  await write('"}\n');
  for (let i = 0; i < 100; i++) await write(block);
  child.stdin.end();
  const [status] = await closed;
  assert.is(status, 0, stderr);
  assert.match(stderr, new RegExp(`^hipaa-sieve: ${200 * lines + 1} events in, ${200 * lines} kept, 1 rejected \\(TOO_LARGE 1\\)\n`));
  const maxRssKiB = Number(/maxRSS (\d+)\n$/.exec(stderr)?.[1]);
  // One thread's bound (cli-stream.test.js) and 16 MiB for each further worker (its heap and engine);
  // holding the input (328 MiB) or its big line would exceed it.
  assert.ok(maxRssKiB > 0 && maxRssKiB < (160 + 2 * 16) * 1024, `peak RSS ${Math.round(maxRssKiB / 1024)} MiB`);
});

test.after(() => T.cleanup());

test.run();
