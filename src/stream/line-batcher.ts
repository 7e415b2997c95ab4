/**
 * NDJSON line batching with bounded memory.
 *
 * `LineBatcher` turns a stream of byte chunks (split anywhere, even inside a UTF-8 sequence) into
 * batches of complete lines for `filter.filterBatch`. It never holds more than about
 * `batchBytes + maxEventBytes` bytes: a line longer than `maxEventBytes` is not buffered whole, its
 * bytes are dropped up to the next LF and it is reported as a `TOO_LARGE` rejection.
 *
 * Line numbers are global (1-based over the whole input) and counted exactly as the engine counts
 * them within a batch (every LF ends a line; a final line without LF counts), so a batch's
 * `Rejection.line` maps back to the input as `firstLine + line - 1` (see `filterLineBatch`).
 *
 * No Node built-ins here: only `Uint8Array`. It runs in browsers and workerd too.
 */
import { DEFAULT_LIMITS, type BatchResult, type EngineLimits, type Rejection } from "../types.js";

const LF = 0x0a;
const CR = 0x0d;

/** Default target size of one batch: 1 MiB. */
export const DEFAULT_BATCH_BYTES = 1 << 20;
/** Default largest event: the engine's. */
export const DEFAULT_MAX_EVENT_BYTES = DEFAULT_LIMITS.maxEventBytes;

export interface LineBatcherOptions {
  /**
   * Target size of a batch in bytes (default 1 MiB). A batch is closed at the first line end at or
   * after this size, so it always holds whole lines and a single long line may make it larger.
   */
  batchBytes?: number;
  /**
   * Largest event in bytes, its line end (LF, or CR LF) not counted (default 16 MiB). Give the same
   * value as the filter's `limits.maxEventBytes`.
   */
  maxEventBytes?: number;
}

/** A run of complete input lines, ready for `filterBatch`. */
export interface LineBatch {
  /**
   * The lines, each ending with LF except possibly the last line of the input. A line the batcher
   * rejected as too large stands here as an empty line (a lone LF), which the engine skips as blank,
   * so line numbering within `bytes` matches the input.
   */
  bytes: Uint8Array;
  /** Global 1-based input line number of the first line in `bytes`. */
  firstLine: number;
  /** Number of lines in `bytes` (blank ones and too-large placeholders included). */
  lines: number;
  /** Lines of this batch rejected by the batcher itself (always `TOO_LARGE`), with global line numbers. */
  tooLarge: Rejection[];
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

export class LineBatcher {
  readonly batchBytes: number;
  readonly maxEventBytes: number;

  /** Bytes of the batch being built: complete lines in [0, lineStart), the current partial line in [lineStart, len). */
  private buf: Uint8Array;
  private len = 0;
  private lineStart = 0;
  /** True while dropping the rest of a too-large line (already counted and reported) up to its LF. */
  private discarding = false;
  /** Global number of the line currently being read. */
  private nextLine = 1;
  /** Global number of the first line in `buf`. */
  private firstLine = 1;
  private tooLarge: Rejection[] = [];
  private ended = false;

  constructor(options: LineBatcherOptions = {}) {
    this.batchBytes = positiveInteger(options.batchBytes, DEFAULT_BATCH_BYTES, "batchBytes");
    this.maxEventBytes = positiveInteger(options.maxEventBytes, DEFAULT_MAX_EVENT_BYTES, "maxEventBytes");
    this.buf = new Uint8Array(this.initialCapacity());
  }

  /** Number of input lines fully seen so far (the next line to start is `linesSeen + 1`). */
  get linesSeen(): number {
    return this.nextLine - 1;
  }

  /** Bytes held right now (the batch being built plus a partial line). */
  get bufferedBytes(): number {
    return this.len;
  }

