/**
 * The ring a pipe-reader thread fills and the main thread drains (pipe-reader.ts, pipe-reader-thread.ts):
 * one SharedArrayBuffer, laid out once here for both sides.
 *
 *   0                                                   RING_BYTES           + CONTROL_WORDS * 4
 *   [ data ................................... | WRITTEN | TAKEN | STATE | ERRNO | WANTED | EVENTS ]
 *
 *   WRITTEN  bytes the thread has put in the ring, ever, mod 2^32 (stored by the thread only)
 *   TAKEN    bytes the main thread has taken out, ever, mod 2^32 (stored by the main thread only)
 *   STATE    RUNNING, then ENDED (end of input), FAILED (a read failed: ERRNO says how), or
 *            STOPPED (the main thread gave up on the input); the thread stores the first two, the
 *            main thread the last
 *   ERRNO    the failed read's errno (negative, as Node reports it), for the message
 *   WANTED   how many bytes the main thread, waiting, would take at once: the thread wakes it when
 *            that many are waiting (never more than the ring holds), and at the end. So a writer at full
 *            speed costs the main thread one wake-up per batch's worth, not one per 64 KiB the pipe
 *            holds; a slow one is seen after QUIET_MS (the main thread's wait times out)
 *   EVENTS   counts what the thread did (a read stored, the end): the word the main thread waits on.
 *            It reads EVENTS before it looks at WRITTEN and STATE, so whatever the thread does after
 *            that look changes EVENTS, and the wait returns at once instead of missing the wake-up (as
 *            a wait on WRITTEN would miss the end, which stores no bytes). Stored with Atomics.add by
 *            the thread, and by the main thread when it stops the reading or sees the thread fail
 *
 * Byte k of the input is at data[k % RING_BYTES]. `WRITTEN - TAKEN` (in 32-bit arithmetic, which the
 * wrap-around keeps right since it never exceeds RING_BYTES < 2^31) is what is waiting. Each counter has
 * one writer, so the two sides need no lock: the thread writes bytes, then publishes WRITTEN (Atomics
 * orders the two); the main thread copies bytes out, then publishes TAKEN, which frees their room.
 */

/**
 * 4 MiB: more than the pipe sends while the main thread filters a 1 MiB batch, so the writer never
 * waits on us. A power of two, so that `counter % RING_BYTES` stays right when a counter wraps at 2^32.
 */
export const RING_BYTES = 4 << 20;

export const WRITTEN = 0;
export const TAKEN = 1;
export const STATE = 2;
export const ERRNO = 3;
export const WANTED = 4;
export const EVENTS = 5;
const CONTROL_WORDS = 6;

export const RUNNING = 0;
export const ENDED = 1;
export const FAILED = 2;
export const STOPPED = 3;

/** The largest single read(2) the thread asks for (a pipe holds 64 KiB by default; a FIFO's may be larger). */
export const READ_BYTES = 1 << 20;

/**
 * How long the main thread waits for WANTED bytes before it takes fewer (a slow or live input): short
 * next to the 20 ms after which the CLI hands out the complete lines of a quiet input.
 */
export const QUIET_MS = 1;

export interface PipeRing {
  readonly buffer: SharedArrayBuffer;
  readonly data: Uint8Array;
  readonly control: Int32Array;
}

export function createPipeRing(): PipeRing {
  return viewPipeRing(new SharedArrayBuffer(RING_BYTES + CONTROL_WORDS * 4));
}

export function viewPipeRing(buffer: SharedArrayBuffer): PipeRing {
  return { buffer, data: new Uint8Array(buffer, 0, RING_BYTES), control: new Int32Array(buffer, RING_BYTES, CONTROL_WORDS) };
}
