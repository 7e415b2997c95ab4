// A stand-in for the engine's `filterBatch`, for testing the batcher and the streams without WASM.
// It follows the batch rules of the contract: lines end at LF, a CR right before LF is dropped, blank
// lines are skipped but counted, a final line without LF counts. An event is kept (re-serialized with
// JSON.stringify) when JSON.parse accepts it and it is an object; otherwise it is rejected. A kept `{}`
// counts as empty, as an event of which the policy kept nothing does.

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });

export function createFakeFilter({ maxEventBytes = 16 << 20 } = {}) {
  const calls = [];
  return {
    limits: { maxDepth: 64, maxEventBytes },
    calls,
    filterBatch(bytes) {
      calls.push(bytes.length);
      const parts = [];
      let start = 0;
      for (let i = 0; i < bytes.length; i++) {
        if (bytes[i] === 10) {
          parts.push(bytes.subarray(start, i));
          start = i + 1;
        }
      }
      if (start < bytes.length) parts.push(bytes.subarray(start));
      const rejected = [];
      const out = [];
      let events = 0;
      let kept = 0;
      let empty = 0;
      parts.forEach((raw, index) => {
        let line = raw;
        if (line.length > 0 && line[line.length - 1] === 13) line = line.subarray(0, line.length - 1);
        if (line.every((b) => b === 32 || b === 9 || b === 13)) return;
        events++;
        if (line.length > maxEventBytes) {
          rejected.push({ line: index + 1, code: "TOO_LARGE", offset: maxEventBytes });
          return;
        }
        let value;
        try {
          value = JSON.parse(dec.decode(line));
        } catch {
          rejected.push({ line: index + 1, code: "UNEXPECTED_BYTE", offset: 0 });
          return;
        }
        if (value === null || typeof value !== "object" || Array.isArray(value)) {
          rejected.push({ line: index + 1, code: "NOT_AN_OBJECT", offset: 0 });
          return;
        }
        kept++;
        if (Object.keys(value).length === 0) empty++;
        out.push(JSON.stringify(value) + "\n");
      });
      return { output: enc.encode(out.join("")), lines: parts.length, events, kept, empty, passed: 0, rejected };
    },
  };
}

/** Split `bytes` into chunks of random sizes in [1, max]. */
export function randomChunks(bytes, max, random) {
  const chunks = [];
  let pos = 0;
  while (pos < bytes.length) {
    const size = 1 + Math.floor(random() * max);
    chunks.push(bytes.subarray(pos, pos + size));
    pos += size;
  }
  return chunks;
}

export { mulberry32 as prng } from "./random.js";

export function concat(chunks) {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}
