/**
 * The filter in use during a run, and a replacement waiting to be swapped in. Only the pump (the loop
 * that feeds batches to the engine) swaps, and only between two batches: each batch is filtered by
 * exactly one filter, so no event is lost or filtered twice.
 */

export class FilterSlot<T> {
  private waiting: { next: T; done: (applied: boolean) => void } | undefined = undefined;
  private closed = false;

  /** Called when a replacement starts waiting (the pump wakes up to swap it in). */
  onRequest: (() => void) | undefined = undefined;

  constructor(public current: T) {}

  /** Ask for `next` to replace the current one. Resolves true once swapped in, false if the run ended first. */
  request(next: T): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    this.waiting?.done(false);
    return new Promise<boolean>((done) => {
      this.waiting = { next, done };
      this.onRequest?.();
    });
  }

  get requested(): boolean {
    return this.waiting !== undefined;
  }

  /** Swap the waiting replacement in (the pump calls this between batches). */
  apply(): void {
    const waiting = this.waiting;
    if (waiting === undefined) return;
    this.waiting = undefined;
    this.current = waiting.next;
    waiting.done(true);
  }

  /** The run is over: a waiting replacement is dropped. */
  close(): void {
    this.closed = true;
    this.waiting?.done(false);
    this.waiting = undefined;
  }
}
