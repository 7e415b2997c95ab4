/**
 * The filter command's main loop: input chunks → (JSON array → NDJSON) → batches of whole lines → the
 * engine → output, errors, rejects; with backpressure (each write is awaited), so memory stays bounded.
 *
 * Between two batches the loop also:
 * - swaps in a new filter when one is waiting (`--watch`): the complete lines already received are
 *   filtered with the old one first, so a change applies to the events read after it was loaded;
 * - hands out the complete lines received so far when the input has been quiet for a moment, so that a
 *   live stream is not held back until a whole batch has arrived;
 * - stops reading when interrupted (SIGINT, SIGTERM): the complete lines already received are filtered
 *   and written, a partial line is dropped, and a JSON array output is closed, so that every output
 *   ends on a whole event.
 *
 * The single-thread loop copies as little as it can: an input file (or standard input redirected from
 * one) is read straight into the batcher's buffer, the next read in flight while the last batches are
 * filtered (a piped standard input is copied in from its reader thread's ring, cli/pipe-reader.ts);
 * batches are views of two buffers that take turns (no array per batch); and the engine's
 * output is written from its memory (a view, written completely before the next engine call). What
 * is left is the one copy into the engine's input. With a pool, batches own their bytes (they are
 * moved to the worker threads).
 */
import { filterLineBatch, type BatchFilter, type FilteredBatch, type LineBatch } from "../../stream/line-batcher.js";
import { FilterPoolError, type FilterPool, type FilterPoolConfig } from "../../pool/filter-pool.js";
import type { BatchOptions, BatchResult } from "../../types.js";
import { CliError } from "../errors.js";
import type { FilterSlot } from "./filter-slot.js";
import { LineBatcher } from "../../stream/line-batcher.js";
import type { Interrupt } from "./interrupt.js";
import { READ_CHUNK_BYTES, type Input, type OutputSink } from "./io.js";
import { ArrayFormatError, ArrayOutput, ArrayScanner } from "./json-array.js";
import type { Progress } from "./progress.js";
import { rejectedLineBytes } from "./rejects.js";
import { addBatch, rejectionLine, type RunStats } from "./stats.js";

export type InputFormat = "ndjson" | "json-array";

/** After this long without input, complete lines waiting for a batch to fill are filtered anyway. */
export const DEFAULT_IDLE_MS = 20;

export interface PumpOptions {
  input: Input;
  format: InputFormat;
  slot: FilterSlot<{ filter: BatchFilter }>;
  output: OutputSink;
  errors: OutputSink | undefined;
  rejects: OutputSink | undefined;
  stats: RunStats;
  progress: Progress;
  maxEventBytes: number;
  batchBytes?: number | undefined;
  idleMs?: number | undefined;
  /** Called at every step; throws to stop the run (a failure in the background). */
  check?: () => void;
  /** Stops the run early, between two chunks, once it has a signal. */
  interrupt?: Interrupt | undefined;
  /** --workers N > 1: batches go to this pool (in order), and a swap in the slot is swapped into it too. */
  pool?: FilterPool | undefined;
  /** With a pool: the configuration the slot now holds, once swapped in. */
  swapConfig?: (() => FilterPoolConfig) | undefined;
}

const VIEW: BatchOptions = { view: true };

const CHUNK = 0;
const IDLE = 1;
const SWAP = 2;
const STOP = 3;
const RESULT = 4;
type Wake = typeof CHUNK | typeof IDLE | typeof SWAP | typeof STOP | typeof RESULT;

/** A batch handed to the pool, and what had been read when it was (a run stopped there reports that). */
interface InFlight {
  batch: LineBatch;
  result: Promise<BatchResult>;
  bytesIn: number;
}

function arrayError(input: Input, error: ArrayFormatError): CliError {
  return new CliError(`${input.label} is not a JSON array of events: ${error.message}`);
}

