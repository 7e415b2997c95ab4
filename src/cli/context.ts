/**
 * What a command runs against: the standard streams (injectable for tests) and internal tuning; and writing
 * text to one of them.
 */
import type { Readable, Writable } from "node:stream";
import { processSignals, type SignalSource } from "./filter/interrupt.js";

export interface CliContext {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** SIGINT and SIGTERM, to stop a filter run cleanly; without it they have their default effect. */
  signals?: SignalSource;
  /** Target batch size in bytes (default 1 MiB). Internal: for tests and benchmarks. */
  batchBytes?: number;
}

export function processContext(): CliContext {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, signals: processSignals() };
}

/** Writes text to a standard stream and waits for it; a reader gone away (EPIPE) is not an error here. */
export function print(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve) => {
    const onError = (): void => resolve();
    stream.once("error", onError);
    stream.write(text, () => {
      stream.off("error", onError);
      resolve();
    });
  });
}
