/** The run summary written to stderr and `--stats-json`: counts and codes only, never event content. */
import { accountEntries, sortedCodes, type RunStats } from "./stats.js";
import { plural } from "./text.js";

/**
 * The summary lines (without the program prefix). The first is
 * `12 events in, 10 kept, 2 rejected (INVALID_EMBEDDED_JSON 1, UNEXPECTED_BYTE 1)`; with --accounts it
 * says how the kept events split (`10 kept (6 filtered, 4 passed through)`) and one line per account
 * follows: `account AC01: 6 events, 6 filtered, 0 passed through, 0 rejected`.
 */
export function formatSummary(stats: RunStats): string[] {
  const codes = sortedCodes(stats).map(([code, n]) => `${code} ${n}`);
  const rejected = `${stats.rejected} rejected${codes.length > 0 ? ` (${codes.join(", ")})` : ""}`;
  if (stats.accounts === undefined) return [`${plural(stats.events, "event")} in, ${stats.kept} kept, ${rejected}`];
  const lines = [
    `${plural(stats.events, "event")} in, ${stats.kept} kept (${stats.filtered} filtered, ${stats.passed} passed through), ${rejected}`,
  ];
  for (const [account, c] of accountEntries(stats)) {
    lines.push(
      `account ${account}: ${plural(c.events, "event")}, ${c.filtered} filtered, ${c.passed} passed through, ${c.rejected} rejected`,
    );
  }
  return lines;
}

/** What the run was configured with, for --stats-json. */
export type RunConfiguration =
  | { kind: "policy"; file: string; name: string }
  | { kind: "preset"; preset: string }
  | { kind: "accounts"; file: string; digest: string; reloads: number };

/** The --stats-json document. */
export function statsDocument(stats: RunStats, format: string, configuration: RunConfiguration): unknown {
  const doc: Record<string, unknown> = {
    events: stats.events,
    kept: stats.kept,
    filtered: stats.filtered,
    passed: stats.passed,
    rejected: stats.rejected,
    rejectedByCode: Object.fromEntries(sortedCodes(stats)),
  };
  if (stats.accounts !== undefined) doc["accounts"] = Object.fromEntries(accountEntries(stats));
  doc["lines"] = stats.lines;
  doc["bytesIn"] = stats.bytesIn;
  doc["bytesOut"] = stats.bytesOut;
  doc["format"] = format;
  doc["configuration"] = configuration;
  return doc;
}

/** One `--errors` line: `{"line":N,"code":"...","offset":N}` (no content). */
export function rejectionLine(r: { line: number; code: string; offset: number }): string {
  return `{"line":${r.line},"code":${JSON.stringify(r.code)},"offset":${r.offset}}\n`;
}
