/**
 * `#pool-threads` outside Node (browsers, workerd): no worker_threads, so createFilterPool says so
 * instead of failing inside a bundle. The single-thread filters work everywhere.
 */
import type { Worker } from "node:worker_threads";

export type PoolWorker = Worker;

const UNSUPPORTED = "hipaa-sieve: createFilterPool needs Node's worker_threads; use createFilter or createAccountsFilter here";

export function defaultWorkers(): number {
  throw new Error(UNSUPPORTED);
}

export function startWorker(_url: URL): PoolWorker {
  throw new Error(UNSUPPORTED);
}
