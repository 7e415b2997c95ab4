/**
 * `--format json-array`: the input is one JSON array of events (a batched Event Streams webhook body),
 * the output a JSON array of the kept events.
 *
 * Input: `ArrayScanner` turns the array into NDJSON, one element per line, as the bytes stream in. It
 * does not parse events: it only follows strings (quotes and backslash escapes) and nesting depth, to
 * find the commas and the closing bracket that separate the elements. The engine then validates each
 * element as an event (a malformed element is one rejected event). Per element:
 * - whitespace before and after it is dropped;
 * - a raw LF inside it is replaced, since NDJSON lines end at LF: outside strings by a space (the same
 *   JSON), inside strings by a CR (still a raw control character there, so the event is rejected as it
 *   would have been, at the same offset).
 * Memory: nothing is held between chunks but a few counters, whatever the size of an element (the
 * whitespace after an element is counted, and written as spaces only if more of the element follows).
 *
 * Errors in the array itself (no "[" first, an empty element as in `[1,,2]` or `[1,]`, bytes after the
 * closing "]", input ending before it) are `ArrayFormatError`s with a byte offset into the input. So is a
 * byte order mark anywhere but at the very start of the input: before an element, the engine would take
 * it for the BOM it allows at the start of each NDJSON line and accept the element, where `JSON.parse`
 * refuses the whole array. (Inside or after an element it is simply part of it, and the engine rejects
 * the element.)
 *
 * Output: `ArrayOutput` turns the engine's NDJSON output (one event per line, no LF inside an event)
 * into `[e1,e2,...]` followed by a LF.
 */

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const BOM = [0xef, 0xbb, 0xbf];
/** Shared spaces, written (by reference) for whitespace inside an element. */
const SPACES = new Uint8Array(1 << 16).fill(0x20);

function isWhitespace(b: number): boolean {
  return b === SPACE || b === LF || b === CR || b === TAB;
}

export class ArrayFormatError extends Error {
  constructor(
    readonly offset: number | undefined,
    readonly problem: string,
  ) {
    super(offset === undefined ? problem : `${problem} at byte ${offset}`);
    this.name = "ArrayFormatError";
  }
}

const enum State {
  /** Before the "[" (a BOM and whitespace allowed). */
  Start,
  /** After "[": an element or "]". */
  First,
  /** After ",": an element. */
  Next,
  /** Inside an element. */
  Element,
  /** After the closing "]": whitespace only. */
  Done,
}

export class ArrayScanner {
  private state = State.Start;
  /** Bytes of a leading UTF-8 byte order mark matched so far. */
  private bom = 0;
  /** Input bytes seen so far (offsets in errors). */
  private position = 0;
  /** Nesting inside the current element (0: at its top level). */
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Whitespace seen at the element's top level, written only if more of the element follows. */
  private pendingSpaces = 0;
  /** Leading bytes of the current element that match a BOM so far; BOM.length once it cannot be one. */
  private elementBom = 0;
  /** Input offset of the current element's first byte. */
  private elementStart = 0;
  /** Elements completed. */
  elements = 0;

  /** Output pieces of the chunk being scanned, in order; the last one is [start, o) of `out`. */
  private pieces: Uint8Array[] = [];
  private out: Uint8Array = new Uint8Array(0);
  private start = 0;

