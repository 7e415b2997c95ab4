// Routing: which account an event belongs to, and so what happens to it. The account id is found
// by skimming the objects along the accountKey path (wherever it stands among their members), then
// looked up in the account table. A key of that path appearing twice in its object is an error.
//
// Routes blob (little-endian u32 words), written by src/engine/encode-account-routes.ts:
//
//   header    ┌──────────────┬──────────────┬──────────────┬──────────┬───────────────┬───────────────┐
//             │ ROUTES_MAGIC │ segmentCount │ accountCount │ keyBytes │ unknownAction │ unknownPolicy │
//             └──────────────┴──────────────┴──────────────┴──────────┴───────────────┴───────────────┘
//   segments  segmentCount x ┌───────────┬───────────┐   the accountKey path
//                            │ keyOffset │ keyLength │
//                            └───────────┴───────────┘
//   accounts  accountCount x ┌───────────┬───────────┬────────┬────────┐
//                            │ keyOffset │ keyLength │ action │ policy │
//                            └───────────┴───────────┴────────┴────────┘
//   keys      keyBytes bytes
// Actions (abi.ts): filter with a policy, pass through unchanged, or reject.
import { hashKey, bytesEqual, skipWhitespace } from "./scan";
import { skimString, skimValue } from "./skim";
import { decodeString, decodedEnd } from "./escapes";
import { arenaTop } from "./buffers";
import { PADDING, ROUTES_MAGIC, ACTION_FILTER, ACTION_PASS, ACTION_REJECT, ACCOUNT_ID_MISSING } from "./abi";
export { ACTION_FILTER, ACTION_PASS, ACTION_REJECT, ACCOUNT_ID_MISSING };

const HEADER_BYTES: usize = 24;
const HEADER_SEGMENT_COUNT: usize = 4;
const HEADER_ACCOUNT_COUNT: usize = 8;
const HEADER_KEY_BYTES: usize = 12;
const HEADER_UNKNOWN_ACTION: usize = 16;
const HEADER_UNKNOWN_POLICY: usize = 20;
// A key reference (segments, and the first two fields of accounts).
const KEY_OFFSET: usize = 0;
const KEY_LENGTH: usize = 4;
const SEGMENT_BYTES: usize = 8;
const ACCOUNT_ACTION: usize = 8;
const ACCOUNT_POLICY: usize = 12;
const ACCOUNT_BYTES: usize = 16;
// Account table slots: { account index + 1 (0 = empty), the id's hash }: probes compare the hash first.
const SLOT_ACCOUNT: usize = 0;
const SLOT_HASH: usize = 4;
const SLOT_BYTES: usize = 8;

/** Whether events are routed by account (else every event uses the policy the call names). */
export let routing = false;

/**
 * With a one-key accountKey (the usual `AccountSid`), the skim stops at the key's first
 * appearance and the main walk, which reads every top-level key anyway, catches a second one.
 * rootKey / rootKeyLength is that key then; rootKeyLength is -1 otherwise.
 */
export let rootKey: usize = 0;
export let rootKeyLength: isize = -1;

let blob: usize = 0;
let segments: usize = 0;
let segmentCount: u32 = 0;
let accounts: usize = 0;
let keys: usize = 0;
let unknownAction: u32 = ACTION_FILTER;
let unknownPolicy: u32 = 0;
let accountCount: u32 = 0;
let slots: usize = 0;
let slotMask: u32 = 0;

// @ts-ignore: decorator
@inline
function keyAddress(record: usize): usize {
  return keys + <usize>load<u32>(record, KEY_OFFSET);
}

// @ts-ignore: decorator
@inline
function keyLength(record: usize): usize {
  return <usize>load<u32>(record, KEY_LENGTH);
}

// @ts-ignore: decorator
@inline
function accountAt(index: u32): usize {
  assert(index < accountCount);
  return accounts + <usize>index * ACCOUNT_BYTES;
}

// @ts-ignore: decorator
@inline
function segmentAt(level: u32): usize {
  assert(level < segmentCount);
  return segments + <usize>level * SEGMENT_BYTES;
}

// @ts-ignore: decorator
@inline
function slotAt(slot: u32): usize {
  return slots + <usize>slot * SLOT_BYTES;
}

