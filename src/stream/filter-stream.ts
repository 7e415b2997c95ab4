/**
 * Streaming NDJSON filtering on top of `LineBatcher` and `filter.filterBatch`.
 *
 * - `FilterSession`: push byte chunks, get filtered batches back (output bytes + rejections with global
 *   line numbers) and running counters. Synchronous, no I/O: the CLI drives it from Node streams with
 *   backpressure, `createFilterStream` from web streams.
 * - `createFilterStream(filter, options)`: a web `TransformStream<Uint8Array, Uint8Array>`.
 *
 * No Node built-ins here: it runs in browsers and workerd too.
 */
import {
  DEFAULT_MAX_EVENT_BYTES,
  LineBatcher,
  filterLineBatch,
  type BatchFilter,
  type FilteredBatch,
  type LineBatch,
  type LineBatcherOptions,
} from "./line-batcher.js";
import type { RejectCode, Rejection } from "../types.js";

export type { BatchFilter, FilteredBatch } from "./line-batcher.js";

/**
 * The filter to use: a filter, or a function returning the filter to use for the next batch (called
 * once per batch, so a new configuration can be swapped in between batches).
 */
export type FilterSource = BatchFilter | (() => BatchFilter);

export interface FilterStreamOptions extends LineBatcherOptions {
  /**
   * Called for each rejected event, in input order, with its global 1-based input line number, a code
   * and a byte offset within the line (never content). An exception thrown here errors the stream.
   */
  onRejection?: (rejection: Rejection) => void;
}

/** Running counters. Final once the input has ended (the stream's readable side has closed). */
export interface FilterStats {
  /** Input bytes received. */
  bytesIn: number;
  /** Output bytes produced. */
  bytesOut: number;
  /** Input lines, blank ones included. */
  lines: number;
  /** Events seen (non-blank lines). */
  events: number;
  /** Events written to the output. */
  kept: number;
  /**
   * Kept events that came out of their policy as `{}`: nothing of them was kept. Most events of a stream
   * coming out empty means a policy that does not fit the events.
   */
  empty: number;
  /** Events rejected (left out of the output). */
  rejected: number;
  /** Rejected events by code. */
  rejectedByCode: Partial<Record<RejectCode, number>>;
}

export function emptyStats(): FilterStats {
  return { bytesIn: 0, bytesOut: 0, lines: 0, events: 0, kept: 0, empty: 0, rejected: 0, rejectedByCode: {} };
}

/** Add one filtered batch to the counters (input bytes are counted by the caller as they arrive). */
export function addBatchStats(stats: FilterStats, batch: FilteredBatch): void {
  stats.bytesOut += batch.output.length;
  stats.lines += batch.lines;
  stats.events += batch.events;
  stats.kept += batch.kept;
  stats.empty += batch.empty;
  stats.rejected += batch.rejected.length;
  for (const r of batch.rejected) stats.rejectedByCode[r.code] = (stats.rejectedByCode[r.code] ?? 0) + 1;
}

function resolve(source: FilterSource): BatchFilter {
  return typeof source === "function" ? source() : source;
}

/**
 * Push-driven NDJSON filtering with bounded memory: about `batchBytes + maxEventBytes` bytes held at
 * most, whatever the input size. `maxEventBytes` defaults to the filter's `limits.maxEventBytes`.
 */
export class FilterSession {
  readonly stats: FilterStats = emptyStats();
  private readonly batcher: LineBatcher;
  private readonly source: FilterSource;
  private readonly onRejection: ((rejection: Rejection) => void) | undefined;

  constructor(filter: FilterSource, options: FilterStreamOptions = {}) {
    this.source = filter;
    this.onRejection = options.onRejection;
    const maxEventBytes = options.maxEventBytes ?? resolve(filter).limits?.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    const batcherOptions: LineBatcherOptions = { maxEventBytes };
    if (options.batchBytes !== undefined) batcherOptions.batchBytes = options.batchBytes;
    this.batcher = new LineBatcher(batcherOptions);
  }

  /** Feed a chunk; returns the batches it completed, filtered (often none). */
  push(chunk: Uint8Array): FilteredBatch[] {
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError("hipaa-sieve: the filter takes Uint8Array chunks (encode strings with TextEncoder first)");
    }
    this.stats.bytesIn += chunk.length;
    return this.run(this.batcher.push(chunk));
  }

  /** End of input: filters what is left (a final line without LF included). */
  finish(): FilteredBatch[] {
    return this.run(this.batcher.finish());
  }

  private run(batches: LineBatch[]): FilteredBatch[] {
    if (batches.length === 0) return [];
    const out: FilteredBatch[] = [];
    for (const batch of batches) {
      const filtered = filterLineBatch(resolve(this.source), batch);
      addBatchStats(this.stats, filtered);
      if (this.onRejection !== undefined) for (const r of filtered.rejected) this.onRejection(r);
      out.push(filtered);
    }
    return out;
  }
}

/** A `TransformStream` of NDJSON bytes to filtered NDJSON bytes, with its counters. */
export class FilterStream extends TransformStream<Uint8Array, Uint8Array> {
  /** Counters; final once the readable side has closed. */
  readonly stats: FilterStats;

  constructor(filter: FilterSource, options: FilterStreamOptions = {}) {
    const session = new FilterSession(filter, options);
    const emit = (batches: FilteredBatch[], controller: TransformStreamDefaultController<Uint8Array>): void => {
      for (const b of batches) if (b.output.length > 0) controller.enqueue(b.output);
    };
    super({
      transform(chunk, controller) {
        emit(session.push(chunk), controller);
      },
      flush(controller) {
        emit(session.finish(), controller);
      },
    });
    this.stats = session.stats;
  }
}

/**
 * Filter an NDJSON byte stream: `response.body.pipeThrough(createFilterStream(filter))`.
 * Rejected events are left out of the output and reported to `options.onRejection`; blank lines are
 * dropped; each kept event comes out minified with "\n". Memory stays bounded (see `FilterSession`),
 * and backpressure from the readable side reaches the writable side.
 */
export function createFilterStream(filter: FilterSource, options: FilterStreamOptions = {}): FilterStream {
  return new FilterStream(filter, options);
}
