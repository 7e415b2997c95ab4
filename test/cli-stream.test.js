// Streaming through the CLI with bounded memory: about 330 MB written into the CLI's stdin (a 128 MiB
// line among 200 MB of events), while the CLI's peak RSS stays far below the input size.
// The child is test/support/rss-child.js: the CLI's run() in a process that prints its maxRSS at the end.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createFilter, parsePolicyText } from "../dist/index.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CHILD = join(ROOT, "test", "support", "rss-child.js");
const POLICY = join(ROOT, "examples", "policy.json");
const TMP = mkdtempSync(join(tmpdir(), "hipaa-sieve-stream-"));
const MiB = 1 << 20;

/** About 1 MiB of well-formed example events. */
function eventBlock() {
  const samples = readFileSync(join(ROOT, "examples", "events.ndjson"), "utf8")
    .split("\n")
    .filter((l) => l.endsWith("}"));
  const lines = [];
  let size = 0;
  for (let i = 0; size < MiB; i++) {
    const line = samples[i % samples.length] + "\n";
    lines.push(line);
    size += Buffer.byteLength(line);
  }
  return { bytes: Buffer.from(lines.join("")), lines: lines.length };
}

async function write(stream, chunk) {
  if (!stream.write(chunk)) await once(stream, "drain");
}

test("200 MB of events and a 128 MiB line through stdin: bounded RSS, every event accounted for", async () => {
  const block = eventBlock();
  const before = 100; // blocks before the huge line
  const after = 100; // blocks after it
  const hugeLine = before * block.lines + 1;
  const errors = join(TMP, "errors.ndjson");

  const filter = await createFilter(parsePolicyText(readFileSync(POLICY, "utf8"), POLICY));
  const blockOutput = filter.filterBatch(new Uint8Array(block.bytes));
  assert.is(blockOutput.kept, block.lines);

  const child = spawn(process.execPath, [CHILD, "filter", "--policy", POLICY, "--errors", errors], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let outBytes = 0;
  let tail = Buffer.alloc(0);
  child.stdout.on("data", (d) => {
    outBytes += d.length;
    tail = d;
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const closed = once(child, "close");

  for (let i = 0; i < before; i++) await write(child.stdin, block.bytes);
  // One event of 128 MiB, over the 16 MiB default limit: must not be held whole.
  await write(child.stdin, Buffer.from('{"EventType":"task.created","TaskAttributes":"'));
  const filler = Buffer.alloc(MiB, 0x61);
  for (let i = 0; i < 128; i++) await write(child.stdin, filler);
  await write(child.stdin, Buffer.from('"}\n'));
  for (let i = 0; i < after; i++) await write(child.stdin, block.bytes);
  await write(child.stdin, Buffer.from('{"EventType":"last"}')); // final line without LF
  child.stdin.end();

  const [status] = await closed;
  assert.is(status, 0, stderr);
  const lines = stderr.trimEnd().split("\n");
  assert.is(lines.length, 2, stderr);
  const events = (before + after) * block.lines + 2;
  assert.is(lines[0], `hipaa-sieve: ${events} events in, ${events - 1} kept, 1 rejected (TOO_LARGE 1)`);
  assert.is(readFileSync(errors, "utf8"), `{"line":${hugeLine},"code":"TOO_LARGE","offset":${16 * MiB}}\n`);
  assert.is(outBytes, (before + after) * blockOutput.output.length + '{"EventType":"last"}\n'.length);
  assert.ok(tail.toString().endsWith('{"EventType":"last"}\n'));

  const maxRssKiB = Number(/^maxRSS (\d+)$/.exec(lines[1])?.[1]);
  assert.ok(maxRssKiB > 0, lines[1]);
  // Input: 328 MiB, including one 128 MiB line. Holding either would exceed this bound.
  assert.ok(maxRssKiB < 160 * 1024, `peak RSS ${Math.round(maxRssKiB / 1024)} MiB`);
});

test.after(() => rmSync(TMP, { recursive: true, force: true }));

test.run();
