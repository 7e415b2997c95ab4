/**
 * The accounts configuration: which accounts are HIPAA accounts and which policy filters each one.
 *
 * ```json
 * {
 *   "accountKey": "AccountSid",
 *   "defaultPolicy": "flex-insights-hipaa",
 *   "unknownAccount": "filter",
 *   "policies": { "my-policy": { "keep": ["..."], "embeddedJson": ["..."] } },
 *   "accounts": { "AC0123...": { "hipaaEnabled": true, "policy": "my-policy" }, "AC4567...": {} },
 *   "tenants": [{ "tenantId": "7001234", "complianceSettings": { "hipaaEnabled": true, "dataRetentionDays": 0 } }]
 * }
 * ```
 *
 * A file is loaded whole or not at all: every problem is collected and thrown together as one ConfigError.
 * The rules themselves are in validate.ts, the text checks (syntax position, repeated keys, byte order mark) in
 * ../policy/strict-json.ts, the reader policy files use too. No Node built-ins: the digest uses Web Crypto.
 */
import type { CompiledPolicy } from "../policy/policy.js";
import { problemLines } from "../policy/problems.js";
import { readStrictJson } from "../policy/strict-json.js";
import { Problems, validateAccounts, type AccountSettings, type ConfigProblem, type UnknownAccountAction } from "./validate.js";

export type { AccountSettings, ConfigProblem, UnknownAccountAction } from "./validate.js";
export { DEFAULT_POLICY, DEFAULT_UNKNOWN_ACCOUNT, UNKNOWN_ACCOUNT_ACTIONS, formatConfigPath } from "./validate.js";

export interface AccountsConfig {
  /** Where the configuration came from (a file name), for messages and the audit log. */
  readonly source: string;
  /** The account id's path in each event, as written (policy path syntax). */
  readonly accountKey: string;
  /** Its literal keys, outermost first. */
  readonly accountKeyPath: readonly string[];
  /** The resolved id of the policy for HIPAA accounts without their own, and for unknown accounts under "filter". */
  readonly defaultPolicy: string;
  readonly unknownAccount: UnknownAccountAction;
  /**
   * Every policy id referenced, by id: defaultPolicy first, then the entries of "policies" in file order, then
   * presets referenced by accounts and tenants, in order of first reference.
   */
  readonly policies: ReadonlyMap<string, CompiledPolicy>;
  /** Account id → settings, from "accounts" and from "tenants" (tenantId), in file order. */
  readonly accounts: ReadonlyMap<string, AccountSettings>;
  /** "sha256:<hex>" of the configuration's canonical JSON (see canonicalJson). */
  readonly digest: string;
}

/** A configuration that cannot be used; `problems` lists every mistake found (repeated keys first, then the rest). */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  constructor(readonly source: string, problems: ConfigProblem[]) {
    super(problemLines(source, problems).join("\n"));
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/**
 * Parses and validates configuration text; `source` (a file name) prefixes every message. A syntax error is
 * reported with its line and column; a key repeated in one object is an error too (JSON.parse would silently
 * keep the last one). A leading byte order mark is ignored.
 */
export async function parseAccountsText(text: string, source: string): Promise<AccountsConfig> {
  const problems = new Problems();
  const read = readStrictJson(text, problems);
  if (read === undefined) throw new ConfigError(source, problems.list);
  return load(read.value, source, problems);
}

/** Validates an already parsed configuration (e.g. from an API); `source` names it in messages. */
export function loadAccountsConfig(value: unknown, source: string): Promise<AccountsConfig> {
  return load(value, source, new Problems());
}

async function load(value: unknown, source: string, problems: Problems): Promise<AccountsConfig> {
  const valid = validateAccounts(value, problems);
  if (valid === null || problems.list.length > 0) throw new ConfigError(source, problems.list);
  const digest = await sha256Digest(canonicalJson(value));
  return Object.freeze({
    source,
    accountKey: valid.accountKey,
    accountKeyPath: Object.freeze(valid.accountKeyPath),
    defaultPolicy: valid.defaultPolicy,
    unknownAccount: valid.unknownAccount,
    policies: valid.policies,
    accounts: valid.accounts,
    digest,
  });
}

/**
 * JSON with object keys sorted (by UTF-16 code units, JavaScript's default order) at every level, no
 * whitespace, strings and numbers as JSON.stringify writes them. Two files that differ only in key order,
 * whitespace or escapes have the same canonical JSON, hence the same digest.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(",")}}`;
  }
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`canonicalJson: ${typeof value} is not JSON`);
  return text;
}

/** "sha256:" and the lowercase hex SHA-256 of the text's UTF-8 bytes. */
export async function sha256Digest(text: string): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  let hex = "";
  for (const b of hash) hex += b.toString(16).padStart(2, "0");
  return `sha256:${hex}`;
}
