// What hipaa-sieve is measured against, on the same NDJSON bytes. Each peer: bytes in → bytes out,
// so every row pays for decoding its input and encoding its output as the engine does.
//   js baseline      JSON.parse + pick over a trie + JSON.stringify (bench/baseline.js): the same job
//   JSON.parse only  the parse alone, nothing written: a floor for any JS filter
//   json-mask        an allowlist library; it cannot decode TaskAttributes strings (not equivalent there)
//   fast-redact      a DENYLIST library (removes the listed PHI paths): not equivalent, for scale only
//   simdjson isValid the native simdjson addon validating each line: validation alone, no output
//   memory.copy      a WASM memory.copy of the batch: the ceiling for anything that writes its output
//   newline scan     finding every LF (TypedArray.indexOf): the ceiling for splitting lines
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createBaseline } from "./baseline.js";

const require = createRequire(import.meta.url);
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Calls `each(line)` for every non-empty line of the batch's text; joins what it returns with LF. */
function perLine(batch, each) {
  const source = decoder.decode(batch);
  let out = "";
  let start = 0;
  while (start < source.length) {
    let end = source.indexOf("\n", start);
    if (end < 0) end = source.length;
    if (end > start) out += each(source.slice(start, end)) + "\n";
    start = end + 1;
  }
  return encoder.encode(out);
}

export function jsBaseline(policy) {
  const pick = createBaseline(policy);
  return (batch) => perLine(batch, pick);
}

export function jsonParseOnly() {
  return (batch) => perLine(batch, (line) => (JSON.parse(line), ""));
}

/** json-mask's syntax for the policy's paths: a,b/c,b/d → a,b(c,d). Returns undefined if it has none. */
export function jsonMaskPeer(policy) {
  let mask;
  try { mask = require("json-mask"); } catch { return undefined; }
  const fields = policy.keep.map((p) => p.replaceAll(".", "/")).join(",");
  const compiled = mask.compile(fields);
  return (batch) => perLine(batch, (line) => JSON.stringify(mask.filter(JSON.parse(line), compiled)));
}

/** fast-redact removing the PHI paths the bench events carry (a denylist: it keeps what it does not know). */
export function fastRedactPeer(denyPaths) {
  let fastRedact;
  try { fastRedact = require("fast-redact"); } catch { return undefined; }
  const redact = fastRedact({ paths: denyPaths, remove: true, serialize: JSON.stringify });
  return (batch) => perLine(batch, (line) => redact(JSON.parse(line)));
}
export const TASKROUTER_PHI_PATHS = ["WorkerName", "WorkerAttributes", "WorkspaceName", "EventDescription", "TaskAttributes"];

/** simdjson's isValid per line, or a reason it cannot run here. */
export function simdjsonPeer() {
  let simdjson;
  try { simdjson = require("simdjson"); } catch (error) { return { skip: `simdjson addon not available (${error.code ?? "load error"}): npm i --no-save simdjson` }; }
  return {
    run: (batch) => {
      const source = decoder.decode(batch);
      let valid = 0;
      let start = 0;
      while (start < source.length) {
        let end = source.indexOf("\n", start);
        if (end < 0) end = source.length;
        if (end > start && simdjson.isValid(source.slice(start, end))) valid++;
        start = end + 1;
      }
      return valid;
    },
  };
}

// (module (memory (export "memory") N) (func (export "copy") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.copy))
function copyModule(pages) {
  const leb = (n) => { const out = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n); return out; };
  const memory = [0x00, ...leb(pages)]; // limits: min only
  const body = [0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfc, 0x0a, 0x00, 0x00, 0x0b];
  const section = (id, bytes) => [id, ...leb(bytes.length), ...bytes];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00]), // type: (i32 i32 i32) -> ()
    ...section(3, [0x01, 0x00]), // one function of that type
    ...section(5, [0x01, ...memory]), // memory
    ...section(7, [0x02, 0x06, ...encoder.encode("memory"), 0x02, 0x00, 0x04, ...encoder.encode("copy"), 0x00, 0x00]),
    ...section(10, [0x01, ...leb(body.length), ...body]),
  ]);
}

/** memory.copy of the batch inside WASM memory (the batch is written in once, outside the timing). */
export async function memoryCopyPeer(batch) {
  const pages = Math.ceil((batch.length * 2) / 65536) + 1;
  const { instance } = await WebAssembly.instantiate(copyModule(pages));
  new Uint8Array(instance.exports.memory.buffer).set(batch);
  return () => instance.exports.copy(batch.length, 0, batch.length);
}

export function newlineScanPeer() {
  return (batch) => {
    let lines = 0;
    for (let at = batch.indexOf(10); at >= 0; at = batch.indexOf(10, at + 1)) lines++;
    return lines;
  };
}

/**
 * The stage-1 kernel alone (bench/stage1, built to build/stage1/): every line's structural index
 * and lexical validation, no grammar, no output. The batch is copied in on every call, as the
 * engine's batch call copies it, so the two rows do the same I/O.
 */
export async function stage1Peer(variant, batch) {
  const wasm = readFileSync(new URL(`../build/stage1/${variant}.wasm`, import.meta.url));
  const { instance } = await WebAssembly.instantiate(wasm, { env: { abort() { throw new Error("stage 1: abort"); } } });
  const k = instance.exports;
  const at = k.reserve(batch.length);
  return () => {
    new Uint8Array(k.memory.buffer, at, batch.length).set(batch);
    return k.indexLines(batch.length);
  };
}

/**
 * Filters for the two routes that do not filter, on `batch` (events with an `AccountSid`):
 * `pass` (every account not listed passes: validated, copied byte-identical) and `reject` (every
 * unlisted account is UNKNOWN_ACCOUNT: validated, then rejected). Checks each does what it says.
 */
export async function routeFilters(createAccountsFilter, policy, batch, events, variant) {
  const filters = {};
  for (const unknownAccount of ["pass", "reject"]) {
    const config = { accountKeyPath: ["AccountSid"], defaultPolicy: "p", unknownAccount, policies: new Map([["p", policy]]), accounts: new Map() };
    const filter = await createAccountsFilter(config, { variant });
    const r = filter.filterBatch(batch);
    if (unknownAccount === "pass" ? r.kept !== events || r.output.length !== batch.length : r.rejected.length !== events) {
      throw new Error(`bench: the ${unknownAccount} route did not ${unknownAccount} every event`);
    }
    filters[unknownAccount] = filter;
  }
  return filters;
}
