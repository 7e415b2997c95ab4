// Detection counters: how many kept values each detector hit at each kept node, over one engine
// call. The host reads them after every call (the touched ones, listed in `touched`), and the next
// call starts them over.
//
// A hit is only counted once its event is known to be kept (or rejected for that very hit): an event
// rejected later for something else (malformed JSON after the hit) counts nothing. So an event's hits
// go to a small log first, and are added to the counters when the event ends well. An event with more
// hits than the log holds is walked a second time, counting straight into the counters (its walk is
// known to succeed by then, and walks are deterministic): exact, and bounded memory.
//
//   counters  counterCount x u32   hits per counter (a node's counter base + the detector's rank)
//   touched   counterCount x u32   the counters that went from 0 to 1 this call, in that order
//   log       LOG_CAPACITY x u32   the counters hit by the current event, once per hit

import { canAllocate } from "../allocation";

const LOG_CAPACITY: u32 = 1024;

let counters: usize = 0;
let touched: usize = 0;
let capacity: u32 = 0;
/** How many counters this call touched: the host reads `touched` up to here. */
export let touchedCount: u32 = 0;

const log: usize = heap.alloc(<usize>LOG_CAPACITY * 4);
let logLength: u32 = 0;
let logOverflowed = false;
/** Set while an event is walked again to count its hits directly (see above). */
let direct = false;

/** Sizes the counters for tables with `count` of them; false when memory cannot provide them. */
export function reserveCounters(count: u32): bool {
  if (counters != 0) heap.free(counters);
  if (touched != 0) heap.free(touched);
  counters = touched = 0;
  capacity = 0;
  const bytes = <usize>max<u32>(count, 1) * 4;
  if (!canAllocate(<u64>bytes * 2)) return false; // the allocator would trap
  counters = heap.alloc(bytes);
  touched = heap.alloc(bytes);
  memory.fill(counters, 0, bytes);
  capacity = count;
  touchedCount = 0;
  return true;
}

// @ts-ignore: decorator
@inline
function add(counter: u32): void {
  assert(counter < capacity);
  const at = counters + (<usize>counter << 2);
  const before = load<u32>(at);
  if (before == 0) {
    store<u32>(touched + (<usize>touchedCount << 2), counter);
    touchedCount++;
  }
  store<u32>(at, before + 1);
}

/** Counts a hit of `counter` for the current event. */
export function countHit(counter: u32): void {
  if (direct) {
    add(counter);
  } else if (logLength < LOG_CAPACITY) {
    store<u32>(log + (<usize>logLength << 2), counter);
    logLength++;
  } else {
    logOverflowed = true;
  }
}

/** A new event: its hits so far are none. */
export function beginEventCounts(): void {
  logLength = 0;
  logOverflowed = false;
}

/**
 * The event ended well (or was rejected for a hit): adds its logged hits. Returns false when the
 * log overflowed: the caller walks the event again between beginDirectCount and endDirectCount.
 */
export function commitEventCounts(): bool {
  if (logOverflowed) return false;
  for (let i: u32 = 0; i < logLength; i++) add(load<u32>(log + (<usize>i << 2)));
  logLength = 0;
  return true;
}

/** Where the current event's log stands now (an embedded document walked in place may be undone). */
export function logMark(): u32 {
  return logLength;
}

/**
 * Forgets the hits logged since `mark`: their walk was undone, and the walk that replaces it counts
 * them again. (Not while counting directly: callers walk nothing in place then. A log that
 * overflowed meanwhile stays marked so: the event is then recounted directly, which is exact.)
 */
export function undoHitsTo(mark: u32): void {
  assert(!direct && mark <= logLength);
  logLength = mark;
}

/** Whether hits go straight to the counters now (then nothing may be walked twice: no walk in place). */
export function countingDirectly(): bool {
  return direct;
}

export function beginDirectCount(): void {
  direct = true;
  logLength = 0;
  logOverflowed = false;
}

export function endDirectCount(): void {
  direct = false;
}

/** A new engine call: every counter back to 0. */
export function clearCounters(): void {
  for (let i: u32 = 0; i < touchedCount; i++) store<u32>(counters + (<usize>load<u32>(touched + (<usize>i << 2)) << 2), 0);
  touchedCount = 0;
}

export function countersAddress(): usize {
  return counters;
}

export function touchedAddress(): usize {
  return touched;
}
