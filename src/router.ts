/**
 * Filters for a whole accounts configuration: every event goes where its account says (its
 * policy, straight through, or rejected), decided inside WASM in the same batch call.
 */
import { Engine, type FilterOptions } from "./engine.js";
import { encodeRoutes, type RoutingConfig } from "./routes.js";
import type { BatchResult, EngineLimits, EventResult, WasmVariant } from "./types.js";

export interface AccountsFilter<Config extends RoutingConfig = RoutingConfig> {
  readonly config: Config;
  readonly variant: WasmVariant;
  readonly limits: Readonly<Required<EngineLimits>>;
  readonly memoryBytes: number;
  /** Routes and filters one event (a whole JSON text). */
  filterEvent(event: Uint8Array | string): EventResult;
  /** Routes and filters NDJSON: many events, one call into WASM; counts per account included. */
  filterBatch(ndjson: Uint8Array): BatchResult;
}

export async function createAccountsFilter<Config extends RoutingConfig>(
  config: Config,
  options: FilterOptions = {},
): Promise<AccountsFilter<Config>> {
  const routes = encodeRoutes(config);
  const engine = await Engine.create(routes.policies, options, routes);
  return Object.freeze({
    config,
    variant: engine.variant,
    limits: engine.limits,
    get memoryBytes() {
      return engine.memoryBytes;
    },
    filterEvent: (event: Uint8Array | string) => engine.runOne(0, event),
    filterBatch: (ndjson: Uint8Array) => engine.runBatch(0, ndjson),
  });
}
