// How a batch's bytes go in and come out, every build: the copy (default), the view of engine memory
// ({ view: true }, valid until the next call), and the input buffer a host reads straight into. All
// three must give the same result, also for batches that take several engine calls (more events than
// the engine's status capacity), where the calls append to one output.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { filtersFor, bytes, text, VARIANTS } from "./support/harness.js";

const KEEP = { keep: ["a"] };
const CAPACITY = 4096; // STATUS_CAPACITY: events per engine call

/** `count` events; event i (0-based) is kept with a, empty ({} out), or malformed, by `kind(i)`. */
function batchOf(count, kind) {
  let s = "";
  for (let i = 0; i < count; i++) {
    const k = kind(i);
    s += k === "empty" ? `{"b":${i}}\n` : k === "bad" ? `{"a":${i}\n` : `{"a":${i}}\n`;
  }
  return bytes(s);
}

const plain = (r) => ({ ...r, output: text(r.output) });

test("a batch over several engine calls: copy and view agree, and empty events are counted across calls", async () => {
  // Events CAPACITY and CAPACITY + 1 (0-based) are the last of the first call and the first of the
  // second: an empty one there is only counted right if output ends run on across calls.
  const kind = (i) => (i === CAPACITY || i === CAPACITY - 1 || i === 2 * CAPACITY + 5 ? "empty" : i % 1000 === 7 ? "bad" : "kept");
  const count = 2 * CAPACITY + 100;
  const input = batchOf(count, kind);
  for (const f of await filtersFor(KEEP)) {
    const copy = f.filterBatch(input);
    const view = f.filterBatch(input, { view: true });
    assert.equal(plain(view), plain(copy), `${f.variant}: view and copy`);
    assert.is(copy.events, count, f.variant);
    assert.is(copy.empty, 3, `${f.variant}: empty events, two of them at the call boundary`);
    assert.is(copy.rejected.length, Array.from({ length: count }, (_, i) => kind(i)).filter((k) => k === "bad").length, f.variant);
    const lines = text(copy.output).split("\n");
    const before = lines.indexOf(`{"a":${CAPACITY - 2}}`);
    assert.equal(lines.slice(before, before + 4), [`{"a":${CAPACITY - 2}}`, "{}", "{}", `{"a":${CAPACITY + 1}}`],
      `${f.variant}: output in input order across the call boundary`);
  }
});

test("the copy is the caller's; the view belongs to the engine and is only valid until the next call", async () => {
  for (const f of await filtersFor(KEEP)) {
    const first = f.filterBatch(bytes('{"a":"first"}\n'));
    const view = f.filterBatch(bytes('{"a":"second"}\n'), { view: true });
    assert.is(text(view.output), '{"a":"second"}\n', f.variant);
    f.filterBatch(bytes('{"a":"third!"}\n'));
    assert.is(text(first.output), '{"a":"first"}\n', `${f.variant}: a copy never changes`);
    assert.is.not(text(view.output), '{"a":"second"}\n', `${f.variant}: the view showed engine memory, which the next call reused`);
  }
});

test("a batch read straight into inputBuffer filters as the same bytes passed in, whole or as a prefix", async () => {
  const input = batchOf(CAPACITY + 10, (i) => (i % 50 === 3 ? "bad" : i % 50 === 4 ? "empty" : "kept"));
  for (const f of await filtersFor(KEEP)) {
    const expected = plain(f.filterBatch(input));
    const buffer = f.inputBuffer(input.length);
    assert.is(buffer.length, input.length, f.variant);
    buffer.set(input);
    assert.equal(plain(f.filterBatch(buffer, { view: true })), expected, `${f.variant}: whole buffer`);

    const roomy = f.inputBuffer(input.length + 1000);
    roomy.set(input);
    assert.equal(plain(f.filterBatch(roomy.subarray(0, input.length))), expected, `${f.variant}: a prefix of a larger buffer`);
  }
});

test("every build reports the same through all three ways", async () => {
  const input = batchOf(300, (i) => (i % 7 === 0 ? "empty" : i % 11 === 0 ? "bad" : "kept"));
  const results = [];
  for (const f of await filtersFor(KEEP)) {
    const b = f.inputBuffer(input.length);
    b.set(input);
    results.push(plain(f.filterBatch(b, { view: true })));
  }
  for (const [i, r] of results.entries()) assert.equal(r, results[0], `${VARIANTS[i]} and ${VARIANTS[0]}`);
});

test.run();
