/**
 * `LineBatcher` with a flush: the CLI can hand out the complete lines received so far without waiting
 * for a full batch, when the input goes quiet (a live stream) or before a new accounts configuration is
 * swapped in (so that lines read before the swap are filtered with the old one).
 *
 * How: the bytes after the last LF of a chunk (the start of a line) are held back here until the next
 * chunk arrives, so the batcher never holds a partial line at a point where a flush may be asked for.
 * A flush finishes the current `LineBatcher` (all its lines are complete) and starts a new one; line
 * numbers stay global by adding the lines of the finished batchers. A chunk without any LF (the middle
 * of a long line) goes straight to the batcher, which bounds its memory; no flush is possible until
 * that line ends. At most one chunk is held back.
 */
import { LineBatcher, type LineBatch, type LineBatcherOptions } from "../batcher.js";

const LF = 0x0a;

export class InputBatcher {
  private batcher: LineBatcher;
  /** Lines handed out by the batchers already finished. */
  private base = 0;
  /** Bytes after the last LF of the last chunk, not yet given to the batcher. */
  private held: Uint8Array | undefined = undefined;
  /** True when the batcher holds no partial line (it may be finished without cutting a line). */
  private flushable = true;
  private ended = false;

  constructor(private readonly options: LineBatcherOptions) {
    this.batcher = new LineBatcher(options);
  }

  /** Total lines handed out or held so far (the next line starts at `lines + 1` once it is complete). */
  get linesSeen(): number {
    return this.base + this.batcher.linesSeen;
  }

  /** True when complete lines are waiting for a batch to fill up: `flush()` would hand them out. */
  get pending(): boolean {
    return this.flushable && this.batcher.bufferedBytes > 0;
  }

  /** Feed a chunk (not kept beyond its tail); returns the batches it completed. */
  push(chunk: Uint8Array): LineBatch[] {
    if (this.ended) throw new Error("InputBatcher: push() after finish()");
    if (chunk.length === 0) return [];
    const out: LineBatch[] = [];
    const lf = chunk.lastIndexOf(LF);
    if (this.held !== undefined) {
      this.feed(this.held, out);
      this.held = undefined;
    }
    if (lf < 0) {
      this.feed(chunk, out);
      this.flushable = false;
      return out;
    }
    this.feed(lf + 1 === chunk.length ? chunk : chunk.subarray(0, lf + 1), out);
    if (lf + 1 < chunk.length) this.held = chunk.slice(lf + 1);
    this.flushable = true;
    return out;
  }

  /** Hand out the complete lines held, if no partial line is in the way. */
  flush(): LineBatch[] {
    if (!this.pending) return [];
    const out = this.batcher.finish().map((b) => this.globalize(b));
    this.base += this.batcher.linesSeen;
    this.batcher = new LineBatcher(this.options);
    return out;
  }

  /** End of input: everything left, a final line without LF included. */
  finish(): LineBatch[] {
    if (this.ended) return [];
    const out: LineBatch[] = [];
    if (this.held !== undefined) {
      this.feed(this.held, out);
      this.held = undefined;
    }
    this.ended = true;
    for (const b of this.batcher.finish()) out.push(this.globalize(b));
    return out;
  }

  private feed(bytes: Uint8Array, out: LineBatch[]): void {
    for (const b of this.batcher.push(bytes)) out.push(this.globalize(b));
  }

  private globalize(batch: LineBatch): LineBatch {
    if (this.base === 0) return batch;
    const base = this.base;
    return {
      bytes: batch.bytes,
      firstLine: batch.firstLine + base,
      lines: batch.lines,
      tooLarge: batch.tooLarge.map((r) => ({ line: r.line + base, code: r.code, offset: r.offset })),
    };
  }
}
