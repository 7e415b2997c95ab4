// Standard input from a real pipe (a FIFO here; `cat F |` is the same kind of file), read by the CLI's
// pipe-reader thread (src/cli/pipe-reader.ts). The other CLI tests feed standard input through
// Node's child pipes, which are sockets and take the stream path: these are the ones that reach the
// thread. What they check: the bytes, counts and errors are those of --input whatever the pipe does,
// lines of a quiet pipe come out while it stays open, and a run that stops early (a signal, a broken
// output, a bad configuration) ends at once though the pipe's writer goes on holding it open (a thread
// blocked reading cannot be ended: it is woken by a byte put into the pipe).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { constants as fsConstants, createWriteStream, openSync, readFileSync } from "node:fs";
import { constants } from "node:os";
import { EXAMPLES, TASKROUTER_PHI, assertNoPhi, lines, startCli, taskRouterLines, tempDir, until } from "./support/cli-run.js";
import { mulberry32 } from "./support/random.js";

const T = tempDir("pipe-reader");
const POLICY = `${EXAMPLES}/policy.json`;
const FILTER = ["filter", "--policy", POLICY];
const BASE = [...FILTER, "--workers", "1"];
/** How long a run that must stop at once may take: far more than it needs, far less than the test's wait. */
const PROMPT_MS = 10_000;
const running = new Set();
const writers = new Set();
let fifos = 0;

/** About `bytes` of example events, some truncated (rejected), some blank, lines of many lengths. */
function events(bytes, seed) {
  const random = mulberry32(seed);
  const samples = taskRouterLines();
  const out = [];
  let size = 0;
  while (size < bytes) {
    const sample = samples[Math.floor(random() * samples.length)];
    const r = random();
    const line = r < 0.02 ? sample.slice(0, Math.floor(random() * sample.length)) : r < 0.03 ? "" : sample;
    out.push(line);
    size += line.length + 1;
  }
  return Buffer.from(out.join("\n") + "\n");
}

/**
 * A FIFO: `readFd`, for a child's standard input (non-blocking here: the child's thread reads through a
 * blocking description of its own), and `writer`, a stream into it that the test ends (or not).
 */
async function fifo() {
  const path = T.file(`fifo-${fifos++}`);
  execFileSync("mkfifo", [path]);
  const readFd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  const writer = createWriteStream(path);
  writer.on("error", () => {}); // the child gone, EPIPE: the test checks the child, not this
  await once(writer, "open");
  writers.add(writer);
  return { readFd, writer };
}

/** The CLI with standard input from `readFd` (or "ignore"). */
const start = (args, readFd) => startCli(args, { stdin: readFd, running });

