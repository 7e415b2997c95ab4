/**
 * The counters of a `filter` run: the summary on stderr and `--stats-json` are both made from them.
 * Counts and codes only, never event content. With `--accounts`, counts per configured account id;
 * every other account (its id is event content) is counted under "(unknown)".
 */
import type { FilteredBatch } from "../batcher.js";
import { UNKNOWN_ACCOUNT_KEY, type BatchResult, type RejectCode, type RouteCounts } from "../types.js";

export interface RunStats {
  /** Input bytes read. */
  bytesIn: number;
  /** Output bytes written (with --format json-array, the array's brackets and commas included). */
  bytesOut: number;
  /** NDJSON lines, blank ones included; with --format json-array, array elements. */
  lines: number;
  /** Events seen (non-blank lines or array elements). */
  events: number;
  /** Events written to the output: filtered plus passed through. */
  kept: number;
  /** Kept events that went through a policy. */
  filtered: number;
  /** Kept events copied through unchanged (accounts without HIPAA, or unknownAccount "pass"). */
  passed: number;
  rejected: number;
  rejectedByCode: Partial<Record<RejectCode, number>>;
  /** With --accounts only: counts by configured account id, others under "(unknown)". */
  accounts?: Record<string, RouteCounts>;
}

export function newRunStats(withAccounts: boolean): RunStats {
  const stats: RunStats = {
    bytesIn: 0, bytesOut: 0, lines: 0, events: 0, kept: 0, filtered: 0, passed: 0, rejected: 0, rejectedByCode: {},
  };
  if (withAccounts) stats.accounts = {};
  return stats;
}

function counts(stats: RunStats, account: string): RouteCounts {
  const accounts = stats.accounts as Record<string, RouteCounts>;
  let c = accounts[account];
  if (c === undefined) {
    c = { events: 0, filtered: 0, passed: 0, rejected: 0 };
    accounts[account] = c;
  }
  return c;
}

/**
 * Add a filtered batch. `raw` is the engine's result for it (passed and per-account counts); events the
 * batcher rejected as too large never reached the engine, so their account is not known: they count
 * under "(unknown)".
 */
export function addBatch(stats: RunStats, batch: FilteredBatch, raw: BatchResult, tooLarge: number): void {
  stats.lines += batch.lines;
  stats.events += batch.events;
  stats.kept += batch.kept;
  const passed = raw.passed ?? 0;
  stats.passed += passed;
  stats.filtered += batch.kept - passed;
  stats.rejected += batch.rejected.length;
  for (const r of batch.rejected) stats.rejectedByCode[r.code] = (stats.rejectedByCode[r.code] ?? 0) + 1;
  if (stats.accounts === undefined) return;
  for (const [account, c] of Object.entries(raw.accounts ?? {})) {
    const total = counts(stats, account);
    total.events += c.events;
    total.filtered += c.filtered;
    total.passed += c.passed;
    total.rejected += c.rejected;
  }
  if (tooLarge > 0) {
    const unknown = counts(stats, UNKNOWN_ACCOUNT_KEY);
    unknown.events += tooLarge;
    unknown.rejected += tooLarge;
  }
}

/** Accounts in report order: by id, "(unknown)" last. */
export function accountEntries(stats: RunStats): [string, RouteCounts][] {
  const entries = Object.entries(stats.accounts ?? {}).filter(([, c]) => c.events > 0);
  return entries.sort(([a], [b]) => {
    if (a === UNKNOWN_ACCOUNT_KEY) return 1;
    if (b === UNKNOWN_ACCOUNT_KEY) return -1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

export function sortedCodes(stats: RunStats): [string, number][] {
  return Object.entries(stats.rejectedByCode)
    .filter((entry): entry is [string, number] => typeof entry[1] === "number" && entry[1] > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
