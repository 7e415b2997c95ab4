// The engine's own mechanisms, beyond the filter rules: how repeated keys are tracked (edge
// bitsets, the key set and its growth), embedded strings in arrays, memory reuse, and the
// ways the engine can be loaded.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { compilePolicy, createFilter } from "../dist/index.js";
import { encodeTables } from "../dist/engine/encode-policy-tables.js";
import { readAbi } from "../dist/engine/abi.js";
import { expectOut, expectReject, filtersFor, bytes, text } from "./support/harness.js";

// 100 literal keys under one node: bits past 63 live in the bitset's second word.
const manyKeys = { keep: Array.from({ length: 100 }, (_, i) => `a.k${i}`) };

test("a repeated key is caught past the first 64 literal edges of a node", async () => {
  await expectReject(manyKeys, '{"a":{"k99":1,"k5":2,"k99":3}}', "DUPLICATE_KEY", 21);
  await expectOut(manyKeys, '{"a":{"k63":1,"k64":2,"k99":3,"x":4}}', '{"a":{"k63":1,"k64":2,"k99":3}}');
});

test("repeat tracking is per object: the same key in sibling and nested objects is fine", async () => {
  const spec = { keep: ["a.*.b", "c.b"] };
  await expectOut(spec, '{"a":{"p":{"b":1},"q":{"b":2}},"c":{"b":3}}', '{"a":{"p":{"b":1},"q":{"b":2}},"c":{"b":3}}');
  await expectReject(spec, '{"a":{"p":{"b":1},"p":{"b":2}}}', "DUPLICATE_KEY", 18);
});

test("the key set grows past its first size: thousands of wildcard keys, a repeat at the end", async () => {
  const keys = Array.from({ length: 5000 }, (_, i) => `"key${i}":${i}`).join(",");
  await expectOut({ keep: ["a.*"] }, `{"a":{${keys}}}`, `{"a":{${keys}}}`);
  await expectReject({ keep: ["a.*"] }, `{"a":{${keys},"key17":0}}`, "DUPLICATE_KEY");
});

test("strings in an array at an embeddedJson path are each decoded and filtered", async () => {
  const spec = { keep: ["T.a"], embeddedJson: ["T"] };
  await expectOut(spec, String.raw`{"T":["{\"a\":1,\"b\":2}","{\"a\":[3]}","7"]}`, String.raw`{"T":["{\"a\":1}","{\"a\":[3]}"]}`);
});

test("strings at the top of an embedded document's own array are not decoded again", async () => {
  // Decoding them would nest embedded documents without bound (and is not what the path says).
  const spec = { keep: ["T.a"], embeddedJson: ["T"] };
  await expectOut(spec, String.raw`{"T":"[\"{\\\"a\\\":1}\",{\"a\":2,\"b\":3}]"}`, String.raw`{"T":"[{\"a\":2}]"}`);
});

test("memory grows to the largest batch, then is reused: repeated calls do not grow it", async () => {
  const [f] = await filtersFor({ keep: ["a"] });
  const line = `{"a":"${"x".repeat(1000)}","b":"${"y".repeat(1000)}"}\n`;
  const batch = bytes(line.repeat(2000));
  const first = f.filterBatch(batch);
  const size = f.memoryBytes;
  for (let i = 0; i < 20; i++) {
    const r = f.filterBatch(batch);
    assert.is(r.kept, 2000);
    assert.equal(r.output, first.output);
  }
  assert.is(f.memoryBytes, size);
});

test("a call that grows memory does not disturb results before or after it", async () => {
  const [simd, scalar] = await filtersFor({ keep: ["a"] });
  for (const f of [simd, scalar]) {
    const small = f.filterEvent('{"a":1,"b":2}');
    const before = f.memoryBytes;
    const big = f.filterEvent(`{"a":"${"z".repeat(8 << 20)}"}`);
    assert.ok(big.ok);
    assert.ok(f.memoryBytes > before, "the large event grew memory");
    assert.is(text(small.output), '{"a":1}');
    assert.is(text(f.filterEvent('{"b":0,"a":true}').output), '{"a":true}');
  }
});

test("a string with a lone surrogate is refused, with the UTF-8 offset where it stands", async () => {
  const [f] = await filtersFor({ keep: ["a"] });
  const r = f.filterEvent('{"a":"\u00e9\ud800"}');
  assert.equal(r, { ok: false, code: "INVALID_UTF8", offset: 8 });
});

test("the engine loads from a compiled WebAssembly.Module (workerd) and from bytes", async () => {
  const policy = compilePolicy({ keep: ["a"] });
  for (const variant of ["simd", "scalar"]) {
    const bytesOfWasm = readFileSync(new URL(`../build/${variant}.wasm`, import.meta.url));
    const fromModule = await createFilter(policy, { module: new WebAssembly.Module(bytesOfWasm), variant });
    const fromBytes = await createFilter(policy, { wasmBytes: bytesOfWasm, variant });
    for (const f of [fromModule, fromBytes]) {
      assert.is(f.variant, variant);
      assert.is(text(f.filterEvent('{"a":1,"b":2}').output), '{"a":1}');
    }
  }
});

test("policies share identical sub-automata in the engine's tables", () => {
  const base = { keep: ["x", ...Array.from({ length: 50 }, (_, i) => `T.k${i}`)], embeddedJson: ["T"] };
  const wasm = new WebAssembly.Module(readFileSync(new URL("../build/simd.wasm", import.meta.url)));
  const abi = readAbi(new WebAssembly.Instance(wasm, { env: { abort() {} } }).exports);
  const nodeCount = (policies) => new DataView(encodeTables(policies, abi).blob.buffer).getUint32(4, true);
  const one = nodeCount([compilePolicy(base)]);
  const variants = Array.from({ length: 10 }, (_, i) => compilePolicy({ ...base, keep: [...base.keep, `extra${i}`] }));
  // Every kept-whole leaf is the same node, and the T subtree is stored once: only the ten
  // roots differ (drop + root + leaf + T for one policy; nine more roots for ten).
  assert.is(one, 4);
  assert.is(nodeCount(variants), one + 9);
});

test("limits out of range are refused, naming the option", async () => {
  const policy = compilePolicy({ keep: ["a"] });
  for (const [limits, pattern] of [[{ maxDepth: 0 }, /maxDepth/], [{ maxDepth: 1.5 }, /maxDepth/], [{ maxEventBytes: 1 }, /maxEventBytes/]]) {
    try {
      await createFilter(policy, limits);
      assert.unreachable("accepted " + JSON.stringify(limits));
    } catch (error) {
      assert.instance(error, RangeError);
      assert.match(error.message, pattern);
    }
  }
});

test.run();
