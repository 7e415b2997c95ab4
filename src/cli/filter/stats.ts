/**
 * The counters of a `filter` run, and what is made of them: the summary on stderr, the `--stats-json` document,
 * the `--errors` lines. Counts and codes only, never event content. With `--accounts`, counts per configured
 * account id; every other account (its id is event content) is counted under "(unknown)".
 */
import type { FilteredBatch } from "../../stream/line-batcher.js";
import {
  MISSING_ACCOUNT_KEY, UNKNOWN_ACCOUNT_KEY, type BatchResult, type Detection, type RejectCode, type RouteCounts,
} from "../../types.js";
import { plural } from "../help.js";

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
  /** Filtered events that came out as `{}`: nothing of them was kept. */
  empty: number;
  rejected: number;
  rejectedByCode: Partial<Record<RejectCode, number>>;
  /** With --accounts only: counts by configured account id, others under "(unknown)". */
  accounts?: Record<string, RouteCounts>;
  /** PHI detector hits by policy, kept path and detector (policies with a detect section). */
  detections: Map<string, Detection>;
}

export function newRunStats(withAccounts: boolean): RunStats {
  const stats: RunStats = {
    bytesIn: 0, bytesOut: 0, lines: 0, events: 0, kept: 0, filtered: 0, passed: 0, empty: 0, rejected: 0, rejectedByCode: {},
    detections: new Map(),
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
  stats.empty += batch.empty;
  stats.rejected += batch.rejected.length;
  for (const r of batch.rejected) stats.rejectedByCode[r.code] = (stats.rejectedByCode[r.code] ?? 0) + 1;
  addDetections(stats.detections, raw.detections);
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

/** Adds a batch's detector hits to a run's (keyed by policy, path and detector). */
export function addDetections(into: Map<string, Detection>, detections: readonly Detection[] | undefined): void {
  for (const d of detections ?? []) {
    const key = JSON.stringify([d.policy, d.path, d.detector]);
    const known = into.get(key);
    if (known) known.count += d.count;
    else into.set(key, { ...d });
  }
}

/** Detections in report order: by policy, then path, then detector. */
export function detectionEntries(detections: ReadonlyMap<string, Detection>): Detection[] {
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...detections.values()].sort((a, b) => order(a.policy, b.policy) || order(a.path, b.path) || order(a.detector, b.detector));
}

/**
 * One line per kept path and detector that hit: `phone at TaskAttributes.conversations.content: 3 values (count,
 * policy flex-insights-hipaa@1)`. Never a value.
 */
export function detectionLines(detections: ReadonlyMap<string, Detection>): string[] {
  return detectionEntries(detections).map((d) =>
    `${d.detector} at ${d.path}: ${plural(d.count, "value")} (${d.action}, policy ${d.policy})`);
}

/** Accounts in report order: by id, then "(unknown)", then "(no account id)". */
export function accountEntries(stats: RunStats): [string, RouteCounts][] {
  const entries = Object.entries(stats.accounts ?? {}).filter(([, c]) => c.events > 0);
  const rank = (id: string): number => (id === UNKNOWN_ACCOUNT_KEY ? 1 : id === MISSING_ACCOUNT_KEY ? 2 : 0);
  return entries.sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

export function sortedCodes(stats: RunStats): [string, number][] {
  return Object.entries(stats.rejectedByCode)
    .filter((entry): entry is [string, number] => typeof entry[1] === "number" && entry[1] > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Why a run stopped before the end of its input: a signal, or standard output closed by its reader. */
export type StopReason = "SIGINT" | "SIGTERM" | "EPIPE";

/** Events without an account id at the accountKey path (absent, or not a string). */
export function missingAccountIds(stats: RunStats): number {
  return stats.accounts?.[MISSING_ACCOUNT_KEY]?.events ?? 0;
}

/**
 * Events counted under "(unknown)": ids not configured, and events rejected before their id was read (too
 * large, the account key twice, malformed before it). The engine does not tell these two apart.
 */
export function unconfiguredAccounts(stats: RunStats): number {
  return stats.accounts?.[UNKNOWN_ACCOUNT_KEY]?.events ?? 0;
}

/** What the first summary line adds after the rejections, only when there is something to say: a sign of misconfiguration. */
function notes(stats: RunStats): string {
  const notes: string[] = [];
  if (stats.empty > 0) notes.push(`${stats.empty} came out empty ({})`);
  const missing = missingAccountIds(stats);
  if (missing > 0) notes.push(`${missing} without an account id`);
  const unknown = unconfiguredAccounts(stats);
  if (unknown > 0) notes.push(`${unknown} of unknown accounts (not configured, or not read)`);
  return notes.length > 0 ? `; ${notes.join(", ")}` : "";
}

/** The summary line of a run stopped early: the counts above cover only part of the input. */
export function stopLine(stop: StopReason): string {
  const why = stop === "EPIPE" ? "stopped: standard output was closed by its reader" : `interrupted by ${stop}`;
  return `${why} before the end of the input; the counts cover the events read until then`;
}

/**
 * The summary lines (without the program prefix). The first is
 * `12 events in, 10 kept, 2 rejected (INVALID_EMBEDDED_JSON 1, UNEXPECTED_BYTE 1)`; with --accounts it
 * says how the kept events split (`10 kept (6 filtered, 4 passed through)`) and one line per account
 * follows: `account AC01: 6 events, 6 filtered, 0 passed through, 0 rejected`. Events that came out empty
 * and events without an account id or of unknown accounts are added to the first line when there are any:
 * `...; 3 came out empty ({}), 2 without an account id, 4 of unknown accounts (not configured, or not read)`.
 */
export function formatSummary(stats: RunStats): string[] {
  const codes = sortedCodes(stats).map(([code, n]) => `${code} ${n}`);
  const rejected = `${stats.rejected} rejected${codes.length > 0 ? ` (${codes.join(", ")})` : ""}`;
  const detected = detectionLines(stats.detections).map((line) => `detected ${line}`);
  if (stats.accounts === undefined) return [`${plural(stats.events, "event")} in, ${stats.kept} kept, ${rejected}${notes(stats)}`, ...detected];
  const lines = [
    `${plural(stats.events, "event")} in, ${stats.kept} kept (${stats.filtered} filtered, ${stats.passed} passed through), ${rejected}${notes(stats)}`,
  ];
  for (const [account, c] of accountEntries(stats)) {
    lines.push(
      `account ${account}: ${plural(c.events, "event")}, ${c.filtered} filtered, ${c.passed} passed through, ${c.rejected} rejected`,
    );
  }
  return [...lines, ...detected];
}

/** What the run was configured with, for --stats-json. */
export type RunConfiguration =
  | { kind: "policy"; file: string; name: string }
  | { kind: "preset"; preset: string }
  | { kind: "accounts"; file: string; digest: string; reloads: number };

/**
 * The --stats-json document. `complete` is false when the run stopped before the end of its input, and
 * `stoppedBy` then says why (a signal name, or "EPIPE").
 */
export function statsDocument(stats: RunStats, format: string, configuration: RunConfiguration, stop?: StopReason): unknown {
  const doc: Record<string, unknown> = { complete: stop === undefined };
  if (stop !== undefined) doc["stoppedBy"] = stop;
  Object.assign(doc, {
    events: stats.events,
    kept: stats.kept,
    filtered: stats.filtered,
    passed: stats.passed,
    empty: stats.empty,
    rejected: stats.rejected,
    rejectedByCode: Object.fromEntries(sortedCodes(stats)),
  });
  if (stats.accounts !== undefined) {
    doc["missingAccountId"] = missingAccountIds(stats);
    doc["unconfiguredAccount"] = unconfiguredAccounts(stats);
    doc["accounts"] = Object.fromEntries(accountEntries(stats));
  }
  if (stats.detections.size > 0) doc["detections"] = detectionEntries(stats.detections);
  doc["lines"] = stats.lines;
  doc["bytesIn"] = stats.bytesIn;
  doc["bytesOut"] = stats.bytesOut;
  doc["format"] = format;
  doc["configuration"] = configuration;
  return doc;
}

/** One `--errors` line: `{"line":N,"code":"...","offset":N}`, and for PHI_DETECTED `"detector"` and `"path"` (no content). */
export function rejectionLine(r: { line: number; code: string; offset: number; detector?: string; path?: string }): string {
  const phi = r.detector === undefined ? "" : `,"detector":${JSON.stringify(r.detector)},"path":${JSON.stringify(r.path)}`;
  return `{"line":${r.line},"code":${JSON.stringify(r.code)},"offset":${r.offset}${phi}}\n`;
}
