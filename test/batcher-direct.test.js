// The batcher's zero-copy forms: a reader filling `writable()` and calling `commit(n)`, and `reuse`
// (batches are views of two buffers that take turns). Both must hand out exactly the batches that
// plain push() does, and keep every batch intact for as long as the contract says: until the next
// push() or commit(), across a writable() that switches buffers (a read in flight meanwhile).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { LineBatcher } from "../dist/stream/line-batcher.js";
import { randomChunks, prng } from "./support/fake-filter.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Random NDJSON-ish text: short and long lines, blank lines, CR LF, too-large lines, maybe no final LF. */
function randomText(random, maxEventBytes) {
  const lines = [];
  const count = Math.floor(random() * 80);
  for (let i = 0; i < count; i++) {
    const r = random();
    if (r < 0.08) lines.push("");
    else if (r < 0.12) lines.push("\r");
    else if (r < 0.2) lines.push(`{"big":"${"é".repeat(maxEventBytes)}"}`); // too large
    else if (r < 0.25) lines.push("x".repeat(maxEventBytes) + "\r"); // fits: the CR is not counted
    else lines.push(`{"i":${i},"s":"${"日本".repeat(Math.floor(random() * 20))}"}`);
  }
  let text = lines.join("\n");
  if (random() < 0.5) text += "\n";
  return text;
}

/** What a batch says, as text (its bytes decoded now). */
function describe(batch) {
  return { text: dec.decode(batch.bytes), firstLine: batch.firstLine, lines: batch.lines, tooLarge: batch.tooLarge };
}

/** The batches plain push() gives for these chunks: the reference. */
function pushed(chunks, options) {
  const b = new LineBatcher(options);
  const out = [];
  for (const c of chunks) out.push(...b.push(c).map(describe));
  out.push(...b.finish().map(describe));
  return out;
}

/**
 * Feeds the chunks through `mode` ("push" or "commit"), checking after every step that the batches of
 * the last feed still read as they did when handed out; returns them all (described when handed out).
 */
function fed(chunks, options, mode, random, room = 64) {
  const b = new LineBatcher(options);
  const out = [];
  let live = [];
  const stillIntact = (where) => {
    for (const { batch, seen } of live) assert.equal(describe(batch), seen, `a batch changed ${where}`);
  };
  const handOut = (batches) => {
    for (const batch of batches) {
      const seen = describe(batch);
      out.push(seen);
      live.push({ batch, seen });
    }
  };
  for (const chunk of chunks) {
    if (mode === "push") {
      live = [];
      handOut(b.push(chunk));
      stillIntact("within the push that made it");
      continue;
    }
    // A reader: ask for room (maybe less than the chunk), fill a prefix of it, commit; repeat.
    for (let pos = 0; pos < chunk.length;) {
      const target = b.writable(1 + Math.floor(random() * room));
      stillIntact("after writable() (the next read's room)");
      const n = Math.min(target.length, chunk.length - pos);
      target.set(chunk.subarray(pos, pos + n));
      pos += n;
      if (random() < 0.2) {
        // A quiet input flushed while the read waits: allowed with reuse, and the region stays.
        if (options.reuse) handOut(b.flush());
        else b.flush();
      }
      live = live.filter(() => false);
      handOut(b.commit(n));
      stillIntact("within the commit that made it");
    }
  }
  live = [];
  out.push(...b.finish().map(describe));
  return out;
}

for (const reuse of [false, true]) {
  test(`push${reuse ? " with reuse" : ""}: the same batches as plain push, each intact until the next push`, () => {
    const random = prng(11);
    for (let round = 0; round < 150; round++) {
      const maxEventBytes = 8 + Math.floor(random() * 60);
      const text = randomText(random, maxEventBytes);
      const chunks = randomChunks(enc.encode(text), 1 + Math.floor(random() * 400), random);
      const options = { batchBytes: 1 + Math.floor(random() * 200), maxEventBytes };
      assert.equal(fed(chunks, { ...options, reuse }, "push", random), pushed(chunks, options));
    }
  });
}

test("reuse with chunks larger than the buffers: batches of one push are never overwritten by it", () => {
  const random = prng(14);
  for (let round = 0; round < 6; round++) {
    const lines = [];
    for (let i = 0; i < 9000; i++) lines.push(`{"i":${i},"pad":"${"z".repeat(Math.floor(random() * 120))}"}`);
    const bytes = enc.encode(lines.join("\n") + "\n");
    // Chunks of several times the buffer size (a batch plus 64 KiB): a push switches buffers again and again.
    const chunks = randomChunks(bytes, 400_000, random);
    const options = { batchBytes: 1000 + Math.floor(random() * 3000), maxEventBytes: 4096 };
    assert.equal(fed(chunks, { ...options, reuse: true }, "push", random), pushed(chunks, options));
    // And as a reader with read-ahead would: batches of a commit intact while the next read's room is made.
    const read = fed(chunks, { ...options, reuse: true }, "commit", random, 300_000);
    assert.is(read.map((x) => x.text).join(""), dec.decode(bytes));
  }
});

