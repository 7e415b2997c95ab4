/**
 * The counters of a `nats` run and its summary lines, like the `filter` command's: events, kept (filtered,
 * passed through), rejected by code, per configured account, plus what the broker did: published, dropped
 * as duplicates by the output stream, retried, redelivered. Counts and codes only, never event content;
 * accounts that are not configured are counted together under "(unknown)".
 */
import { MISSING_ACCOUNT_KEY, UNKNOWN_ACCOUNT_KEY, type RejectCode, type RouteCounts } from "../types.js";
import type { BatchOutcomes } from "./message-batch.js";

export interface NatsRunStats {
  /** Messages taken from the input consumer (a redelivered one counts each time). */
  events: number;
  /** Of those, deliveries the server marked as redelivered. */
  redelivered: number;
  kept: number;
  filtered: number;
  passed: number;
  rejected: number;
  rejectedByCode: Partial<Record<RejectCode, number>>;
  /** With an accounts filter: counts by configured account id, others under "(unknown)". */
  accounts?: Record<string, RouteCounts>;
  bytesIn: number;
  /** Bytes of the kept events published. */
  bytesOut: number;
  /** Messages stored by the output streams (events, rejection records, raw rejects). */
  published: number;
  /** Publishes the output stream acknowledged as duplicates of a message it already held (redeliveries). */
  duplicates: number;
  /** Publishes that failed and were tried again. */
  publishRetries: number;
  /** Fetches from the consumer that failed. */
  fetchFailures: number;
  /** Input messages acked (each after everything it produced was stored). */
  acked: number;
  /** Input messages handed back unacked at an abandoned shutdown (redelivered to another process). */
  abandoned: number;
  /** Batches (fetches) filtered. */
  batches: number;
  /** Configurations swapped in (--watch). */
  reloads: number;
}

export function newNatsRunStats(withAccounts: boolean): NatsRunStats {
  const stats: NatsRunStats = {
    events: 0, redelivered: 0, kept: 0, filtered: 0, passed: 0, rejected: 0, rejectedByCode: {}, bytesIn: 0, bytesOut: 0,
    published: 0, duplicates: 0, publishRetries: 0, fetchFailures: 0, acked: 0, abandoned: 0, batches: 0, reloads: 0,
  };
  if (withAccounts) stats.accounts = {};
  return stats;
}

export function addOutcomes(stats: NatsRunStats, result: BatchOutcomes): void {
  stats.batches++;
  stats.events += result.outcomes.length;
  for (const o of result.outcomes) {
    if (o.kind === "kept") {
      stats.kept++;
      continue;
    }
    stats.rejected++;
    stats.rejectedByCode[o.code] = (stats.rejectedByCode[o.code] ?? 0) + 1;
  }
  stats.passed += result.passed;
  stats.filtered = stats.kept - stats.passed;
  if (result.accounts === undefined) return;
  const accounts = (stats.accounts ??= {});
  for (const [id, c] of Object.entries(result.accounts)) {
    const total = (accounts[id] ??= { events: 0, filtered: 0, passed: 0, rejected: 0 });
    total.events += c.events;
    total.filtered += c.filtered;
    total.passed += c.passed;
    total.rejected += c.rejected;
  }
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Summary lines, without the program prefix. */
export function formatNatsSummary(stats: NatsRunStats): string[] {
  const codes = Object.entries(stats.rejectedByCode)
    .filter(([, n]) => (n ?? 0) > 0)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([code, n]) => `${code} ${n}`);
  const rejected = `${stats.rejected} rejected${codes.length > 0 ? ` (${codes.join(", ")})` : ""}`;
  const lines = [
    `${plural(stats.events, "event")} in (${stats.redelivered} redelivered), ${stats.kept} kept (${stats.filtered} filtered, ` +
      `${stats.passed} passed through), ${rejected}`,
    `${plural(stats.published, "message")} published, ${stats.duplicates} dropped by the stream as duplicates, ` +
      `${stats.publishRetries} publish retries, ${stats.fetchFailures} failed fetches, ${stats.acked} acked` +
      (stats.abandoned > 0 ? `, ${stats.abandoned} left unacked for redelivery` : ""),
  ];
  const rank = (id: string): number => (id === UNKNOWN_ACCOUNT_KEY ? 1 : id === MISSING_ACCOUNT_KEY ? 2 : 0);
  const accounts = Object.entries(stats.accounts ?? {})
    .filter(([, c]) => c.events > 0)
    .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  for (const [id, c] of accounts) {
    lines.push(`account ${id}: ${plural(c.events, "event")}, ${c.filtered} filtered, ${c.passed} passed through, ${c.rejected} rejected`);
  }
  return lines;
}
