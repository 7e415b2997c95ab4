/**
 * Validation of the accounts configuration's value. Every problem is collected (never only the first), each
 * with the JSON path of the bad field and what was expected there; the caller throws them together.
 *
 * Policy names and references:
 * - A reference (`defaultPolicy`, an account's or tenant's `policy`) is a name from "policies", or a preset name
 *   (its newest version), or a preset id `name@version`. It resolves to an id: the policy's name, or the
 *   preset's `name@version`.
 * - A name in "policies" may not contain "@" and may not be a preset's name, so the two never shadow each other
 *   and a reference means the same thing whatever else the file holds.
 *
 * No Node built-ins.
 */
import { compilePolicy, PolicyError, type CompiledPolicy } from "../policy/policy.js";
import { parsePath, PathSyntaxError } from "../policy/paths.js";
import { findPreset, presetPolicy, presetVersions, PRESET_NAMES } from "../policy/presets.js";
import type { PathPart } from "../policy/strict-json.js";

export type UnknownAccountAction = "filter" | "reject" | "pass";
export const UNKNOWN_ACCOUNT_ACTIONS: readonly UnknownAccountAction[] = Object.freeze(["filter", "reject", "pass"]);

export interface ConfigProblem {
  /** JSON path of the bad field, e.g. `accounts["AC01"].policy`; "(file)" for the file as a whole. */
  path: string;
  expected: string;
}

export interface AccountSettings {
  hipaaEnabled: boolean;
  /** The resolved policy id (e.g. "my-policy", "flex-insights-hipaa@1"); null when hipaaEnabled is false. */
  policy: string | null;
}

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

const TOP_FIELDS = ["accountKey", "defaultPolicy", "unknownAccount", "policies", "accounts", "tenants"];
const ACCOUNT_FIELDS = ["hipaaEnabled", "policy"];
const TENANT_FIELDS = ["tenantId", "complianceSettings", "policy"];
/** complianceSettings as CTICloud documents it; only hipaaEnabled matters here, the rest is checked and ignored. */
const COMPLIANCE_FIELDS = ["hipaaEnabled", "dataRetentionDays", "recordingEnabled", "transcriptionStorage"];

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * A JSON path as messages show it: schema fields dotted (`tenants[0].complianceSettings.hipaaEnabled`), keys that
 * are data (account ids, policy names: the keys of "accounts" and "policies") always as bracketed JSON strings
 * (`accounts["AC01"].policy`, `policies["my-policy"].keep[2]`), and any other key that is not an identifier
 * bracketed too. The empty path is "(file)".
 */
export function formatConfigPath(parts: readonly PathPart[]): string {
  let out = "";
  parts.forEach((part, i) => {
    if (typeof part === "number") out += `[${part}]`;
    else if ((i === 1 && (parts[0] === "accounts" || parts[0] === "policies")) || !IDENTIFIER.test(part)) {
      out += `[${JSON.stringify(part)}]`;
    } else out += out ? `.${part}` : part;
  });
  return out || "(file)";
}

/** Problems, in the order found. */
export class Problems {
  readonly list: ConfigProblem[] = [];
  add(parts: readonly PathPart[], expected: string): void {
    this.list.push({ path: formatConfigPath(parts), expected });
  }
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return "a string";
  return `a ${typeof v}`;
}

