/**
 * Reading a pipe (standard input from `cat F |`, a FIFO) without making its writer wait: a thread of
 * its own (pipe-reader-thread.ts) keeps draining the pipe into a shared ring (pipe-ring.ts) while the
 * main thread filters, and `readInto` copies what has come out of the ring. Node on Linux only: the
 * thread reads a description of the pipe of its own, and stopping it early needs the pipe's write
 * side; `/proc/self/fd/N` gives both. Elsewhere `open` says no, and the input is read as a stream.
 *
 * Why: a pipe holds 64 KiB. Read as a stream on the one thread that also filters, the writer stops
 * whenever the pipe is full, which is most of the time a batch is filtered, and each 64 KiB costs an
 * event-loop turn and a fresh chunk (see the README's CLI table for what the reader thread gains).
 */
import { closeSync, constants, openSync, writeSync } from "node:fs";
import { getSystemErrorName } from "node:util";
import type { Worker } from "node:worker_threads";
import { startWorker } from "../pool/threads-node.js";
import {
  ERRNO, EVENTS, FAILED, QUIET_MS, RING_BYTES, RUNNING, STATE, STOPPED, TAKEN, WANTED, WRITTEN, createPipeRing, type PipeRing,
} from "./pipe-ring.js";

// Written from dist/cli/, which the bundle in dist/bin/ shares the depth of: the same URL from both.
const THREAD_URL = new URL("../cli/pipe-reader-thread.js", import.meta.url);

/** The word V8 copies shared memory by (copyOut), and the size of the bounce buffer (within L2 cache). */
const WORD = 8;
const BOUNCE_BYTES = 256 << 10;

/** A read that failed, with its errno's name as `code` (EIO, ...): never any of the bytes read. */
function readError(errno: number): Error {
  let code = "EIO";
  try {
    code = getSystemErrorName(errno);
  } catch {
    // An errno Node does not know: report EIO.
  }
  return Object.assign(new Error(`read failed: ${code}`), { code });
}

/** Opens the write side of the pipe at `path` (without waiting), or throws. */
function openWriteSide(path: string): number {
  return openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
}

export class PipeReader {
  private readonly ring: PipeRing = createPipeRing();
  private taken = 0;
  private readonly bounce = new Uint8Array(BOUNCE_BYTES + WORD);
  private worker: Worker | undefined;
  private failure: Error | undefined;
  private closed = false;

  private constructor(
    private readonly path: string,
    private readonly fd: number,
  ) {}

  /**
   * A reader of the pipe at descriptor `fd`, or undefined where it cannot have one (not Linux, a
   * socket, no /proc, a pipe whose write side it may not open): read that input as a stream instead.
   * Nothing is read before `start()` (or the first `readInto`).
   */
  static open(fd: number): PipeReader | undefined {
    const path = `/proc/self/fd/${fd}`;
    let writeSide: number;
    try {
      // Only a reader that can be stopped is started: the write side must open (close() needs it).
      writeSide = openWriteSide(path);
    } catch {
      return undefined;
    }
    try {
      // Held open meanwhile: a named FIFO's blocking open for reading waits for a writer, and the
      // FIFO's own writer may be done already (its bytes still in the FIFO, then the end).
      return new PipeReader(path, openSync(path, constants.O_RDONLY));
    } catch {
      return undefined;
    } finally {
      closeSync(writeSide);
    }
  }

  /**
   * Starts the thread (the first readInto does, if not called before): it reads the pipe ahead into
   * the ring until the input ends (then the descriptor is closed here). Starting a thread takes tens
   * of milliseconds: start it early, while other work is done.
   */
  start(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = startWorker(THREAD_URL, { buffer: this.ring.buffer, fd: this.fd });
    worker.unref();
    const fail = (error: Error): void => {
      this.failure ??= error;
      this.signal();
    };
    worker.on("error", () => fail(new Error("the pipe-reader thread failed")));
    worker.on("exit", () => {
      closeSync(this.fd);
      if (Atomics.load(this.ring.control, STATE) === RUNNING) fail(new Error("the pipe-reader thread stopped"));
    });
    this.worker = worker;
    return worker;
  }

