// Checks one custom pattern table before the engine trusts it (a host bug must not become an
// out-of-bounds read). Layout, as detect/patterns.ts draws it:
//   u32 classCount C, u32 stateCount S, u32 start, u8[260] classOf, u16[S * C] next (bit 15: accepting)

const HEADER_WORDS: u32 = 3;
const CLASS_BYTES: u32 = 260;
const MAX_STATES: u32 = 1024;

/**
 * The words the table at `table` takes, or 0 when it is malformed or longer than `available`
 * words: every class below C, the start and every target below S.
 */
export function patternTableWords(table: usize, available: u32): u32 {
  if (available < HEADER_WORDS + CLASS_BYTES / 4) return 0;
  const classes = load<u32>(table);
  const states = load<u32>(table, 4);
  const start = load<u32>(table, 8);
  if (classes == 0 || classes > 257 || states == 0 || states > MAX_STATES || start >= states) return 0;
  const words = HEADER_WORDS + CLASS_BYTES / 4 + ((states * classes * 2 + 3) >> 2);
  if (words > available) return 0;
  const classOf = table + <usize>HEADER_WORDS * 4;
  for (let b: usize = 0; b < 257; b++) if (<u32>load<u8>(classOf + b) >= classes) return 0;
  const next = classOf + <usize>CLASS_BYTES;
  for (let i: usize = 0; i < <usize>(states * classes); i++) {
    if (<u32>(load<u16>(next + (i << 1)) & 0x7fff) >= states) return 0;
  }
  return words;
}
