/**
 * A filter spread over worker threads: each worker has its own engine (the WASM module is compiled
 * once, here, and shared), batches go to the least busy worker, and results come back in the order
 * the batches were submitted. Node only (node:worker_threads); the single-thread filters stay
 * platform-neutral.
 *
 * Worker threads come from `#pool-threads` (package.json "imports"): Node resolves it to threads-node.ts,
 * everything else to threads-unsupported.ts, so the package's main entry, which re-exports this module,
 * still bundles for browsers and workerd with no `node:` import.
 *
 * Order of operations is the whole design: batches and swaps enter one queue in call order and are
 * posted in that order; each worker handles its messages in order. So a swap is posted to every worker
 * after every batch submitted before it and before every batch submitted after it, whichever worker
 * each batch goes to.
 */
import type { PoolWorker as Worker } from "#pool-threads";
import { Engine, engineModule, type FilterOptions } from "../engine/engine.js";
import { routedPolicies, type RoutingConfig } from "../engine/encode-account-routes.js";
import { resolveLimits } from "../engine/limits.js";
import type { CompiledPolicy } from "../policy/policy.js";
import type { BatchResult, EngineLimits, WasmVariant } from "../types.js";
import type { FromWorker, PoolConfig, ToWorker } from "./protocol.js";

export interface FilterPoolOptions extends FilterOptions {
  /** Worker threads (default: os.availableParallelism()). */
  workers?: number;
  /**
   * Batches handed to workers at once (default 2 per worker: one being filtered, one waiting, so a
   * worker never idles for a message round trip). Further batches wait in the pool until one returns.
   */
  maxInFlight?: number;
}

export interface FilterBatchOptions {
  /**
   * Move `bytes` to the worker instead of copying them: their buffer is detached on return (it must be
   * an ArrayBuffer the caller no longer needs, and not a SharedArrayBuffer). Default: copied.
   */
  transfer?: boolean;
}

/** What a pool filters with: a policy, or an accounts configuration. */
export type FilterPoolConfig = CompiledPolicy | RoutingConfig;

export interface FilterPool {
  readonly workers: number;
  readonly maxInFlight: number;
  readonly variant: WasmVariant;
  readonly limits: Readonly<Required<EngineLimits>>;
  /** Batches submitted and not yet settled. */
  readonly pending: number;
  /**
   * Filters whole NDJSON lines, as filterBatch of a single-thread filter does (the same BatchResult);
   * results settle in submission order. The bytes are copied (or moved, see `transfer`) at once: the
   * caller may reuse its buffer as soon as this returns.
   */
  filterBatch(bytes: Uint8Array, options?: FilterBatchOptions): Promise<BatchResult>;
  /** Resolves once fewer than maxInFlight batches are pending: await it before each submission to bound memory. */
  ready(): Promise<void>;
  /**
   * Filter the batches submitted from now on with `config` (the same kind as the pool's: a policy, or
   * an accounts configuration); those submitted before keep the old one, in every worker. Resolves
   * once every worker has loaded it. A configuration the engine refuses rejects here and changes nothing.
   */
  swap(config: FilterPoolConfig): Promise<void>;
  /** Lets the pending batches finish, then stops the workers. Later calls fail. */
  close(): Promise<void>;
}

/** The pool cannot filter any more (a worker stopped, or could not load a configuration). */
export class FilterPoolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FilterPoolError";
  }
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

interface Job {
  kind: "batch";
  id: number;
  bytes: Uint8Array;
  done: Deferred<BatchResult>;
  worker?: Slot;
  outcome?: { ok: true; result: BatchResult } | { ok: false; error: Error };
}

interface SwapJob {
  kind: "swap";
  generation: number;
  config: PoolConfig;
  /** Checked on this thread first (an engine is built from it), so a refused one changes nothing. */
  checked: Promise<boolean>;
  isChecked: boolean;
  accepted: boolean;
  acks: number;
  done: Deferred<void>;
}

interface Slot {
  worker: Worker;
  busy: number;
}


function isPolicy(config: FilterPoolConfig): config is CompiledPolicy {
  return "automaton" in config;
}

function poolConfig(config: FilterPoolConfig): PoolConfig {
  if (isPolicy(config)) return { kind: "policy", policy: config };
  // Only what routing reads: an accounts configuration may carry more, and all of it would be cloned.
  const routing: RoutingConfig = {
    accountKeyPath: config.accountKeyPath,
    defaultPolicy: config.defaultPolicy,
    unknownAccount: config.unknownAccount,
    policies: config.policies,
    accounts: new Map([...config.accounts].map(([id, a]) => [id, { hipaaEnabled: a.hipaaEnabled, policy: a.policy }])),
  };
  return { kind: "accounts", routing };
}

function checkEngine(config: PoolConfig, options: FilterOptions): Promise<Engine> {
  return config.kind === "policy"
    ? Engine.create([config.policy], options)
    : Engine.create(routedPolicies(config.routing), options, config.routing);
}

