// Events in, events out: the NDJSON batch loop and the single-event call.
// Per event the host gets a status record of four u32: line (1-based in the batch), code,
// offset (bytes from the line's start), and the output length so far (its end in the output).
import { OK, TOO_LARGE, errorCode, errorAt, clearError, fail } from "./errors";
import { skipWhitespace, findLineEnd, setDocEnd } from "./scan";
import {
  input, output, outPos, setOutPos, emitByte, reserveOutput, reserveStatus, status, resetArena,
  resetScratch,
} from "./buffers";
import { maxEmbeddedNesting, maxEdgeCount, policyRoot, NODE_DROP } from "./tables";
import { beginEvent } from "./keyset";
import { filterDocument, maxDepth } from "./filter";

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
 * Filters the event [start, end) (end holds a sentinel byte) with policy `root`, appending it to
 * the output. Returns OK or a rejection code (the output is then left as it was).
 */
function filterEvent(start: usize, end: usize, root: u32): i32 {
  if (<u64>(end - start) > <u64>maxEventBytes) {
    fail(TOO_LARGE, start + <usize>maxEventBytes);
    return TOO_LARGE;
  }
  const mark = outPos;
  setDocEnd(end);
  resetArena(end - start, maxEmbeddedNesting, <u32>maxDepth, ((maxEdgeCount + 63) >> 6) << 3);
  resetScratch(end - start, maxEmbeddedNesting);
  beginEvent();
  if (filterDocument(skipBom(start, end), root)) return OK;
  setOutPos(mark);
  return errorCode;
}

/**
 * Filters the NDJSON batch [input, input + length) with policy number `policy`.
 * Returns how many events (non-blank lines) it saw; their status records are at statusAddress().
 */
export function filterBatch(policy: u32, length: u32): u32 {
  const root = policyRoot(policy);
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
      let code = root == NODE_DROP ? TOO_LARGE : filterEvent(p, lineEnd, root);
      if (code == OK) emitByte(0x0a);
      store<u32>(record, line);
      store<u32>(record, <u32>code, 4);
      store<u32>(record, code == OK ? 0 : <u32>(errorAt - p), 8);
      store<u32>(record, <u32>(outPos - output), 12);
      record += 16;
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
  const root = policyRoot(policy);
  const end = input + <usize>length;
  reserveOutput(length);
  store<u8>(end, 0);
  clearError();
  const code = root == NODE_DROP ? TOO_LARGE : filterEvent(input, end, root);
  lastErrorOffset = code == OK ? 0 : <u32>(errorAt - input);
  return code;
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
