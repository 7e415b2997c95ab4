/** The run summary written to stderr: counts and codes only, never event content. */
import type { FilterStats } from "../stream.js";

function plural(n: number, one: string, many: string = one + "s"): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `12 events in, 10 kept, 2 rejected (INVALID_EMBEDDED_JSON 1, UNEXPECTED_BYTE 1)` */
export function formatSummary(stats: FilterStats): string {
  const codes = Object.entries(stats.rejectedByCode)
    .filter((entry): entry is [string, number] => typeof entry[1] === "number" && entry[1] > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([code, n]) => `${code} ${n}`);
  const rejected = `${stats.rejected} rejected${codes.length > 0 ? ` (${codes.join(", ")})` : ""}`;
  return `${plural(stats.events, "event")} in, ${stats.kept} kept, ${rejected}`;
}

/** One `--errors` line: `{"line":N,"code":"...","offset":N}` (no content). */
export function rejectionLine(r: { line: number; code: string; offset: number }): string {
  return `{"line":${r.line},"code":${JSON.stringify(r.code)},"offset":${r.offset}}\n`;
}
