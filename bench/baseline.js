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