class Pool implements FilterPool {
  readonly workers: number;
  readonly maxInFlight: number;
  readonly variant: WasmVariant;
  readonly limits: Readonly<Required<EngineLimits>>;
  private readonly slots: Slot[] = [];
  /** Submitted and not settled, in submission order (batches and swaps). */
  private readonly queue: (Job | SwapJob)[] = [];
  /** Index in `queue` of the first job not yet posted. */
  private next = 0;
  private posted = 0;
  private nextId = 1;
  private generation = 0;
  private readonly byId = new Map<number, Job>();
  private broken: FilterPoolError | undefined;
  private closed = false;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly kind: PoolConfig["kind"],
    private readonly module: WebAssembly.Module,
    private readonly checkOptions: FilterOptions,
    engine: Engine,
    workers: number,
    maxInFlight: number,
  ) {
    this.workers = workers;
    this.maxInFlight = maxInFlight;
    this.variant = engine.variant;
    this.limits = engine.limits;
  }

  get pending(): number {
    return this.queue.filter((j) => j.kind === "batch").length;
  }

  async start(config: PoolConfig, startWorker: Threads["startWorker"]): Promise<void> {
    const started = [];
    for (let i = 0; i < this.workers; i++) {
      // Resolved here, not when the module loads: where modules have no URL (workerd), loading must not throw.
      const worker = startWorker(new URL("../pool/worker.js", import.meta.url));
      const slot: Slot = { worker, busy: 0 };
      this.slots.push(slot);
      const ready = deferred<void>();
      started.push(ready.promise);
      worker.on("message", (message: FromWorker) => {
        if (message.type === "ready") ready.resolve();
        else if (message.type === "broken") ready.reject(new FilterPoolError(`hipaa-sieve: a filter pool worker could not load its engine (${message.message})`));
        else this.receive(slot, message);
      });
      // The worker's own error text is not passed on: only that it stopped, and how.
      worker.on("error", () => this.fail("hipaa-sieve: a filter pool worker failed"));
      worker.on("exit", (code) => {
        const failure = `hipaa-sieve: a filter pool worker stopped unexpectedly (exit code ${code})`;
        ready.reject(new FilterPoolError(failure));
        if (!this.closed) this.fail(failure);
      });
      const init: ToWorker = { type: "init", module: this.module, limits: { ...this.limits }, config };
      worker.postMessage(init);
    }
    try {
      await Promise.all(started);
    } catch (error) {
      this.closed = true;
      await Promise.all(this.slots.map((s) => s.worker.terminate()));
      throw error;
    }
  }

  filterBatch(bytes: Uint8Array, options: FilterBatchOptions = {}): Promise<BatchResult> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    if (this.closed) return Promise.reject(new FilterPoolError("hipaa-sieve: the filter pool is closed"));
    if (!(bytes instanceof Uint8Array)) return Promise.reject(new TypeError("hipaa-sieve: filterBatch takes a Uint8Array"));
    // Moved when allowed, else copied now: the caller's buffer is free the moment this returns.
    const own = options.transfer === true && bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
    const job: Job = { kind: "batch", id: this.nextId++, bytes: own, done: deferred() };
    this.queue.push(job);
    this.pump();
    return job.done.promise;
  }

  ready(): Promise<void> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    if (this.pending < this.maxInFlight) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  swap(config: FilterPoolConfig): Promise<void> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    if (this.closed) return Promise.reject(new FilterPoolError("hipaa-sieve: the filter pool is closed"));
    const next = poolConfig(config);
    if (next.kind !== this.kind) {
      return Promise.reject(new TypeError(`hipaa-sieve: this pool filters with ${this.kind === "policy" ? "a policy" : "an accounts configuration"}; swap in the same kind`));
    }
    const job: SwapJob = {
      kind: "swap", generation: ++this.generation, config: next, isChecked: false, accepted: false, acks: 0, done: deferred(),
      checked: Promise.resolve(false),
    };
    job.checked = checkEngine(next, { ...this.checkOptions, module: this.module }).then(
      () => true,
      (error: unknown) => {
        job.done.reject(error);
        return false;
      },
    ).then((ok) => {
      job.isChecked = true;
      job.accepted = ok;
      this.pump();
      return ok;
    });
    this.queue.push(job);
    this.pump();
    return job.done.promise;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled(this.queue.map((j) => j.done.promise));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  /** Post what can be posted, in queue order: batches while there is room, a swap once checked. */
  private pump(): void {
    while (this.broken === undefined && this.next < this.queue.length) {
      const job = this.queue[this.next] as Job | SwapJob;
      if (job.kind === "swap") {
        if (!job.isChecked) return; // Nothing after it may be posted before it.
        this.next++;
        if (!job.accepted) {
          this.remove(job);
          continue;
        }
        const message: ToWorker = { type: "swap", generation: job.generation, config: job.config };
        for (const slot of this.slots) slot.worker.postMessage(message);
        continue;
      }
      if (this.posted >= this.maxInFlight) return;
      let slot = this.slots[0] as Slot;
      for (const s of this.slots) if (s.busy < slot.busy) slot = s;
      this.next++;
      this.posted++;
      slot.busy++;
      job.worker = slot;
      this.byId.set(job.id, job);
      const message: ToWorker = { type: "batch", id: job.id, bytes: job.bytes };
      slot.worker.postMessage(message, [job.bytes.buffer as ArrayBuffer]);
      job.bytes = EMPTY;
    }
  }

  private receive(slot: Slot, message: FromWorker): void {
    switch (message.type) {
      case "result":
      case "failed": {
        const job = this.byId.get(message.id);
        if (job === undefined) return;
        this.byId.delete(message.id);
        slot.busy--;
        this.posted--;
        if (message.type === "result") job.outcome = { ok: true, result: message.result };
        else {
          const error = message.name === "RangeError" ? new RangeError(message.message) : new Error(message.message);
          job.outcome = { ok: false, error };
        }
        this.settle();
        this.pump();
        return;
      }
      case "swapped": {
        const job = this.queue.find((j): j is SwapJob => j.kind === "swap" && j.generation === message.generation);
        if (job !== undefined && ++job.acks === this.slots.length) {
          job.done.resolve();
          this.remove(job);
          this.settle();
        }
        return;
      }
      case "broken":
        this.fail(`hipaa-sieve: a filter pool worker could not load the new configuration (${message.message})`);
        return;
      case "ready":
        return;
    }
  }

  /** Settle finished batches from the front of the queue only: results come out in submission order. */
  private settle(): void {
    for (;;) {
      const index = this.queue.findIndex((j) => j.kind === "batch");
      const job = this.queue[index] as Job | undefined;
      if (job === undefined || job.outcome === undefined) break;
      this.queue.splice(index, 1);
      if (index < this.next) this.next--;
      if (job.outcome.ok) job.done.resolve(job.outcome.result);
      else job.done.reject(job.outcome.error);
    }
    while (this.waiters.length > 0 && this.pending < this.maxInFlight) (this.waiters.shift() as () => void)();
  }

  private remove(job: Job | SwapJob): void {
    const index = this.queue.indexOf(job);
    if (index < 0) return;
    this.queue.splice(index, 1);
    if (index < this.next) this.next--;
  }

  /**
   * Fail closed: one error for every batch not yet settled and every later call; no result is handed
   * out after it, even one already back (a batch after a lost one would leave a hole in the output).
   */
  private fail(message: string): void {
    if (this.broken !== undefined) return;
    const error = new FilterPoolError(`${message}; the pool filters nothing more, and the batches not yet returned were not filtered`);
    this.broken = error;
    for (const job of this.queue.splice(0)) job.done.reject(error);
    this.next = 0;
    this.byId.clear();
    for (const waiter of this.waiters.splice(0)) waiter();
    this.closed = true;
    for (const slot of this.slots) void slot.worker.terminate();
  }
}