/** Resolves as `promise` does, or fails the test if that takes longer than PROMPT_MS. */
async function within(promise, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done after ${PROMPT_MS} ms`)), PROMPT_MS);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The run's result, once it has exited: at once, or the test fails. */
const promptly = (run, what) => within(run.closed, what);

/** Writes `bytes` in pieces of random sizes (1 byte to 300 KB), so that reads end anywhere in a line. */
async function writeInPieces(writer, bytes, seed) {
  const random = mulberry32(seed);
  for (let at = 0; at < bytes.length;) {
    const size = 1 + Math.floor(random() ** 3 * 300_000);
    const piece = bytes.subarray(at, at + size);
    at += piece.length;
    if (!writer.write(piece)) await once(writer, "drain");
  }
  writer.end();
}

/** The run's counts from its --stats-json, the ones a pipe must not change. */
function counts(path) {
  const { events: counted, kept, rejected, bytesIn, bytesOut, rejectedByCode, lines: read, complete } = JSON.parse(readFileSync(path, "utf8"));
  return { counted, kept, rejected, bytesIn, bytesOut, rejectedByCode, read, complete };
}

test("a pipe read by its own thread: the bytes, counts and errors of --input, the ring wrapped many times", async () => {
  // 13 MB: the 4 MiB ring goes round three times, and the pieces end reads anywhere.
  const input = events(13_000_000, 1);
  const path = T.write("events.ndjson", input);
  const want = start([...BASE, "--input", path, "--errors", T.file("file.errors"), "--stats-json", T.file("file.json")], "ignore");
  const { readFd, writer } = await fifo();
  const got = start([...BASE, "--errors", T.file("pipe.errors"), "--stats-json", T.file("pipe.json")], readFd);
  await writeInPieces(writer, input, 2);
  const [w, g] = await Promise.all([want.closed, got.closed]);
  assert.is(w.status, 0, w.stderr);
  assert.is(g.status, 0, g.stderr);
  assert.ok(w.out.length > 1_000_000);
  assert.ok(g.out.equals(w.out), "the same bytes out");
  const file = counts(T.file("file.json"));
  assert.is(file.bytesIn, input.length);
  assert.ok(file.rejected > 100, JSON.stringify(file));
  assert.equal(counts(T.file("pipe.json")), file);
  assert.is(readFileSync(T.file("pipe.errors"), "utf8"), readFileSync(T.file("file.errors"), "utf8"), "the same error lines, at the same line numbers");
  assert.is(g.stderr, w.stderr, "the same summary");
});

test("lines longer than the ring (10 MB, kept; 20 MB, too large): as from the file", async () => {
  const event = JSON.parse(taskRouterLines()[0]);
  const input = Buffer.from([
    JSON.stringify(event),
    JSON.stringify({ ...event, Note: "x".repeat(10_000_000) }),
    JSON.stringify(event),
    JSON.stringify({ ...event, Note: "y".repeat(20_000_000) }),
    JSON.stringify(event),
  ].join("\n") + "\n");
  const path = T.write("long-lines.ndjson", input);
  const want = await start([...BASE, "--input", path], "ignore").closed;
  const { readFd, writer } = await fifo();
  const run = start(BASE, readFd);
  await writeInPieces(writer, input, 6);
  const got = await promptly(run, "long lines from a pipe");
  assert.is(want.status, 0, want.stderr);
  assert.match(want.stderr, /5 events in, 4 kept, 1 rejected \(TOO_LARGE 1\)/);
  assert.is(got.status, 0, got.stderr);
  assert.ok(got.out.equals(want.out));
  assert.is(got.stderr, want.stderr);
});

test("a FIFO whose writer is done before the run starts: its bytes, then the end", async () => {
  // (Opening a named FIFO for reading waits for a writer: with none left, the reader thread's own
  // description must still open.)
  const input = events(40_000, 7); // less than the FIFO holds: written whole before the run starts
  const path = T.write("done-writer.ndjson", input);
  const want = await start([...BASE, "--input", path], "ignore").closed;
  const { readFd, writer } = await fifo();
  writer.end(input);
  await once(writer, "close");
  const got = await promptly(start(BASE, readFd), "a FIFO whose writer is done");
  assert.is(got.status, 0, got.stderr);
  assert.ok(want.out.length > 0);
  assert.ok(got.out.equals(want.out));
  assert.is(got.stderr, want.stderr);
});

// JSON arrays and --workers N take chunks() rather than readInto: from a pipe, through the same thread.
for (const [name, extra, input] of [
  ["--format json-array", ["--workers", "1", "--format", "json-array"], () => Buffer.from(`[\n${taskRouterLines().slice(0, 40).join(",\n")}\n]\n`)],
  ["--workers 2", ["--workers", "2"], () => events(3_000_000, 5)],
]) {
  test(`${name} from a pipe (chunks through the reader thread): the same as from the file`, async () => {
    const bytes = input();
    const path = T.write(`chunks-${extra.join("")}.in`, bytes);
    const args = [...FILTER, ...extra];
    const want = await start([...args, "--input", path], "ignore").closed;
    const { readFd, writer } = await fifo();
    const run = start(args, readFd);
    await writeInPieces(writer, bytes, 3);
    const got = await promptly(run, `${name} from a pipe`);
    assert.is(want.status, 0, want.stderr);
    assert.is(got.status, 0, got.stderr);
    assert.ok(want.out.length > 0);
    assert.ok(got.out.equals(want.out));
    assert.is(got.stderr, want.stderr);
  });
}

for (const signal of ["SIGTERM", "SIGINT"]) {
  test(`a quiet pipe: its complete lines come out while it stays open, and ${signal} ends the run at once`, async () => {
    const sample = taskRouterLines();
    const { readFd, writer } = await fifo();
    const run = start([...BASE, "--stats-json", T.file(`quiet-${signal}.json`)], readFd);
    // Three whole events and half of a fourth, then nothing: the writer holds the pipe open.
    writer.write(`${sample[0]}\n${sample[1]}\n${sample[2]}\n${sample[3].slice(0, 50)}`);
    // (They may come out in more than one batch.)
    await within(until(() => lines(run.output().toString()).length >= 3 || run.child.exitCode !== null), "the lines of a quiet pipe");
    run.child.kill(signal);
    const r = await promptly(run, `${signal} on a quiet pipe`);
    assert.is(r.signal, null, "exited by itself");
    assert.is(r.status, 128 + constants.signals[signal], r.stderr);
    const out = lines(r.out.toString());
    assert.is(out.length, 3, "the complete lines, not the partial one");
    assertNoPhi(r.out.toString(), TASKROUTER_PHI);
    const stats = counts(T.file(`quiet-${signal}.json`));
    assert.is(stats.complete, false);
    assert.is(stats.kept, 3);
    assert.match(r.stderr, new RegExp(`interrupted by ${signal} before the end of the input`));
    writer.destroy();
  });
}

test("a broken output with a pipe still open on standard input: exit 141 at once", async () => {
  const { readFd, writer } = await fifo();
  const run = start(BASE, readFd);
  const block = events(2_000_000, 4);
  writer.write(block);
  await run.firstOutput;
  // The reader of standard output goes away (as `| head -1` does); the pipe in stays open.
  run.child.stdout.destroy();
  const r = await promptly(run, "a broken output");
  assert.is(r.status, 141, r.stderr);
  writer.destroy();
});

test("a configuration error with a pipe open on standard input: one line, exit 1, at once", async () => {
  const { readFd, writer } = await fifo();
  const bad = T.write("bad-policy.json", '{"name": "bad", "keep": [');
  writer.write(`${taskRouterLines()[0]}\n`);
  const run = start(["filter", "--policy", bad, "--workers", "1"], readFd);
  const r = await promptly(run, "a configuration error");
  assert.is(r.status, 1, r.stderr);
  assert.is(r.out.length, 0);
  assert.match(r.stderr, /^hipaa-sieve: .*bad-policy\.json/);
  assert.is(lines(r.stderr).length, 1, r.stderr);
  writer.destroy();
});

test.after(() => {
  for (const child of running) child.kill("SIGKILL");
  for (const writer of writers) writer.destroy();
  T.cleanup();
});
test.run();