  /**
   * Feed the next chunk of the array; returns NDJSON bytes, in pieces (possibly none), to be used before
   * the next call. Throws ArrayFormatError.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    this.pieces = [];
    this.out = new Uint8Array(chunk.length);
    this.start = 0;
    let o = 0;
    const n = chunk.length;
    let i = 0;
    try {
      while (i < n) {
        const b = chunk[i] as number;
        switch (this.state) {
          case State.Start: {
            const at = this.position + i;
            if (at < BOM.length && at === this.bom && b === BOM[at]) {
              this.bom++;
            } else if (this.bom !== 0 && this.bom !== BOM.length) {
              throw new ArrayFormatError(at, 'expected a JSON array ("[")');
            } else if (b === OPEN_BRACKET) {
              this.state = State.First;
            } else if (!isWhitespace(b)) {
              throw new ArrayFormatError(at, 'expected a JSON array ("[")');
            }
            i++;
            break;
          }
          case State.First:
          case State.Next:
            if (isWhitespace(b)) {
              i++;
            } else if (b === CLOSE_BRACKET && this.state === State.First) {
              this.state = State.Done;
              i++;
            } else if (b === COMMA || b === CLOSE_BRACKET) {
              throw new ArrayFormatError(this.position + i, `expected an event before "${String.fromCharCode(b)}"`);
            } else {
              this.state = State.Element;
              this.depth = 0;
              this.inString = false;
              this.escaped = false;
              this.pendingSpaces = 0;
              this.elementBom = 0;
              this.elementStart = this.position + i;
            }
            break;
          case State.Element:
            if (this.elementBom < BOM.length) {
              // The element's first bytes, one at a time, until they cannot be a BOM any more.
              if (b !== BOM[this.elementBom]) {
                this.elementBom = BOM.length;
                break;
              }
              if (++this.elementBom === BOM.length) {
                throw new ArrayFormatError(
                  this.elementStart,
                  `byte order mark before event ${this.elements + 1} (one is allowed only at the very start of the input)`,
                );
              }
              this.out[o++] = b; // not whitespace, a quote or a bracket: copied as element() would
              i++;
              break;
            }
            o = this.element(chunk, i, o);
            i = this.stop;
            break;
          case State.Done:
            if (!isWhitespace(b)) throw new ArrayFormatError(this.position + i, 'unexpected bytes after the closing "]"');
            i++;
            break;
        }
      }
    } finally {
      this.position += i;
    }
    if (o > this.start) this.pieces.push(this.out.subarray(this.start, o));
    const pieces = this.pieces;
    this.pieces = [];
    this.out = new Uint8Array(0);
    return pieces;
  }

  /** End of input: throws if the array is not complete. */
  finish(): void {
    if (this.state === State.Done) return;
    if (this.state === State.Start) throw new ArrayFormatError(undefined, "expected a JSON array, found no \"[\" before the end of the input");
    throw new ArrayFormatError(undefined, 'the input ended before the closing "]" of the array');
  }

  /** Where `element` stopped in the chunk. */
  private stop = 0;

  /** Write `count` spaces between out[start, o) and what follows; returns the new `o` (= start). */
  private spaces(count: number, o: number): number {
    if (o > this.start) this.pieces.push(this.out.subarray(this.start, o));
    while (count > 0) {
      const n = Math.min(count, SPACES.length);
      this.pieces.push(SPACES.subarray(0, n));
      count -= n;
    }
    this.start = o;
    return o;
  }

  /**
   * Copy element bytes from chunk[i] on into out[o]; returns the new `o` and sets `stop`. Stops after
   * the element's end (its "," or "]", written as LF) or at the end of the chunk.
   */
  private element(chunk: Uint8Array, i: number, o: number): number {
    const out = this.out;
    const n = chunk.length;
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    let pending = this.pendingSpaces;
    while (i < n) {
      const b = chunk[i++] as number;
      if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) inString = false;
        out[o++] = b === LF ? CR : b;
        continue;
      }
      if (depth === 0) {
        if (isWhitespace(b)) {
          pending++;
          continue;
        }
        if (b === COMMA || b === CLOSE_BRACKET) {
          // The element ends; its trailing whitespace is dropped.
          out[o++] = LF;
          this.elements++;
          this.state = b === COMMA ? State.Next : State.Done;
          pending = 0;
          break;
        }
        if (pending > 0) {
          o = this.spaces(pending, o);
          pending = 0;
        }
      }
      if (b === QUOTE) inString = true;
      else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
      else if ((b === CLOSE_BRACE || b === CLOSE_BRACKET) && depth > 0) depth--;
      out[o++] = b === LF ? SPACE : b;
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    this.pendingSpaces = pending;
    this.stop = i;
    return o;
  }
}

/** Writes the kept events as one JSON array: "[", the events separated by ",", then "]\n". */
export class ArrayOutput {
  /** Has "[" been written? It goes with the first event, so a run that fails early writes nothing. */
  private started = false;

  /** The bytes to write for a batch's NDJSON output (each event ends with LF; no LF inside events). */
  batch(ndjson: Uint8Array): Uint8Array {
    if (ndjson.length === 0) return ndjson;
    // "[" or "," first, then the events with every LF but the last turned into ",".
    const out = new Uint8Array(ndjson.length);
    out[0] = this.started ? COMMA : OPEN_BRACKET;
    this.started = true;
    const last = ndjson.length - 1;
    for (let i = 0; i < last; i++) {
      const b = ndjson[i] as number;
      out[i + 1] = b === LF ? COMMA : b;
    }
    return out;
  }

  /** The closing bytes: "]\n", or "[]\n" when no event was kept. */
  close(): Uint8Array {
    return this.started ? Uint8Array.of(CLOSE_BRACKET, LF) : Uint8Array.of(OPEN_BRACKET, CLOSE_BRACKET, LF);
  }
}
