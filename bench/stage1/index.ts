// The stage-1 kernel (structural-index.ts) as a module of its own, for the bench row that
// measures it and the test that checks it (test/structural-index.test.js). Not shipped: the
// engine is a single pass (README, "One pass, not two: measured").
//
// Memory: the host asks for room for `length` bytes, writes them at the address it gets back,
// then indexes one document or every line. Input and index are sized together:
//   input  length + PADDING   (blocks are loaded whole only before the end; escapes read ahead)
//   index  length + INDEX_SLACK u32 entries
import { buildIndex, INDEX_SLACK } from "./structural-index";
import { findLineEnd } from "../../assembly/scan";
import { PADDING } from "../../assembly/abi";

let input: usize = 0;
let index: usize = 0;
let capacity: usize = 0;

/** Room for `length` input bytes (and their index); returns the input address. */
export function reserve(length: u32): usize {
  if (<usize>length > capacity) {
    if (input != 0) {
      heap.free(input);
      heap.free(index);
    }
    capacity = <usize>length;
    input = heap.alloc(capacity + PADDING);
    index = heap.alloc((capacity + <usize>INDEX_SLACK) << 2);
  }
  return input;
}

export function indexAddress(): usize {
  return index;
}

/** The index of the document [input + start, input + start + length): entries, or -1. */
export function indexDocument(start: u32, length: u32): i32 {
  const p = input + <usize>start;
  store<u8>(p + <usize>length, 0); // the sentinel the engine puts after every document
  return buildIndex(p, p + <usize>length, index);
}

/** Lines of the last indexLines call that stage 1 refused. */
export let refusedLines: u32 = 0;

/** Indexes every line of the NDJSON batch [input, input + length); returns the entries in all. */
export function indexLines(length: u32): u32 {
  const end = input + <usize>length;
  let total: u32 = 0;
  refusedLines = 0;
  for (let p = input; p < end;) {
    const lineEnd = findLineEnd(p, end);
    const entries = buildIndex(p, lineEnd, index);
    if (entries < 0) refusedLines++;
    else total += <u32>entries;
    p = lineEnd + 1;
  }
  return total;
}
