// The WASM boundary has one source of truth: the engine exports every shared number
// (assembly/abi.ts), the host reads them from it and refuses an engine that does not match.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { compilePolicy, createFilter, REJECT_CODES } from "../dist/index.js";
import { readAbi } from "../dist/engine/abi.js";
import { encodeRoutes } from "../dist/engine/encode-account-routes.js";
import { encodeTables } from "../dist/engine/encode-policy-tables.js";
import { VARIANTS, text } from "./support/harness.js";

const wasm = (variant) => new WebAssembly.Module(readFileSync(new URL(`../build/${variant}.wasm`, import.meta.url)));
const realExports = new WebAssembly.Instance(wasm("simd"), { env: { abort() {} } }).exports;
const global = (value) => new WebAssembly.Global({ value: "i32", mutable: false }, value);

/** The real exports with some replaced (a value) or removed (undefined). */
function exportsWith(changes) {
  const copy = { ...realExports };
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete copy[name];
    else copy[name] = global(value);
  }
  return copy;
}

function refusal(changes) {
  try {
    readAbi(exportsWith(changes));
  } catch (error) {
    assert.match(error.message, /^hipaa-sieve: internal error: the WebAssembly engine does not match this host: /);
    return error.message;
  }
  return assert.unreachable(`accepted ${JSON.stringify(changes)}`);
}

const value = (name) => realExports[name].value;

test("every build exports every public rejection code, distinct, and no other", () => {
  for (const variant of VARIANTS) {
    const exports = new WebAssembly.Instance(wasm(variant), { env: { abort() {} } }).exports;
    const abi = readAbi(exports);
    assert.equal([...abi.codeNames.values()].sort(), [...REJECT_CODES].sort(), variant);
    assert.is(abi.codeNames.size, REJECT_CODES.length, `${variant}: distinct`);
    assert.not.ok(abi.codeNames.has(abi.ok), `${variant}: OK is no rejection`);
    assert.is(abi.variant, variant, `${variant}: the module says which build it is`);
  }
});

test("a rejection code missing, renamed or unknown to the host refuses the engine", () => {
  assert.match(refusal({ REJECT_TOO_DEEP: undefined }), /REJECT_TOO_DEEP is not exported/);
  const renamed = refusal({ REJECT_TOO_DEEP: undefined, REJECT_TOO_DEEPLY: value("REJECT_TOO_DEEP") });
  assert.match(renamed, /REJECT_TOO_DEEP is not exported/);
  assert.match(renamed, /REJECT_TOO_DEEPLY is not a code the host knows/);
  assert.match(refusal({ REJECT_SOMETHING_NEW: 99 }), /REJECT_SOMETHING_NEW is not a code the host knows/);
});

test("two codes with one value, or a code equal to OK, refuse the engine", () => {
  assert.match(refusal({ REJECT_DUPLICATE_KEY: value("REJECT_TOO_LARGE") }), /rejection codes TOO_LARGE and DUPLICATE_KEY are both 11/);
  assert.match(refusal({ REJECT_UNKNOWN_ACCOUNT: value("OK") }), /rejection codes OK and UNKNOWN_ACCOUNT are both 0/);
});

test("route actions, route outcomes, flags and status fields must be distinct and sane", () => {
  assert.match(refusal({ ACTION_PASS: value("ACTION_FILTER") }), /route actions filter and pass are both/);
  assert.match(refusal({ ROUTE_PASSED: value("ROUTE_FILTERED") }), /route outcomes filtered and passed are both/);
  assert.match(refusal({ FLAG_EMBEDDED_JSON: 3 }), /node flag embeddedJson 3 is not a single bit/);
  assert.match(refusal({ STATUS_ROUTE: value("STATUS_CODE") }), /status fields code and route are both/);
  assert.match(refusal({ STATUS_ROUTE: value("STATUS_BYTES") }), /status field route at (\d+) does not fit a \1-byte record/);
  assert.match(refusal({ ACCOUNT_ID_MISSING: 0 }), /ACCOUNT_ID_MISSING is 0/);
  assert.match(refusal({ VARIANT: 9 }), /VARIANT 9 is none of/);
  assert.match(refusal({ TABLES_MAGIC: value("ROUTES_MAGIC") }), /blob magics tables and routes are both/);
});

test("the host encodes with the engine's numbers, not its own: swapped actions are followed", () => {
  const swapped = readAbi(exportsWith({ ACTION_FILTER: value("ACTION_PASS"), ACTION_PASS: value("ACTION_FILTER") }));
  const config = {
    accountKeyPath: ["AccountSid"], defaultPolicy: "p", unknownAccount: "filter",
    policies: new Map([["p", compilePolicy({ keep: ["a"] })]]),
    accounts: new Map([["AC1", { hipaaEnabled: true, policy: null }], ["AC2", { hipaaEnabled: false, policy: null }]]),
  };
  const words = (blob) => new Uint32Array(blob.buffer.slice(0, blob.length & ~3));
  const normal = words(encodeRoutes(config, readAbi(realExports)).blob);
  const followed = words(encodeRoutes(config, swapped).blob);
  // header: magic, segments, accounts, keyBytes, unknownAction, unknownPolicy; then 1 segment (2 words).
  assert.is(normal[4], value("ACTION_FILTER"));
  assert.is(followed[4], value("ACTION_PASS"), "unknown accounts: the engine's filter action");
  const account = (w, i) => w[6 + 2 + i * 4 + 2];
  assert.equal([account(followed, 0), account(followed, 1)], [value("ACTION_PASS"), value("ACTION_FILTER")]);
  const flagged = readAbi(exportsWith({ FLAG_KEEP_WHOLE: 8 }));
  const nodes = words(encodeTables([compilePolicy({ keep: ["a"] })], flagged).blob);
  // header: 9 words; node records: 6 words, flags first
  assert.ok([...nodes.slice(9, 9 + 6 * nodes[1])].some((w, i) => i % 6 === 0 && w === 8), "kept-whole nodes carry the engine's flag");
  const detecting = readAbi(exportsWith({ DETECT_REJECT: 1 << 29 }));
  const detect = words(encodeTables([compilePolicy({ keep: ["a"], detect: { detectors: ["phone"] } })], detecting).blob);
  const detectWords = [...detect.slice(9, 9 + 6 * detect[1])].filter((_, i) => i % 6 === 4);
  assert.ok(detectWords.includes((1 << 29) | (1 << value("DETECTOR_PHONE")) | value("DETECT_NUMBERS")), "detect words carry the engine's bits");
});

test("the variant is the module's own, whatever it is loaded from", async () => {
  const policy = compilePolicy({ keep: ["a"] });
  for (const variant of VARIANTS) {
    const fromModule = await createFilter(policy, { module: wasm(variant) });
    assert.is(fromModule.variant, variant, "module, no variant said");
    const fromBytes = await createFilter(policy, { wasmBytes: readFileSync(new URL(`../build/${variant}.wasm`, import.meta.url)) });
    assert.is(fromBytes.variant, variant, "bytes, no variant said");
    assert.is(text(fromModule.filterEvent('{"a":1,"b":2}').output), '{"a":1}');
  }
  try {
    await createFilter(policy, { module: wasm("scalar"), variant: "simd" });
    assert.unreachable("a scalar module accepted as simd");
  } catch (error) {
    assert.match(error.message, /the engine given is the scalar build, not the simd build asked for/);
  }
});

test.run();
