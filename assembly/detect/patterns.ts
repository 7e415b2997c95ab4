// Custom patterns: runs the automaton one policy pattern compiles to (src/policy/pattern.ts) over one value.
//
// Table (little-endian, at a 4-byte aligned address), written by compilePattern:
//
//   header  ┌────────────┬────────────┬───────┐
//           │ classCount │ stateCount │ start │      u32 each
//           └────────────┴────────────┴───────┘
//   classOf 260 x u8: classOf[b] for each byte b, classOf[256] = the EDGE class, 257..259 = 0
//   next    stateCount x classCount x u16:  next[s * classCount + c] = target state,
//           | ACCEPTING (bit 15) when the target is accepting
//
// The host built the search into the automaton (EDGE, bytes, EDGE reach an accepting state exactly when some
// run of the value matches the pattern at word boundaries), so this is a plain loop: one load for the byte's
// class and one for the transition per byte, no backtracking, stopping at the first accepting state.

const TABLE_CLASS_COUNT: usize = 0;
const TABLE_START: usize = 8;
const TABLE_CLASS_OF: usize = 12;
const TABLE_NEXT: usize = 272; // 12 + 260: a multiple of 2, so the u16 transitions are aligned
const EDGE: usize = 256;
const ACCEPTING: u32 = 0x8000;

// @ts-ignore: decorator
@inline
function classOf(classes: usize, symbol: usize): u32 {
  return <u32>load<u8>(classes + symbol);
}

// The state after reading a symbol of class `c` in `state` (ACCEPTING set when it accepts).
// @ts-ignore: decorator
@inline
function step(next: usize, classCount: u32, state: u32, c: u32): u32 {
  return <u32>load<u16>(next + (<usize>(state * classCount + c) << 1));
}

/** Whether the pattern whose table is at `table` matches anywhere in the value [v, v + n). */
export function patternMatches(table: usize, v: usize, n: usize): bool {
  const classCount = load<u32>(table, TABLE_CLASS_COUNT);
  const classes = table + TABLE_CLASS_OF;
  const next = table + TABLE_NEXT;
  const edge = classOf(classes, EDGE);
  let state = step(next, classCount, load<u32>(table, TABLE_START), edge);
  if (state & ACCEPTING) return true;
  const end = v + n;
  for (let p = v; p < end; p++) {
    state = step(next, classCount, state, classOf(classes, <usize>load<u8>(p)));
    if (state & ACCEPTING) return true;
  }
  return (step(next, classCount, state, edge) & ACCEPTING) != 0;
}
