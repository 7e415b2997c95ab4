import { test } from "uvu";
import * as assert from "uvu/assert";
import { createFilterStream, FilterSession, FilterStream } from "../dist/stream/filter-stream.js";
import { compilePolicy, createFilter } from "../dist/index.js";
import { createFakeFilter, randomChunks, prng } from "./support/fake-filter.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

function source(chunks) {
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
}

async function collect(readable) {
  let text = "";
  const reader = readable.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    assert.ok(value instanceof Uint8Array);
    assert.ok(value.length > 0, "no empty chunks");
    text += dec.decode(value, { stream: true });
  }
  return text + dec.decode();
}

function sampleInput(count) {
  const lines = [];
  const bad = [];
  for (let i = 1; i <= count; i++) {
    if (i % 11 === 0) {
      lines.push(`{"name":"Jane Roe","broken"`);
      bad.push(i);
    } else if (i % 13 === 0) {
      lines.push("");
    } else {
      lines.push(`{ "i": ${i}, "s": "é😀" }`);
    }
  }
  return { text: lines.join("\n") + "\n", bad };
}

test("filters an NDJSON byte stream; rejections get global line numbers", async () => {
  const { text, bad } = sampleInput(400);
  const rejections = [];
  const stream = createFilterStream(createFakeFilter(), {
    batchBytes: 256,
    onRejection: (r) => rejections.push(r),
  });
  assert.ok(stream instanceof TransformStream);
  assert.ok(stream instanceof FilterStream);
  const out = await collect(source(randomChunks(enc.encode(text), 97, prng(1))).pipeThrough(stream));
  const kept = out.split("\n").slice(0, -1).map((l) => JSON.parse(l).i);
  const expected = [];
  for (let i = 1; i <= 400; i++) if (i % 11 !== 0 && i % 13 !== 0) expected.push(i);
  assert.equal(kept, expected);
  assert.equal(
    rejections.map((r) => r.line),
    bad,
  );
  for (const r of rejections) assert.equal(Object.keys(r).sort(), ["code", "line", "offset"]);
  const blank = Math.floor(400 / 13) - Math.floor(400 / 143);
  assert.equal(stream.stats, {
    bytesIn: enc.encode(text).length,
    bytesOut: enc.encode(out).length,
    lines: 400,
    events: 400 - blank,
    kept: expected.length,
    empty: 0,
    rejected: bad.length,
    rejectedByCode: { UNEXPECTED_BYTE: bad.length },
  });
});

test("maxEventBytes comes from the filter's limits; too-large events are counted and reported", async () => {
  const big = `{"note":"${"x".repeat(5000)}"}`;
  const text = `{"a":1}\n${big}\n{"b":2}\n${big}`;
  const rejections = [];
  const stream = createFilterStream(createFakeFilter({ maxEventBytes: 1000 }), {
    batchBytes: 16,
    onRejection: (r) => rejections.push(r),
  });
  const out = await collect(source(randomChunks(enc.encode(text), 300, prng(2))).pipeThrough(stream));
  assert.is(out, '{"a":1}\n{"b":2}\n');
  assert.equal(rejections, [
    { line: 2, code: "TOO_LARGE", offset: 1000 },
    { line: 4, code: "TOO_LARGE", offset: 1000 },
  ]);
  assert.is(stream.stats.events, 4);
  assert.is(stream.stats.kept, 2);
  assert.equal(stream.stats.rejectedByCode, { TOO_LARGE: 2 });
});

test("a final line without LF is filtered", async () => {
  const stream = createFilterStream(createFakeFilter());
  const out = await collect(source([enc.encode('{"a":1}\n{"b"'), enc.encode(":2}")]).pipeThrough(stream));
  assert.is(out, '{"a":1}\n{"b":2}\n');
  assert.is(stream.stats.lines, 2);
});

test("empty input gives empty output and zero counters", async () => {
  const stream = createFilterStream(createFakeFilter());
  assert.is(await collect(source([]).pipeThrough(stream)), "");
  assert.equal(stream.stats, {
    bytesIn: 0,
    bytesOut: 0,
    lines: 0,
    events: 0,
    kept: 0,
    empty: 0,
    rejected: 0,
    rejectedByCode: {},
  });
});

