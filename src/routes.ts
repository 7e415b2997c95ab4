/**
 * Lays an accounts configuration out as the routes blob the WASM reads (format: assembly/route.ts):
 * the accountKey path, and for each account what to do with its events.
 */
import type { CompiledPolicy } from "./policy.js";

const MAGIC = 0x31525348; // "HSR1"
const ACTION_FILTER = 0;
const ACTION_PASS = 1;
const ACTION_REJECT = 2;

/** What routing needs of an accounts configuration (src/config.ts's AccountsConfig has it all). */
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

export function encodeRoutes(config: RoutingConfig): EncodedRoutes {
  const policies = [...config.policies.values()];
  const policyIds = [...config.policies.keys()];
  const policyIndex = (id: string): number => {
    const index = policyIds.indexOf(id);
    if (index < 0) throw new Error(`hipaa-sieve: internal error: policy "${id}" is not loaded`);
    return index;
  };
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  let keyBytes = 0;
  const addKey = (text: string): [number, number] => {
    const bytes = encoder.encode(text);
    chunks.push(bytes);
    keyBytes += bytes.length;
    return [keyBytes - bytes.length, bytes.length];
  };

  const segments = config.accountKeyPath.flatMap((segment) => addKey(segment));
  const accountIds = [...config.accounts.keys()];
  const accounts = accountIds.flatMap((id) => {
    const settings = config.accounts.get(id)!;
    const [offset, length] = addKey(id);
    return settings.hipaaEnabled
      ? [offset, length, ACTION_FILTER, policyIndex(settings.policy ?? config.defaultPolicy)]
      : [offset, length, ACTION_PASS, 0];
  });
  const unknown = {
    filter: [ACTION_FILTER, policyIndex(config.defaultPolicy)],
    reject: [ACTION_REJECT, 0],
    pass: [ACTION_PASS, 0],
  }[config.unknownAccount];

  const words = [MAGIC, segments.length / 2, accountIds.length, keyBytes, ...unknown, ...segments, ...accounts];
  const blob = new Uint8Array(words.length * 4 + keyBytes);
  const view = new DataView(blob.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w, true));
  let offset = words.length * 4;
  for (const chunk of chunks) {
    blob.set(chunk, offset);
    offset += chunk.length;
  }
  return { blob, policies, accountIds };
}