/** Validates a parsed configuration. Returns null when a problem was recorded (the file must not load). */
export function validateAccounts(value: unknown, problems: Problems): ValidatedAccounts | null {
  const before = problems.list.length;
  if (!isObject(value)) {
    problems.add([], `expected a JSON object (the accounts configuration), found ${describe(value)}`);
    return null;
  }
  unknownFields(value, [], TOP_FIELDS, problems);

  const accountKey = checkAccountKey(value.accountKey, problems);

  let unknownAccount = DEFAULT_UNKNOWN_ACCOUNT;
  if (value.unknownAccount !== undefined) {
    if (typeof value.unknownAccount === "string" && (UNKNOWN_ACCOUNT_ACTIONS as readonly string[]).includes(value.unknownAccount)) {
      unknownAccount = value.unknownAccount as UnknownAccountAction;
    } else {
      problems.add(["unknownAccount"], `expected one of "filter", "reject", "pass", found ${show(value.unknownAccount)}`);
    }
  }

  // "policies" first: references below resolve against it.
  const resolver = new PolicyResolver(problems);
  if (value.policies !== undefined) {
    if (!isObject(value.policies)) problems.add(["policies"], `expected an object of named policies, found ${describe(value.policies)}`);
    else for (const [name, spec] of Object.entries(value.policies)) resolver.declare(name, spec);
  }

  let defaultPolicy: string | null = null;
  if (value.defaultPolicy === undefined) defaultPolicy = resolver.resolve(DEFAULT_POLICY, ["defaultPolicy"]);
  else defaultPolicy = resolver.reference(value.defaultPolicy, ["defaultPolicy"]);
  const order: (string | null)[] = [defaultPolicy, ...resolver.declaredIds()];

  const accounts = new Map<string, AccountSettings>();
  const where = new Map<string, string>(); // account id -> path of its first definition, for duplicates
  const account = (id: string, idParts: PathPart[], entryParts: PathPart[], hipaa: unknown, hipaaParts: PathPart[], policy: unknown): void => {
    const hipaaEnabled = hipaa === undefined ? false : hipaa;
    if (typeof hipaaEnabled !== "boolean") problems.add(hipaaParts, `expected true or false, found ${show(hipaa)}`);
    const resolved = policy === undefined ? defaultPolicy : resolver.reference(policy, [...entryParts, "policy"]);
    if (policy !== undefined) order.push(resolved);
    const first = where.get(id);
    if (first !== undefined) {
      problems.add(idParts, `duplicate account ${JSON.stringify(id)} (already configured at ${first}); each account may appear only once`);
      return;
    }
    where.set(id, formatConfigPath(entryParts));
    if (!checkAccountId(id, idParts, problems)) return;
    accounts.set(id, Object.freeze({ hipaaEnabled: hipaaEnabled === true, policy: hipaaEnabled === true ? resolved : null }));
  };

  if (value.accounts !== undefined) {
    if (!isObject(value.accounts)) problems.add(["accounts"], `expected an object of account ids to settings, found ${describe(value.accounts)}`);
    else {
      for (const [id, entry] of Object.entries(value.accounts)) {
        const parts = ["accounts", id];
        if (!isObject(entry)) {
          problems.add(parts, `expected an object like {"hipaaEnabled": true, "policy": "..."}, found ${describe(entry)}`);
          where.set(id, formatConfigPath(parts));
          continue;
        }
        unknownFields(entry, parts, ACCOUNT_FIELDS, problems);
        account(id, parts, parts, entry.hipaaEnabled, [...parts, "hipaaEnabled"], entry.policy);
      }
    }
  }

  if (value.tenants !== undefined) {
    if (!Array.isArray(value.tenants)) problems.add(["tenants"], `expected an array of CTICloud tenant settings, found ${describe(value.tenants)}`);
    else {
      value.tenants.forEach((entry: unknown, i: number) => {
        const parts = ["tenants", i];
        if (!isObject(entry)) {
          problems.add(parts, `expected an object like {"tenantId": "7001234", "complianceSettings": {"hipaaEnabled": true}}, found ${describe(entry)}`);
          return;
        }
        unknownFields(entry, parts, TENANT_FIELDS, problems);
        const settings = checkComplianceSettings(entry.complianceSettings, [...parts, "complianceSettings"], problems);
        if (typeof entry.tenantId !== "string") {
          problems.add([...parts, "tenantId"], entry.tenantId === undefined
            ? "missing (expected the tenant id, a string such as \"7001234\")"
            : `expected the tenant id as a string (account ids are matched as strings), found ${show(entry.tenantId)}`);
          if (entry.policy !== undefined) resolver.reference(entry.policy, [...parts, "policy"]);
          return;
        }
        account(entry.tenantId, [...parts, "tenantId"], parts, settings?.hipaaEnabled, [...parts, "complianceSettings", "hipaaEnabled"], entry.policy);
      });
    }
  }

  if (problems.list.length > before || accountKey === null || defaultPolicy === null) return null;
  const policies = new Map<string, CompiledPolicy>();
  for (const id of order) if (id !== null && !policies.has(id)) policies.set(id, resolver.compiled(id));
  return {
    accountKey: accountKey.text,
    accountKeyPath: accountKey.path,
    defaultPolicy,
    unknownAccount,
    policies,
    accounts,
  };
}

function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return describe(v);
}

