// Duplicate-key detection for the objects the output will hold.
// One open-addressing table serves every object of an event: each object gets a fresh serial
// and its keys are stored tagged with it. Entries with a serial older than the event's first
// one count as empty, so nothing is cleared between events.
// The table grows with the selected keys of one event, up to MAX_SLOTS (2M keys per event);
// an event that needs more is refused (TOO_LARGE) rather than letting one event claim memory
// without bound.
import { bytesEqual } from "./scan";
import { canAllocate } from "./allocation";

// Slot fields: { serial, hash, keyAddress, keyLength }.
const SLOT_SERIAL: usize = 0;
const SLOT_HASH: usize = 4;
const SLOT_KEY: usize = 8;
const SLOT_KEY_LENGTH: usize = 12;
const SLOT_BYTES: usize = 16;
const FIRST_SLOTS: u32 = 1024;
const MAX_SLOTS: u32 = 1 << 22;

// What insertKey found.
export const KEY_ADDED: i32 = 1;
export const KEY_REPEATED: i32 = 0;
export const KEY_NO_ROOM: i32 = -1;

let table: usize = 0;
let mask: u32 = 0;
let used: u32 = 0;
let serial: u32 = 0;
let eventFirstSerial: u32 = 1;

/** A zeroed table of `capacity` slots, or false where memory cannot provide it. */
function allocate(capacity: u32): bool {
  const bytes = <u64>capacity * SLOT_BYTES;
  if (!canAllocate(bytes)) return false;
  table = heap.alloc(<usize>bytes);
  memory.fill(table, 0, <usize>bytes);
  mask = capacity - 1;
  return true;
}

/** Makes sure the table exists (before any event is filtered); false where memory cannot provide it. */
export function reserveKeys(): bool {
  return table != 0 || allocate(FIRST_SLOTS);
}

export function beginEvent(): void {
  if (serial > 0xf0000000) { // before the serial wraps, forget everything
    memory.fill(table, 0, <usize>(mask + 1) * SLOT_BYTES);
    serial = 0;
  }
  eventFirstSerial = serial + 1;
  used = 0;
}

/** A new, empty key set for one output object. */
export function newObject(): u32 {
  return ++serial;
}

// @ts-ignore: decorator
@inline
function slotAt(s: u32): usize {
  return table + <usize>s * SLOT_BYTES;
}

/**
 * Adds the decoded key [p, p + len) with hash h to object `owner`: KEY_ADDED, KEY_REPEATED if
 * it was there already, or KEY_NO_ROOM when the table is full and cannot grow.
 */
export function insertKey(owner: u32, p: usize, len: usize, h: u32): i32 {
  if ((used + 1) * 2 > mask + 1 && !grow()) return KEY_NO_ROOM;
  let s = (h ^ (owner * 0x85ebca6b)) & mask;
  while (true) {
    const slot = slotAt(s);
    const tag = load<u32>(slot, SLOT_SERIAL);
    if (tag < eventFirstSerial) {
      store<u32>(slot, owner, SLOT_SERIAL);
      store<u32>(slot, h, SLOT_HASH);
      store<u32>(slot, <u32>p, SLOT_KEY);
      store<u32>(slot, <u32>len, SLOT_KEY_LENGTH);
      used++;
      return KEY_ADDED;
    }
    if (tag == owner && load<u32>(slot, SLOT_HASH) == h && <usize>load<u32>(slot, SLOT_KEY_LENGTH) == len
      && bytesEqual(<usize>load<u32>(slot, SLOT_KEY), p, len)) {
      return KEY_REPEATED;
    }
    s = (s + 1) & mask;
  }
}

/** Doubles the table, keeping this event's keys; false (table unchanged) where it cannot. */
function grow(): bool {
  const old = table;
  const oldCapacity = mask + 1;
  if (oldCapacity >= MAX_SLOTS || !allocate(oldCapacity * 2)) return false;
  used = 0;
  for (let i: u32 = 0; i < oldCapacity; i++) {
    const slot = old + <usize>i * SLOT_BYTES;
    const tag = load<u32>(slot, SLOT_SERIAL);
    if (tag >= eventFirstSerial) {
      let s = (load<u32>(slot, SLOT_HASH) ^ (tag * 0x85ebca6b)) & mask;
      while (load<u32>(slotAt(s), SLOT_SERIAL) >= eventFirstSerial) s = (s + 1) & mask;
      memory.copy(slotAt(s), slot, SLOT_BYTES);
      used++;
    }
  }
  heap.free(old);
  return true;
}
