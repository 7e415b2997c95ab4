/**
 * hipaa-sieve: keep an allowlist of attributes in JSON events, drop everything else.
 * The filtering itself runs in WebAssembly over raw UTF-8 bytes; this module is the host's public face.
 */
export { compilePolicy, parsePolicyText, PolicyError, type CompiledPolicy, type PolicySpec } from "./policy/policy.js";
export { POLICY_LIMITS, FILE_LIMITS, type AutomatonLimits } from "./policy/automaton-budget.js";
export { createFilter, type Filter, type FilterOptions } from "./engine/engine.js";
export * from "./types.js";
export {
  createFilterStream, FilterStream, FilterSession, emptyStats, addBatchStats,
  type FilterStats, type FilterStreamOptions, type FilterSource,
} from "./stream/filter-stream.js";
export {
  LineBatcher, filterLineBatch, DEFAULT_BATCH_BYTES, DEFAULT_MAX_EVENT_BYTES,
  type LineBatch, type LineBatcherOptions, type BatchFilter, type FilteredBatch,
} from "./stream/line-batcher.js";
export { createAccountsFilter, type AccountsFilter } from "./engine/accounts-filter.js";
export type { RoutingConfig } from "./engine/encode-account-routes.js";
export { PRESETS, PRESET_NAMES, findPreset, presetPolicy, presetVersions, type Preset } from "./policy/presets.js";
export {
  parseAccountsText, loadAccountsConfig, ConfigError, canonicalJson, sha256Digest, formatConfigPath,
  DEFAULT_POLICY, DEFAULT_UNKNOWN_ACCOUNT, UNKNOWN_ACCOUNT_ACTIONS,
  type AccountsConfig, type AccountSettings, type ConfigProblem, type UnknownAccountAction,
} from "./accounts/config.js";
export { auditRecords, type AuditRecord } from "./accounts/audit.js";
export { createWebhookHandler, type WebhookHandler, type WebhookOptions, type WebhookOutcome, type WebhookStats } from "./webhook/handler.js";
export { createFilterPool, FilterPoolError, type FilterPool, type FilterPoolOptions, type FilterPoolConfig, type FilterBatchOptions } from "./pool/filter-pool.js";
