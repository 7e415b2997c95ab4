/**
 * The host side of the WASM boundary: instantiates the engine, moves bytes in and out, and turns
 * status records into results. Calls cross the boundary once per batch, with addresses and
 * lengths only. Views of WASM memory are made after each call and never kept: a call may grow
 * memory, which detaches every earlier view.
 */
import { encodeTables } from "./policy-tables.js";
import type { EncodedRoutes } from "./account-routes.js";
import type { CompiledPolicy } from "../policy/policy.js";
import { shippedModule, simdSupported } from "./wasm-source.js";
import {
  DEFAULT_LIMITS, MISSING_ACCOUNT_KEY, REJECT_CODES, UNKNOWN_ACCOUNT_KEY, type BatchResult, type EngineLimits,
  type EventResult, type RejectCode, type Rejection, type RouteCounts, type WasmVariant,
} from "../types.js";

export interface FilterOptions extends EngineLimits {
  /** Which build to use; "auto" (default) takes SIMD where the runtime supports it. */
  variant?: "auto" | WasmVariant;
  /** An already compiled engine (Cloudflare workerd accepts nothing else); say its `variant`. */
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
  /** Filters NDJSON: many events, one call into WASM. */
  filterBatch(ndjson: Uint8Array): BatchResult;
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
  setMaxDepth(depth: number): void;
  setHashSeed(low: number, high: number): void;
  setMaxEventBytes(bytes: number): void;
  filterBatch(policy: number, length: number): number;
  filterOne(policy: number, length: number): number;
  outputAddress(): number;
  outputLength(): number;
  statusAddress(): number;
  batchLines: WebAssembly.Global;
  lastErrorOffset: WebAssembly.Global;
  lastAccount: WebAssembly.Global;
  lastEventRoute(): number;
  reserveRoutes(size: number): number;
  loadRoutes(size: number, policyCount: number): number;
}

// One status record per event (assembly/batch.ts): six u32.
const STATUS_WORDS = 6;
const ROUTE_PASSED = 2;
const ROUTE_FILTERED = 1;
/** The status record's account when the event holds no account id (assembly/route.ts). */
const ACCOUNT_ID_MISSING = 0xffffffff;

/** `{}` and its line end: an event of which nothing was kept. */
const EMPTY_OUTPUT_BYTES = 3;

const LIMIT_RANGES = { maxDepth: [1, 1024], maxEventBytes: [2, 256 * 1024 * 1024] } as const;
/** Largest batch accepted in one call; the streaming API cuts input far smaller. */
export const MAX_BATCH_BYTES = 512 * 1024 * 1024;

/** Checks limits, naming the option at fault. */
export function resolveLimits(limits: EngineLimits = {}): Required<EngineLimits> {
  const resolved: Required<EngineLimits> = { ...DEFAULT_LIMITS };
  for (const name of ["maxDepth", "maxEventBytes"] as const) {
    const value = limits[name];
    if (value === undefined) continue;
    const [low, high] = LIMIT_RANGES[name];
    if (!Number.isInteger(value) || value < low || value > high) {
      throw new RangeError(`${name} must be an integer from ${low} to ${high}`);
    }
    resolved[name] = value;
  }
  return resolved;
}

async function engineModule(options: FilterOptions): Promise<[WebAssembly.Module, WasmVariant]> {
  const wanted = options.variant ?? "auto";
  const variant: WasmVariant = wanted === "auto" ? (simdSupported() ? "simd" : "scalar") : wanted;
  if (options.module) return [options.module, wanted === "auto" ? "simd" : variant];
  if (options.wasmBytes) return [await WebAssembly.compile(options.wasmBytes), variant];
  return [await shippedModule(variant), variant];
}

/** One engine instance: its own memory, one or more policies loaded. */
export class Engine {
  private constructor(
    private readonly exports: EngineExports,
    readonly variant: WasmVariant,
    readonly limits: Readonly<Required<EngineLimits>>,
  ) {}

  /** Account ids by index, when routing by account. */
  private accountIds: readonly string[] | null = null;

  /**
   * An engine holding `policies`; with `routes`, each event goes where its account says (the
   * routes' policy numbers index `policies`, which must then be `routes.policies`).
   */
  static async create(policies: readonly CompiledPolicy[], options: FilterOptions = {}, routes?: EncodedRoutes): Promise<Engine> {
    const limits = Object.freeze(resolveLimits(options));
    const [module, variant] = await engineModule(options);
    const instance = await WebAssembly.instantiate(module, {
      env: {
        // Only the allocator aborts (memory exhausted); its message carries no event content.
        abort() {
          throw new Error("hipaa-sieve: the WebAssembly engine ran out of memory");
        },
      },
    });
    const engine = new Engine(instance.exports as unknown as EngineExports, variant, limits);
    // A random hash seed per instance: nobody can prepare keys that all collide in its tables.
    const seed = crypto.getRandomValues(new Uint32Array(2));
    engine.exports.setHashSeed(seed[0], seed[1]);
    engine.exports.setMaxDepth(limits.maxDepth);
    engine.exports.setMaxEventBytes(limits.maxEventBytes);
    engine.loadPolicies(policies);
    if (routes) engine.loadRoutes(routes, policies.length);
    return engine;
  }

