// The engine's memory: no input within the limits aborts a run, memory follows what a batch needs
// (not how many events it holds), the status area's fixed capacity is crossed transparently, and
// a trap never leaves a broken instance in use.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { compilePolicy, createFilter } from "../dist/index.js";
import { Engine } from "../dist/engine/engine.js";
import { readAbi } from "../dist/engine/abi.js";
import { VARIANTS, bytes, text } from "./support/harness.js";

const MiB = 1 << 20;
const KEEP_A = compilePolicy({ keep: ["a"] });
const simdAbi = readAbi(new WebAssembly.Instance(
  new WebAssembly.Module(readFileSync(new URL("../build/simd.wasm", import.meta.url))), { env: { abort() {} } }).exports);
const { capacity: STATUS_CAPACITY } = simdAbi.status;
const PADDING = simdAbi.padding;

/**
 * Most memory a batch of `length` bytes may leave behind, for a policy without embedded documents:
 * input, output and arena (buffers.ts), twice over for the allocator growing memory by doubling,
 * plus a fixed allowance for tables, key set and status area. Event count does not enter it.
 */
function memoryBound(length, maxEventBytes) {
  const longest = Math.min(length, maxEventBytes);
  const buffers = (length + PADDING) + (length + 1 + PADDING) + (longest + 2 * PADDING);
  return 2 * buffers + 8 * MiB;
}

test("a 250 MiB event under maxEventBytes 256 MiB is filtered, and the events around it too", async () => {
  const f = await createFilter(KEEP_A, { maxEventBytes: 268435456, variant: "simd" });
  const head = bytes('{"a":1}\n{"a":2,"b":3}\n{"b":"');
  const tail = bytes('","a":"big"}\n{"a":4}\n');
  const filler = 250 * MiB;
  const batch = new Uint8Array(head.length + filler + tail.length);
  batch.set(head);
  batch.fill(0x78, head.length, head.length + filler); // "xxx...": the dropped value
  batch.set(tail, head.length + filler);
  const r = f.filterBatch(batch);
  assert.equal(r.rejected, []);
  assert.is(r.events, 4);
  assert.is(text(r.output), '{"a":1}\n{"a":2}\n{"a":"big"}\n{"a":4}\n');
  assert.ok(f.memoryBytes <= memoryBound(batch.length, 268435456), `memory ${f.memoryBytes} for a ${batch.length}-byte batch`);
});

test("a batch of more events than the status area holds: every event recorded, lines counted across calls", async () => {
  const count = 2 * STATUS_CAPACITY + 5;
  const lines = Array.from({ length: count }, (_, i) => (i % 1000 === 999 ? '{"a":' : `{"a":${i}}`));
  lines.splice(STATUS_CAPACITY, 0, "", "  "); // blank lines right where the first call stops
  const input = bytes(lines.join("\n"));
  const rejectedLines = lines.flatMap((line, i) => (line === '{"a":' ? [i + 1] : []));
  const kept = lines.filter((line) => line.startsWith('{"a":') && line !== '{"a":');
  for (const variant of VARIANTS) {
    const f = await createFilter(KEEP_A, { variant });
    const r = f.filterBatch(input);
    assert.is(r.lines, lines.length, variant);
    assert.is(r.events, count, variant);
    assert.equal(r.rejected.map((x) => x.line), rejectedLines, variant);
    assert.ok(r.rejected.every((x) => x.code === "UNEXPECTED_END" && x.offset === 5), variant);
    assert.is(text(r.output), kept.map((line) => `${line}\n`).join(""), variant);
    assert.is(r.empty, 0, variant);
  }
});

test("memory follows the batch's bytes, not its events: millions of {} lines", async () => {
  // 12 MiB of "{}" lines: 4 million events. Status records sized from the input took 24 bytes
  // per event (8x the input here, and the u32 size wrapped past 360 MiB).
  const input = new Uint8Array(12 * MiB);
  for (let i = 0; i < input.length; i += 3) input.set([0x7b, 0x7d, 0x0a], i);
  const f = await createFilter(compilePolicy({ keep: ["a.b"] }), { variant: "simd" });
  const r = f.filterBatch(input);
  assert.is(r.events, input.length / 3);
  assert.is(r.kept, r.events);
  assert.is(r.empty, r.events);
  assert.is(r.output.length, input.length);
  assert.ok(f.memoryBytes <= memoryBound(input.length, 16 * MiB), `memory ${f.memoryBytes} for a ${input.length}-byte batch`);
});

