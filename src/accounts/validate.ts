/**
 * Validation of the accounts configuration's value. Every problem is collected (never only the first), each
 * with the JSON path of the bad field, what was expected there and what was found; the caller throws them
 * together. The top-level fields are checked here; the policies by policy-resolver.ts, the accounts and tenants
 * by account-entries.ts.
 *
 * No Node built-ins.
 */
import { checkDetect } from "../policy/detect.js";
import type { CompiledPolicy } from "../policy/policy.js";
import { parsePath, PathSyntaxError } from "../policy/paths.js";
import { describe, isObject, show, type Problems } from "../policy/problems.js";
import { AccountEntries, unknownFields, type AccountSettings } from "./account-entries.js";
import { PolicyResolver } from "./policy-resolver.js";

export type { ConfigProblem } from "../policy/problems.js";
export { formatConfigPath, Problems } from "../policy/problems.js";
export type { AccountSettings } from "./account-entries.js";

export type UnknownAccountAction = "filter" | "reject" | "pass";
export const UNKNOWN_ACCOUNT_ACTIONS: readonly UnknownAccountAction[] = Object.freeze(["filter", "reject", "pass"]);

/** A configuration that passed validation (everything but the source and digest). */
export interface ValidatedAccounts {
  accountKey: string;
  accountKeyPath: string[];
  defaultPolicy: string;
  unknownAccount: UnknownAccountAction;
  policies: Map<string, CompiledPolicy>;
  accounts: Map<string, AccountSettings>;
}

export const DEFAULT_POLICY = "flex-insights-hipaa";
export const DEFAULT_UNKNOWN_ACCOUNT: UnknownAccountAction = "filter";

export const TOP_FIELDS: readonly string[] = Object.freeze(["accountKey", "defaultPolicy", "unknownAccount", "policies", "detect", "accounts", "tenants"]);

/** Validates a parsed configuration. Returns null when a problem was recorded (the file must not load). */
export function validateAccounts(value: unknown, problems: Problems): ValidatedAccounts | null {
  const before = problems.list.length;
  if (!isObject(value)) {
    problems.add([], `expected a JSON object (the accounts configuration), found ${describe(value)}`);
    return null;
  }
  unknownFields(value, [], TOP_FIELDS, problems);
  const accountKey = checkAccountKey(value.accountKey, problems);
  const unknownAccount = checkUnknownAccount(value.unknownAccount, problems);
  const resolver = declarePolicies(value.policies, problems);
  const defaultPolicy = value.defaultPolicy === undefined
    ? resolver.resolve(DEFAULT_POLICY, ["defaultPolicy"])
    : resolver.reference(value.defaultPolicy, ["defaultPolicy"]);

  const entries = new AccountEntries(problems, resolver, defaultPolicy);
  if (value.accounts !== undefined) entries.readAccounts(value.accounts);
  if (value.tenants !== undefined) entries.readTenants(value.tenants);
  const fileDetect = value.detect !== undefined && checkDetect(value.detect, ["detect"], problems) !== null;

  // Account detect sections are checked even when something else is wrong (every problem at once).
  const detecting = defaultPolicy === null ? null : withDetection(resolver, fileDetect ? value.detect : undefined, defaultPolicy, entries, problems);
  if (problems.list.length > before || accountKey === null || detecting === null) return null;
  const policies = new Map<string, CompiledPolicy>();
  for (const id of [detecting.defaultPolicy, ...resolver.declaredIds(), ...[...detecting.accounts.values()].map((a) => a.policy)]) {
    if (id !== null && !policies.has(id)) policies.set(id, resolver.compiled(id));
  }
  return {
    accountKey: accountKey.text,
    accountKeyPath: accountKey.path,
    defaultPolicy: detecting.defaultPolicy,
    unknownAccount,
    policies,
    accounts: detecting.accounts,
  };
}

/**
 * Detection set in the accounts file: an account's own "detect" section replaces its policy's; the file's
 * top-level "detect" applies to every filtering policy (the default one and the accounts') that has no detect
 * section of its own, with its paths optional (one section for many policies). Each combination is compiled
 * once, as a policy named after both: "my-policy+detect", "my-policy+detect[AC01]".
 */
function withDetection(resolver: PolicyResolver, fileDetect: unknown, defaultPolicy: string, entries: AccountEntries, problems: Problems) {
  const effective = (id: string): string => {
    if (fileDetect === undefined || resolver.compiled(id).detect !== null) return id;
    return resolver.withDetect(id, fileDetect, [], `${id}+detect`, true) ?? id;
  };
  const accounts = new Map<string, AccountSettings>();
  for (const [id, settings] of entries.accounts) {
    const own = entries.detects.get(id);
    if (!settings.hipaaEnabled && own) {
      problems.add([...own.parts, "detect"], "an account that is not HIPAA-enabled passes through unfiltered: detection applies only to filtered accounts (remove it, or enable HIPAA)");
    }
    if (settings.policy === null) {
      accounts.set(id, settings);
      continue;
    }
    const policy = own === undefined ? effective(settings.policy)
      : resolver.withDetect(settings.policy, own.value, own.parts, `${settings.policy}+detect[${id}]`, false) ?? settings.policy;
    accounts.set(id, policy === settings.policy ? settings : Object.freeze({ ...settings, policy }));
  }
  return { defaultPolicy: effective(defaultPolicy), accounts };
}

/** "policies" first: every reference resolves against it. */
function declarePolicies(value: unknown, problems: Problems): PolicyResolver {
  const resolver = new PolicyResolver(problems);
  if (value === undefined) return resolver;
  if (!isObject(value)) problems.add(["policies"], `expected an object of named policies, found ${describe(value)}`);
  else for (const [name, spec] of Object.entries(value)) resolver.declare(name, spec);
  return resolver;
}

function checkUnknownAccount(value: unknown, problems: Problems): UnknownAccountAction {
  if (value === undefined) return DEFAULT_UNKNOWN_ACCOUNT;
  if (typeof value === "string" && (UNKNOWN_ACCOUNT_ACTIONS as readonly string[]).includes(value)) return value as UnknownAccountAction;
  problems.add(["unknownAccount"], `expected one of "filter", "reject", "pass", found ${show(value)}`);
  return DEFAULT_UNKNOWN_ACCOUNT;
}

function checkAccountKey(value: unknown, problems: Problems): { text: string; path: string[] } | null {
  const parts = ["accountKey"];
  if (value === undefined) {
    problems.add(parts, 'missing (expected the path to the account id in each event, e.g. "AccountSid" or "data.payload.account_sid")');
    return null;
  }
  if (typeof value !== "string") {
    problems.add(parts, `expected a path string such as "AccountSid", found ${describe(value)}`);
    return null;
  }
  let segments;
  try {
    segments = parsePath(value);
  } catch (error) {
    if (!(error instanceof PathSyntaxError)) throw error;
    problems.add(parts, `bad path ${JSON.stringify(value)}: ${error.message}`);
    return null;
  }
  const path: string[] = [];
  for (const s of segments) {
    if (s.any) {
      problems.add(parts, `bad path ${JSON.stringify(value)}: "*" is not allowed here (the account id must stand at one ` +
        'literal path; write ["*"] for a key that is literally *)');
      return null;
    }
    path.push(s.key);
  }
  return { text: value, path };
}
