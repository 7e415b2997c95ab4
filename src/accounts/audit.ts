/**
 * Audit records: what a configuration load changed. Built from configurations only, never from events, so no
 * event content can reach the audit log. A pure function of its arguments.
 *
 * For each load:
 * - one "load" record: the new digest and source, the previous digest (null on the first load), the settings
 *   that route unknown accounts (accountKey, defaultPolicy, unknownAccount), counts, and the ids of named
 *   policies whose definition changed while keeping their name (an account using one has no "change" record,
 *   since its policy id is the same: this list and the digest show it);
 * - one "change" record per account and field ("hipaaEnabled", then "policy") whose value differs. An account
 *   added has old: null, one removed has new: null. The first load (previous null) counts as a change from an
 *   empty configuration, so the log alone tells every account's state from the first load on.
 *
 * An account's "policy" is its resolved policy id, or null while hipaaEnabled is false (nothing filters it), so
 * a change of defaultPolicy shows on every HIPAA account that uses it.
 */
import type { AccountsConfig } from "./config.js";
import type { AccountSettings } from "./validate.js";
import type { CompiledPolicy } from "../policy/policy.js";

export interface AuditRecord {
  /** ISO 8601 time of the load. */
  time: string;
  event: "load" | "change";
  /** The account id ("change" records only). */
  account?: string;
  field?: "hipaaEnabled" | "policy";
  old?: unknown;
  new?: unknown;
  /** The digest of the configuration loaded. */
  digest: string;
  source: string;
  // "load" records only:
  previousDigest?: string | null;
  accountKey?: string;
  defaultPolicy?: string;
  unknownAccount?: string;
  /** Accounts configured, and of those, with hipaaEnabled true. */
  accounts?: number;
  hipaaAccounts?: number;
  /** Policies present before and after whose paths (keep, embeddedJson) changed. */
  changedPolicies?: string[];
}

const FIELDS = ["hipaaEnabled", "policy"] as const;

/** The records of loading `next` after `previous` (null: nothing was loaded before). */
export function auditRecords(previous: AccountsConfig | null, next: AccountsConfig, time: Date = new Date()): AuditRecord[] {
  const at = time.toISOString();
  const base = { time: at, digest: next.digest, source: next.source };
  let hipaaAccounts = 0;
  for (const s of next.accounts.values()) if (s.hipaaEnabled) hipaaAccounts++;
  const records: AuditRecord[] = [{
    ...base,
    event: "load",
    previousDigest: previous ? previous.digest : null,
    accountKey: next.accountKey,
    defaultPolicy: next.defaultPolicy,
    unknownAccount: next.unknownAccount,
    accounts: next.accounts.size,
    hipaaAccounts,
    changedPolicies: previous ? changedPolicies(previous, next) : [],
  }];
  const before = previous?.accounts ?? new Map<string, AccountSettings>();
  const ids = [...next.accounts.keys(), ...[...before.keys()].filter((id) => !next.accounts.has(id))];
  for (const account of ids) {
    const old = before.get(account);
    const now = next.accounts.get(account);
    for (const field of FIELDS) {
      const o = old ? old[field] : null;
      const n = now ? now[field] : null;
      if (o !== n) records.push({ ...base, event: "change", account, field, old: o, new: n });
    }
  }
  return records;
}

function changedPolicies(previous: AccountsConfig, next: AccountsConfig): string[] {
  const changed: string[] = [];
  for (const [id, policy] of next.policies) {
    const old = previous.policies.get(id);
    if (old && rules(old) !== rules(policy)) changed.push(id);
  }
  return changed;
}

/** What a policy filters by (its name and description do not matter here). */
const rules = (p: CompiledPolicy) => JSON.stringify([p.spec.keep, p.spec.embeddedJson ?? []]);
