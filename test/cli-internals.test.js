// The CLI's building blocks, in process and on random inputs: the JSON array
// scanner and writer, raw line extraction for --rejects, the filter slot, signal handling, and the policy tree.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ArrayFormatError, ArrayOutput, ArrayScanner } from "../dist/cli/filter/json-array.js";
import { rejectedLineBytes } from "../dist/cli/filter/rejects.js";
import { FilterSlot } from "../dist/cli/filter/filter-slot.js";
import { Interrupt, signalExitCode } from "../dist/cli/filter/interrupt.js";
import { policyTree } from "../dist/cli/explain.js";
import { mulberry32 } from "./support/random.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Cut `bytes` into chunks of random sizes in [1, max]. */
function chunks(bytes, max, rng) {
  const out = [];
  for (let pos = 0; pos < bytes.length; ) {
    const n = 1 + Math.floor(rng() * max);
    out.push(bytes.subarray(pos, pos + n));
    pos += n;
  }
  return out;
}

/** Random JSON text for an element, with whitespace (LFs included) between tokens and tricky strings. */
function randomValue(rng, depth = 0) {
  const ws = () => [" ", "\n", "\t", "\r\n", ""][Math.floor(rng() * 5)];
  const str = () => JSON.stringify(["],[", "{\"}", "\\", ",", "a\u00e9\u2028", "x".repeat(Math.floor(rng() * 30))][Math.floor(rng() * 6)]);
  const r = rng();
  if (depth > 3 || r < 0.3) return [str(), "12.5e3", "true", "null", "-0"][Math.floor(rng() * 5)];
  if (r < 0.65) {
    const n = Math.floor(rng() * 4);
    return `{${ws()}${Array.from({ length: n }, () => `${str()}${ws()}:${ws()}${randomValue(rng, depth + 1)}`).join(`${ws()},${ws()}`)}${ws()}}`;
  }
  const n = Math.floor(rng() * 4);
  return `[${ws()}${Array.from({ length: n }, () => randomValue(rng, depth + 1)).join(`${ws()},${ws()}`)}${ws()}]`;
}

test("ArrayScanner: random arrays in random chunks give one line per element, values unchanged", () => {
  for (let seed = 1; seed <= 60; seed++) {
    const rng = mulberry32(seed);
    const elements = Array.from({ length: Math.floor(rng() * 30) }, () => randomValue(rng));
    const sep = () => [",", " ,\n ", "\n,", "\r\n,\t"][Math.floor(rng() * 4)];
    let text = "\n [ ";
    elements.forEach((e, i) => (text += (i > 0 ? sep() : "") + (rng() < 0.5 ? "\n  " : "") + e + (rng() < 0.5 ? " \n" : "")));
    text += " ] \n";
    const scanner = new ArrayScanner();
    const out = concat(chunks(enc.encode(text), 1 + Math.floor(rng() * 50), rng).flatMap((c) => scanner.push(c)));
    scanner.finish();
    assert.is(scanner.elements, elements.length);
    const got = dec.decode(out).split("\n");
    assert.is(got.pop(), "", "each element ends with LF");
    assert.is(got.length, elements.length, `seed ${seed}`);
    got.forEach((line, i) => {
      assert.not.match(line, /^\s|\s$/, "no whitespace around an element");
      assert.equal(JSON.parse(line), JSON.parse(elements[i]), `seed ${seed}, element ${i + 1}`);
    });
  }
});

test("ArrayScanner: errors carry the byte offset in the whole input, across chunks", () => {
  const cases = [
    ["[1,2,,3]", 5], ['[{"a":"]"}] ,', 12], ["x", 0], ["\ufeffx", 3], ["[1 ,\n ]", 6],
    // A byte order mark before an element (a BOM is three bytes: split across chunks of 1 and 2 too).
    ["\ufeff[\ufeff1]", 4], ["[1, \ufeff2]", 4], ['[{"a":1},\n\ufeff{"a":2}]', 10],
  ];
  for (const [text, offset] of cases) {
    for (const size of [1, 2, 100]) {
      const scanner = new ArrayScanner();
      let error;
      try {
        for (const c of chunks(enc.encode(text), size, () => 0.99)) scanner.push(c);
        scanner.finish();
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof ArrayFormatError, `${text}: an error`);
      assert.is(error.offset, offset, `${text} in chunks of ${size}`);
    }
  }
});

test("ArrayScanner: whitespace after an element is counted, not held (memory stays bounded)", () => {
  const scanner = new ArrayScanner();
  assert.equal(scanner.push(enc.encode('[{"a":1}')).map((p) => dec.decode(p)), ['{"a":1}']);
  const blank = new Uint8Array(1 << 20).fill(0x20);
  for (let k = 0; k < 8; k++) assert.equal(scanner.push(blank), [], "nothing written for whitespace yet");
  // Garbage after it: the spaces are written (in shared pieces) so that the offset of the garbage is exact.
  const pieces = scanner.push(enc.encode('x,{"b":2}]'));
  const line = dec.decode(concat(pieces));
  assert.is(line, " ".repeat(8 << 20) + 'x\n{"b":2}\n');
  assert.ok(pieces.length > 100, "in pieces");
  scanner.finish();
});

