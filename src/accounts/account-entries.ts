/**
 * The accounts of a configuration: the "accounts" object (id → settings) and CTICloud's "tenants" array
 * (tenantId + complianceSettings). Both forms land in one map, and an id may appear only once across them.
 */
import { describe, formatConfigPath, isObject, show, type PathPart, type Problems } from "../policy/problems.js";
import { didYouMean } from "../policy/suggest.js";
import type { PolicyResolver } from "./policy-resolver.js";

export interface AccountSettings {
  hipaaEnabled: boolean;
  /** The resolved policy id (e.g. "my-policy", "flex-insights-hipaa@1"); null when hipaaEnabled is false. */
  policy: string | null;
  /**
   * The environment variable holding this account's Twilio auth token (the webhook receiver checks its
   * requests' signatures with it); absent: the receiver's default token. A name, never the token itself.
   */
  authTokenEnv?: string;
}

type Json = Record<string, unknown>;

const ACCOUNT_FIELDS = ["hipaaEnabled", "policy", "detect", "authTokenEnv"];
/** An environment variable's name as shells write it: the field must not be able to hold a token. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TENANT_FIELDS = ["tenantId", "complianceSettings", "policy", "detect"];
/** complianceSettings as CTICloud documents it; only hipaaEnabled matters here, the rest is checked and ignored. */
const COMPLIANCE_FIELDS = ["hipaaEnabled", "dataRetentionDays", "recordingEnabled", "transcriptionStorage"];

/** Each field of `record` not in `allowed` is a problem, with the closest allowed name when one is close. */
export function unknownFields(record: Json, parts: PathPart[], allowed: readonly string[], problems: Problems): void {
  for (const field of Object.keys(record)) {
    if (!allowed.includes(field)) {
      problems.add([...parts, field], `unknown field (${didYouMean(field, allowed)}expected one of: ${allowed.join(", ")})`);
    }
  }
}

/** Collects accounts from both forms; `accounts` holds the valid ones, in file order. */
export class AccountEntries {
  readonly accounts = new Map<string, AccountSettings>();
  /** Account id → path of its first definition, for duplicates (malformed entries included); formatted only when needed. */
  private readonly where = new Map<string, readonly PathPart[]>();
  /** Policy ids referenced by accounts, in order (null for references that did not resolve). */
  readonly referenced: (string | null)[] = [];
  /** Account id → its own "detect" section as written, and where (validate.ts compiles it with the account's policy). */
  readonly detects = new Map<string, { value: unknown; parts: PathPart[] }>();

  constructor(private readonly problems: Problems, private readonly resolver: PolicyResolver,
    private readonly defaultPolicy: string | null) {}

  /** The "accounts" object. */
  readAccounts(value: unknown): void {
    if (!isObject(value)) {
      this.problems.add(["accounts"], `expected an object of account ids to settings, found ${describe(value)}`);
      return;
    }
    for (const [id, entry] of Object.entries(value)) {
      const parts = ["accounts", id];
      if (!isObject(entry)) {
        this.problems.add(parts, `expected an object like {"hipaaEnabled": true, "policy": "..."}, found ${describe(entry)}`);
        this.where.set(id, parts);
        continue;
      }
      unknownFields(entry, parts, ACCOUNT_FIELDS, this.problems);
      this.add(id, parts, parts, entry.hipaaEnabled, [...parts, "hipaaEnabled"], entry.policy, this.tokenEnv(entry.authTokenEnv, [...parts, "authTokenEnv"]));
      if (entry.detect !== undefined && this.accounts.has(id)) this.detects.set(id, { value: entry.detect, parts });
    }
  }

