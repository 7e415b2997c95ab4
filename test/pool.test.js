// createFilterPool against the single-thread filters: at 1, 2 and 3 workers the same BatchResults (output
// bytes, rejections with their lines, counts, per-account counts) on generated and mutated events; results
// in submission order; at most maxInFlight batches handed to workers; a swap under load landing at one
// boundary in every worker; a killed worker failing every pending and later call with one error line.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Worker } from "node:worker_threads";
import { compilePolicy, createAccountsFilter, createFilter, createFilterPool, FilterPoolError } from "../dist/index.js";
import { parseAccountsText } from "../dist/accounts/config.js";
import { EVENT_POLICY } from "./support/events.js";
import { accountIdsOf, accountsValue, poolBatches, poolEvents } from "./support/pool-events.js";

const { events, rng } = poolEvents(0x9001, 1500, 1500);
const batches = poolBatches(events, rng, 150);
const ids = accountIdsOf(events);
const policy = compilePolicy(EVENT_POLICY, "test/support/events.js");
const accounts = await parseAccountsText(JSON.stringify(accountsValue(ids, "reject")), "accounts.json");
const accountsPass = await parseAccountsText(JSON.stringify(accountsValue(ids, "pass", 1)), "accounts.json");

/** BatchResults as plain values (output bytes as an array), for deep comparison. */
const plain = (r) => ({ ...r, output: Array.from(r.output) });

/**
 * Every batch's Worker.postMessage of a batch, seen from the test: counts them, and runs `onBatch(worker, n)`
 * before the n-th (1-based) is posted. The pool creates its workers from this same class.
 */
function watchPosts(onBatch = () => {}) {
  const original = Worker.prototype.postMessage;
  const seen = { batches: 0 };
  Worker.prototype.postMessage = function (message, transfer) {
    if (message?.type === "batch") onBatch(this, ++seen.batches);
    return original.call(this, message, transfer);
  };
  seen.restore = () => {
    Worker.prototype.postMessage = original;
  };
  return seen;
}

test("the corpus mixes every outcome: kept, rejected (several codes), passed through, unknown accounts", async () => {
  const filter = await createAccountsFilter(accounts);
  const results = batches.map((b) => filter.filterBatch(b));
  const codes = new Set(results.flatMap((r) => r.rejected.map((x) => x.code)));
  assert.ok(batches.length >= 30, `${batches.length} batches`);
  assert.ok(codes.size >= 4 && codes.has("UNKNOWN_ACCOUNT"), [...codes].join(" "));
  assert.ok(results.some((r) => r.passed > 0) && results.some((r) => r.kept > r.passed));
});

test("2 workers, detection on: the same rejections (detector, path), redactions and counts as one filter", async () => {
  const { fuzzEvents, FUZZ_KEEP } = await import("./support/phi-fuzz.js");
  const lines = fuzzEvents(0x9002, 1200).map((e) => e.text);
  const detecting = [];
  for (let i = 0; i < lines.length; i += 100) detecting.push(new TextEncoder().encode(lines.slice(i, i + 100).join("\n") + "\n"));
  for (const action of ["reject", "redact", "count"]) {
    const config = compilePolicy({ ...FUZZ_KEEP, detect: { action } }, "fuzz");
    const single = await createFilter(config);
    const pool = await createFilterPool(config, { workers: 2 });
    try {
      const expected = detecting.map((b) => plain(single.filterBatch(b)));
      assert.ok(expected.some((r) => (r.detections ?? []).length > 0), "the fuzz hits");
      const got = await Promise.all(detecting.map((b) => pool.filterBatch(b)));
      assert.equal(got.map(plain), expected, action);
    } finally {
      await pool.close();
    }
  }
});

for (const workers of [1, 2, 3]) {
  test(`${workers} worker${workers > 1 ? "s" : ""}: the same BatchResults as one filter, policy and accounts routing`, async () => {
    for (const [config, single] of [
      [policy, await createFilter(policy)],
      [accounts, await createAccountsFilter(accounts)],
    ]) {
      const pool = await createFilterPool(config, { workers });
      try {
        assert.is(pool.workers, workers);
        const expected = batches.map((b) => plain(single.filterBatch(b)));
        const got = await Promise.all(batches.map((b) => pool.filterBatch(b)));
        assert.equal(got.map(plain), expected);
      } finally {
        await pool.close();
      }
    }
  });
}

test("results settle in submission order, though workers finish out of order", async () => {
  const pool = await createFilterPool(policy, { workers: 3 });
  try {
    const big = batches.reduce((a, b) => (b.length > a.length ? b : a));
    const small = batches.reduce((a, b) => (b.length < a.length ? b : a));
    // A big batch first, small ones after: the small ones come back first from the other workers.
    const order = [];
    const all = [big, small, small, big, small, small, small].map((b, i) => pool.filterBatch(b).then((r) => {
      order.push(i);
      return r;
    }));
    await Promise.all(all);
    assert.equal(order, [0, 1, 2, 3, 4, 5, 6]);
  } finally {
    await pool.close();
  }
});