  /**
   * Feed the next chunk of input. Returns the batches completed by it (often none, sometimes several).
   * Each batch owns its bytes. The chunk is not kept.
   */
  push(chunk: Uint8Array): LineBatch[] {
    if (this.ended) throw new Error("LineBatcher: push() after finish()");
    const out: LineBatch[] = [];
    const n = chunk.length;
    let pos = 0;

    // 1. The first line of the chunk may continue a line already begun (or being discarded).
    if (this.discarding) {
      const lf = chunk.indexOf(LF);
      if (lf < 0) return out;
      this.discarding = false;
      pos = lf + 1;
    } else if (this.len > this.lineStart) {
      const lf = chunk.indexOf(LF);
      if (lf < 0) {
        this.appendPartial(chunk, 0, n);
        return out;
      }
      const lineLength = this.len - this.lineStart + lf;
      const lastByte = (lf > 0 ? chunk[lf - 1] : this.buf[this.len - 1]) ?? 0;
      if (this.isTooLarge(lineLength, lastByte)) {
        this.rejectCurrentLine();
      } else {
        this.append(chunk, 0, lf + 1);
        this.endLine();
      }
      pos = lf + 1;
      if (this.lineStart >= this.batchBytes) out.push(this.take());
    }

    // 2. Lines wholly inside the chunk: accepted lines are copied in runs, not one by one.
    let runStart = pos;
    while (pos < n) {
      const lf = chunk.indexOf(LF, pos);
      if (lf < 0) break;
      const lineLength = lf - pos;
      if (this.isTooLarge(lineLength, (lineLength > 0 ? chunk[lf - 1] : 0) ?? 0)) {
        this.append(chunk, runStart, pos);
        this.lineStart = this.len;
        this.rejectCurrentLine();
        runStart = lf + 1;
      } else {
        // Count the line now; its bytes join buf when the run is copied.
        this.nextLine++;
      }
      pos = lf + 1;
      if (this.len + (pos - runStart) >= this.batchBytes) {
        this.append(chunk, runStart, pos);
        this.lineStart = this.len;
        runStart = pos;
        out.push(this.take());
      }
    }
    this.append(chunk, runStart, pos);
    this.lineStart = this.len;

    // 3. The tail without LF starts a partial line.
    if (pos < n) this.appendPartial(chunk, pos, n);
    return out;
  }

  /** Whether complete lines are waiting for the batch to fill up: `flush()` would hand them out. */
  get pending(): boolean {
    return this.lineStart > 0;
  }

  /**
   * Hands out the complete lines held so far, without waiting for a full batch (a live stream gone
   * quiet, or a configuration about to change). A partial line stays for the next batch.
   */
  flush(): LineBatch[] {
    if (this.ended) return [];
    return this.lineStart > 0 ? [this.take()] : [];
  }

  /** End of input: returns the last batch (the final line without LF included), if any. */
  finish(): LineBatch[] {
    if (this.ended) return [];
    this.ended = true;
    if (this.discarding) {
      this.discarding = false;
    } else if (this.len > this.lineStart) {
      // A final line without LF. It is at most maxEventBytes + 1 bytes long (see appendPartial); the
      // engine applies the exact size rule to it.
      this.lineStart = this.len;
      this.nextLine++;
    }
    return this.nextLine > this.firstLine ? [this.take()] : [];
  }

  /** A line of `length` bytes (LF excluded) ending with `lastByte`: does it exceed maxEventBytes once a CR before the LF is dropped? */
  private isTooLarge(length: number, lastByte: number): boolean {
    if (length <= this.maxEventBytes) return false;
    return !(length === this.maxEventBytes + 1 && lastByte === CR);
  }

  /** Append bytes of a line that has no LF yet; if it can no longer fit in maxEventBytes, reject it and drop the rest. */
  private appendPartial(chunk: Uint8Array, from: number, to: number): void {
    const pending = this.len - this.lineStart + (to - from);
    // With maxEventBytes + 1 bytes, the last one might still be a CR followed by LF: keep waiting.
    if (pending > this.maxEventBytes + 1) {
      this.rejectCurrentLine();
      this.discarding = true;
      return;
    }
    this.append(chunk, from, to);
  }

