/**
 * SIGINT and SIGTERM during a `filter` run. Killed outright, the process could leave half an event at
 * the end of its output (the write in flight), no summary and an empty --stats-json file. Instead, the
 * first signal asks the pump to stop reading: the batch in flight is finished, every output ends on a
 * whole event, the summary and statistics say the run was interrupted, and the exit status is 128 + the
 * signal's number, as a shell reports a process killed by it. A second signal is not waited on: the
 * handlers are removed and the signal raised again, so that the process dies at once.
 */
import { constants } from "node:os";

export const STOP_SIGNALS = ["SIGINT", "SIGTERM"] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** Where signals come from (the process; injectable for tests). */
export interface SignalSource {
  on(signal: StopSignal, listener: () => void): void;
  off(signal: StopSignal, listener: () => void): void;
  /** Deliver `signal` to this process again (with no handler left, it ends the process). */
  raise(signal: StopSignal): void;
}

export function processSignals(): SignalSource {
  return {
    on: (signal, listener) => void process.on(signal, listener),
    off: (signal, listener) => void process.off(signal, listener),
    raise: (signal) => void process.kill(process.pid, signal),
  };
}

/** The exit status of a run stopped by `signal`: 128 + its number (130 for SIGINT, 143 for SIGTERM). */
export function signalExitCode(signal: StopSignal): number {
  return 128 + constants.signals[signal];
}

export class Interrupt {
  /** The first signal received, once there is one. */
  signal: StopSignal | undefined = undefined;
  /** Called on the first signal (the pump wakes up to stop). */
  onStop: (() => void) | undefined = undefined;
  private readonly listeners = new Map<StopSignal, () => void>();

  constructor(private readonly source: SignalSource | undefined) {
    if (source === undefined) return;
    for (const signal of STOP_SIGNALS) {
      const listener = (): void => this.received(signal);
      this.listeners.set(signal, listener);
      source.on(signal, listener);
    }
  }

  private received(signal: StopSignal): void {
    if (this.signal === undefined) {
      this.signal = signal;
      this.onStop?.();
      return;
    }
    this.dispose();
    this.source?.raise(signal);
  }

  /** Stop handling signals (the run is over: from now on they have their default effect). */
  dispose(): void {
    for (const [signal, listener] of this.listeners) this.source?.off(signal, listener);
    this.listeners.clear();
  }
}