const EMPTY = new Uint8Array(0);

type Threads = typeof import("#pool-threads");

/**
 * Worker threads, loaded when a pool is made, not when the library loads: a page or a Worker that
 * loads the library (its import map naming only #wasm-loader) never resolves #pool-threads. Where it
 * cannot be resolved, or resolves to threads-unsupported, createFilterPool says it needs Node.
 */
async function loadThreads(): Promise<Threads> {
  try {
    return await import("#pool-threads");
  } catch {
    throw new Error("hipaa-sieve: createFilterPool needs Node's worker_threads; use createFilter or createAccountsFilter here");
  }
}

/**
 * A pool of `workers` worker threads filtering with `config`: a compiled policy (createFilter's) or an
 * accounts configuration (createAccountsFilter's), with the usual FilterOptions. The options are
 * checked here, on this thread, by building one engine: a bad limit fails as createFilter would.
 */
export async function createFilterPool(config: FilterPoolConfig, options: FilterPoolOptions = {}): Promise<FilterPool> {
  const threads = await loadThreads();
  const { workers = threads.defaultWorkers(), maxInFlight, ...filterOptions } = options;
  if (!Number.isSafeInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${String(workers)}`);
  const inFlight = maxInFlight ?? 2 * workers;
  if (!Number.isSafeInteger(inFlight) || inFlight < 1) throw new RangeError(`maxInFlight must be a positive integer, got ${String(maxInFlight)}`);
  resolveLimits(filterOptions);
  const module = await engineModule(filterOptions);
  const first = poolConfig(config);
  const engine = await checkEngine(first, { ...filterOptions, module });
  const pool = new Pool(first.kind, module, filterOptions, engine, workers, inFlight);
  await pool.start(first, threads.startWorker);
  return pool;
}