test("backpressure: nothing more is read from the writable side while the output is not consumed", async () => {
  const filter = createFakeFilter();
  const stream = createFilterStream(filter, { batchBytes: 8 });
  const writer = stream.writable.getWriter();
  const writes = [];
  for (let i = 0; i < 20; i++) writes.push(writer.write(enc.encode(`{"i":${i}}\n`)).catch(() => {}));
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
  const seen = stream.stats.bytesIn;
  assert.ok(seen < 20 * 8, `the transform ran ahead of the reader (${seen} bytes in)`);
  const reading = collect(stream.readable);
  await Promise.all(writes);
  await writer.close();
  const out = await reading;
  assert.is(out.split("\n").length - 1, 20);
});

test("onRejection throwing errors the stream", async () => {
  let error;
  try {
    await collect(source([enc.encode("nope\n")]).pipeThrough(createFilterStream(createFakeFilter(), {
      onRejection: () => {
        throw new Error("sink full");
      },
    })));
  } catch (e) {
    error = e;
  }
  assert.match(String(error), /sink full/);
});

test("chunks must be bytes", async () => {
  let error;
  try {
    await collect(source(['{"a":1}\n']).pipeThrough(createFilterStream(createFakeFilter())));
  } catch (e) {
    error = e;
  }
  assert.instance(error, TypeError);
  assert.match(error.message, /Uint8Array/);
});

test("a filter function is asked for the filter once per batch (swap between batches)", async () => {
  const a = createFakeFilter();
  const b = createFakeFilter();
  let batches = 0;
  const pick = () => (batches++ < 2 ? a : b);
  const text = Array.from({ length: 10 }, (_, i) => `{"i":${i}}`).join("\n") + "\n";
  // With maxEventBytes given, the function is not called up front for the filter's limits.
  const stream = createFilterStream(pick, { batchBytes: 16, maxEventBytes: 100 });
  const out = await collect(source([enc.encode(text)]).pipeThrough(stream));
  assert.is(out.split("\n").length - 1, 10);
  assert.is(a.calls.length, 2);
  assert.is(b.calls.length, 3);
});

test("FilterSession: push/finish give filtered batches and counters", () => {
  const session = new FilterSession(createFakeFilter(), { batchBytes: 10 });
  // Lines 1-2 reach 16 bytes: one batch. "bad\n" stays below the target; '{"a"' is a partial line.
  const first = session.push(enc.encode('{"a":1}\n{"a":2}\nbad\n{"a"'));
  assert.is(first.length, 1);
  assert.is(dec.decode(first[0].output), '{"a":1}\n{"a":2}\n');
  assert.equal(first[0].rejected, []);
  const last = session.finish();
  assert.is(last.length, 1);
  assert.is(last[0].firstLine, 3);
  assert.is(last[0].lines, 2);
  assert.equal(last[0].rejected, [
    { line: 3, code: "UNEXPECTED_BYTE", offset: 0 },
    { line: 4, code: "UNEXPECTED_BYTE", offset: 0 },
  ]);
  assert.is(session.stats.events, 4);
  assert.is(session.stats.kept, 2);
});

test("stats.empty counts the kept events of which the policy kept nothing ({}), across batches", async () => {
  const filter = await createFilter(compilePolicy({ keep: ["EventType"] }, "event-type-only"));
  const lines = [];
  for (let i = 0; i < 300; i++) {
    if (i % 3 === 0) lines.push(`{"EventType":"e${i}","WorkerName":"Jane"}`);
    else if (i % 3 === 1) lines.push(`{"eventType":"misspelled ${i}","WorkerName":"Jane"}`); // nothing kept: {}
    else lines.push(`{"EventType":`); // rejected, never empty
  }
  const stream = createFilterStream(filter, { batchBytes: 512 });
  const out = await collect(source(randomChunks(enc.encode(lines.join("\n") + "\n"), 200, prng(7))).pipeThrough(stream));
  assert.is(out.split("\n").filter((l) => l === "{}").length, 100);
  assert.is(stream.stats.kept, 200);
  assert.is(stream.stats.empty, 100);
  assert.is(stream.stats.rejected, 100);
});

test.run();
