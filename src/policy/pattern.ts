/**
 * Custom patterns (docs/detectors.md, "Custom patterns"): a small regular-expression language compiled to a
 * deterministic automaton that the engine runs with one table lookup per byte (assembly/detect/patterns.ts).
 * Nothing is interpreted or backtracked at run time, so no pattern can make the engine slow.
 *
 * The pipeline, top to bottom in this file:
 *   source → syntax tree (recursive descent, refusing everything the language does not have)
 *          → Thompson NFA of the *search* language ANY* B P B (word boundaries and "anywhere in the value")
 *          → byte classes (symbols that no set tells apart share a column)
 *          → DFA by subset construction, stopped as soon as it passes MAX_PATTERN_STATES
 *          → minimized DFA, identical columns merged
 *          → the table bytes the engine reads.
 *
 * Symbols: the 256 byte values, and EDGE (256), which the runner feeds before the first byte and after the last
 * one. B is EDGE or a non-word byte, so "B P B" is "P, starting and ending at a word boundary".
 */

/** Longest pattern source, in characters. */
export const MAX_PATTERN_SOURCE = 256;
/** Largest count in {n}, {n,m}, {n,}. */
export const MAX_PATTERN_COUNT = 64;
/** Most DFA states a pattern may compile to (they are numbered in 15 bits of the table). */
export const MAX_PATTERN_STATES = 1024;
/**
 * Most single-byte steps a pattern may have once its repetitions are written out: (\d{64}){64} has 4,096.
 * Repetitions nested in repetitions multiply, so a 30-character pattern could otherwise ask for millions of NFA
 * states before the DFA limit is ever reached; this bounds the work done before refusing.
 */
export const MAX_PATTERN_STEPS = 4096;

// Table fields (byte offsets); the layout is drawn in assembly/detect/patterns.ts and on CompiledPattern.table.
const TABLE_CLASS_COUNT = 0;
const TABLE_STATE_COUNT = 4;
const TABLE_START = 8;
const TABLE_CLASS_OF = 12;
/** Bytes before the transitions: classCount, stateCount, start (u32 each) and classOf (260 bytes). */
export const PATTERN_TABLE_HEADER_BYTES = TABLE_CLASS_OF + 260;
/** Bit set in a transition whose target is accepting. */
export const PATTERN_ACCEPTING = 0x8000;

const EDGE = 256;
const SYMBOLS = 257;

/** Thrown for a pattern that is refused; the message says where (1-based character) and what was expected. */
export class PatternError extends Error {
  /** 1-based character position in the source, or undefined when the refusal is about the whole pattern. */
  readonly position: number | undefined;

  constructor(message: string, position?: number) {
    super(position === undefined ? message : `at character ${position}: ${message}`);
    this.name = "PatternError";
    this.position = position;
  }
}

export interface CompiledPattern {
  readonly name: string;
  readonly source: string;
  readonly ignoreCase: boolean;
  /** The fewest bytes a match of the pattern itself can have (word boundaries not counted). */
  readonly minLength: number;
  readonly stateCount: number;
  /**
   * The bytes the engine reads, little-endian, length a multiple of 4:
   *   u32 classCount C, u32 stateCount S, u32 start, u8[260] classOf (256 = EDGE; 257..259 = 0),
   *   u16[S*C] next: next[s*C + c] = target state | PATTERN_ACCEPTING when the target accepts.
   */
  readonly table: Uint8Array;
}

export function compilePattern(name: string, source: string, ignoreCase: boolean): CompiledPattern {
  if (source.length === 0) throw new PatternError("the pattern is empty; it must match at least one byte");
  if (source.length > MAX_PATTERN_SOURCE) {
    throw new PatternError(`the pattern is ${source.length} characters long; at most ${MAX_PATTERN_SOURCE} are allowed`);
  }
  const tree = new Parser(source, ignoreCase).parse();
  if (tree.nullable) {
    throw new PatternError('the pattern matches the empty string, so every value would hit it; make at least one byte required (as in "a+" rather than "a*")');
  }
  const { nfa, start } = searchNfa(tree);
  const classes = byteClasses(nfa.sets);
  const dfa = minimize(determinize(nfa, start, classes));
  const merged = mergeColumns(dfa, classes.classOf);
  return Object.freeze({
    name,
    source,
    ignoreCase,
    minLength: tree.minLength,
    stateCount: merged.stateCount,
    table: encode(merged),
  });
}

