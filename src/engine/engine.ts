/**
 * The host side of the WASM boundary: instantiates the engine, moves bytes in and out, and turns
 * status records into results. Calls cross the boundary once per batch (or per STATUS_CAPACITY
 * events of it), with addresses and lengths only. Views of WASM memory are made after each call
 * and never kept: a call may grow memory, which detaches every earlier view. Every number the
 * boundary uses comes from the engine itself (abi.ts).
 */
import { encodeTables } from "./encode-policy-tables.js";
import { encodeRoutes, type RoutingConfig } from "./encode-account-routes.js";
import { readAbi, type EngineAbi } from "./abi.js";
import { addCounters, BatchTally, detectionList, type CallCounters } from "./batch-tally.js";
import type { DetectionCounter } from "./encode-policy-tables.js";
import { MAX_BATCH_BYTES, resolveLimits } from "./limits.js";
import type { CompiledPolicy } from "../policy/policy.js";
import { shippedModule, simdSupported } from "./wasm-source.js";
import {
  MISSING_ACCOUNT_KEY, UNKNOWN_ACCOUNT_KEY, type BatchOptions, type BatchResult, type EngineLimits,
  type EventResult, type RejectCode, type WasmVariant,
} from "../types.js";

export interface FilterOptions extends EngineLimits {
  /**
   * Which build to use; "auto" (default) takes SIMD where the runtime supports it. "debug" is the
   * SIMD build with assertions on and function names kept (for profiles; slower). With `module`
   * or `wasmBytes` the build is read from the module, and a different one named here is an error.
   */
  variant?: "auto" | WasmVariant;
  /** An already compiled engine (Cloudflare workerd accepts nothing else); its build is read from it. */
  module?: WebAssembly.Module;
  /** The engine's .wasm bytes, when the shipped files cannot be read (some bundlers). */
  wasmBytes?: BufferSource;
}

/** What every filter offers, whatever decides each event's policy. */
export interface FilterBase {
  readonly variant: WasmVariant;
  readonly limits: Readonly<Required<EngineLimits>>;
  /** Size of the engine's linear memory now: it grows to the largest batch seen, then stays. */
  readonly memoryBytes: number;
  /** Filters one event (a whole JSON text: line ends in it are whitespace). */
  filterEvent(event: Uint8Array | string): EventResult;
  /**
   * Filters NDJSON: many events, one call into WASM (per STATUS_CAPACITY events). The output is a
   * fresh copy, or with `{ view: true }` a view of the engine's memory, valid until the next call
   * on this filter (no copy, no allocation: write it out, or copy it, before calling again).
   */
  filterBatch(ndjson: Uint8Array, options?: BatchOptions): BatchResult;
  /**
   * A view of the engine's input buffer for a batch of `length` bytes: read the batch straight into
   * it, then pass it (or a prefix of it) to filterBatch, which then copies nothing in. Valid until
   * the next call on this filter; asking for more than the buffer holds may move it.
   */
  inputBuffer(length: number): Uint8Array;
}

/** A filter for one policy. */
export interface Filter extends FilterBase {
  readonly policy: CompiledPolicy;
}

interface EngineExports {
  memory: WebAssembly.Memory;
  reserveTables(size: number): number;
  loadTables(size: number): number;
  reserveInput(length: number): number;
  reserveProblem: WebAssembly.Global;
  setMaxDepth(depth: number): void;
  setHashSeed(low: number, high: number): void;
  setMaxEventBytes(bytes: number): void;
  filterBatch(policy: number, length: number, start: number): number;
  filterOne(policy: number, length: number): number;
  outputAddress(): number;
  outputLength(): number;
  statusAddress(): number;
  batchLines: WebAssembly.Global;
  batchStop: WebAssembly.Global;
  lastErrorOffset: WebAssembly.Global;
  lastAccount: WebAssembly.Global;
  lastEventRoute(): number;
  lastDetail: WebAssembly.Global;
  countersAddress(): number;
  touchedAddress(): number;
  touchedCount: WebAssembly.Global;
  reserveRoutes(size: number): number;
  loadRoutes(size: number, policyCount: number): number;
}

