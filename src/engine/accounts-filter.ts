/**
 * Filters for a whole accounts configuration: every event goes where its account says (its
 * policy, straight through, or rejected), decided inside WASM in the same batch call.
 */
import { Engine, engineFacade, type FilterBase, type FilterOptions } from "./engine.js";
import { routedPolicies, type RoutingConfig } from "./encode-account-routes.js";

/** filterEvent results also name the account; filterBatch results count per account. */
export interface AccountsFilter<Config extends RoutingConfig = RoutingConfig> extends FilterBase {
  readonly config: Config;
}

export async function createAccountsFilter<Config extends RoutingConfig>(
  config: Config,
  options: FilterOptions = {},
): Promise<AccountsFilter<Config>> {
  return engineFacade(await Engine.create(routedPolicies(config), options, config), { config });
}