/**
 * Runs a table as the engine does: EDGE, the value's bytes, EDGE; true as soon as a transition reaches an
 * accepting state (a search only asks whether there is a match, so it may stop at the first one).
 */
export function runPatternTable(table: Uint8Array, value: Uint8Array): boolean {
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const classCount = view.getUint32(TABLE_CLASS_COUNT, true);
  const step = (state: number, symbol: number): number =>
    view.getUint16(PATTERN_TABLE_HEADER_BYTES + 2 * (state * classCount + table[TABLE_CLASS_OF + symbol]), true);
  let state = step(view.getUint32(TABLE_START, true), EDGE);
  if (state & PATTERN_ACCEPTING) return true;
  for (let i = 0; i < value.length; i++) {
    state = step(state, value[i]);
    if (state & PATTERN_ACCEPTING) return true;
  }
  return (step(state, EDGE) & PATTERN_ACCEPTING) !== 0;
}

// ---------------------------------------------------------------- syntax tree

/** A set of byte values: set[b] is 1 when byte b is in it. */
type ByteSet = Uint8Array;

/**
 * Every node carries what the checks need, computed once when it is made: whether it can match nothing,
 * the fewest bytes it matches, and how many single-byte NFA states it becomes (its "steps").
 */
type Node = { readonly nullable: boolean; readonly minLength: number; readonly steps: number } & (
  | { readonly kind: "byte"; readonly set: ByteSet }
  | { readonly kind: "concat"; readonly items: readonly Node[] }
  | { readonly kind: "alt"; readonly options: readonly Node[] }
  | { readonly kind: "repeat"; readonly item: Node; readonly min: number; readonly max: number }
);

function byteNode(set: ByteSet): Node {
  return { kind: "byte", set, nullable: false, minLength: 1, steps: 1 };
}

function concatNode(items: Node[]): Node {
  if (items.length === 1) return items[0];
  return {
    kind: "concat",
    items,
    nullable: items.every((item) => item.nullable),
    minLength: items.reduce((sum, item) => sum + item.minLength, 0),
    steps: items.reduce((sum, item) => sum + item.steps, 0),
  };
}

function altNode(options: Node[]): Node {
  if (options.length === 1) return options[0];
  // a|b|[xy] is one byte set: a single NFA state rather than one per option.
  if (options.every((option) => option.kind === "byte")) {
    const set = new Uint8Array(256);
    for (const option of options) if (option.kind === "byte") orInto(set, option.set);
    return byteNode(set);
  }
  return {
    kind: "alt",
    options,
    nullable: options.some((option) => option.nullable),
    minLength: Math.min(...options.map((option) => option.minLength)),
    steps: options.reduce((sum, option) => sum + option.steps, 0),
  };
}

/** max is Infinity for *, + and {n,}. */
function repeatNode(item: Node, min: number, max: number): Node {
  // The NFA writes out max copies, or for an unbounded repetition min copies with the last one looping
  // (one copy, looping or skipped, when min is 0).
  const copies = max === Infinity ? Math.max(min, 1) : max;
  return {
    kind: "repeat",
    item,
    min,
    max,
    nullable: min === 0 || item.nullable,
    minLength: min * item.minLength,
    steps: copies * item.steps,
  };
}

const DIGIT = setOf((b) => b >= 0x30 && b <= 0x39);
const WORD = setOf(isWordByte);
const SPACE = setOf((b) => b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a);

/** ASCII letter, digit, "_", or any byte of a non-ASCII character (docs/detectors.md). */
function isWordByte(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f || b >= 0x80;
}

function setOf(has: (b: number) => boolean): ByteSet {
  const set = new Uint8Array(256);
  for (let b = 0; b < 256; b++) set[b] = has(b) ? 1 : 0;
  return set;
}

function orInto(target: Uint8Array, source: Uint8Array): void {
  for (let b = 0; b < source.length; b++) target[b] |= source[b];
}

/** With ignoreCase, each ASCII letter in the set brings its other case along. */
function foldCase(set: ByteSet): void {
  for (let b = 0x41; b <= 0x5a; b++) {
    if (set[b] || set[b + 0x20]) set[b] = set[b + 0x20] = 1;
  }
}

/** How a character is shown in a message: quoted as JSON, or "the end of the pattern". */
function shown(c: string | undefined): string {
  return c === undefined ? "the end of the pattern" : JSON.stringify(c);
}

