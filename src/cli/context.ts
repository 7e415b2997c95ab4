/** What a command runs against: the standard streams (injectable for tests) and internal tuning. */
import type { Readable, Writable } from "node:stream";

export interface CliContext {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Target batch size in bytes (default 1 MiB). Internal: for tests and benchmarks. */
  batchBytes?: number;
}

export function processContext(): CliContext {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}