/** One instance of the engine: its exports, and the numbers it was checked to use. */
interface Instance {
  readonly exports: EngineExports;
  readonly abi: EngineAbi;
}

/** The compiled engine `options` ask for (the pool compiles it once and hands it to every worker). */
export async function engineModule(options: FilterOptions): Promise<WebAssembly.Module> {
  if (options.module) return options.module;
  if (options.wasmBytes) return WebAssembly.compile(options.wasmBytes);
  const wanted = options.variant ?? "auto";
  return shippedModule(wanted === "auto" ? (simdSupported() ? "simd" : "scalar") : wanted);
}

const IMPORTS = {
  env: {
    // Only the allocator aborts (a block too large; buffers.ts checks sizes before allocating).
    // Its message would be read from engine memory: this one carries no event content.
    abort() {
      throw new Error("the allocator refused a block");
    },
  },
};

/** One engine: an instance (replaced by a fresh one after any trap), one or more policies loaded. */
export class Engine {
  private live: Instance;
  /** Which build the module is, as the module itself says. */
  readonly variant: WasmVariant;
  /** Account ids by index, when routing by account. */
  private accountIds: readonly string[] | null = null;
  /** What each detection counter counts (empty when no policy detects). */
  private counters: readonly DetectionCounter[] = [];

  private constructor(
    private readonly module: WebAssembly.Module,
    readonly limits: Readonly<Required<EngineLimits>>,
    private readonly policies: readonly CompiledPolicy[],
    private readonly routing: RoutingConfig | undefined,
  ) {
    this.live = this.boot();
    this.variant = this.live.abi.variant;
  }

  /**
   * An engine holding `policies`; with `routing`, each event goes where its account says (the
   * policies must then be routedPolicies(routing), whose numbers the routes use).
   */
  static async create(policies: readonly CompiledPolicy[], options: FilterOptions = {}, routing?: RoutingConfig): Promise<Engine> {
    const limits = Object.freeze(resolveLimits(options));
    const engine = new Engine(await engineModule(options), limits, policies, routing);
    const wanted = options.variant ?? "auto";
    if (wanted !== "auto" && wanted !== engine.variant) {
      throw new Error(`hipaa-sieve: the engine given is the ${engine.variant} build, not the ${wanted} build asked for`);
    }
    return engine;
  }

  /** A new instance of the module, set up: checked ABI, hash seed, limits, tables, routes. */
  private boot(): Instance {
    const instance = new WebAssembly.Instance(this.module, IMPORTS);
    const live: Instance = { exports: instance.exports as unknown as EngineExports, abi: readAbi(instance.exports) };
    const { exports, abi } = live;
    // A random hash seed per instance: nobody can prepare keys that all collide in its tables.
    const seed = crypto.getRandomValues(new Uint32Array(2));
    exports.setHashSeed(seed[0], seed[1]);
    exports.setMaxDepth(this.limits.maxDepth);
    exports.setMaxEventBytes(this.limits.maxEventBytes);
    const { blob: tables, counters } = encodeTables(this.policies, abi);
    this.counters = counters;
    this.write(exports, exports.reserveTables(tables.length), tables);
    const tablesProblem = exports.loadTables(tables.length);
    if (tablesProblem !== 0) throw new Error(`hipaa-sieve: internal error: policy tables refused (${tablesProblem})`);
    if (this.routing) {
      const routes = encodeRoutes(this.routing, abi);
      this.write(exports, exports.reserveRoutes(routes.blob.length), routes.blob);
      const problem = exports.loadRoutes(routes.blob.length, this.policies.length);
      if (problem !== 0) throw new Error(`hipaa-sieve: internal error: routes refused (${problem})`);
      this.accountIds = routes.accountIds;
    }
    return live;
  }

  private write(exports: EngineExports, address: number, data: Uint8Array): void {
    new Uint8Array(exports.memory.buffer, address >>> 0, data.length).set(data);
  }

