/**
 * What a filter pool needs of Node (the "node" condition of `#pool-threads` in package.json "imports"):
 * worker threads and the core count. Only Node resolves this file, so `node:` imports stay out of
 * browser and workerd bundles of the package's main entry.
 */
import { availableParallelism } from "node:os";
import { execArgv } from "node:process";
import { Worker } from "node:worker_threads";

export type PoolWorker = Worker;

export function defaultWorkers(): number {
  return availableParallelism();
}

export function startWorker(url: URL, workerData?: unknown): PoolWorker {
  // Workers inherit the process's Node options, but --input-type (a script given with -e) makes a
  // worker started from a file fail at once: leave it out.
  return new Worker(url, { execArgv: execArgv.filter((a) => !a.startsWith("--input-type")), workerData });
}
