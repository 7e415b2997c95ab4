import { test } from "uvu";
import * as assert from "uvu/assert";
import { LineBatcher, filterLineBatch, DEFAULT_BATCH_BYTES, DEFAULT_MAX_EVENT_BYTES } from "../dist/stream/line-batcher.js";
import { createFakeFilter, randomChunks, prng, concat } from "./support/fake-filter.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

function runBatcher(chunks, options) {
  const b = new LineBatcher(options);
  const batches = [];
  let maxBuffered = 0;
  for (const c of chunks) {
    batches.push(...b.push(c));
    maxBuffered = Math.max(maxBuffered, b.bufferedBytes);
  }
  batches.push(...b.finish());
  return { batches, maxBuffered, batcher: b };
}

/** What the batcher must produce for `text`: too-large lines become empty lines. */
function expectedBytes(text, maxEventBytes) {
  const lines = text.split("\n");
  const last = lines.pop();
  const out = lines.map((l) => {
    const n = enc.encode(l).length - (l.endsWith("\r") ? 1 : 0);
    return n > maxEventBytes ? "" : l;
  });
  let s = out.map((l) => l + "\n").join("");
  // A final line without LF is passed on as it is if it fits in maxEventBytes + 1 bytes.
  if (last !== "") s += enc.encode(last).length > maxEventBytes + 1 ? "\n" : last;
  return s;
}

function checkContiguous(batches) {
  let next = 1;
  for (const b of batches) {
    assert.is(b.firstLine, next, "batches follow each other");
    const lf = b.bytes.reduce((n, x) => n + (x === 10 ? 1 : 0), 0);
    const partial = b.bytes.length > 0 && b.bytes[b.bytes.length - 1] !== 10 ? 1 : 0;
    assert.is(b.lines, lf + partial, "lines counted like the engine counts them");
    next += b.lines;
  }
  return next - 1;
}

test("defaults", () => {
  const b = new LineBatcher();
  assert.is(b.batchBytes, DEFAULT_BATCH_BYTES);
  assert.is(DEFAULT_BATCH_BYTES, 1 << 20);
  assert.is(b.maxEventBytes, DEFAULT_MAX_EVENT_BYTES);
  assert.is(DEFAULT_MAX_EVENT_BYTES, 16 << 20);
});

test("bad options are refused", () => {
  for (const bad of [0, -1, 1.5, NaN, Infinity]) {
    assert.throws(() => new LineBatcher({ batchBytes: bad }), /batchBytes must be a positive integer/);
    assert.throws(() => new LineBatcher({ maxEventBytes: bad }), /maxEventBytes must be a positive integer/);
  }
});

test("empty input gives no batch", () => {
  assert.equal(runBatcher([], {}).batches, []);
  assert.equal(runBatcher([new Uint8Array(0)], {}).batches, []);
});

test("one chunk, small batches: whole lines, batch size near the target", () => {
  const text = Array.from({ length: 50 }, (_, i) => `{"n":${i},"pad":"${"x".repeat(i % 7)}"}`).join("\n") + "\n";
  const { batches } = runBatcher([enc.encode(text)], { batchBytes: 64 });
  assert.ok(batches.length > 5);
  assert.is(dec.decode(concat(batches.map((b) => b.bytes))), text);
  for (const b of batches.slice(0, -1)) {
    assert.ok(b.bytes.length >= 64, "a batch closes at or after the target");
    assert.is(b.bytes[b.bytes.length - 1], 10, "a batch ends with a line end");
    // Closed at the first line end at or after the target: without its last line it is below it.
    const body = dec.decode(b.bytes);
    const withoutLast = body.slice(0, body.slice(0, -1).lastIndexOf("\n") + 1);
    assert.ok(enc.encode(withoutLast).length < 64);
  }
  assert.is(checkContiguous(batches), 50);
});

test("final line without LF is flushed at the end", () => {
  const { batches } = runBatcher([enc.encode('{"a":1}\n{"b"'), enc.encode(":2}")], {});
  assert.is(batches.length, 1);
  assert.is(dec.decode(batches[0].bytes), '{"a":1}\n{"b":2}');
  assert.is(batches[0].lines, 2);
});