/** Resolves to true when the whole input was filtered, false when an interruption stopped it first. */
export async function pump(o: PumpOptions): Promise<boolean> {
  const pool = o.pool;
  // Batches are done with before more input comes in, except when they go to a pool.
  const reuse = pool === undefined;
  const batcher = new LineBatcher({ maxEventBytes: o.maxEventBytes, reuse, ...(o.batchBytes === undefined ? {} : { batchBytes: o.batchBytes }) });
  const scanner = o.format === "json-array" ? new ArrayScanner() : undefined;
  // Read straight into the batcher where the input allows it (NDJSON: a JSON array goes through the scanner).
  const readInto = reuse && scanner === undefined ? o.input.readInto : undefined;
  const arrayOutput = o.format === "json-array" ? new ArrayOutput() : undefined;
  const idleMs = o.idleMs ?? DEFAULT_IDLE_MS;

  /** Count and write one filtered batch: `raw` is the engine's result for it, its output a view of engine memory where `view`. */
  const deliver = async (batch: LineBatch, filtered: FilteredBatch, raw: BatchResult, view: boolean): Promise<void> => {
    addBatch(o.stats, filtered, raw, batch.tooLarge.length);
    // The rejections first: when the output then breaks (its reader gone), the counted batch still has
    // its --errors lines, and the errors file agrees with the statistics.
    if (filtered.rejected.length > 0) {
      if (o.errors !== undefined) await o.errors.write(filtered.rejected.map(rejectionLine).join(""));
      if (o.rejects !== undefined) {
        const bytes = rejectedLineBytes(batch, filtered.rejected);
        if (bytes.length > 0) await o.rejects.write(bytes);
      }
    }
    // (A JSON array's output is a new array made from the view.)
    const output = arrayOutput !== undefined ? arrayOutput.batch(filtered.output) : filtered.output;
    if (output.length > 0) {
      o.stats.bytesOut += output.length;
      if (view && arrayOutput === undefined) await o.output.writeView(output);
      else await o.output.write(output);
    }
  };
  const run = async (batch: LineBatch): Promise<void> => {
    const filter = o.slot.current.filter;
    let raw: BatchResult | undefined;
    const filtered = filterLineBatch(
      {
        limits: filter.limits,
        filterBatch(bytes) {
          raw = filter.filterBatch(bytes, VIEW);
          return raw;
        },
      },
      batch,
    );
    // Written before anything else calls the engine: the loop awaits this before the next batch.
    await deliver(batch, filtered, raw as BatchResult, true);
  };

  // With a pool: batches in flight, oldest first, each delivered (counted and written) in this order,
  // exactly as run() would have, one after another.
  const inFlight: InFlight[] = [];
  const settleOldest = async (): Promise<void> => {
    const job = inFlight.shift() as InFlight;
    try {
      let raw: BatchResult;
      try {
        raw = await job.result;
      } catch (error) {
        if (error instanceof FilterPoolError) throw new CliError(`the filtering stopped: ${error.message.replace(/^hipaa-sieve: /, "")}`);
        throw error;
      }
      await deliver(job.batch, filterLineBatch({ filterBatch: () => raw }, job.batch), raw, false);
    } catch (error) {
      // What a single-thread run would have read by then: the statistics of a run stopped here agree.
      o.stats.bytesIn = job.bytesIn;
      throw error;
    }
    o.progress.update(o.stats.bytesIn, o.stats.events);
  };
  const submit = async (batch: LineBatch): Promise<void> => {
    const p = pool as FilterPool;
    while (inFlight.length >= p.maxInFlight) await settleOldest();
    // --rejects reads the batch's bytes after filtering: copy them then; otherwise move them.
    const result = p.filterBatch(batch.bytes, { transfer: o.rejects === undefined });
    // Failures are awaited in order by settleOldest; until then this one must not count as unhandled.
    result.catch(() => {});
    inFlight.push({ batch, result, bytesIn: o.stats.bytesIn });
  };
  const drain = async (): Promise<void> => {
    while (inFlight.length > 0) await settleOldest();
  };
  const emit = async (batches: LineBatch[]): Promise<void> => {
    for (const batch of batches) {
      if (pool !== undefined) {
        await submit(batch);
        continue;
      }
      await run(batch);
      o.progress.update(o.stats.bytesIn, o.stats.events);
    }
  };
  let swapFailure: { error: unknown } | undefined;

  // Wake-ups: the next chunk, a quiet input, a filter waiting to be swapped in, an interruption.
  let wake: ((why: Wake) => void) | undefined;
  o.slot.onRequest = () => wake?.(SWAP);
  if (o.interrupt !== undefined) o.interrupt.onStop = () => wake?.(STOP);
  let interrupted = false;
  const chunks = o.input.chunks();
  let result: IteratorResult<Uint8Array> | undefined;
  let failure: { error: unknown } | undefined;
  const read = (): void => {
    if (readInto !== undefined) {
      // The region stays put while a read is in flight: only flush() may happen meanwhile (line-batcher.ts).
      const target = batcher.writable(READ_CHUNK_BYTES);
      readInto(target).then(
        (n) => {
          result = n === 0 ? { done: true, value: undefined } : { done: false, value: target.subarray(0, n) };
          wake?.(CHUNK);
        },
        (error: unknown) => {
          failure = { error };
          wake?.(CHUNK);
        },
      );
      return;
    }
    chunks.next().then(
      (r) => {
        result = r;
        wake?.(CHUNK);
      },
      (error: unknown) => {
        failure = { error };
        wake?.(CHUNK);
      },
    );
  };

  try {
    read();
    for (;;) {
      o.check?.();
      if (o.interrupt?.signal !== undefined) {
        interrupted = true;
        break;
      }
      if (swapFailure !== undefined) throw swapFailure.error;
      if (o.slot.requested) {
        await emit(batcher.flush());
        o.slot.apply();
        // Queued behind every batch submitted so far, ahead of every later one (filter-pool.ts).
        if (pool !== undefined) {
          pool.swap(o.swapConfig?.() as FilterPoolConfig).catch((error: unknown) => {
            swapFailure ??= { error };
          });
        }
        continue;
      }
      if (failure !== undefined) throw failure.error;
      if (result === undefined) {
        let timer: NodeJS.Timeout | undefined;
        const why = await new Promise<Wake>((resolve) => {
          wake = resolve;
          if (batcher.pending) timer = setTimeout(() => resolve(IDLE), idleMs);
          // A batch coming back while the input is quiet is written now, not when more input comes.
          const oldest = inFlight[0];
          if (oldest !== undefined) oldest.result.then(() => resolve(RESULT), () => resolve(RESULT));
        });
        wake = undefined;
        if (timer !== undefined) clearTimeout(timer);
        if (why === IDLE) await emit(batcher.flush());
        if (why === RESULT) await settleOldest();
        continue;
      }
      const r = result;
      result = undefined;
      if (r.done === true) break;
      const chunk = r.value;
      o.stats.bytesIn += chunk.length;
      if (scanner !== undefined) {
        let pieces: Uint8Array[];
        try {
          pieces = scanner.push(chunk);
        } catch (error) {
          if (error instanceof ArrayFormatError) throw arrayError(o.input, error);
          throw error;
        }
        for (const piece of pieces) await emit(batcher.push(piece));
      } else if (readInto !== undefined) {
        // The next read goes on (into the other buffer, if need be) while these batches are filtered.
        const batches = batcher.commit(chunk.length);
        read();
        await emit(batches);
        o.progress.update(o.stats.bytesIn, o.stats.events);
        continue;
      } else {
        await emit(batcher.push(chunk));
      }
      o.progress.update(o.stats.bytesIn, o.stats.events);
      read();
    }
    if (interrupted) {
      // The input is left unfinished: only its complete lines (array elements) count.
      await emit(batcher.flush());
      await drain();
    } else {
      if (scanner !== undefined) {
        try {
          scanner.finish();
        } catch (error) {
          if (error instanceof ArrayFormatError) throw arrayError(o.input, error);
          throw error;
        }
      }
      await emit(batcher.finish());
      await drain();
    }
    if (swapFailure !== undefined) throw swapFailure.error;
    if (arrayOutput !== undefined) {
      const close = arrayOutput.close();
      o.stats.bytesOut += close.length;
      await o.output.write(close);
    }
    o.check?.();
    return !interrupted;
  } finally {
    o.slot.onRequest = undefined;
    if (o.interrupt !== undefined) o.interrupt.onStop = undefined;
    o.slot.close();
    o.progress.clear();
    if (result === undefined && failure === undefined) {
      // Stop the reader quietly (an error or an interruption ended the loop while a read was pending).
      void chunks.return(undefined).catch(() => {});
    }
  }
}