export function reserveRoutes(size: u32): usize {
  if (blob != 0) heap.free(blob);
  blob = heap.alloc(<usize>max<u32>(size, 4) + PADDING);
  return blob;
}

/** Checks the routes blob and builds the account table; 0 on success (else a host bug). */
export function loadRoutes(size: u32, policyCount: u32): i32 {
  if (size < <u32>HEADER_BYTES || load<u32>(blob) != ROUTES_MAGIC) return 1;
  const sCount = load<u32>(blob, HEADER_SEGMENT_COUNT);
  const aCount = load<u32>(blob, HEADER_ACCOUNT_COUNT);
  const kBytes = load<u32>(blob, HEADER_KEY_BYTES);
  const need = <u64>HEADER_BYTES + <u64>sCount * SEGMENT_BYTES + <u64>aCount * ACCOUNT_BYTES + <u64>kBytes;
  if (need != <u64>size || sCount == 0) return 2;
  const s = blob + HEADER_BYTES;
  const a = s + <usize>sCount * SEGMENT_BYTES;
  const k = a + <usize>aCount * ACCOUNT_BYTES;
  for (let i: u32 = 0; i < sCount; i++) {
    const seg = s + <usize>i * SEGMENT_BYTES;
    if (<u64>load<u32>(seg, KEY_OFFSET) + <u64>load<u32>(seg, KEY_LENGTH) > <u64>kBytes) return 3;
  }
  for (let i: u32 = 0; i < aCount; i++) {
    const acc = a + <usize>i * ACCOUNT_BYTES;
    if (<u64>load<u32>(acc, KEY_OFFSET) + <u64>load<u32>(acc, KEY_LENGTH) > <u64>kBytes) return 4;
    if (!isAction(load<u32>(acc, ACCOUNT_ACTION)) || load<u32>(acc, ACCOUNT_POLICY) >= policyCount) return 5;
  }
  const uAction = load<u32>(blob, HEADER_UNKNOWN_ACTION);
  const uPolicy = load<u32>(blob, HEADER_UNKNOWN_POLICY);
  if (!isAction(uAction) || uPolicy >= policyCount) return 6;
  segments = s; segmentCount = sCount; accounts = a; accountCount = aCount; keys = k;
  rootKey = sCount == 1 ? keyAddress(s) : 0;
  rootKeyLength = sCount == 1 ? <isize>keyLength(s) : -1;
  unknownAction = uAction; unknownPolicy = uPolicy;

  let capacity: u32 = 16;
  while (capacity < aCount * 2) capacity <<= 1;
  if (slots != 0) heap.free(slots);
  slots = heap.alloc(<usize>capacity * SLOT_BYTES);
  memory.fill(slots, 0, <usize>capacity * SLOT_BYTES);
  slotMask = capacity - 1;
  for (let i: u32 = 0; i < aCount; i++) {
    const acc = accountAt(i);
    const h = hashKey(keyAddress(acc), keyLength(acc));
    let slot = h & slotMask;
    while (load<u32>(slotAt(slot), SLOT_ACCOUNT) != 0) slot = (slot + 1) & slotMask;
    store<u32>(slotAt(slot), i + 1, SLOT_ACCOUNT);
    store<u32>(slotAt(slot), h, SLOT_HASH);
  }
  routing = true;
  return 0;
}

function isAction(action: u32): bool {
  return action == ACTION_FILTER || action == ACTION_PASS || action == ACTION_REJECT;
}

// The route of the event just looked at.
/** What to do: ACTION_FILTER / ACTION_PASS / ACTION_REJECT. */
export let routeAction: u32 = ACTION_FILTER;
/** The policy, when filtering. */
export let routePolicy: u32 = 0;
/** The account's index + 1 in the table; 0 for an id not configured; ACCOUNT_ID_MISSING for no id (absent, not a string). */
export let routeAccount: u32 = 0;
/** Set when a key of the accountKey path appears twice in its object: the address of the second. */
export let duplicateAccountKeyAt: usize = 0;
/** Set when the event could not be skimmed (it is malformed: the real walk will say how). */
export let routeUnreadable = false;

/** Set when the skim stopped early on purpose (see rootKey). */
let skimStopped = false;

// Found by the skim: the account id's string body [idStart, idEnd), or idStart = 0.
let idStart: usize = 0;
let idEnd: usize = 0;