test("input ending with LF has no extra line; blank lines count", () => {
  const { batches } = runBatcher([enc.encode('\n{"a":1}\n\r\n  \n')], {});
  assert.is(batches.length, 1);
  assert.is(batches[0].lines, 4);
});

test("a batch is its own copy: later pushes do not change it", () => {
  const b = new LineBatcher({ batchBytes: 4 });
  const chunk = enc.encode('{"a":1}\n{"b":2}\n');
  const first = b.push(chunk);
  const copy = first.map((x) => dec.decode(x.bytes));
  chunk.fill(0x20);
  b.push(enc.encode('{"c":3}\n'));
  assert.equal(first.map((x) => dec.decode(x.bytes)), copy);
});

test("random chunking reassembles the input exactly (multi-byte UTF-8 split anywhere)", () => {
  const random = prng(7);
  const words = ["é", "日本", "😀", "\\u00e9", "\\\"", "x", "  "];
  for (let round = 0; round < 40; round++) {
    const lines = [];
    const count = Math.floor(random() * 60);
    for (let i = 0; i < count; i++) {
      const r = random();
      if (r < 0.1) lines.push("");
      else if (r < 0.15) lines.push("\r");
      else {
        let s = `{"i":${i},"s":"`;
        const k = Math.floor(random() * 30);
        for (let j = 0; j < k; j++) s += words[Math.floor(random() * words.length)];
        lines.push(s + '"}' + (random() < 0.2 ? "\r" : ""));
      }
    }
    let text = lines.join("\n");
    if (random() < 0.5) text += "\n";
    const bytes = enc.encode(text);
    const batchBytes = 1 + Math.floor(random() * 300);
    const { batches } = runBatcher(randomChunks(bytes, 1 + Math.floor(random() * 100), random), { batchBytes });
    assert.is(dec.decode(concat(batches.map((b) => b.bytes))), text);
    const expectedLines = text === "" ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    assert.is(checkContiguous(batches), expectedLines);
    for (const b of batches) assert.is(b.tooLarge.length, 0);
  }
});

test("too-large lines: never buffered whole, replaced by an empty line, reported with global line numbers", () => {
  const max = 100;
  const big = "y".repeat(5000);
  const text = [
    '{"a":1}',
    `{"big":"${big}"}`, // line 2: too large
    "z".repeat(max), // line 3: exactly max: passed on
    "z".repeat(max) + "\r", // line 4: max + CR: passed on
    "z".repeat(max + 1), // line 5: max + 1: too large
    "z".repeat(max) + "\r\r", // line 6: max + CR + CR: too large (only the CR before LF is dropped)
    '{"b":2}',
    `{"big":"${big}"}`, // line 8, last, no LF: too large
  ].join("\n");
  const bytes = enc.encode(text);
  for (const chunkSize of [1, 3, 64, 1000, bytes.length]) {
    for (const batchBytes of [1, 50, 10000]) {
      const chunks = [];
      for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
      const { batches, maxBuffered } = runBatcher(chunks, { batchBytes, maxEventBytes: max });
      assert.is(dec.decode(concat(batches.map((b) => b.bytes))), expectedBytes(text, max));
      assert.equal(
        batches.flatMap((b) => b.tooLarge),
        [2, 5, 6, 8].map((line) => ({ line, code: "TOO_LARGE", offset: max })),
      );
      for (const b of batches) {
        for (const r of b.tooLarge) assert.ok(r.line >= b.firstLine && r.line < b.firstLine + b.lines);
      }
      assert.is(checkContiguous(batches), 8);
      assert.ok(maxBuffered <= batchBytes + max + 2 + chunkSize, `buffered ${maxBuffered} bytes`);
    }
  }
});

test("a huge line fed in big chunks keeps memory bounded", () => {
  const b = new LineBatcher({ batchBytes: 1024, maxEventBytes: 4096 });
  const chunk = new Uint8Array(65536).fill(0x61);
  let maxBuffered = 0;
  b.push(enc.encode('{"a":1}\n{"x":"'));
  for (let i = 0; i < 200; i++) {
    assert.equal(b.push(chunk), []);
    maxBuffered = Math.max(maxBuffered, b.bufferedBytes);
  }
  const tail = b.push(enc.encode('"}\n{"b":2}\n'));
  const batches = [...tail, ...b.finish()];
  assert.ok(maxBuffered < 4096 + 64, `buffered ${maxBuffered} bytes`);
  const all = batches.flatMap((x) => x.tooLarge);
  assert.equal(all, [{ line: 2, code: "TOO_LARGE", offset: 4096 }]);
  assert.is(dec.decode(concat(batches.map((x) => x.bytes))), '{"a":1}\n\n{"b":2}\n');
});