  /** Replace the current line by an empty line, report it as TOO_LARGE and count it. */
  private rejectCurrentLine(): void {
    this.len = this.lineStart;
    this.ensure(1);
    this.buf[this.len++] = LF;
    this.tooLarge.push({ line: this.nextLine, code: "TOO_LARGE", offset: this.maxEventBytes });
    this.endLine();
  }

  private endLine(): void {
    this.lineStart = this.len;
    this.nextLine++;
  }

  private append(chunk: Uint8Array, from: number, to: number): void {
    if (to <= from) return;
    this.ensure(to - from);
    this.buf.set(chunk.subarray(from, to), this.len);
    this.len += to - from;
  }

  private ensure(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    // Never more than a batch plus one largest line is held: do not double past that.
    const most = this.batchBytes + this.maxEventBytes + 2;
    let capacity = this.buf.length * 2;
    while (capacity < need) capacity *= 2;
    capacity = Math.max(need, Math.min(capacity, most));
    const next = new Uint8Array(capacity);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private initialCapacity(): number {
    return Math.min(this.batchBytes, 1 << 24) + 65536;
  }

  /** Hand out the complete lines in buf as a batch; keep the partial line for the next one. */
  private take(): LineBatch {
    const batch: LineBatch = {
      bytes: this.buf.subarray(0, this.lineStart),
      firstLine: this.firstLine,
      lines: this.nextLine - this.firstLine,
      tooLarge: this.tooLarge,
    };
    const partial = this.buf.subarray(this.lineStart, this.len);
    const next = new Uint8Array(Math.max(this.initialCapacity(), partial.length * 2));
    next.set(partial);
    this.buf = next;
    this.len = partial.length;
    this.lineStart = 0;
    this.firstLine = this.nextLine;
    this.tooLarge = [];
    return batch;
  }
}

/** What `filterLineBatch` needs from a filter: the engine's `Filter` satisfies it. */
export interface BatchFilter {
  filterBatch(ndjson: Uint8Array): BatchResult;
  readonly limits?: EngineLimits;
}

/** The result of filtering one `LineBatch`, with rejections in global input line numbers. */
export interface FilteredBatch {
  /** Kept events, each minified JSON followed by "\n". */
  output: Uint8Array;
  firstLine: number;
  lines: number;
  /** Events seen (non-blank lines, too-large ones included). */
  events: number;
  kept: number;
  /** Kept events that came out of their policy as `{}` (nothing of them was kept). */
  empty: number;
  /** Rejected events in input order, `line` being the global 1-based input line. */
  rejected: Rejection[];
}

/**
 * Filter one batch and map its rejections to global input line numbers, merging in the lines the
 * batcher rejected as too large. Throws if the engine's line count disagrees with the batcher's, since
 * line numbers could then not be trusted.
 */
export function filterLineBatch(filter: BatchFilter, batch: LineBatch): FilteredBatch {
  const result = filter.filterBatch(batch.bytes);
  if (result.lines !== batch.lines) {
    throw new Error(
      `engine counted ${result.lines} lines in a batch of ${batch.lines} (input lines ${batch.firstLine}-${batch.firstLine + batch.lines - 1})`,
    );
  }
  const offset = batch.firstLine - 1;
  const rejected: Rejection[] = new Array(result.rejected.length + batch.tooLarge.length);
  let i = 0;
  let j = 0;
  let k = 0;
  const engine = result.rejected;
  const tooLarge = batch.tooLarge;
  while (i < engine.length || j < tooLarge.length) {
    const e = i < engine.length ? engine[i] : undefined;
    const t = j < tooLarge.length ? tooLarge[j] : undefined;
    if (e !== undefined && (t === undefined || e.line + offset <= t.line)) {
      rejected[k++] = { line: e.line + offset, code: e.code, offset: e.offset };
      i++;
    } else if (t !== undefined) {
      rejected[k++] = t;
      j++;
    }
  }
  return {
    output: result.output,
    firstLine: batch.firstLine,
    lines: batch.lines,
    events: result.events + tooLarge.length,
    kept: result.kept,
    empty: result.empty,
    rejected,
  };
}
