/**
 * Warnings at the end of a `filter` run that most likely filtered with the wrong configuration: a
 * misspelled accountKey or the wrong preset does not fail, it gives "9 kept" and nine `{}`. Counts,
 * option names and the configured accountKey only, never event content.
 */
import type { RunConfiguration, RunStats } from "./stats.js";
import { missingAccountIds } from "./stats.js";

/** Below this many events a run proves nothing (a test line, a single odd event): no warning. */
export const WARNING_MIN_EVENTS = 5;

/** More than half of `total`, and `total` large enough to mean something. */
function most(count: number, total: number): boolean {
  return total >= WARNING_MIN_EVENTS && count * 2 > total;
}

/** `accountKey`: the accounts configuration's path in use at the end of the run (with --accounts). */
export function misconfigurationWarnings(stats: RunStats, configuration: RunConfiguration, accountKey?: string): string[] {
  const warnings: string[] = [];
  if (most(stats.empty, stats.filtered)) {
    const question =
      configuration.kind === "accounts"
        ? "are the accounts' policies right for these events?"
        : `is --${configuration.kind} right for these events?`;
    const what = configuration.kind === "accounts" ? "filtered" : "kept";
    warnings.push(`warning: ${stats.empty} of ${stats.filtered} ${what} events came out empty ({}): ${question}`);
  }
  const missing = missingAccountIds(stats);
  if (accountKey !== undefined && most(missing, stats.events)) {
    warnings.push(
      `warning: ${missing} of ${stats.events} events have no account id at ${JSON.stringify(accountKey)}: is accountKey right?`,
    );
  }
  return warnings;
}
