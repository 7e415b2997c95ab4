/**
 * Waiting before a retry when the cluster or the output stream is unavailable. Exponential with full
 * jitter: during a leader election (several seconds) many filter processes retry at once, and a fixed or
 * immediate retry spins through thousands of failed requests and hammers the servers that are up. The
 * random part spreads the processes apart. The delay resets after a success.
 */
export interface BackoffOptions {
  /** First delay's upper bound, ms (default 100). */
  initialMs?: number;
  /** Largest delay, ms (default 5000). */
  maxMs?: number;
  /** Source of randomness in [0, 1) (tests pass a fixed one). */
  random?: () => number;
}

export class Backoff {
  private failures = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 100;
    this.maxMs = options.maxMs ?? 5000;
    this.random = options.random ?? Math.random;
  }

  /** Failures in a row since the last success. */
  get attempts(): number {
    return this.failures;
  }

  /** The delay before the next attempt: uniform in [ceiling / 2, ceiling], the ceiling doubling per failure. */
  nextDelay(): number {
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  succeeded(): void {
    this.failures = 0;
  }
}

/** Resolves after `ms`, or as soon as `signal` aborts (shutdown must not wait out a backoff). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