  /**
   * Runs `work` on the instance. A trap (or a stack overflow, or an abort) can leave the engine's
   * state half-updated, so after one the instance is never used again: a fresh one replaces it,
   * and the call fails with one error (the trap's message is the runtime's, never event content).
   */
  private call<T>(work: (exports: EngineExports) => T): T {
    try {
      return work(this.live.exports);
    } catch (error) {
      this.live = this.boot();
      const why = error instanceof Error ? `${error.name}: ${error.message}` : "unknown failure";
      throw new Error(`hipaa-sieve: internal error: the WebAssembly engine stopped (${why}); it was restarted, and this input was not filtered`);
    }
  }

  /** The configured account id of an engine account number (index + 1), or null when unknown. */
  private accountId(number: number): string | null {
    return number === 0 || number === this.live.abi.accountIdMissing || !this.accountIds ? null : this.accountIds[number - 1];
  }

  /** The per-account counting key of an engine account number. */
  private accountKey(number: number): string {
    if (number === this.live.abi.accountIdMissing) return MISSING_ACCOUNT_KEY;
    return this.accountId(number) ?? UNKNOWN_ACCOUNT_KEY;
  }

  get memoryBytes(): number {
    return this.live.exports.memory.buffer.byteLength;
  }

  private bytes(address: number, length: number): Uint8Array {
    return new Uint8Array(this.live.exports.memory.buffer, address, length);
  }

  /**
   * Sizes the engine's buffers for `length` bytes of input; returns the input address. Where this
   * instance's memory cannot grow that far, a fresh instance (empty memory) tries once more.
   */
  private reserve(length: number): number {
    if (length > MAX_BATCH_BYTES) {
      throw new RangeError(`hipaa-sieve: a batch is limited to ${MAX_BATCH_BYTES} bytes; split the input (the streaming API does)`);
    }
    let address = this.call((e) => e.reserveInput(length) >>> 0);
    if (address === 0 && this.live.exports.reserveProblem.value === this.live.abi.reserve.noRoom) {
      this.live = this.boot();
      address = this.call((e) => e.reserveInput(length) >>> 0);
    }
    if (address === 0) {
      throw new RangeError(`hipaa-sieve: a batch of ${length} bytes needs more memory than WebAssembly allows under these `
        + `limits and policies; split the input (the streaming API does) or lower maxEventBytes`);
    }
    return address;
  }

  /** Puts `data` into the engine's input buffer (nothing to copy when it is that buffer: inputBuffer). */
  private put(data: Uint8Array): void {
    const address = this.reserve(data.length);
    if (data.buffer === this.live.exports.memory.buffer && data.byteOffset === address) return;
    this.bytes(address, data.length).set(data);
  }

  /**
   * A view of the engine's input buffer, `length` bytes, to read a batch straight into and then
   * pass to filterBatch (which then copies nothing in). Valid until the next call on this engine.
   */
  inputBuffer(length: number): Uint8Array {
    return this.bytes(this.reserve(length), length);
  }

  /** Encodes `text` as UTF-8 straight into the input buffer; returns its length in bytes. */
  private putString(text: string): number {
    const address = this.reserve(text.length * 3);
    return new TextEncoder().encodeInto(text, this.bytes(address, text.length * 3)).written;
  }

  /** The output: a view of engine memory, or a copy. (new + set: V8's slice() on a view of WASM memory is ~8x slower.) */
  private output(view = false): Uint8Array {
    const length = this.live.exports.outputLength() >>> 0;
    const output = this.bytes(this.live.exports.outputAddress() >>> 0, length);
    if (view) return output;
    const copy = new Uint8Array(length);
    copy.set(output);
    return copy;
  }

  /** The detection counters the last call touched (views of engine memory: read them before the next call). */
  private callCounters(): CallCounters | undefined {
    if (this.counters.length === 0) return undefined;
    const { exports } = this.live;
    const buffer = exports.memory.buffer;
    return {
      touched: new Uint32Array(buffer, exports.touchedAddress() >>> 0, exports.touchedCount.value >>> 0),
      values: new Uint32Array(buffer, exports.countersAddress() >>> 0, this.counters.length),
    };
  }