test("ArrayOutput: NDJSON batches become one JSON array", () => {
  const out = new ArrayOutput();
  const parts = [out.batch(enc.encode('{"a":1}\n{"b":2}\n')), out.batch(new Uint8Array(0)), out.batch(enc.encode('{"c":3}\n')), out.close()];
  assert.is(dec.decode(concat(parts)), '[{"a":1},{"b":2},{"c":3}]\n');
  assert.is(dec.decode(new ArrayOutput().close()), "[]\n");
});

test("rejectedLineBytes: the rejected lines of a batch, raw, too-large placeholders left out", () => {
  const batch = {
    bytes: enc.encode('{"ok":1}\n{"bad":\r\n\n{"also":bad}\n\n{"last":'),
    firstLine: 101,
    lines: 6,
    tooLarge: [{ line: 103, code: "TOO_LARGE", offset: 10 }],
  };
  const rejected = [
    { line: 102, code: "UNEXPECTED_END", offset: 7 },
    { line: 103, code: "TOO_LARGE", offset: 10 },
    { line: 104, code: "UNEXPECTED_BYTE", offset: 8 },
    { line: 106, code: "UNEXPECTED_END", offset: 8 },
  ];
  assert.is(dec.decode(rejectedLineBytes(batch, rejected)), '{"bad":\r\n{"also":bad}\n{"last":\n');
  assert.is(rejectedLineBytes(batch, []).length, 0);
});

test("FilterSlot: a waiting replacement is applied once, or dropped when the run ends", async () => {
  const slot = new FilterSlot("old");
  let woken = 0;
  slot.onRequest = () => woken++;
  const applied = slot.request("new");
  assert.ok(slot.requested);
  assert.is(woken, 1);
  assert.is(slot.current, "old");
  slot.apply();
  assert.is(slot.current, "new");
  assert.is(await applied, true);
  assert.not.ok(slot.requested);
  const dropped = slot.request("newer");
  slot.close();
  assert.is(await dropped, false);
  assert.is(slot.current, "new");
  assert.is(await slot.request("late"), false);
});

/** A stand-in for the process's signals: `send` delivers one to the listeners; `raised` records re-raised ones. */
function fakeSignals() {
  const listeners = new Map();
  const raised = [];
  return {
    raised,
    on: (signal, listener) => listeners.set(signal, [...(listeners.get(signal) ?? []), listener]),
    off: (signal, listener) => listeners.set(signal, (listeners.get(signal) ?? []).filter((l) => l !== listener)),
    raise: (signal) => raised.push(signal),
    send: (signal) => [...(listeners.get(signal) ?? [])].forEach((l) => l()),
    count: () => [...listeners.values()].reduce((n, l) => n + l.length, 0),
  };
}

test("Interrupt: the first signal stops the run, a second one is raised again with the handlers gone", () => {
  const signals = fakeSignals();
  const interrupt = new Interrupt(signals);
  let stops = 0;
  interrupt.onStop = () => stops++;
  assert.is(signals.count(), 2, "SIGINT and SIGTERM handled");
  signals.send("SIGTERM");
  assert.is(interrupt.signal, "SIGTERM");
  assert.is(stops, 1);
  assert.equal(signals.raised, [], "the first signal is handled, not raised");
  signals.send("SIGINT");
  assert.is(interrupt.signal, "SIGTERM", "the first signal is the one reported");
  assert.equal(signals.raised, ["SIGINT"], "a second signal ends the process: raised again");
  assert.is(signals.count(), 0, "with the default effect back");
  assert.is(stops, 1);
});

test("Interrupt: dispose() gives signals their default effect back; exit codes are 128 + the signal number", () => {
  const signals = fakeSignals();
  const interrupt = new Interrupt(signals);
  interrupt.dispose();
  assert.is(signals.count(), 0);
  signals.send("SIGINT");
  assert.is(interrupt.signal, undefined);
  assert.is(signalExitCode("SIGINT"), 130);
  assert.is(signalExitCode("SIGTERM"), 143);
  assert.is(new Interrupt(undefined).signal, undefined, "no source: nothing handled");
});

test("policyTree: nested paths, wildcards, bracketed keys, embedded documents", () => {
  assert.equal(policyTree({ keep: ["a.b", "a.c.d", 'a["x.y"]', "*.z", "e"], embeddedJson: ["a.c"] }), [
    "a  (only the keys below)",
    "├── b  (kept whole)",
    "├── c  (embedded JSON string: decoded, filtered, re-encoded)",
    "│   └── d  (kept whole)",
    '└── ["x.y"]  (kept whole)',
    "*  (only the keys below)",
    "└── z  (kept whole)",
    "e  (kept whole)",
  ]);
  assert.equal(policyTree({ keep: ["t"], embeddedJson: ["t"] }), ["t  (kept whole; embedded JSON string kept as it is)"]);
});

test.run();