/** Decides the route of the document at p (whitespace skipped, top level not yet checked). */
export function routeEvent(p: usize): void {
  idStart = 0;
  duplicateAccountKeyAt = 0;
  routeUnreadable = false;
  skimStopped = false;
  if (load<u8>(p) != 0x7b || skimObject(p, 0) == 0) {
    routeUnreadable = duplicateAccountKeyAt == 0 && !skimStopped;
  }
  routeAccount = idStart == 0 ? ACCOUNT_ID_MISSING : findAccount(idStart, idEnd);
  if (routeAccount == 0 || routeAccount == ACCOUNT_ID_MISSING) {
    routeAction = unknownAction;
    routePolicy = unknownPolicy;
  } else {
    const acc = accountAt(routeAccount - 1);
    routeAction = load<u32>(acc, ACCOUNT_ACTION);
    routePolicy = load<u32>(acc, ACCOUNT_POLICY);
  }
}

/**
 * Skims the object at p, whose keys are matched against path segment `level`; descends into the
 * member that matches. Returns the address after the object, or 0.
 */
function skimObject(p: usize, level: u32): usize {
  const segment = segmentAt(level);
  const want = keyAddress(segment);
  const wantLength = keyLength(segment);
  const last = level + 1 == segmentCount;
  let matched = false;
  p = skipWhitespace(p + 1);
  if (load<u8>(p) == 0x7d) return p + 1;
  while (true) {
    if (load<u8>(p) != 0x22) return 0;
    const keyAt = p;
    const close = skimString(p + 1);
    if (close == 0) return 0;
    const isMatch = keyMatches(p + 1, close, want, wantLength);
    p = skipWhitespace(close + 1);
    if (load<u8>(p) != 0x3a) return 0;
    p = skipWhitespace(p + 1);
    if (isMatch) {
      if (matched) {
        duplicateAccountKeyAt = keyAt;
        return 0;
      }
      matched = true;
      const c = load<u8>(p);
      if (last && c == 0x22) {
        const end = skimString(p + 1);
        if (end == 0) return 0;
        idStart = p + 1;
        idEnd = end;
        if (level == 0) { // a one-key path: the main walk watches for a second one
          skimStopped = true;
          return 0;
        }
        p = end + 1;
      } else if (!last && c == 0x7b) {
        p = skimObject(p, level + 1);
      } else {
        p = skimValue(p); // not a string / not an object: the account stays unknown
      }
    } else {
      p = skimValue(p);
    }
    if (p == 0) return 0;
    p = skipWhitespace(p);
    const c = load<u8>(p);
    if (c == 0x7d) return p + 1;
    if (c != 0x2c) return 0;
    p = skipWhitespace(p + 1);
  }
  return unreachable();
}

/** Whether the key body [start, close) decodes to [want, want + wantLength). */
function keyMatches(start: usize, close: usize, want: usize, wantLength: usize): bool {
  let p = start;
  let length = close - start;
  if (hasBackslash(start, close)) {
    if (decodeString(start, arenaTop) == 0) return false; // malformed: the walk reports it
    p = arenaTop;
    length = decodedEnd - arenaTop;
  }
  return length == wantLength && bytesEqual(p, want, length);
}

function hasBackslash(p: usize, end: usize): bool {
  for (; p < end; p++) if (load<u8>(p) == 0x5c) return true;
  return false;
}

/** The account index + 1 of the id whose string body is [start, end); 0 if not configured. */
function findAccount(start: usize, end: usize): u32 {
  let p = start;
  let length = end - start;
  if (hasBackslash(start, end)) {
    if (decodeString(start, arenaTop) == 0) return 0;
    p = arenaTop;
    length = decodedEnd - arenaTop;
  }
  const h = hashKey(p, length);
  let slot = h & slotMask;
  while (true) {
    const index = load<u32>(slotAt(slot), SLOT_ACCOUNT);
    if (index == 0) return 0;
    if (load<u32>(slotAt(slot), SLOT_HASH) == h) {
      const acc = accountAt(index - 1);
      if (keyLength(acc) == length && bytesEqual(keyAddress(acc), p, length)) return index;
    }
    slot = (slot + 1) & slotMask;
  }
  return unreachable();
}