function unknownFields(record: Json, parts: PathPart[], allowed: readonly string[], problems: Problems): void {
  for (const field of Object.keys(record)) {
    if (!allowed.includes(field)) problems.add([...parts, field], `unknown field (expected one of: ${allowed.join(", ")})`);
  }
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

function checkAccountId(id: string, parts: PathPart[], problems: Problems): boolean {
  if (id.length === 0) {
    problems.add(parts, "expected a non-empty account id");
    return false;
  }
  if (!id.isWellFormed()) {
    problems.add(parts, "expected an account id without lone surrogates (it could never match UTF-8 event bytes)");
    return false;
  }
  return true;
}

function checkComplianceSettings(value: unknown, parts: PathPart[], problems: Problems): { hipaaEnabled: unknown } | null {
  if (value === undefined) return null;
  if (!isObject(value)) {
    problems.add(parts, `expected an object like {"hipaaEnabled": true, "dataRetentionDays": 0}, found ${describe(value)}`);
    return null;
  }
  unknownFields(value, parts, COMPLIANCE_FIELDS, problems);
  const d = value.dataRetentionDays;
  if (d !== undefined && !(typeof d === "number" && Number.isInteger(d) && d >= 0)) {
    problems.add([...parts, "dataRetentionDays"], `expected a whole number of days, 0 or more, found ${show(d)}`);
  }
  for (const field of ["recordingEnabled", "transcriptionStorage"]) {
    if (value[field] !== undefined && typeof value[field] !== "boolean") {
      problems.add([...parts, field], `expected true or false, found ${show(value[field])}`);
    }
  }
  return { hipaaEnabled: value.hipaaEnabled };
}

const POLICY_ENTRY = /^(keep|embeddedJson)(?:\[([0-9]+)\])?$/;

/** The policies of one file: those declared in "policies", and presets, by reference. */
class PolicyResolver {
  /** Declared names → compiled policy, or null when the declaration was refused (already reported). */
  private readonly declared = new Map<string, CompiledPolicy | null>();

  constructor(private readonly problems: Problems) {}

  declare(name: string, spec: unknown): void {
    const parts: PathPart[] = ["policies", name];
    this.declared.set(name, null);
    const refused = (expected: string) => this.problems.add(parts, expected);
    if (name.length === 0) return refused("expected a non-empty policy name");
    if (!name.isWellFormed()) return refused("expected a policy name without lone surrogates");
    if (name.includes("@")) return refused('a policy name may not contain "@" ("@" marks a preset version, as in flex-insights-hipaa@1)');
    if (findPreset(name)) {
      return refused(`a policy name may not be a preset's name (presets: ${PRESET_NAMES.join(", ")}); choose another name`);
    }
    if (isObject(spec) && spec.name !== undefined && spec.name !== name) {
      this.problems.add([...parts, "name"], `expected ${JSON.stringify(name)} (the key in "policies" names the policy) or no name, found ${show(spec.name)}`);
      return;
    }
    try {
      this.declared.set(name, compilePolicy(spec, formatConfigPath(parts), name));
    } catch (error) {
      if (!(error instanceof PolicyError)) throw error;
      this.problems.add([...parts, ...policyEntryParts(error.entry)], error.expected);
    }
  }

  /** The ids of every declared policy that compiled, in file order. */
  declaredIds(): string[] {
    return [...this.declared].filter(([, p]) => p !== null).map(([name]) => name);
  }

  /** A reference as written in the file; records a problem and returns null when it does not resolve. */
  reference(value: unknown, parts: PathPart[]): string | null {
    if (typeof value !== "string") {
      this.problems.add(parts, `expected a policy name (a string), found ${describe(value)}`);
      return null;
    }
    return this.resolve(value, parts);
  }

  resolve(name: string, parts: PathPart[]): string | null {
    if (this.declared.has(name)) return this.declared.get(name) ? name : null; // a refused policy: reported already
    const preset = findPreset(name);
    if (preset) return preset.id;
    const at = name.lastIndexOf("@");
    const versions = at > 0 ? presetVersions(name.slice(0, at)) : [];
    if (versions.length > 0) {
      this.problems.add(parts, `unknown preset version ${JSON.stringify(name)} (versions of ${name.slice(0, at)}: ${versions.join(", ")})`);
    } else {
      const names = [...this.declared.keys()].map((n) => JSON.stringify(n));
      this.problems.add(parts, `unknown policy ${JSON.stringify(name)} (expected a name from "policies"` +
        `${names.length ? ` (${names.join(", ")})` : ""} or a preset: ${PRESET_NAMES.join(", ")}, optionally with @version)`);
    }
    return null;
  }

  /** The compiled policy of a resolved id. */
  compiled(id: string): CompiledPolicy {
    return this.declared.get(id) ?? presetPolicy(id);
  }
}

/** The path parts of a PolicyError entry: "(policy)", "keep", "keep[2]", "embeddedJson[0]", "name", or a field. */
function policyEntryParts(entry: string): PathPart[] {
  if (entry === "(policy)") return [];
  const m = POLICY_ENTRY.exec(entry);
  if (m) return m[2] === undefined ? [m[1]] : [m[1], Number(m[2])];
  return [entry];
}