test("memory after a big batch is bounded by what the batch needs, and a repeat does not grow it", async () => {
  const line = `{"a":"${"x".repeat(3000)}","b":[${"1,".repeat(500)}2]}\n`;
  const input = bytes(line.repeat(Math.ceil((24 * MiB) / line.length)));
  for (const variant of VARIANTS) {
    const f = await createFilter(KEEP_A, { variant });
    const first = f.filterBatch(input);
    assert.is(first.kept, first.events, variant);
    const size = f.memoryBytes;
    assert.ok(size <= memoryBound(input.length, 16 * MiB), `${variant}: memory ${size} for a ${input.length}-byte batch`);
    f.filterBatch(input);
    assert.is(f.memoryBytes, size, variant);
  }
});

test("more selected keys in one event than the key set holds: TOO_LARGE, and the next event is fine", async () => {
  const members = Array.from({ length: (1 << 21) + 1 }, (_, i) => `"k${i}":0`).join(",");
  const event = `{"x":1,"a":{${members}}}`;
  for (const variant of VARIANTS) {
    const f = await createFilter(KEEP_A, { variant, maxEventBytes: 64 * MiB });
    const r = f.filterEvent(event);
    assert.is(r.ok, false, variant);
    assert.is(r.code, "TOO_LARGE", variant);
    assert.ok(r.offset > 12 && r.offset < event.length, `${variant}: offset ${r.offset} at a key`);
    assert.is(text(f.filterEvent('{"a":{"k1":0,"k2":1}}').output), '{"a":{"k1":0,"k2":1}}', variant);
  }
});

test("a batch no instance can hold is refused with a RangeError before the call", async () => {
  // Nested embedded documents need a decoded copy per level: 4 levels of 256 MiB events cannot
  // fit one allocation, however much memory is free.
  const deep = compilePolicy({ keep: ["a.b.c.d.e"], embeddedJson: ["a", "a.b", "a.b.c", "a.b.c.d"] });
  const f = await createFilter(deep, { maxEventBytes: 256 * MiB, variant: "simd" });
  const big = new Uint8Array(300 * MiB);
  try {
    f.filterBatch(big);
    assert.unreachable("accepted");
  } catch (error) {
    assert.instance(error, RangeError);
    assert.match(error.message, /needs more memory than WebAssembly allows/);
  }
  assert.is(text(f.filterEvent('{"a":"{\\"b\\":1}"}').output), '{"a":"{}"}', "the filter still works");
});

test("where this instance's memory cannot grow any more, a fresh instance serves the batch", async () => {
  const engine = await Engine.create([KEEP_A], { variant: "simd" });
  const memory = engine.live.exports.memory;
  memory.grow(65536 - memory.buffer.byteLength / 65536 - 16); // 4 GiB less 1 MiB: address space only
  const before = engine.live;
  const r = engine.runBatch(0, bytes(`{"a":1,"b":"${"x".repeat(4 * MiB)}"}\n{"a":2}\n`));
  assert.is(text(r.output), '{"a":1}\n{"a":2}\n');
  assert.ok(engine.live !== before, "a fresh instance");
  assert.ok(engine.memoryBytes < 64 * MiB, `memory ${engine.memoryBytes}`);
});

test("after a trap the instance is replaced: the call fails with one error, later calls work", async () => {
  for (const variant of VARIANTS) {
    const engine = await Engine.create([KEEP_A], { variant });
    const before = engine.live;
    assert.is(text(engine.runBatch(0, bytes('{"a":1,"b":2}\n')).output), '{"a":1}\n');
    // A genuine trap: a batch length past the end of memory makes the engine store out of bounds.
    try {
      engine.call((e) => e.filterBatch(0, e.memory.buffer.byteLength, 0));
      assert.unreachable("no trap");
    } catch (error) {
      assert.match(error.message, /internal error: the WebAssembly engine stopped \(RuntimeError: memory access out of bounds\)/);
    }
    assert.ok(engine.live !== before, `${variant}: a fresh instance`);
    assert.is(text(engine.runBatch(0, bytes('{"b":0,"a":[1]}\n{"a":2}')).output), '{"a":[1]}\n{"a":2}\n', variant);
    assert.equal(engine.runOne(0, '{"a":"x"'), { ok: false, code: "UNEXPECTED_END", offset: 8 }, variant);
  }
});

test.run();
