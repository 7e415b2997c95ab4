// Events in, events out: the NDJSON batch loop and the single-event call.
// A batch call writes one status record per event (layout: abi.ts) and stops after
// STATUS_CAPACITY of them, saying where (batchStop); the host reads the records and the output,
// then calls again from there. Status memory is therefore fixed, however small the events.
//
// Line ends: LF, or CR LF; a CR is part of the line end only right before an LF. A line is blank
// (not an event) when it holds only spaces, tabs and CRs; a byte order mark at the start of a line
// is ignored when filtering it, but makes the line an event, as it does for filterOne, so that
// both calls read the same bytes the same way.
import {
  OK, TOO_LARGE, UNKNOWN_ACCOUNT, DUPLICATE_ACCOUNT_KEY, OUTPUT_OVERFLOW, errorCode, errorAt, clearError, fail,
} from "./errors";
import {
  STATUS_CAPACITY, STATUS_LINE, STATUS_CODE, STATUS_OFFSET, STATUS_OUTPUT_END, STATUS_ACCOUNT, STATUS_ROUTE, STATUS_DETAIL,
  ROUTE_REJECTED, ROUTE_FILTERED, ROUTE_PASSED,
} from "./abi";
import { skipWhitespace, findLineEnd, setDocEnd } from "./scan";
import {
  input, output, outPos, setOutPos, emitByte, emitBytes, resetOutput, resetArena, outputHasRoom, outputInBounds,
  statusRecord, status,
} from "./buffers";
import { policyRoot, NODE_DROP } from "./policy-tables";
import { beginEvent } from "./keyset";
import { walkDocument } from "./filter";
import { maxEventBytes } from "./limits";
import {
  routing, routeEvent, routeAction, routePolicy, routeAccount, routeUnreadable,
  duplicateAccountKeyAt, ACTION_PASS, ACTION_REJECT, ACTION_FILTER,
} from "./account-routes";

/** How the last event went (ROUTE_*), and its account (index + 1, or 0). */
let lastRoute: u32 = ROUTE_REJECTED;
export let lastAccount: u32 = 0;

/** Lines seen by the last batch call, blank ones included. */
export let batchLines: u32 = 0;

/** Where the last batch call stopped: bytes from the batch's start (its length when it is done). */
export let batchStop: u32 = 0;

/** Offset of the last single-event rejection. */
export let lastErrorOffset: u32 = 0;

// The current host's detection exports; this engine detects nothing (no counters, no detail).
export let lastDetail: u32 = 0;
export let touchedCount: u32 = 0;
export function countersAddress(): usize {
  return 0;
}
export function touchedAddress(): usize {
  return 0;
}

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
  if (!outputHasRoom(end - start + 1)) { // cannot happen (see buffers.ts); fail closed if it did
    fail(OUTPUT_OVERFLOW, start);
    return OUTPUT_OVERFLOW;
  }
  const mark = outPos;
  setDocEnd(end);
  resetArena();
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
 * Filters the NDJSON batch [input, input + length) with policy number `policy`, from `start`
 * bytes in (0, or where the previous call stopped) to its end or until STATUS_CAPACITY events
 * are recorded. Returns how many events (non-blank lines) it recorded. The output starts over
 * only when a batch starts (start 0): the calls of one batch append to it, so the host finds the
 * whole batch's output in one place (output buffer sized for the whole batch: buffers.ts).
 */
export function filterBatch(policy: u32, length: u32, start: u32): u32 {
  const end = input + <usize>length;
  if (start == 0) resetOutput();
  store<u8>(end, 0);
  let p = input + <usize>start;
  let events: u32 = 0;
  let line: u32 = 0;
  while (p < end && events < STATUS_CAPACITY) {
    const lineFeed = findLineEnd(p, end);
    line++;
    let lineEnd = lineFeed;
    if (lineFeed < end && lineEnd > p && load<u8>(lineEnd - 1) == 0x0d) lineEnd--;
    store<u8>(lineEnd, 0); // the sentinel every scanning loop stops at
    if (skipWhitespace(p) != lineEnd) {
      clearError();
      const code = filterEvent(p, lineEnd, policy);
      if (code == DUPLICATE_ACCOUNT_KEY) lastAccount = 0; // whose event is it? Nobody's: unknown
      if (code == OK) emitByte(0x0a);
      assert(outputInBounds(0));
      const record = statusRecord(events);
      store<u32>(record, line, STATUS_LINE);
      store<u32>(record, <u32>code, STATUS_CODE);
      store<u32>(record, code == OK ? 0 : <u32>(errorAt - p), STATUS_OFFSET);
      store<u32>(record, <u32>(outPos - output), STATUS_OUTPUT_END);
      store<u32>(record, lastAccount, STATUS_ACCOUNT);
      store<u32>(record, lastRoute, STATUS_ROUTE);
      store<u32>(record, 0, STATUS_DETAIL); // this engine detects nothing
      events++;
    }
    p = lineFeed + 1;
  }
  batchLines = line;
  batchStop = <u32>(min<usize>(p, end) - input);
  return events;
}

/**
 * Filters one event [input, input + length) (line ends inside it are whitespace) with policy
 * number `policy`. Returns OK or a rejection code; the output has no line end.
 */
export function filterOne(policy: u32, length: u32): i32 {
  const end = input + <usize>length;
  resetOutput();
  store<u8>(end, 0);
  clearError();
  const code = filterEvent(input, end, policy);
  assert(outputInBounds(0));
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
