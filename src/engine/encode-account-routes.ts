/**
 * Lays an accounts configuration out as the routes blob the WASM reads (format:
 * assembly/account-routes.ts): the accountKey path, and for each account what to do with its events.
 */
import type { CompiledPolicy } from "../policy/policy.js";
import type { EngineAbi } from "./abi.js";
import { BlobWriter } from "./blob-writer.js";

/** What routing needs of an accounts configuration (src/accounts/config.ts's AccountsConfig has it all). */
export interface RoutingConfig {
  accountKeyPath: readonly string[];
  defaultPolicy: string;
  unknownAccount: "filter" | "reject" | "pass";
  policies: ReadonlyMap<string, CompiledPolicy>;
  accounts: ReadonlyMap<string, { hipaaEnabled: boolean; policy: string | null }>;
}

export interface EncodedRoutes {
  blob: Uint8Array;
  /** The policies, in the order the engine's tables must hold them (route policy numbers index it). */
  policies: CompiledPolicy[];
  /** Account ids by index (the engine reports index + 1). */
  accountIds: string[];
}

/** The policies routing uses, in the order the engine's tables must hold them. */
export function routedPolicies(config: RoutingConfig): CompiledPolicy[] {
  return [...config.policies.values()];
}

export function encodeRoutes(config: RoutingConfig, abi: EngineAbi): EncodedRoutes {
  const { filter: ACTION_FILTER, pass: ACTION_PASS, reject: ACTION_REJECT } = abi.action;
  const policies = routedPolicies(config);
  const policyIds = [...config.policies.keys()];
  const policyIndex = (id: string): number => {
    const index = policyIds.indexOf(id);
    if (index < 0) throw new Error(`hipaa-sieve: internal error: policy "${id}" is not loaded`);
    return index;
  };
  const writer = new BlobWriter();

  const segments = config.accountKeyPath.flatMap((segment) => writer.key(segment));
  const accountIds = [...config.accounts.keys()];
  const accounts = accountIds.flatMap((id) => {
    const settings = config.accounts.get(id)!;
    const [offset, length] = writer.key(id);
    return settings.hipaaEnabled
      ? [offset, length, ACTION_FILTER, policyIndex(settings.policy ?? config.defaultPolicy)]
      : [offset, length, ACTION_PASS, 0];
  });
  const unknown = {
    filter: [ACTION_FILTER, policyIndex(config.defaultPolicy)],
    reject: [ACTION_REJECT, 0],
    pass: [ACTION_PASS, 0],
  }[config.unknownAccount];

  const words = [abi.magic.routes, segments.length / 2, accountIds.length, writer.keyBytes, ...unknown, ...segments, ...accounts];
  return { blob: writer.finish(words), policies, accountIds };
}