/** ASCII punctuation: what a backslash may escape to stand for itself. */
function isPunctuation(c: string): boolean {
  return /^[!-\/:-@\[-`{-~]$/.test(c);
}

/** Recursive descent over the grammar  alternation := concat ("|" concat)*;  concat := repeat+;  repeat := atom quantifier?. */
class Parser {
  /** Index (0-based) of the next character to read. */
  private i = 0;
  /** How many groups are open: ")" ends an alternative only inside one. */
  private depth = 0;

  constructor(private readonly source: string, private readonly ignoreCase: boolean) {}

  parse(): Node {
    // Non-ASCII first: every other check speaks of characters, and a pattern holds bytes only through . \w [^...].
    for (let k = 0; k < this.source.length; k++) {
      const code = this.source.codePointAt(k)!;
      if (code > 0x7f) {
        const c = String.fromCodePoint(code);
        throw new PatternError(
          `expected an ASCII character; found ${JSON.stringify(c)} (U+${code.toString(16).toUpperCase().padStart(4, "0")}): ` +
            "a pattern is ASCII only (. and \\w match the bytes of non-ASCII characters)",
          k + 1,
        );
      }
    }
    return this.alternation();
  }

  private peek(ahead = 0): string | undefined {
    return this.source[this.i + ahead];
  }

  /** A refusal at the character about to be read. */
  private error(message: string, at = this.i): PatternError {
    return new PatternError(message, at + 1);
  }

  private checkSteps(node: Node, at: number): Node {
    if (node.steps > MAX_PATTERN_STEPS) {
      throw this.error(
        `the pattern grows past ${MAX_PATTERN_STEPS.toLocaleString("en-US")} single-byte steps once its repetitions are written out ` +
          "(repetitions inside repetitions multiply); use fewer or narrower repetitions",
        at,
      );
    }
    return node;
  }

  private alternation(): Node {
    const start = this.i;
    const options = [this.concatenation()];
    while (this.peek() === "|") {
      this.i++;
      options.push(this.concatenation());
    }
    return this.checkSteps(altNode(options), start);
  }

  private concatenation(): Node {
    const start = this.i;
    const items: Node[] = [];
    while (this.i < this.source.length && this.peek() !== "|" && !(this.peek() === ")" && this.depth > 0)) {
      const at = this.i;
      items.push(this.repetition());
      this.checkSteps(concatNode(items), at);
    }
    if (items.length === 0) throw this.emptyAlternative(start);
    return concatNode(items);
  }

  /** An alternative with nothing in it: "a|", "|a", "a||b", "()", "(|a)". */
  private emptyAlternative(at: number): PatternError {
    const before = this.source[at - 1];
    const found = shown(this.source[at]);
    if (before === "|") return this.error(`"|" must be followed by an alternative; found ${found}`, at);
    if (before === "(") return this.error(`"(" must be followed by an alternative; found ${found}`, at);
    return this.error(`expected an alternative before "|"; found "|"`, at);
  }

  private repetition(): Node {
    const atom = this.atom();
    const at = this.i;
    const quantifier = this.quantifier();
    if (!quantifier) return atom;
    const node = this.checkSteps(repeatNode(atom, quantifier.min, quantifier.max), at);
    const after = this.peek();
    if (after === "?") {
      throw this.error(`lazy repetition "${quantifier.text}?" is not supported (a pattern only asks whether there is a match); remove the "?"`);
    }
    if (after === "+") throw this.error(`possessive repetition "${quantifier.text}+" is not supported; remove the "+"`);
    if (after === "*" || after === "{") {
      throw this.error(`expected something to repeat before ${shown(after)}; found the repetition "${quantifier.text}" (put it in a group first, as in (a${quantifier.text})${after === "*" ? "*" : "{2}"})`);
    }
    return node;
  }

  /** ? * + {n} {n,} {n,m} at the current position, or undefined when there is none. */
  private quantifier(): { min: number; max: number; text: string } | undefined {
    const start = this.i;
    const c = this.peek();
    if (c === "?" || c === "*" || c === "+") {
      this.i++;
      return { min: c === "+" ? 1 : 0, max: c === "?" ? 1 : Infinity, text: c };
    }
    if (c !== "{") return undefined;
    this.i++;
    const min = this.count('"{" must be followed by a count, as in {3} or {2,5}');
    let max = min;
    if (this.peek() === ",") {
      this.i++;
      max = this.peek() === "}" ? Infinity : this.count('"," in a repetition must be followed by the largest count or by "}", as in {2,5} or {2,}');
    } else if (this.peek() !== "}") {
      throw this.error(`expected "," or "}" after the count in the repetition at character ${start + 1}; found ${shown(this.peek())}`);
    }
    if (this.peek() !== "}") {
      throw this.error(`expected "}" to end the repetition at character ${start + 1}; found ${shown(this.peek())}`);
    }
    this.i++;
    const text = this.source.slice(start, this.i);
    if (max < min) throw this.error(`the repetition "${text}" has its largest count (${max}) below its smallest (${min})`, start);
    return { min, max, text };
  }

  private count(expected: string): number {
    const start = this.i;
    while (/^[0-9]$/.test(this.peek() ?? "")) this.i++;
    if (this.i === start) throw this.error(`${expected}; found ${shown(this.peek())}`);
    const digits = this.source.slice(start, this.i);
    const value = Number(digits);
    if (value > MAX_PATTERN_COUNT) throw this.error(`a count may be at most ${MAX_PATTERN_COUNT}; found ${digits}`, start);
    return value;
  }

  private atom(): Node {
    const c = this.peek()!;
    switch (c) {
      case "(":
        return this.group();
      case "[":
        return this.charClass();
      case ".":
        this.i++;
        return byteNode(setOf(() => true));
      case "\\": {
        const escape = this.escape();
        return byteNode(escape.set);
      }
      case ")":
      case "]":
      case "}": {
        const open = c === ")" ? "(" : c === "]" ? "[" : "{";
        throw this.error(`${shown(c)} has no "${open}" before it; write \\${c} for the character itself`);
      }
      case "?":
      case "*":
      case "+":
      case "{":
        throw this.error(`expected something to repeat before ${shown(c)}; found ${this.i === 0 ? "the start of the pattern" : shown(this.source[this.i - 1])} (write \\${c} for the character itself)`);
      case "^":
      case "$":
        throw this.error(`${shown(c)} is an anchor, which patterns do not have (a match always starts and ends at a word boundary); write \\${c} for the character itself`);
      default:
        this.i++;
        return byteNode(this.literal(c.charCodeAt(0)));
    }
  }

  /** One byte, or with ignoreCase both cases of a letter. */
  private literal(byte: number): ByteSet {
    const set = new Uint8Array(256);
    set[byte] = 1;
    if (this.ignoreCase) foldCase(set);
    return set;
  }

  private group(): Node {
    const open = this.i;
    this.i++;
    if (this.peek() === "?") {
      throw this.error('"(" must be followed by an alternative; found "?" (lookaround, (?:...) and named groups are not supported: write a plain group (...))');
    }
    this.depth++;
    const inner = this.alternation();
    this.depth--;
    if (this.peek() !== ")") throw this.error(`expected ")" to close the "(" at character ${open + 1}; found ${shown(this.peek())}`);
    this.i++;
    return inner;
  }

  /**
   * A backslash escape, at the backslash: \d \w \s (a set; byte undefined) or escaped ASCII punctuation
   * (that one byte). Letters other than d, w, s, digits (backreferences) and anything else are refused.
   */
  private escape(): { set: ByteSet; byte: number | undefined } {
    this.i++;
    const c = this.peek();
    const expected = '"\\" must be followed by d, w, s or an ASCII punctuation character';
    if (c === undefined) throw this.error(`${expected}; found the end of the pattern`);
    if (c === "d" || c === "w" || c === "s") {
      this.i++;
      return { set: c === "d" ? DIGIT : c === "w" ? WORD : SPACE, byte: undefined };
    }
    if (/^[0-9]$/.test(c)) throw this.error(`${expected}; found ${shown(c)} (backreferences such as \\1 are not supported)`);
    if (/^[A-Za-z]$/.test(c)) throw this.error(`${expected}; found ${shown(c)}${LETTER_ESCAPE_HINTS[c] ?? ""}`);
    if (!isPunctuation(c)) throw this.error(`${expected}; found ${shown(c)}`);
    this.i++;
    return { set: this.literal(c.charCodeAt(0)), byte: c.charCodeAt(0) };
  }

  /** [...] or [^...]: listed ASCII bytes, ranges a-z, escapes; case folded before negating. */
  private charClass(): Node {
    const open = this.i;
    this.i++;
    const negated = this.peek() === "^";
    if (negated) this.i++;
    const set = new Uint8Array(256);
    let first = true;
    while (true) {
      const c = this.peek();
      if (c === undefined) throw this.error(`expected "]" to close the "[" at character ${open + 1}; found the end of the pattern`);
      if (c === "]") {
        if (first) throw this.error('a class must list at least one byte; found "]" (write \\] for the character itself)');
        this.i++;
        break;
      }
      first = false;
      const itemAt = this.i;
      const low = this.classItem();
      // "-" makes a range unless it is the last thing in the class ([a-] lists "a" and "-").
      if (this.peek() === "-" && this.peek(1) !== "]" && this.peek(1) !== undefined) {
        if (low.byte === undefined) {
          throw this.error(`a range must start with a single character; found "${this.source.slice(itemAt, this.i)}"`, itemAt);
        }
        this.i++;
        const highAt = this.i;
        const high = this.classItem();
        if (high.byte === undefined) {
          throw this.error(`a range must end with a single character; found "${this.source.slice(highAt, this.i)}"`, highAt);
        }
        if (high.byte < low.byte) {
          const text = this.source.slice(itemAt, this.i);
          throw this.error(`the range "${text}" goes backwards (${shown(String.fromCharCode(low.byte))} comes after ${shown(String.fromCharCode(high.byte))})`, itemAt);
        }
        for (let b = low.byte; b <= high.byte; b++) set[b] = 1;
      } else {
        orInto(set, low.set);
      }
    }
    if (this.ignoreCase) foldCase(set);
    if (negated) for (let b = 0; b < 256; b++) set[b] ^= 1;
    return byteNode(set);
  }

  /** One entry of a class: an escape or a character standing for itself (every ASCII character but "\" and "]"). */
  private classItem(): { set: ByteSet; byte: number | undefined } {
    const c = this.peek()!;
    if (c === "\\") {
      const escape = this.escape();
      // Case is folded for the whole class at its end (so that ranges fold too).
      return escape.byte === undefined ? escape : { set: setOf((b) => b === escape.byte), byte: escape.byte };
    }
    this.i++;
    const byte = c.charCodeAt(0);
    return { set: setOf((b) => b === byte), byte };
  }
}

/** Why a letter escape is refused, for the ones people reach for. */
const LETTER_ESCAPE_HINTS: Record<string, string> = {
  b: " (a match already starts and ends at a word boundary)",
  B: " (a match always starts and ends at a word boundary)",
  D: " (write [^0-9] for a byte that is not a digit)",
  S: " (write [^ \\t\\r\\n] for a byte that is not a space)",
  n: " (write \\s for a space, tab, CR or LF)",
  r: " (write \\s for a space, tab, CR or LF)",
  t: " (write \\s for a space, tab, CR or LF)",
};

// ---------------------------------------------------------------- NFA

/**
 * A Thompson NFA over the 257 symbols. A state either reads one symbol from a set and goes to `next`, or has
 * only ε moves (`epsilon`); the accepting state has neither. Symbol sets are interned: the byte classes are
 * computed from the distinct sets, and a set shared by many states is looked at once.
 */
class Nfa {
  /** Per state: the interned set it reads, or -1 for a state with only ε moves. */
  readonly setIndex: number[] = [];
  readonly next: number[] = [];
  readonly epsilon: number[][] = [];
  /** Interned sets over SYMBOLS. */
  readonly sets: Uint8Array[] = [];
  private readonly interned = new Map<string, number>();
  readonly accept: number;

  constructor() {
    this.accept = this.epsilonState([]);
  }

  reading(set: Uint8Array, next: number): number {
    const key = set.join("");
    let index = this.interned.get(key);
    if (index === undefined) {
      index = this.sets.length;
      this.sets.push(set);
      this.interned.set(key, index);
    }
    this.setIndex.push(index);
    this.next.push(next);
    this.epsilon.push([]);
    return this.setIndex.length - 1;
  }

  epsilonState(targets: number[]): number {
    this.setIndex.push(-1);
    this.next.push(-1);
    this.epsilon.push(targets);
    return this.setIndex.length - 1;
  }

  get size(): number {
    return this.setIndex.length;
  }
}

/** A byte set as a symbol set (EDGE not in it: a pattern's own atoms read bytes only). */
function symbols(set: ByteSet, edge: boolean): Uint8Array {
  const out = new Uint8Array(SYMBOLS);
  out.set(set);
  out[EDGE] = edge ? 1 : 0;
  return out;
}

/**
 * The NFA of ANY* B P B. The runner stops at the first accepting state, so reaching the accept state after
 * reading some prefix of EDGE V EDGE is exactly "some [i, j) matches P with word boundaries around it":
 * the first B reads EDGE (i == 0) or V[i-1] (not a word byte), the last B reads V[j] or EDGE (j == n),
 * and ANY* (which reads EDGE too) skips whatever comes before.
 */
function searchNfa(pattern: Node): { nfa: Nfa; start: number } {
  const nfa = new Nfa();
  const boundary = setOf((b) => !isWordByte(b));
  const after = nfa.reading(symbols(boundary, true), nfa.accept);
  const body = build(nfa, pattern, after);
  const before = nfa.reading(symbols(boundary, true), body);
  const start = nfa.epsilonState([before]);
  const skip = nfa.reading(new Uint8Array(SYMBOLS).fill(1), start);
  nfa.epsilon[start].push(skip);
  return { nfa, start };
}

/**
 * Builds `node` so that it continues into state `next`; returns its first state. Building backwards from the
 * continuation needs no patch lists, and a repetition simply builds its item again for every copy.
 */
function build(nfa: Nfa, node: Node, next: number): number {
  switch (node.kind) {
    case "byte":
      return nfa.reading(symbols(node.set, false), next);
    case "concat": {
      let first = next;
      for (let k = node.items.length - 1; k >= 0; k--) first = build(nfa, node.items[k], first);
      return first;
    }
    case "alt":
      return nfa.epsilonState(node.options.map((option) => build(nfa, option, next)));
    case "repeat": {
      let first = next;
      let required = node.min;
      if (node.max === Infinity) {
        // A loop: after one copy, go round again or leave. With min >= 1 the loop's copy is the last required one.
        const loop = nfa.epsilonState([]);
        const copy = build(nfa, node.item, loop);
        nfa.epsilon[loop].push(copy, next);
        first = required > 0 ? copy : loop;
        required = Math.max(required - 1, 0);
      } else {
        // Optional copies nested, x(x(x)?)?: each may be skipped straight to `next`.
        for (let k = node.min; k < node.max; k++) first = nfa.epsilonState([build(nfa, node.item, first), next]);
      }
      for (let k = 0; k < required; k++) first = build(nfa, node.item, first);
      return first;
    }
  }
}

// ---------------------------------------------------------------- byte classes

interface ByteClasses {
  readonly count: number;
  /** Symbol → class. */
  readonly classOf: Uint8Array;
  /** Per interned NFA set: the classes in it. */
  readonly classesOfSet: number[][];
}

/**
 * Two symbols belong to the same class when every NFA set holds both or neither: no transition can tell them
 * apart, so the DFA needs one column for the class instead of one per byte. Classes are numbered in order of
 * their first symbol, so the result does not depend on the order the sets were made in. There are at most 130
 * (a pattern names ASCII bytes only, so bytes >= 0x80 always share one class, and EDGE may get one of its own),
 * so a class fits the table's u8 classOf.
 */
function byteClasses(sets: readonly Uint8Array[]): ByteClasses {
  const classOf = new Uint8Array(SYMBOLS);
  const bySignature = new Map<string, number>();
  for (let symbol = 0; symbol < SYMBOLS; symbol++) {
    const signature = sets.map((set) => set[symbol]).join("");
    let c = bySignature.get(signature);
    if (c === undefined) bySignature.set(signature, (c = bySignature.size));
    classOf[symbol] = c;
  }
  const classesOfSet = sets.map((set) => {
    const classes = new Set<number>();
    for (let symbol = 0; symbol < SYMBOLS; symbol++) if (set[symbol]) classes.add(classOf[symbol]);
    return [...classes];
  });
  return { count: bySignature.size, classOf, classesOfSet };
}

// ---------------------------------------------------------------- DFA

interface Dfa {
  readonly stateCount: number;
  readonly classCount: number;
  readonly start: number;
  /** next[s * classCount + c]. */
  readonly next: Int32Array;
  readonly accepting: readonly boolean[];
}

/**
 * Subset construction. A DFA state is the set of NFA states that read a symbol (or accept) reachable by ε moves.
 * An accepting state is not explored: the runner stops there, so its row just points back at itself, which also
 * keeps states that could only be reached after a match from being built at all.
 * Stops with a PatternError as soon as the DFA passes MAX_PATTERN_STATES.
 */
function determinize(nfa: Nfa, nfaStart: number, classes: ByteClasses): Dfa {
  const C = classes.count;
  const members: number[][] = [];
  const ids = new ListIndex(); // closure (sorted NFA states) → DFA state
  const byMove = new ListIndex(); // targets before closure → DFA state (spares computing the closure again)
  const accepting: boolean[] = [];
  let next = new Int32Array(64 * C);
  const mark = new Int32Array(nfa.size);
  let stamp = 0;

  const closure = (seeds: readonly number[]): number[] => {
    stamp++;
    const kept: number[] = [];
    const stack = [...seeds];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (mark[s] === stamp) continue;
      mark[s] = stamp;
      if (nfa.setIndex[s] >= 0 || s === nfa.accept) kept.push(s);
      else for (const t of nfa.epsilon[s]) stack.push(t);
    }
    return kept.sort((a, b) => a - b);
  };

  const stateFor = (seeds: readonly number[]): number => {
    const known = byMove.get(seeds);
    if (known !== undefined) return known;
    const set = closure(seeds);
    let id = ids.get(set);
    if (id === undefined) {
      if (members.length === MAX_PATTERN_STATES) {
        throw new PatternError(
          `the pattern needs more than ${MAX_PATTERN_STATES.toLocaleString("en-US")} automaton states, the limit; ` +
            "use fewer or narrower repetitions (smaller counts, or \\d{6,8} rather than .{6,8})",
        );
      }
      id = members.length;
      members.push(set);
      accepting.push(set.includes(nfa.accept));
      ids.set(set, id);
      if ((id + 1) * C > next.length) {
        const grown = new Int32Array(next.length * 2);
        grown.set(next);
        next = grown;
      }
    }
    byMove.set(seeds, id);
    return id;
  };

  const start = stateFor([nfaStart]);
  for (let s = 0; s < members.length; s++) {
    const row = s * C;
    if (accepting[s]) {
      next.fill(s, row, row + C);
      continue;
    }
    const targets: number[][] = Array.from({ length: C }, () => []);
    for (const n of members[s]) {
      if (n === nfa.accept) continue;
      for (const c of classes.classesOfSet[nfa.setIndex[n]]) targets[c].push(nfa.next[n]);
    }
    for (let c = 0; c < C; c++) {
      // ANY* is in every state and reads every symbol, so no list is empty (there is no dead state).
      const target = stateFor(sortedUnique(targets[c]));
      next[row + c] = target; // after the call: stateFor may have replaced `next` with a larger array
    }
  }
  return { stateCount: members.length, classCount: C, start, next: next.slice(0, members.length * C), accepting };
}

/**
 * Lists of NFA states → numbers. A DFA state can hold thousands of NFA states ((\\w{0,64}){60}x), so lists are
 * found by a hash and compared in full rather than turned into string keys.
 */
class ListIndex {
  private readonly buckets = new Map<number, Array<{ readonly list: Int32Array; readonly value: number }>>();

  get(list: readonly number[]): number | undefined {
    for (const entry of this.buckets.get(hashList(list)) ?? []) {
      if (entry.list.length === list.length && entry.list.every((x, k) => x === list[k])) return entry.value;
    }
    return undefined;
  }

  set(list: readonly number[], value: number): void {
    const hash = hashList(list);
    const bucket = this.buckets.get(hash);
    const entry = { list: Int32Array.from(list), value };
    if (bucket) bucket.push(entry);
    else this.buckets.set(hash, [entry]);
  }
}

/** FNV-1a over the numbers. */
function hashList(list: readonly number[]): number {
  let hash = 0x811c9dc5 ^ list.length;
  for (let k = 0; k < list.length; k++) hash = Math.imul(hash ^ list[k], 0x01000193);
  return hash >>> 0;
}

/** The list sorted, without repeats (the NFA states are mostly in order already: then no sort is needed). */
function sortedUnique(list: number[]): number[] {
  let sorted = true;
  for (let k = 1; k < list.length && sorted; k++) sorted = list[k - 1] <= list[k];
  if (!sorted) list.sort((a, b) => a - b);
  let kept = 0;
  for (let k = 0; k < list.length; k++) if (k === 0 || list[k] !== list[kept - 1]) list[kept++] = list[k];
  list.length = kept;
  return list;
}

/**
 * Moore's partition refinement: states are split by acceptance, then by which blocks their transitions reach,
 * until no block splits. The result is renumbered breadth-first from the start, which becomes state 0.
 */
function minimize(dfa: Dfa): Dfa {
  const { stateCount: S, classCount: C, next } = dfa;
  let block = Int32Array.from(dfa.accepting, (a) => (a ? 1 : 0));
  let blocks = new Set(block).size;
  while (true) {
    const bySignature = new Map<string, number>();
    const refined = new Int32Array(S);
    for (let s = 0; s < S; s++) {
      let signature = String(block[s]);
      for (let c = 0; c < C; c++) signature += "," + block[next[s * C + c]];
      let b = bySignature.get(signature);
      if (b === undefined) bySignature.set(signature, (b = bySignature.size));
      refined[s] = b;
    }
    block = refined;
    if (bySignature.size === blocks) break;
    blocks = bySignature.size;
  }
  // Breadth-first over blocks, from the start's.
  const order = new Int32Array(blocks).fill(-1);
  const representative: number[] = [];
  const queue = [dfa.start];
  order[block[dfa.start]] = 0;
  representative.push(dfa.start);
  for (let k = 0; k < queue.length; k++) {
    const s = queue[k];
    for (let c = 0; c < C; c++) {
      const t = next[s * C + c];
      if (order[block[t]] < 0) {
        order[block[t]] = representative.length;
        representative.push(t);
        queue.push(t);
      }
    }
  }
  const count = representative.length;
  const out = new Int32Array(count * C);
  for (let s = 0; s < count; s++) {
    for (let c = 0; c < C; c++) out[s * C + c] = order[block[next[representative[s] * C + c]]];
  }
  return { stateCount: count, classCount: C, start: 0, next: out, accepting: representative.map((s) => dfa.accepting[s]) };
}

/**
 * Classes whose columns are equal in the minimized DFA behave the same everywhere ("MRN|MR#" makes N and #
 * different sets, yet after "MR" both lead on alike): they become one column.
 */
function mergeColumns(dfa: Dfa, classOf: Uint8Array): Dfa & { readonly classOf: Uint8Array } {
  const { stateCount: S, classCount: C, next } = dfa;
  const byColumn = new Map<string, number>();
  const firsts: number[] = [];
  // Columns numbered in order of the symbols, as byteClasses numbers classes.
  const merged = new Uint8Array(SYMBOLS);
  const seen = new Int32Array(C).fill(-1);
  for (let symbol = 0; symbol < SYMBOLS; symbol++) {
    const c = classOf[symbol];
    if (seen[c] < 0) {
      const column: number[] = [];
      for (let s = 0; s < S; s++) column.push(next[s * C + c]);
      const key = column.join(",");
      let m = byColumn.get(key);
      if (m === undefined) {
        byColumn.set(key, (m = byColumn.size));
        firsts.push(c);
      }
      seen[c] = m;
    }
    merged[symbol] = seen[c];
  }
  const M = byColumn.size;
  const out = new Int32Array(S * M);
  for (let s = 0; s < S; s++) for (let m = 0; m < M; m++) out[s * M + m] = next[s * C + firsts[m]];
  return { ...dfa, classCount: M, next: out, classOf: merged };
}

// ---------------------------------------------------------------- table

function encode(dfa: Dfa & { readonly classOf: Uint8Array }): Uint8Array {
  const { stateCount: S, classCount: C } = dfa;
  const length = PATTERN_TABLE_HEADER_BYTES + 2 * S * C;
  const table = new Uint8Array((length + 3) & ~3);
  const view = new DataView(table.buffer);
  view.setUint32(TABLE_CLASS_COUNT, C, true);
  view.setUint32(TABLE_STATE_COUNT, S, true);
  view.setUint32(TABLE_START, dfa.start, true);
  table.set(dfa.classOf, TABLE_CLASS_OF); // 257 entries; 257..259 stay 0
  for (let k = 0; k < S * C; k++) {
    const target = dfa.next[k];
    view.setUint16(PATTERN_TABLE_HEADER_BYTES + 2 * k, target | (dfa.accepting[target] ? PATTERN_ACCEPTING : 0), true);
  }
  return table;
}
