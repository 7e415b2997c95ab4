// Events in, events out: the NDJSON batch loop and the single-event call.
// Per event the host gets a status record of six u32 (STATUS_BYTES): line (1-based in the
// batch), code, offset (bytes from the line's start), the output length so far (the event's end
// in the output), the account (index + 1; 0 if not configured or not routing; ACCOUNT_ID_MISSING when the
// event has no account id) and how it went
// (ROUTE_REJECTED / ROUTE_FILTERED / ROUTE_PASSED).
import {
  OK, TOO_LARGE, UNKNOWN_ACCOUNT, DUPLICATE_ACCOUNT_KEY, OUTPUT_OVERFLOW, errorCode, errorAt, clearError, fail,
} from "./errors";
import { skipWhitespace, findLineEnd, setDocEnd } from "./scan";
import {
  input, output, outPos, setOutPos, emitByte, emitBytes, reserveOutput, reserveStatus, status,
  resetArena, resetScratch, outputHasRoom, STATUS_BYTES,
} from "./buffers";
import { maxEmbeddedNesting, maxEdgeCount, policyRoot, NODE_DROP } from "./tables";
import { beginEvent } from "./keyset";
import { walkDocument, maxDepth } from "./filter";
import {
  routing, routeEvent, routeAction, routePolicy, routeAccount, routeUnreadable,
  duplicateAccountKeyAt, ACTION_FILTER, ACTION_PASS, ACTION_REJECT,
} from "./route";

export const ROUTE_REJECTED: u32 = 0;
export const ROUTE_FILTERED: u32 = 1;
export const ROUTE_PASSED: u32 = 2;

/** How the last event went (ROUTE_*), and its account (index + 1, or 0). */
let lastRoute: u32 = ROUTE_REJECTED;
export let lastAccount: u32 = 0;

/** Largest event accepted, in bytes (a line without its line end). */
export let maxEventBytes: u32 = 16 << 20;

export function setMaxEventBytes(bytes: u32): void {
  maxEventBytes = bytes;
}

/** Lines seen by the last batch, blank ones included. */
export let batchLines: u32 = 0;

/** Offset of the last single-event rejection. */
export let lastErrorOffset: u32 = 0;

/** Skips a UTF-8 byte order mark at p. */
// @ts-ignore: decorator
@inline
function skipBom(p: usize, end: usize): usize {
  if (p + 3 <= end && load<u8>(p) == 0xef && load<u8>(p, 1) == 0xbb && load<u8>(p, 2) == 0xbf) return p + 3;
  return p;
}

/**
 * Filters the event [start, end) (end holds a sentinel byte) with policy `policy`, or with its
 * account's route when routing, appending it to the output. Returns OK or a rejection code (the
 * output is then left as it was); lastRoute and lastAccount tell what happened.
 */
function filterEvent(start: usize, end: usize, policy: u32): i32 {
  lastRoute = ROUTE_REJECTED;
  lastAccount = 0;
  if (<u64>(end - start) > <u64>maxEventBytes) {
    fail(TOO_LARGE, start + <usize>maxEventBytes);
    return TOO_LARGE;
  }
  if (!outputHasRoom(end - start + 1)) { // cannot happen (see reserveOutput); fail closed if it did
    fail(OUTPUT_OVERFLOW, start);
    return OUTPUT_OVERFLOW;
  }
  const mark = outPos;
  setDocEnd(end);
  resetArena(end - start, maxEmbeddedNesting, <u32>maxDepth, ((maxEdgeCount + 63) >> 6) << 3);
  resetScratch(end - start, maxEmbeddedNesting);
  beginEvent();
  const body = skipBom(start, end);

  let action = ACTION_FILTER; // with the policy the call names, unless routing says otherwise
  if (routing) {
    routeEvent(skipWhitespace(body));
    clearError(); // the skim may have stumbled on what the walk reports properly
    if (duplicateAccountKeyAt != 0) {
      fail(DUPLICATE_ACCOUNT_KEY, duplicateAccountKeyAt);
      return DUPLICATE_ACCOUNT_KEY;
    }
    if (routeUnreadable && !walkDocument(body, NODE_DROP)) return errorCode;
    lastAccount = routeAccount;
    action = routeAction;
    policy = routePolicy;
  }
  if (action == ACTION_REJECT) {
    // A malformed event says so first (the skim may have stopped before the fault).
    if (!walkDocument(body, NODE_DROP)) return errorCode;
    fail(UNKNOWN_ACCOUNT, start);
    return UNKNOWN_ACCOUNT;
  }
  if (action == ACTION_PASS) {
    if (!walkDocument(body, NODE_DROP)) return errorCode;
    emitBytes(body, end - body); // byte-identical
    lastRoute = ROUTE_PASSED;
    return OK;
  }
  const root = policyRoot(policy);
  if (root == NODE_DROP) { // a policy the tables do not hold (a host bug): fail closed
    fail(UNKNOWN_ACCOUNT, start);
    return UNKNOWN_ACCOUNT;
  }
  if (walkDocument(body, root)) {
    lastRoute = ROUTE_FILTERED;
    return OK;
  }
  setOutPos(mark);
  return errorCode;
}

/**
 * Filters the NDJSON batch [input, input + length) with policy number `policy`.
 * Returns how many events (non-blank lines) it saw; their status records are at statusAddress().
 */
export function filterBatch(policy: u32, length: u32): u32 {
  const end = input + <usize>length;
  reserveOutput(length);
  reserveStatus(length);
  store<u8>(end, 0);
  let p = input;
  let events: u32 = 0;
  let line: u32 = 0;
  let record = status;
  while (p < end) {
    const lineFeed = findLineEnd(p, end);
    line++;
    let lineEnd = lineFeed;
    if (lineEnd > p && load<u8>(lineEnd - 1) == 0x0d) lineEnd--;
    store<u8>(lineEnd, 0); // the sentinel every scanning loop stops at
    const first = skipWhitespace(skipBom(p, lineEnd));
    if (first != lineEnd) {
      clearError();
      const code = filterEvent(p, lineEnd, policy);
      if (code == DUPLICATE_ACCOUNT_KEY) lastAccount = 0; // whose event is it? Nobody's: unknown
      if (code == OK) emitByte(0x0a);
      store<u32>(record, line);
      store<u32>(record, <u32>code, 4);
      store<u32>(record, code == OK ? 0 : <u32>(errorAt - p), 8);
      store<u32>(record, <u32>(outPos - output), 12);
      store<u32>(record, lastAccount, 16);
      store<u32>(record, lastRoute, 20);
      record += STATUS_BYTES;
      events++;
    }
    p = lineFeed + 1;
  }
  batchLines = line;
  return events;
}

/**
 * Filters one event [input, input + length) (line ends inside it are whitespace) with policy
 * number `policy`. Returns OK or a rejection code; the output has no line end.
 */
export function filterOne(policy: u32, length: u32): i32 {
  const end = input + <usize>length;
  reserveOutput(length);
  store<u8>(end, 0);
  clearError();
  const code = filterEvent(input, end, policy);
  lastErrorOffset = code == OK ? 0 : <u32>(errorAt - input);
  return code;
}

/** How the last single event went: ROUTE_*. */
export function lastEventRoute(): u32 {
  return lastRoute;
}

export function outputAddress(): usize {
  return output;
}

export function outputLength(): u32 {
  return <u32>(outPos - output);
}

export function statusAddress(): usize {
  return status;
}