test("at most maxInFlight batches are handed to workers; the rest wait in the pool; ready() waits for room", async () => {
  const posts = watchPosts();
  const pool = await createFilterPool(policy, { workers: 2, maxInFlight: 3 });
  try {
    const all = batches.slice(0, 8).map((b) => pool.filterBatch(b));
    assert.is(posts.batches, 3);
    assert.is(pool.pending, 8);
    let ready = false;
    const waiting = pool.ready().then(() => (ready = true));
    assert.is(ready, false);
    await all[5];
    await waiting;
    assert.ok(ready);
    await Promise.all(all);
    assert.is(posts.batches, 8);
    assert.is(pool.pending, 0);
  } finally {
    posts.restore();
    await pool.close();
  }
});

test("bytes are copied by default (the caller's buffer is untouched) and moved with transfer: true", async () => {
  const pool = await createFilterPool(policy, { workers: 2 });
  try {
    const single = await createFilter(policy);
    const copy = batches[0].slice();
    const kept = await pool.filterBatch(copy);
    assert.equal(Array.from(copy), Array.from(batches[0]));
    const moved = batches[1].slice();
    const expected = plain(single.filterBatch(moved));
    const result = pool.filterBatch(moved, { transfer: true });
    assert.is(moved.byteLength, 0, "the buffer went to the worker");
    assert.equal(plain(await result), expected);
    assert.equal(plain(kept), plain(single.filterBatch(batches[0])));
  } finally {
    await pool.close();
  }
});

test("swap under load: batches submitted before use the old configuration in every worker, after it the new", async () => {
  const configs = [accounts, accountsPass, accounts];
  const singles = await Promise.all([createAccountsFilter(accounts), createAccountsFilter(accountsPass)]);
  const pool = await createFilterPool(accounts, { workers: 3 });
  try {
    // Three runs of the whole corpus, a swap between them, none awaited: all in flight at once.
    const submitted = [];
    const swaps = [];
    configs.forEach((config, round) => {
      if (round > 0) swaps.push(pool.swap(config));
      for (const b of batches) submitted.push({ round, result: pool.filterBatch(b), bytes: b });
    });
    const expected = submitted.map(({ round, bytes }) => plain(singles[round === 1 ? 1 : 0].filterBatch(bytes)));
    const got = await Promise.all(submitted.map((s) => s.result));
    await Promise.all(swaps);
    assert.equal(got.map(plain), expected);
    // The two configurations differ on this corpus: the comparison above tells them apart.
    assert.not.equal(expected[0], expected[batches.length]);
  } finally {
    await pool.close();
  }
});

test("swap refuses another kind of configuration and changes nothing", async () => {
  const pool = await createFilterPool(policy, { workers: 2 });
  try {
    await pool.swap(accounts).then(() => assert.unreachable("swapped an accounts configuration into a policy pool"), (e) => {
      assert.instance(e, TypeError);
    });
    const single = await createFilter(policy);
    assert.equal(plain(await pool.filterBatch(batches[2])), plain(single.filterBatch(batches[2])));
  } finally {
    await pool.close();
  }
});

test("a killed worker fails every pending and later call with one error line, and no result comes after a failure", async () => {
  // The 4th batch handed out kills the worker it goes to, before it gets there.
  const posts = watchPosts((worker, n) => {
    if (n === 4) void worker.terminate();
  });
  const pool = await createFilterPool(accounts, { workers: 2 });
  try {
    const outcomes = await Promise.allSettled(batches.slice(0, 12).map((b) => pool.filterBatch(b)));
    const firstFailure = outcomes.findIndex((o) => o.status === "rejected");
    assert.ok(firstFailure >= 0 && firstFailure <= 3, `first failure at ${firstFailure}`);
    assert.ok(outcomes.slice(firstFailure).every((o) => o.status === "rejected"), "nothing fulfilled after a failure");
    const errors = outcomes.slice(firstFailure).map((o) => o.reason);
    const error = errors[0];
    assert.instance(error, FilterPoolError);
    assert.ok(errors.every((e) => e === error), "one error for every call");
    assert.match(error.message, /^hipaa-sieve: a filter pool worker stopped unexpectedly \(exit code 1\); the pool filters nothing more/);
    assert.not.match(error.message, /\n/);
    assert.not.match(error.message, /AC[0-9a-f]{32}|PHI-/, "no event content");
    await pool.filterBatch(batches[0]).then(() => assert.unreachable("filtered after a failure"), (e) => assert.is(e, error));
    await pool.swap(accounts).then(() => assert.unreachable("swapped after a failure"), (e) => assert.is(e, error));
    await pool.ready().then(() => assert.unreachable("ready after a failure"), (e) => assert.is(e, error));
  } finally {
    posts.restore();
    await pool.close();
  }
});

test("options are checked as createFilter checks them, before any worker starts", async () => {
  for (const options of [{ workers: 0 }, { workers: 1.5 }, { maxInFlight: 0 }, { maxDepth: 0 }, { maxEventBytes: -1 }]) {
    await createFilterPool(policy, options).then((p) => {
      void p.close();
      assert.unreachable(JSON.stringify(options));
    }, (e) => assert.instance(e, RangeError, JSON.stringify(options)));
  }
});

test("close() lets pending batches finish, then later calls fail", async () => {
  const pool = await createFilterPool(policy, { workers: 2 });
  const pending = batches.slice(0, 6).map((b) => pool.filterBatch(b));
  await pool.close();
  const single = await createFilter(policy);
  assert.equal((await Promise.all(pending)).map(plain), batches.slice(0, 6).map((b) => plain(single.filterBatch(b))));
  await pool.filterBatch(batches[0]).then(() => assert.unreachable("filtered after close"), (e) => assert.instance(e, FilterPoolError));
});

test.run();
