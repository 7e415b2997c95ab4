// The JS baseline the engine is measured against: what one would write by hand.
// JSON.parse each line, pick the allowed paths from a trie built once, JSON.stringify.
// (test/support/reference.js is the stricter oracle for correctness; this is the fast plain one.)
import { compileReference } from "../test/support/reference.js";

export function createBaseline(spec) {
  const { root } = compileReference(spec);
  const DROP = undefined;
  const pick = (value, nodes, outer) => {
    if (nodes.some((n) => n.listed)) return value;
    if (Array.isArray(value)) {
      const out = [];
      for (const item of value) {
        const kept = pick(item, nodes, outer);
        if (kept !== DROP) out.push(kept);
      }
      return out;
    }
    if (value !== null && typeof value === "object") {
      const out = {};
      for (const key in value) {
        const next = [];
        for (const n of nodes) {
          const child = n.children.get(key);
          if (child) next.push(child);
          if (n.star) next.push(n.star);
        }
        if (next.length === 0) continue;
        const kept = pick(value[key], next, true);
        if (kept !== DROP) out[key] = kept;
      }
      return out;
    }
    if (typeof value === "string" && outer && nodes.some((n) => n.embedded)) {
      const inner = JSON.parse(value);
      if (inner === null || typeof inner !== "object") return DROP;
      return JSON.stringify(pick(inner, nodes, false));
    }
    return DROP;
  };
  return (line) => JSON.stringify(pick(JSON.parse(line), [root], true));
}

/**
 * Seconds the JS baseline takes for all of `batches` (NDJSON, whole lines), timed on a tenth of them
 * (it is some 10x slower than the engine) and scaled: the median of `rounds` timings.
 */
export function baselineSeconds(spec, batches, rounds) {
  const baseline = createBaseline(spec);
  const tenth = batches.slice(0, Math.max(1, Math.floor(batches.length / 10)));
  const tenthBytes = tenth.reduce((n, b) => n + b.length, 0);
  const allBytes = batches.reduce((n, b) => n + b.length, 0);
  const decoder = new TextDecoder();
  const times = Array.from({ length: rounds }, () => {
    const start = process.hrtime.bigint();
    for (const b of tenth) {
      for (const line of decoder.decode(b).split("\n")) if (line.length > 0) baseline(line);
    }
    return Number(process.hrtime.bigint() - start) / 1e9;
  });
  return [...times].sort((a, b) => a - b)[Math.floor(rounds / 2)] * (allBytes / tenthBytes);
}
