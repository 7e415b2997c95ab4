// Streaming through the CLI with bounded memory: about 330 MB written into the CLI's stdin (a 128 MiB
// line among 200 MB of events), while the CLI's peak RSS stays far below the input size.
// The child is test/support/rss-child.js: the CLI's run() in a process that prints its maxRSS at the end.
// One thread (--workers 1): the bound below is one thread's; test/cli-pool.test.js bounds worker threads.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createAccountsFilter, createFilter, parsePolicyText } from "../dist/index.js";
import { parseAccountsText } from "../dist/accounts/config.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CHILD = join(ROOT, "test", "support", "rss-child.js");
const POLICY = join(ROOT, "examples", "policy.json");
const TMP = mkdtempSync(join(tmpdir(), "hipaa-sieve-stream-"));
const MiB = 1 << 20;

/** About 1 MiB of well-formed example events; `account(i)` sets the AccountSid of the i-th. */
function eventBlock(account) {
  const samples = readFileSync(join(ROOT, "examples", "events.ndjson"), "utf8")
    .split("\n")
    .filter((l) => l.endsWith("}"))
    .map((l, i) => (account === undefined ? l : l.replace('"AccountSid":"AC5f1e0c2a9b8d47e3a6c4f2b1d0e9a8c7"', `"AccountSid":"${account(i)}"`)));
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

  const child = spawn(process.execPath, [CHILD, "filter", "--policy", POLICY, "--errors", errors, "--workers", "1"], {
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

test("--accounts: 200 MB of HIPAA, non-HIPAA and unknown accounts' events and a 128 MiB line: bounded RSS, exact counts", async () => {
  const config = JSON.stringify({
    accountKey: "AccountSid",
    unknownAccount: "reject",
    accounts: { ACHIPAA: { hipaaEnabled: true }, ACPLAIN: { hipaaEnabled: false } },
  });
  const accountsFile = join(TMP, "accounts.json");
  writeFileSync(accountsFile, config);
  const block = eventBlock((i) => ["ACHIPAA", "ACPLAIN", "ACHIPAA", "ACSTRANGER"][i % 4]);
  // One block through the library: what each block must give.
  const filter = await createAccountsFilter(await parseAccountsText(config, "accounts.json"));
  const one = filter.filterBatch(new Uint8Array(block.bytes));
  assert.ok(one.passed > 0 && one.kept > one.passed && one.rejected.length > 0, "the block mixes every route");
  const blocks = 200;
  const stats = join(TMP, "accounts.stats.json");
  const child = spawn(process.execPath, [CHILD, "filter", "--accounts", accountsFile, "--stats-json", stats, "--workers", "1"], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let outBytes = 0;
  child.stdout.on("data", (d) => (outBytes += d.length));
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const closed = once(child, "close");
  for (let i = 0; i < blocks / 2; i++) await write(child.stdin, block.bytes);
  await write(child.stdin, Buffer.from('{"AccountSid":"ACPLAIN","TaskAttributes":"'));
  const filler = Buffer.alloc(MiB, 0x61);
  for (let i = 0; i < 128; i++) await write(child.stdin, filler);
  await write(child.stdin, Buffer.from('"}\n'));
  for (let i = 0; i < blocks / 2; i++) await write(child.stdin, block.bytes);
  child.stdin.end('{"AccountSid":"ACPLAIN", "last":true}');

  const [status] = await closed;
  assert.is(status, 0, stderr);
  const doc = JSON.parse(readFileSync(stats, "utf8"));
  const events = blocks * block.lines + 2;
  assert.is(doc.events, events);
  assert.is(doc.kept, blocks * one.kept + 1);
  assert.is(doc.passed, blocks * one.passed + 1);
  assert.equal(doc.rejectedByCode, { TOO_LARGE: 1, UNKNOWN_ACCOUNT: blocks * one.rejected.length });
  for (const [account, c] of Object.entries(one.accounts)) {
    const extra = account === "ACPLAIN" ? 1 : account === "(unknown)" ? 1 : 0; // the last line; the huge one (account never read)
    assert.is(doc.accounts[account].events, blocks * c.events + extra, account);
  }
  assert.is(outBytes, blocks * one.output.length + '{"AccountSid":"ACPLAIN", "last":true}\n'.length);
  const maxRss = /maxRSS (\d+)\n$/.exec(stderr);
  assert.ok(maxRss !== null, stderr);
  // Input: 328 MiB, including one 128 MiB line. Holding either would exceed this bound.
  assert.ok(Number(maxRss[1]) < 160 * 1024, `peak RSS ${Math.round(Number(maxRss[1]) / 1024)} MiB`);
});

test.after(() => rmSync(TMP, { recursive: true, force: true }));

test.run();
