// The filter command's single-thread host path copies as little as it can (pump.ts): input files and
// standard input redirected from a file are read straight into the batcher, batches reuse two
// buffers, and the output is written from the engine's memory. These tests check what that must not
// change: every byte out, every count, whatever the output does with the bytes it is given and when.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { PassThrough, Writable } from "node:stream";
import { run } from "../dist/cli/run.js";
import { createFilter, parsePolicyText } from "../dist/index.js";
import { CLI, EXAMPLES, ROOT, tempDir } from "./support/cli-run.js";
import { mulberry32 } from "./support/random.js";

const T = tempDir("host-path");
const POLICY = `${EXAMPLES}/policy.json`;

/** About `count` example events, some broken, some too large for --max-event-bytes 3000. */
function events(count, seed) {
  const random = mulberry32(seed);
  const samples = readFileSync(`${EXAMPLES}/events.ndjson`, "utf8").split("\n").filter((l) => l.length > 0);
  const lines = [];
  for (let i = 0; i < count; i++) {
    const r = random();
    const sample = samples[Math.floor(random() * samples.length)];
    if (r < 0.03) lines.push(sample.slice(0, -1)); // truncated: rejected
    else if (r < 0.05) lines.push(`{"big":"${"x".repeat(4000)}"}`); // too large
    else if (r < 0.07) lines.push("");
    else lines.push(sample);
  }
  return Buffer.from(lines.join("\n") + "\n");
}

/** What the whole input gives through the library, in one batch: the reference. */
async function expectedOutput(input) {
  const filter = await createFilter(parsePolicyText(readFileSync(POLICY, "utf8"), POLICY), { maxEventBytes: 3000 });
  // Too-large lines are the batcher's to reject: blank them, as it does.
  const text = input.toString("utf8").split("\n").map((l) => (Buffer.byteLength(l) > 3000 ? "" : l)).join("\n");
  return Buffer.from(filter.filterBatch(new TextEncoder().encode(text)).output);
}

/**
 * An output that takes its time: it keeps each chunk it is given and reads its bytes only later (as a
 * socket or a slow disk may), acknowledging the write then. Bytes that changed in between show.
 */
function lateReader() {
  const out = [];
  const stream = new Writable({
    highWaterMark: 1 << 20, // write() says "go on" long before the bytes are read
    write(chunk, _encoding, done) {
      setTimeout(() => {
        out.push(Buffer.from(chunk));
        done();
      }, 1);
    },
  });
  return { stream, bytes: () => Buffer.concat(out) };
}

test("output written from engine memory: each batch complete before the next one is filtered", async () => {
  const input = events(3000, 1);
  const output = lateReader();
  let stderr = "";
  const status = await run(["filter", "--policy", POLICY, "--workers", "1", "--max-event-bytes", "3000"], {
    stdin: new PassThrough().end(input),
    stdout: output.stream,
    stderr: new Writable({ write(chunk, _e, done) { stderr += chunk; done(); } }),
    batchBytes: 2048, // many batches, so the engine's output buffer is reused many times
  });
  assert.is(status, 0, stderr);
  const want = await expectedOutput(input);
  assert.ok(want.length > 100_000);
  assert.ok(output.bytes().equals(want), "the bytes out are those of the whole input filtered at once");
});

/** Runs the real CLI with standard input from `stdin` ("pipe" or a file descriptor); resolves to its outputs. */
function spawnCli(args, stdin, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: [stdin, "pipe", "pipe"] });
    const out = [];
    let stderr = "";
    child.stdout.on("data", (d) => out.push(d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, out: Buffer.concat(out), stderr }));
    if (stdin === "pipe") child.stdin.end(input);
  });
}

test("--input, standard input from a file, and from a pipe: the same bytes and the same statistics", async () => {
  const input = events(6000, 2);
  const path = T.write("events.ndjson", input);
  const want = await expectedOutput(input);
  const runs = {};
  const base = ["filter", "--policy", POLICY, "--workers", "1", "--max-event-bytes", "3000"];
  runs.file = await spawnCli([...base, "--input", path, "--stats-json", T.file("file.json")], "ignore");
  const fd = openSync(path, "r");
  try {
    runs.redirect = await spawnCli([...base, "--stats-json", T.file("redirect.json")], fd);
  } finally {
    closeSync(fd);
  }
  runs.pipe = await spawnCli([...base, "--stats-json", T.file("pipe.json")], "pipe", input);
  // To a file: written from engine memory through two buffers taking turns, the next batch filtered meanwhile.
  const toFile = await spawnCli([...base, "--input", path, "--output", T.file("out.ndjson"), "--stats-json", T.file("tofile.json")], "ignore");
  runs.tofile = { ...toFile, out: readFileSync(T.file("out.ndjson")) };
  const stats = {};
  for (const [name, r] of Object.entries(runs)) {
    assert.is(r.status, 0, `${name}: ${r.stderr}`);
    assert.ok(r.out.equals(want), `${name}: the bytes out`);
    const { events: counted, kept, rejected, bytesIn, bytesOut, rejectedByCode: byCode, lines } = JSON.parse(readFileSync(T.file(`${name}.json`), "utf8"));
    stats[name] = { counted, kept, rejected, bytesIn, bytesOut, byCode, lines };
  }
  assert.is(stats.file.bytesIn, input.length);
  assert.ok(stats.file.rejected > 0 && stats.file.byCode?.TOO_LARGE > 0, JSON.stringify(stats.file));
  assert.equal(stats.redirect, stats.file);
  assert.equal(stats.pipe, stats.file);
  assert.equal(stats.tofile, stats.file);
});

test("standard output a real pipe, read late: the same bytes and summary as --output", async () => {
  const input = events(6000, 5);
  const path = T.write("events-stdout.ndjson", input);
  const base = ["filter", "--policy", POLICY, "--workers", "1", "--max-event-bytes", "3000", "--input", path];
  const q = (a) => `'${a.replace(/'/g, "'\\''")}'`;
  const toFile = await spawnCli([...base, "--output", T.file("want.ndjson")], "ignore");
  assert.is(toFile.status, 0, toFile.stderr);
  // Through bash, so that standard output is a real pipe (Node's child pipes are sockets), read late:
  // while the pipe is full, the batches after a write must not touch the bytes of a write still in
  // flight (engine memory, or a buffer taking turns), nor overtake it.
  const line = `set -o pipefail; ${[process.execPath, CLI, ...base].map(q).join(" ")} | { sleep 0.3; cat; } > ${q(T.file("piped.ndjson"))}`;
  const piped = spawnSync("bash", ["-c", line], { encoding: "utf8" });
  assert.is(piped.status, 0, piped.stderr);
  const want = readFileSync(T.file("want.ndjson"));
  assert.ok(want.length > 100_000);
  assert.ok(readFileSync(T.file("piped.ndjson")).equals(want), "the bytes out");
  assert.is(piped.stderr, toFile.stderr, "the same summary");
});

test("an output file that cannot take the bytes: one line naming it, exit 1, no stack", async () => {
  const path = T.write("some.ndjson", events(2000, 3));
  const r = await spawnCli(["filter", "--policy", POLICY, "--workers", "1", "--input", path, "--output", "/dev/full"], "ignore");
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stderr, /^hipaa-sieve: cannot write output file "\/dev\/full": .*no space/im);
  assert.not.match(r.stderr, /\n\s+at /);
});

test.after(() => T.cleanup());
test.run();
