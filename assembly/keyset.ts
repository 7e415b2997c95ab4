// Duplicate-key detection for the objects the output will hold.
// One open-addressing table serves every object of an event: each object gets a fresh serial
// and its keys are stored tagged with it. Entries with a serial older than the event's first
// one count as empty, so nothing is cleared between events.
import { bytesEqual } from "./scan";

const SLOT_BYTES: usize = 16; // { serial, hash, keyAddress, keyLength }

let table: usize = 0;
let mask: u32 = 0;
let used: u32 = 0;
let serial: u32 = 0;
let eventFirstSerial: u32 = 1;

function allocate(capacity: u32): void {
  table = heap.alloc(<usize>capacity * SLOT_BYTES);
  memory.fill(table, 0, <usize>capacity * SLOT_BYTES);
  mask = capacity - 1;
}

export function beginEvent(): void {
  if (table == 0) allocate(1024);
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

/** Adds the decoded key [p, p + len) with hash h to object `owner`; false if it was there already. */
export function insertKey(owner: u32, p: usize, len: usize, h: u32): bool {
  if ((used + 1) * 2 > mask + 1) grow();
  let s = (h ^ (owner * 0x85ebca6b)) & mask;
  while (true) {
    const slot = table + <usize>s * SLOT_BYTES;
    const tag = load<u32>(slot);
    if (tag < eventFirstSerial) {
      store<u32>(slot, owner);
      store<u32>(slot, h, 4);
      store<u32>(slot, <u32>p, 8);
      store<u32>(slot, <u32>len, 12);
      used++;
      return true;
    }
    if (tag == owner && load<u32>(slot, 4) == h && <usize>load<u32>(slot, 12) == len
      && bytesEqual(<usize>load<u32>(slot, 8), p, len)) {
      return false;
    }
    s = (s + 1) & mask;
  }
}

function grow(): void {
  const old = table;
  const oldCapacity = mask + 1;
  allocate(oldCapacity * 2);
  used = 0;
  for (let i: u32 = 0; i < oldCapacity; i++) {
    const slot = old + <usize>i * SLOT_BYTES;
    const tag = load<u32>(slot);
    if (tag >= eventFirstSerial) {
      let s = (load<u32>(slot, 4) ^ (tag * 0x85ebca6b)) & mask;
      while (load<u32>(table + <usize>s * SLOT_BYTES) >= eventFirstSerial) s = (s + 1) & mask;
      memory.copy(table + <usize>s * SLOT_BYTES, slot, SLOT_BYTES);
      used++;
    }
  }
  heap.free(old);
}
