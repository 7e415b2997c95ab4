/**
 * What a command runs against: the standard streams (injectable for tests) and internal tuning; and writing
 * text to one of them.
 */
import type { Readable, Writable } from "node:stream";
import { processSignals, type SignalSource } from "./filter/interrupt.js";

export interface CliContext {
  stdin: Readable;
  /** Standard input's descriptor, read directly where it is a regular file (the process's: 0). */
  stdinFd?: number;
  stdout: Writable;
  stderr: Writable;
  /** SIGINT and SIGTERM, to stop a filter run cleanly; without it they have their default effect. */
  signals?: SignalSource;
  /** Target batch size in bytes (default 1 MiB). Internal: for tests and benchmarks. */
  batchBytes?: number;
}

export function processContext(): CliContext {
  return {
    // Made when first used: the filter command reads descriptor 0 directly when it is a file.
    get stdin() {
      return process.stdin;
    },
    stdinFd: 0,
    stdout: process.stdout,
    stderr: process.stderr,
    signals: processSignals(),
  };
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