  private loadRoutes(routes: EncodedRoutes, policyCount: number): void {
    const address = this.exports.reserveRoutes(routes.blob.length) >>> 0;
    this.bytes(address, routes.blob.length).set(routes.blob);
    const problem = this.exports.loadRoutes(routes.blob.length, policyCount);
    if (problem !== 0) throw new Error(`hipaa-sieve: internal error: routes refused (${problem})`);
    this.accountIds = routes.accountIds;
  }

  /** The configured account id of an engine account number (index + 1), or null when unknown. */
  private accountId(number: number): string | null {
    return number === 0 || number === ACCOUNT_ID_MISSING || !this.accountIds ? null : this.accountIds[number - 1];
  }

  /** The per-account counting key of an engine account number. */
  private accountKey(number: number): string {
    if (number === ACCOUNT_ID_MISSING) return MISSING_ACCOUNT_KEY;
    return this.accountId(number) ?? UNKNOWN_ACCOUNT_KEY;
  }

  private loadPolicies(policies: readonly CompiledPolicy[]): void {
    const blob = encodeTables(policies);
    const address = this.exports.reserveTables(blob.length) >>> 0;
    this.bytes(address, blob.length).set(blob);
    const problem = this.exports.loadTables(blob.length);
    if (problem !== 0) throw new Error(`hipaa-sieve: internal error: policy tables refused (${problem})`);
  }

  get memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }

  private bytes(address: number, length: number): Uint8Array {
    return new Uint8Array(this.exports.memory.buffer, address, length);
  }

  /** Copies `data` into the engine's input buffer. */
  private put(data: Uint8Array): void {
    if (data.length > MAX_BATCH_BYTES) {
      throw new RangeError(`hipaa-sieve: a batch is limited to ${MAX_BATCH_BYTES} bytes; split the input (the streaming API does)`);
    }
    const address = this.exports.reserveInput(data.length) >>> 0;
    this.bytes(address, data.length).set(data);
  }

  /** Encodes `text` as UTF-8 straight into the input buffer; returns its length in bytes. */
  private putString(text: string): number {
    const address = this.exports.reserveInput(text.length * 3) >>> 0;
    return new TextEncoder().encodeInto(text, this.bytes(address, text.length * 3)).written;
  }

  /** A copy of the output. (new + set: V8's slice() on a view of WASM memory is ~8x slower.) */
  private output(): Uint8Array {
    const length = this.exports.outputLength() >>> 0;
    const copy = new Uint8Array(length);
    copy.set(this.bytes(this.exports.outputAddress() >>> 0, length));
    return copy;
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
    const code = this.exports.filterOne(policy, length);
    if (code !== 0) return { ok: false, code: codeName(code), offset: this.exports.lastErrorOffset.value >>> 0 };
    const route = this.exports.lastEventRoute() === ROUTE_PASSED ? "passed" : "filtered";
    if (!this.accountIds) return { ok: true, output: this.output(), route };
    return { ok: true, output: this.output(), route, account: this.accountId(this.exports.lastAccount.value >>> 0) };
  }

  runBatch(policy: number, ndjson: Uint8Array): BatchResult {
    this.put(ndjson);
    const events = this.exports.filterBatch(policy, ndjson.length) >>> 0;
    const status = new Uint32Array(this.exports.memory.buffer, this.exports.statusAddress() >>> 0, events * STATUS_WORDS);
    const rejected: Rejection[] = [];
    let passed = 0;
    let empty = 0;
    let previousEnd = 0;
    const perAccount: Record<string, RouteCounts> | undefined = this.accountIds ? {} : undefined;
    for (let i = 0; i < status.length; i += STATUS_WORDS) {
      const code = status[i + 1];
      if (code !== 0) rejected.push({ line: status[i], code: codeName(code), offset: status[i + 2] });
      else if (status[i + 5] === ROUTE_PASSED) passed++;
      else if (status[i + 5] === ROUTE_FILTERED && status[i + 3] - previousEnd === EMPTY_OUTPUT_BYTES) empty++;
      previousEnd = status[i + 3];
      if (perAccount) {
        const id = this.accountKey(status[i + 4]);
        const counts = (perAccount[id] ??= { events: 0, filtered: 0, passed: 0, rejected: 0 });
        counts.events++;
        if (code !== 0) counts.rejected++;
        else if (status[i + 5] === ROUTE_PASSED) counts.passed++;
        else counts.filtered++;
      }
    }
    const result: BatchResult = {
      output: this.output(),
      lines: this.exports.batchLines.value >>> 0,
      events,
      kept: events - rejected.length,
      passed,
      empty,
      rejected,
    };
    if (perAccount) result.accounts = perAccount;
    return result;
  }
}

function codeName(code: number): RejectCode {
  const name = REJECT_CODES[code];
  if (name === undefined || name === "OK") throw new Error(`hipaa-sieve: internal error: unknown status ${code}`);
  return name;
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
    filterBatch: (ndjson: Uint8Array) => engine.runBatch(0, ndjson),
  });
}

/** A filter for one policy. */
export async function createFilter(policy: CompiledPolicy, options: FilterOptions = {}): Promise<Filter> {
  return engineFacade(await Engine.create([policy], options), { policy });
}