test("writable() + commit() with reuse: the same batches as push, intact across a buffer switch", () => {
  const random = prng(12);
  for (let round = 0; round < 150; round++) {
    const maxEventBytes = 8 + Math.floor(random() * 60);
    const text = randomText(random, maxEventBytes);
    const chunks = randomChunks(enc.encode(text), 1 + Math.floor(random() * 400), random);
    const options = { batchBytes: 1 + Math.floor(random() * 200), maxEventBytes };
    // Flushes interleaved in fed() move batch boundaries: compare the bytes and line accounting.
    const got = fed(chunks, { ...options, reuse: true }, "commit", random);
    const want = pushed(chunks, options);
    assert.is(got.map((b) => b.text).join(""), want.map((b) => b.text).join(""), `round ${round}: the bytes`);
    assert.equal(got.flatMap((b) => b.tooLarge), want.flatMap((b) => b.tooLarge), `round ${round}: too-large lines`);
    let line = 1;
    for (const b of got) {
      assert.is(b.firstLine, line, `round ${round}: batches follow each other`);
      line += b.lines;
    }
    assert.is(line, want.reduce((n, b) => n + b.lines, 1), `round ${round}: every line counted`);
  }
});

test("writable() + commit() without flushes: exactly the batches of push, with and without reuse", () => {
  const random = prng(13);
  for (let round = 0; round < 100; round++) {
    const maxEventBytes = 8 + Math.floor(random() * 60);
    const text = randomText(random, maxEventBytes);
    const bytes = enc.encode(text);
    const options = { batchBytes: 1 + Math.floor(random() * 200), maxEventBytes };
    for (const reuse of [false, true]) {
      const b = new LineBatcher({ ...options, reuse });
      const got = [];
      const sizes = [];
      for (let pos = 0; pos < bytes.length;) {
        const target = b.writable(1 + Math.floor(random() * 300));
        const n = Math.min(target.length, bytes.length - pos);
        target.set(bytes.subarray(pos, pos + n));
        sizes.push(n);
        pos += n;
        got.push(...b.commit(n).map(describe));
      }
      got.push(...b.finish().map(describe));
      // push() of the same pieces is the reference.
      const pieces = [];
      let at = 0;
      for (const n of sizes) pieces.push(bytes.subarray(at, (at += n)));
      assert.equal(got, pushed(pieces, options), `round ${round}, reuse ${reuse}`);
    }
  }
});

test("reuse: batches come out of two buffers taking turns, not a new array per batch", () => {
  const line = '{"a":"' + "x".repeat(90) + '"}\n';
  const b = new LineBatcher({ batchBytes: 1000, reuse: true });
  const buffers = new Set();
  let batches = 0;
  for (let i = 0; i < 200; i++) {
    const target = b.writable(4096);
    const n = enc.encodeInto(line.repeat(30), target).written;
    for (const batch of b.commit(n)) {
      buffers.add(batch.bytes.buffer);
      batches++;
    }
  }
  assert.ok(batches > 100, `${batches} batches`);
  assert.is(buffers.size, 2);
});

test("commit() refuses what writable() did not give", () => {
  const b = new LineBatcher({ batchBytes: 8 });
  assert.throws(() => b.commit(0), /commit\(\) without writable\(\)/);
  const target = b.writable(16);
  assert.throws(() => b.commit(target.length + 1), /do not fit/);
  enc.encodeInto('{"a":1}\n{"b":2}\n', b.writable(16));
  assert.is(b.commit(16).length, 2);
  // A push between the two moves len: the region given is no longer where the bytes would go.
  b.writable(16);
  b.push(enc.encode('{"c":3}\n'));
  assert.throws(() => b.commit(1), /after the buffer changed/);
  // Without reuse a flush moves the partial line to a new buffer: a read in flight would be lost.
  const c = new LineBatcher({ batchBytes: 1000 });
  c.push(enc.encode('{"c":3}\n{"d"'));
  c.writable(16);
  assert.is(c.flush().length, 1);
  assert.throws(() => c.commit(1), /after the buffer changed/);
});

test.run();