  /**
   * Copies the bytes waiting (at most `target.length`) to the start of `target`, first waiting for
   * some; resolves to the count, 0 at the end of the input (or once closed). One call at a time.
   */
  async readInto(target: Uint8Array): Promise<number> {
    if (this.closed) return 0;
    const worker = this.start();
    const { control } = this.ring;
    // After a wait for a full target timed out on an empty ring, the next waits for any byte, however long.
    let quiet = false;
    for (;;) {
      // Read first: anything the thread does after the looks below changes it (pipe-ring.ts).
      const events = Atomics.load(control, EVENTS);
      const written = Atomics.load(control, WRITTEN);
      const waiting = (written - this.taken) | 0;
      if (waiting > 0) return this.take(target, waiting);
      const state = Atomics.load(control, STATE);
      if (state !== RUNNING) {
        // The thread stores WRITTEN before STATE: bytes it read last are visible now.
        if (Atomics.load(control, WRITTEN) !== written) continue;
        if (state === FAILED) throw readError(Atomics.load(control, ERRNO));
        return 0;
      }
      if (this.failure !== undefined) throw this.failure;
      Atomics.store(control, WANTED, quiet ? 1 : Math.min(target.length, RING_BYTES));
      const waited = Atomics.waitAsync(control, EVENTS, events, quiet ? Infinity : QUIET_MS);
      if (!waited.async) continue;
      // A pending waitAsync does not keep Node running: the thread, referenced meanwhile, does.
      worker.ref();
      try {
        const outcome: string = await waited.value;
        quiet = outcome === "timed-out";
      } finally {
        worker.unref();
      }
    }
  }

  /** Wakes a pending readInto to look again (the thread failed, or the reading was stopped). */
  private signal(): void {
    Atomics.add(this.ring.control, EVENTS, 1);
    Atomics.notify(this.ring.control, EVENTS);
  }

  private take(target: Uint8Array, waiting: number): number {
    const { control } = this.ring;
    const n = Math.min(waiting, target.length);
    const at = (this.taken >>> 0) % RING_BYTES;
    const first = Math.min(n, RING_BYTES - at);
    this.copyOut(at, first, target, 0);
    if (first < n) this.copyOut(0, n - first, target, first);
    this.taken = (this.taken + n) | 0;
    // Their room is free again: a thread waiting on a full ring reads on.
    Atomics.store(control, TAKEN, this.taken);
    Atomics.notify(control, TAKEN);
    return n;
  }

  /**
   * Copies `length` bytes of the ring from `from` to `target` at `to`. V8 copies out of shared memory
   * word by word only where source and destination have the same alignment, else byte by byte (3 GB/s
   * against 24 measured here, which made this copy a sixth of a piped run): so the bytes go through a
   * small buffer placed to match the ring's alignment, then on to the target (an ordinary copy).
   */
  private copyOut(from: number, length: number, target: Uint8Array, to: number): void {
    const data = this.ring.data;
    if (((target.byteOffset + to - from) & (WORD - 1)) === 0) {
      target.set(data.subarray(from, from + length), to);
      return;
    }
    const shift = from & (WORD - 1);
    for (let done = 0; done < length; done += BOUNCE_BYTES) {
      const k = Math.min(BOUNCE_BYTES, length - done);
      const bounce = this.bounce.subarray(shift, shift + k);
      bounce.set(data.subarray(from + done, from + done + k));
      target.set(bounce, to + done);
    }
  }

  /**
   * Stops reading: a pending readInto resolves to 0, and the thread ends without being waited for.
   * A thread blocked reading a quiet pipe is woken by a byte put into the pipe (which it reads and
   * drops); if the pipe is full, the thread is not blocked reading.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const { control } = this.ring;
    if (this.worker === undefined) {
      closeSync(this.fd);
      return;
    }
    if (Atomics.compareExchange(control, STATE, RUNNING, STOPPED) !== RUNNING) return;
    Atomics.notify(control, TAKEN);
    this.signal();
    try {
      const side = openWriteSide(this.path);
      try {
        writeSync(side, new Uint8Array(1));
      } catch {
        // Full (EAGAIN): the thread reads on without waiting, and sees STOPPED.
      } finally {
        closeSync(side);
      }
    } catch {
      // Checked by open(): the write side opened then.
    }
  }
}