test("differential: random lines and chunks against a line-by-line reference", () => {
  const random = prng(42);
  for (let round = 0; round < 60; round++) {
    const max = 1 + Math.floor(random() * 40);
    const lines = [];
    const count = Math.floor(random() * 40);
    for (let i = 0; i < count; i++) {
      const len = Math.floor(random() * max * 2);
      let s = "";
      for (let j = 0; j < len; j++) s += random() < 0.1 ? "\r" : "a";
      lines.push(s);
    }
    let text = lines.join("\n");
    if (random() < 0.5) text += "\n";
    const bytes = enc.encode(text);
    const batchBytes = 1 + Math.floor(random() * 80);
    const { batches } = runBatcher(randomChunks(bytes, 1 + Math.floor(random() * 50), random), {
      batchBytes,
      maxEventBytes: max,
    });
    assert.is(dec.decode(concat(batches.map((b) => b.bytes))), expectedBytes(text, max), `round ${round}`);
    const expectedRejects = [];
    const parts = text.split("\n");
    const last = parts.pop();
    parts.forEach((l, i) => {
      if (l.length - (l.endsWith("\r") ? 1 : 0) > max) expectedRejects.push(i + 1);
    });
    if (last !== "" && last.length > max + 1) expectedRejects.push(parts.length + 1);
    assert.equal(
      batches.flatMap((b) => b.tooLarge.map((r) => r.line)),
      expectedRejects,
      `round ${round}`,
    );
    checkContiguous(batches);
  }
});

test("filterLineBatch maps rejections to global lines and merges too-large ones in order", () => {
  const filter = createFakeFilter({ maxEventBytes: 50 });
  const lines = [];
  const bad = new Set();
  for (let i = 1; i <= 300; i++) {
    if (i % 37 === 0) {
      lines.push(`{"broken":${i}`);
      bad.add(i);
    } else if (i % 53 === 0) {
      lines.push(`{"big":"${"q".repeat(80)}"}`);
      bad.add(i);
    } else if (i % 29 === 0) {
      lines.push("   ");
    } else {
      lines.push(`{"i":${i}}`);
    }
  }
  const text = lines.join("\r\n") + "\r\n";
  const b = new LineBatcher({ batchBytes: 100, maxEventBytes: 50 });
  const results = [];
  for (const chunk of randomChunks(enc.encode(text), 70, prng(3))) {
    for (const batch of b.push(chunk)) results.push(filterLineBatch(filter, batch));
  }
  for (const batch of b.finish()) results.push(filterLineBatch(filter, batch));
  assert.ok(results.length > 10, "many batches");
  const rejected = results.flatMap((r) => r.rejected);
  assert.equal(
    rejected.map((r) => r.line),
    [...bad].sort((x, y) => x - y),
  );
  for (const r of rejected) assert.is(r.code, r.line % 37 === 0 ? "UNEXPECTED_BYTE" : "TOO_LARGE");
  const blank = 300 / 29 | 0;
  assert.is(results.reduce((n, r) => n + r.events, 0), 300 - blank);
  assert.is(results.reduce((n, r) => n + r.kept, 0), 300 - blank - bad.size);
  const out = dec.decode(concat(results.map((r) => r.output)));
  assert.is(out.split("\n").length - 1, 300 - blank - bad.size);
  // The batcher's own TOO_LARGE lines never reach the engine: no batch was as large as such a line.
  for (const r of results) assert.ok(r.firstLine >= 1);
});

test("filterLineBatch passes on how many kept events came out empty", () => {
  const b = new LineBatcher({ batchBytes: 1 << 20 });
  const [batch] = [...b.push(enc.encode('{}\n{"a":1}\n{}\nbad\n{}')), ...b.finish()];
  const filtered = filterLineBatch(createFakeFilter(), batch);
  assert.is(filtered.kept, 4);
  assert.is(filtered.empty, 3);
});

