/**
 * `--rejects FILE`: the raw bytes of rejected events, one per line, for inspection. They may hold PHI:
 * this is opt-in, documented as such, and the file is created readable by its owner only.
 *
 * The bytes come from the batch given to the engine: a rejection's global line number maps to a line of
 * the batch. Lines the batcher itself rejected as too large are not in memory (that is how memory stays
 * bounded) and are left out.
 */
import type { LineBatch } from "../../stream/line-batcher.js";
import type { Rejection } from "../../types.js";

const LF = 0x0a;

/**
 * The rejected lines of `batch`, each with its LF (added to a final line without one), concatenated.
 * `rejected` holds global line numbers in increasing order (as `filterLineBatch` returns them).
 */
export function rejectedLineBytes(batch: LineBatch, rejected: readonly Rejection[]): Uint8Array {
  const tooLarge = new Set(batch.tooLarge.map((r) => r.line));
  const spans: [number, number][] = [];
  let size = 0;
  const bytes = batch.bytes;
  let line = batch.firstLine;
  let start = 0;
  for (const r of rejected) {
    if (tooLarge.has(r.line)) continue;
    while (line < r.line) {
      const lf = bytes.indexOf(LF, start);
      if (lf < 0) return concat(bytes, spans, size); // cannot happen: the batch holds the line
      start = lf + 1;
      line++;
    }
    const lf = bytes.indexOf(LF, start);
    const end = lf < 0 ? bytes.length : lf;
    spans.push([start, end]);
    size += end - start + 1;
  }
  return concat(bytes, spans, size);
}

function concat(bytes: Uint8Array, spans: [number, number][], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let o = 0;
  for (const [from, to] of spans) {
    out.set(bytes.subarray(from, to), o);
    o += to - from;
    out[o++] = LF;
  }
  return out.subarray(0, o);
}
