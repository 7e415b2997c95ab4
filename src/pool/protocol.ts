/**
 * The messages between a filter pool (filter-pool.ts) and its workers (worker.ts). Batches and results
 * carry event bytes, so they only ever travel through these messages, never into errors or logs: an
 * error message sent back is the engine's own (it names no content), never built from input.
 */
import type { CompiledPolicy } from "../policy/policy.js";
import type { RoutingConfig } from "../engine/encode-account-routes.js";
import type { BatchResult, EngineLimits } from "../types.js";

/** What a worker filters with: one policy, or an accounts configuration (routing by account). */
export type PoolConfig = { kind: "policy"; policy: CompiledPolicy } | { kind: "accounts"; routing: RoutingConfig };

export type ToWorker =
  /** First message: the compiled engine (shared, not recompiled), limits, and the first configuration. */
  | { type: "init"; module: WebAssembly.Module; limits: Required<EngineLimits>; config: PoolConfig }
  /** Filter `bytes` (whole NDJSON lines, transferred) and answer with `id`. */
  | { type: "batch"; id: number; bytes: Uint8Array }
  /**
   * From now on filter with `config`. A worker handles its messages one at a time, in order, so the
   * batches posted to it before this message use the old configuration and those after it the new.
   */
  | { type: "swap"; generation: number; config: PoolConfig };

export type FromWorker =
  | { type: "ready" }
  /** The batch's result; its output buffer is transferred, not copied. */
  | { type: "result"; id: number; result: BatchResult; input: Uint8Array }
  /** The engine refused the batch (too large, or it trapped and was restarted): only this batch fails. */
  | { type: "failed"; id: number; name: string; message: string }
  | { type: "swapped"; generation: number }
  /** init or swap could not build an engine. */
  | { type: "broken"; message: string };