  private codeName(code: number): RejectCode {
    const name = this.live.abi.codeNames.get(code);
    if (name === undefined) throw new Error(`hipaa-sieve: internal error: unknown status ${code}`);
    return name;
  }

  runOne(policy: number, event: Uint8Array | string): EventResult {
    let length: number;
    if (typeof event === "string") {
      // TextEncoder would turn a lone surrogate into U+FFFD and hide it: refuse it instead.
      if (!event.isWellFormed()) return { ok: false, code: "INVALID_UTF8", offset: wellFormedPrefixBytes(event) };
      length = this.putString(event);
    } else {
      this.put(event);
      length = event.length;
    }
    const code = this.call((e) => e.filterOne(policy, length));
    const { exports, abi } = this.live;
    if (code !== abi.ok) {
      const name = this.codeName(code);
      const offset = exports.lastErrorOffset.value >>> 0;
      if (name !== "PHI_DETECTED") return { ok: false, code: name, offset };
      const { detector, path } = this.counters[exports.lastDetail.value >>> 0];
      return { ok: false, code: name, offset, detector, path };
    }
    const route = exports.lastEventRoute() === abi.route.passed ? "passed" : "filtered";
    const result: EventResult = { ok: true, output: this.output(), route };
    if (this.accountIds) result.account = this.accountId(exports.lastAccount.value >>> 0);
    const counters = this.callCounters();
    if (counters && counters.touched.length > 0) {
      const counts = new Map<number, number>();
      addCounters(counts, counters);
      result.detections = detectionList(counts, this.counters);
    }
    return result;
  }

  runBatch(policy: number, ndjson: Uint8Array, options: BatchOptions = {}): BatchResult {
    this.put(ndjson);
    const length = ndjson.length;
    const tally = new BatchTally(this.live.abi, (code) => this.codeName(code), this.accountIds ? (n) => this.accountKey(n) : null, this.counters);
    let start = 0;
    do {
      // The engine records at most STATUS_CAPACITY events per call, then says where it stopped.
      const recorded = this.call((e) => e.filterBatch(policy, length, start) >>> 0);
      const { exports, abi } = this.live;
      const status = new Uint32Array(exports.memory.buffer, exports.statusAddress() >>> 0, (recorded * abi.status.bytes) / 4);
      tally.addCall(status, exports.batchLines.value >>> 0, this.callCounters());
      start = exports.batchStop.value >>> 0;
    } while (start < length);
    return tally.result(this.output(options.view === true));
  }
}

/** UTF-8 length of the part of `text` before its first lone surrogate. */
function wellFormedPrefixBytes(text: string): number {
  let end = 0;
  while (end < text.length) {
    const unit = text.charCodeAt(end);
    if (unit >= 0xd800 && unit <= 0xdbff && end + 1 < text.length) {
      const next = text.charCodeAt(end + 1);
      if (next >= 0xdc00 && next <= 0xdfff) { end += 2; continue; }
    }
    if (unit >= 0xd800 && unit <= 0xdfff) break;
    end++;
  }
  return new TextEncoder().encode(text.slice(0, end)).length;
}

/** The public face of an engine, with `extra` fields; events use policy 0 unless routed. */
export function engineFacade<Extra extends object>(engine: Engine, extra: Extra): FilterBase & Readonly<Extra> {
  return Object.freeze({
    ...extra,
    variant: engine.variant,
    limits: engine.limits,
    get memoryBytes() {
      return engine.memoryBytes;
    },
    filterEvent: (event: Uint8Array | string) => engine.runOne(0, event),
    filterBatch: (ndjson: Uint8Array, options?: BatchOptions) => engine.runBatch(0, ndjson, options),
    inputBuffer: (length: number) => engine.inputBuffer(length),
  });
}

/** A filter for one policy. */
export async function createFilter(policy: CompiledPolicy, options: FilterOptions = {}): Promise<Filter> {
  return engineFacade(await Engine.create([policy], options), { policy });
}