test("filterLineBatch refuses an engine that counts lines differently", () => {
  const batch = { bytes: enc.encode('{"a":1}\n'), firstLine: 10, lines: 1, tooLarge: [] };
  const liar = { filterBatch: () => ({ output: new Uint8Array(0), lines: 2, events: 1, kept: 0, rejected: [] }) };
  assert.throws(() => filterLineBatch(liar, batch), /engine counted 2 lines in a batch of 1 \(input lines 10-10\)/);
});

test("push after finish throws", () => {
  const b = new LineBatcher();
  b.finish();
  assert.throws(() => b.push(new Uint8Array(1)), /after finish/);
  assert.equal(b.finish(), []);
});

test("flush(): random chunks and flushes give every line once, complete and numbered globally", () => {
  for (let seed = 1; seed <= 40; seed++) {
    const rng = prng(seed);
    const maxEventBytes = 64;
    const lines = [];
    const expectedTooLarge = [];
    const n = 1 + Math.floor(rng() * 120);
    for (let i = 1; i <= n; i++) {
      const r = rng();
      let line;
      if (r < 0.1) line = "";
      else if (r < 0.15) line = "x".repeat(maxEventBytes + 2 + Math.floor(rng() * 300));
      else if (r < 0.2) line = `{"i":${i}}\r`;
      else line = `{"i":${i},"p":"${"y".repeat(Math.floor(rng() * 40))}"}`;
      if (line.length > maxEventBytes && !(line.length === maxEventBytes + 1 && line.endsWith("\r"))) expectedTooLarge.push(i);
      lines.push(line);
    }
    const finalLf = rng() < 0.5;
    const text = lines.join("\n") + (finalLf ? "\n" : "");
    const batcher = new LineBatcher({ maxEventBytes, batchBytes: 1 + Math.floor(rng() * 400) });
    const batches = [];
    for (const chunk of randomChunks(enc.encode(text), 1 + Math.floor(rng() * 100), rng)) {
      batches.push(...batcher.push(chunk));
      if (rng() < 0.3) batches.push(...batcher.flush());
    }
    batches.push(...batcher.finish());
    // Lines are contiguous and complete; too-large ones stand as empty lines.
    let next = 1;
    for (const b of batches) {
      assert.is(b.firstLine, next, `seed ${seed}: batches follow each other`);
      next += b.lines;
    }
    const total = lines.length - (finalLf || lines[lines.length - 1] !== "" ? 0 : 1);
    assert.is(next - 1, total, `seed ${seed}: every line once`);
    const got = dec.decode(concat(batches.map((b) => b.bytes)));
    // A too-large line stands as an empty line with its LF, even the last one.
    const lastTooLarge = expectedTooLarge.includes(lines.length);
    const expected = lines.map((l, i) => (expectedTooLarge.includes(i + 1) ? "" : l)).join("\n") + (finalLf || lastTooLarge ? "\n" : "");
    assert.is(got, expected, `seed ${seed}: bytes`);
    assert.equal(batches.flatMap((b) => b.tooLarge.map((r) => r.line)), expectedTooLarge, `seed ${seed}: too large`);
  }
});

test("flush() hands out complete lines at once, never a partial one", () => {
  const batcher = new LineBatcher({ maxEventBytes: 1000 });
  assert.equal(batcher.push(enc.encode('{"a":1}\n{"b":')), []);
  assert.ok(batcher.pending);
  const [first] = batcher.flush();
  assert.is(dec.decode(first.bytes), '{"a":1}\n');
  assert.is(first.firstLine, 1);
  assert.not.ok(batcher.pending);
  assert.equal(batcher.flush(), []);
  assert.equal(batcher.push(enc.encode("2")), [], "a chunk without LF");
  assert.not.ok(batcher.pending, "nothing complete to hand out");
  assert.equal(batcher.push(enc.encode('}\n{"c":3}\n')), []);
  const [second] = batcher.flush();
  assert.is(dec.decode(second.bytes), '{"b":2}\n{"c":3}\n');
  assert.is(second.firstLine, 2);
  assert.equal(batcher.finish(), [], "nothing left");
});

test.run();
