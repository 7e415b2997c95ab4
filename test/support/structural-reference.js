// What the stage-1 kernel (bench/stage1/structural-index.ts) must compute, read one byte at a time.
// For a document it gives:
//   entries   the offset of every operator `{ } [ ] : ,` outside strings, every unescaped quote,
//             and the first byte of every atom (a maximal run outside strings of bytes that are
//             none of operator, space, quote)
//   lexical   the offset of the first lexical error (in a string: a control byte, a bad escape, a
//             lone surrogate escape; a string left open: the length), or -1
//   utf8      whether the whole document is valid UTF-8
//   badAtom   the index in `entries` of the first atom that is not a JSON number or literal, or -1
//             (stage 2 stops there; a backslash outside strings is always in such an atom)
const OPERATORS = new Set([0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2c]);
const SPACES = new Set([0x20, 0x09, 0x0a, 0x0d]);
const SIMPLE_ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);
const ATOM = /^(?:-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null)$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });
const latin1 = new TextDecoder("latin1");

function hex4(b, i) {
  if (i + 4 > b.length) return -1;
  const s = latin1.decode(b.subarray(i, i + 4));
  return /^[0-9a-fA-F]{4}$/.test(s) ? parseInt(s, 16) : -1;
}

/** The escape whose backslash is at i: the offset after it, or -1. */
function escapeEnd(b, i) {
  const e = b[i + 1];
  if (SIMPLE_ESCAPES.has(e)) return i + 2;
  if (e !== 0x75) return -1;
  const unit = hex4(b, i + 2);
  if (unit < 0 || (unit >= 0xdc00 && unit <= 0xdfff)) return -1;
  if (unit < 0xd800 || unit > 0xdbff) return i + 6;
  if (b[i + 6] !== 0x5c || b[i + 7] !== 0x75) return -1;
  const low = hex4(b, i + 8);
  return low >= 0xdc00 && low <= 0xdfff ? i + 12 : -1;
}

export function referenceIndex(b) {
  const entries = [];
  let lexical = -1;
  let badAtom = -1;
  let atomStart = -1;
  const endAtom = (i) => {
    if (atomStart < 0) return;
    if (badAtom < 0 && !ATOM.test(latin1.decode(b.subarray(atomStart, i)))) badAtom = entries.indexOf(atomStart);
    atomStart = -1;
  };
  for (let i = 0; i < b.length && lexical < 0; i++) {
    const c = b[i];
    if (c === 0x22) {
      endAtom(i);
      entries.push(i);
      let j = i + 1;
      for (; j < b.length; j++) {
        const s = b[j];
        if (s === 0x22) break;
        if (s < 0x20) {
          lexical = j;
          break;
        }
        if (s === 0x5c) {
          const next = escapeEnd(b, j);
          if (next < 0) {
            lexical = j;
            break;
          }
          j = next - 1;
        }
      }
      if (lexical >= 0) break;
      if (j >= b.length) {
        lexical = b.length; // left open
        break;
      }
      entries.push(j);
      i = j;
    } else if (OPERATORS.has(c) || SPACES.has(c)) {
      endAtom(i);
      if (OPERATORS.has(c)) entries.push(i);
    } else if (atomStart < 0) {
      atomStart = i;
      entries.push(i);
    }
  }
  if (lexical < 0) endAtom(b.length);
  let valid = true;
  try {
    utf8.decode(b);
  } catch {
    valid = false;
  }
  return { entries, lexical, utf8: valid, badAtom };
}