  /** The "tenants" array. */
  readTenants(value: unknown): void {
    if (!Array.isArray(value)) {
      this.problems.add(["tenants"], `expected an array of CTICloud tenant settings, found ${describe(value)}`);
      return;
    }
    value.forEach((entry: unknown, i: number) => {
      const parts = ["tenants", i];
      if (!isObject(entry)) {
        this.problems.add(parts, `expected an object like {"tenantId": "7001234", "complianceSettings": {"hipaaEnabled": true}}, found ${describe(entry)}`);
        return;
      }
      unknownFields(entry, parts, TENANT_FIELDS, this.problems);
      const settings = this.complianceSettings(entry.complianceSettings, [...parts, "complianceSettings"]);
      if (typeof entry.tenantId !== "string") {
        this.problems.add([...parts, "tenantId"], entry.tenantId === undefined
          ? "missing (expected the tenant id, a string such as \"7001234\")"
          : `expected the tenant id as a string (account ids are matched as strings), found ${show(entry.tenantId)}`);
        if (entry.policy !== undefined) this.resolver.reference(entry.policy, [...parts, "policy"]);
        return;
      }
      this.add(entry.tenantId, [...parts, "tenantId"], parts, settings?.hipaaEnabled, [...parts, "complianceSettings", "hipaaEnabled"], entry.policy);
      if (entry.detect !== undefined && this.accounts.has(entry.tenantId)) this.detects.set(entry.tenantId, { value: entry.detect, parts });
    });
  }

  /** One account, from either form: `idParts` is where its id stands, `entryParts` its settings. */
  private add(id: string, idParts: PathPart[], entryParts: PathPart[], hipaa: unknown, hipaaParts: PathPart[], policy: unknown,
    authTokenEnv?: string): void {
    const hipaaEnabled = hipaa === undefined ? false : hipaa;
    if (typeof hipaaEnabled !== "boolean") this.problems.add(hipaaParts, `expected true or false, found ${show(hipaa)}`);
    const resolved = policy === undefined ? this.defaultPolicy : this.resolver.reference(policy, [...entryParts, "policy"]);
    if (policy !== undefined) this.referenced.push(resolved);
    const first = this.where.get(id);
    if (first !== undefined) {
      this.problems.add(idParts, `duplicate account ${JSON.stringify(id)} (already configured at ${formatConfigPath(first)}); each account may appear only once`);
      return;
    }
    this.where.set(id, entryParts);
    if (!this.checkId(id, idParts)) return;
    const settings: AccountSettings = { hipaaEnabled: hipaaEnabled === true, policy: hipaaEnabled === true ? resolved : null };
    if (authTokenEnv !== undefined) settings.authTokenEnv = authTokenEnv;
    this.accounts.set(id, Object.freeze(settings));
  }

  /** "authTokenEnv": absent, or a variable's name. The value is not shown: a token pasted here must not reach a message. */
  private tokenEnv(value: unknown, parts: PathPart[]): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value === "string" && ENV_NAME.test(value)) return value;
    this.problems.add(parts, `expected the name of an environment variable holding the auth token (letters, digits and _, not starting with a digit), found ${typeof value === "string" ? `a string of ${value.length} characters that is not one` : describe(value)}`);
    return undefined;
  }

  private checkId(id: string, parts: PathPart[]): boolean {
    if (id.length === 0) {
      this.problems.add(parts, "expected a non-empty account id");
      return false;
    }
    if (!id.isWellFormed()) {
      this.problems.add(parts, "expected an account id without lone surrogates (it could never match UTF-8 event bytes)");
      return false;
    }
    return true;
  }

  private complianceSettings(value: unknown, parts: PathPart[]): { hipaaEnabled: unknown } | null {
    if (value === undefined) return null;
    if (!isObject(value)) {
      this.problems.add(parts, `expected an object like {"hipaaEnabled": true, "dataRetentionDays": 0}, found ${describe(value)}`);
      return null;
    }
    unknownFields(value, parts, COMPLIANCE_FIELDS, this.problems);
    const d = value.dataRetentionDays;
    if (d !== undefined && !(typeof d === "number" && Number.isInteger(d) && d >= 0)) {
      this.problems.add([...parts, "dataRetentionDays"], `expected a whole number of days, 0 or more, found ${show(d)}`);
    }
    for (const field of ["recordingEnabled", "transcriptionStorage"]) {
      if (value[field] !== undefined && typeof value[field] !== "boolean") {
        this.problems.add([...parts, field], `expected true or false, found ${show(value[field])}`);
      }
    }
    return { hipaaEnabled: value.hipaaEnabled };
  }
}
