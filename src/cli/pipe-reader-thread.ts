/**
 * The pipe-reader thread (started by pipe-reader.ts): reads a pipe into the shared ring for as long as
 * it has room, so the writer on the other side of the pipe never waits while the main thread filters.
 *
 * Its reads block, as `cat`'s do: the kernel wakes it the moment the writer has written. Polling a
 * non-blocking descriptor was tried first: a failed read throws, and the shortest Atomics.wait sleeps
 * 80 µs or more, about what the writer takes to refill the 64 KiB the pipe holds (200 MB from `cat`
 * through the ring, node's start included: 0.38-0.45 s polling, 0.34-0.35 s blocking). A thread
 * blocked in read(2) cannot be ended, though, and Node waits for its threads at exit (a quiet pipe
 * would hang the process): so to stop it early the main thread stores STOPPED and then puts a byte
 * into the pipe (PipeReader.close), which ends the read.
 */
import { readSync } from "node:fs";
import { workerData } from "node:worker_threads";
import {
  ENDED, ERRNO, EVENTS, FAILED, READ_BYTES, RING_BYTES, RUNNING, STATE, TAKEN, WANTED, WRITTEN, viewPipeRing,
} from "./pipe-ring.js";

const { buffer, fd } = workerData as { buffer: SharedArrayBuffer; fd: number };
const { data, control } = viewPipeRing(buffer);

function finish(state: number, errno = 0): void {
  if (state === FAILED) Atomics.store(control, ERRNO, errno);
  Atomics.compareExchange(control, STATE, RUNNING, state);
  Atomics.add(control, EVENTS, 1);
  Atomics.notify(control, EVENTS);
}

let written = Atomics.load(control, WRITTEN);
while (Atomics.load(control, STATE) === RUNNING) {
  const taken = Atomics.load(control, TAKEN);
  const room = RING_BYTES - ((written - taken) | 0);
  if (room === 0) {
    // Full (the read that filled it woke the main thread: WANTED is never more than the ring holds):
    // until the main thread takes some. It notifies TAKEN then, and when it stops the reading.
    Atomics.wait(control, TAKEN, taken);
    continue;
  }
  const at = (written >>> 0) % RING_BYTES;
  let n: number;
  try {
    n = readSync(fd, data, at, Math.min(room, RING_BYTES - at, READ_BYTES), null);
  } catch (error) {
    finish(FAILED, (error as { errno?: number }).errno ?? 0);
    break;
  }
  if (n === 0) {
    finish(ENDED);
    break;
  }
  written = (written + n) | 0;
  Atomics.store(control, WRITTEN, written);
  Atomics.add(control, EVENTS, 1);
  if (((written - Atomics.load(control, TAKEN)) | 0) >= Atomics.load(control, WANTED)) Atomics.notify(control, EVENTS);
}
