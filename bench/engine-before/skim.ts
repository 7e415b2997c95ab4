// A structural skim: skips JSON values without validating them or writing anything, to find
// where things are before the real walk (routing looks up each event's account id this way).
// It only has to be right on valid JSON and safe on anything: every loop also stops at the
// zero sentinel after the document, and any surprise returns 0 ("could not skim").

/**
 * Address of the closing quote of the string whose body starts at p, or 0 when a control byte
 * (the sentinel included) comes first. Escapes are honoured, a vector at a time with SIMD.
 */
export function skimString(p: usize): usize {
  if (ASC_FEATURE_SIMD) {
    let carry: u32 = 0; // 1 when the previous vector ended in an escaping backslash
    while (true) {
      const v = v128.load(p);
      const backslashes = <u32>i8x16.bitmask(i8x16.eq(v, i8x16.splat(0x5c)));
      const quotes = <u32>i8x16.bitmask(i8x16.eq(v, i8x16.splat(0x22)));
      const controls = <u32>i8x16.bitmask(i8x16.lt_u(v, i8x16.splat(0x20)));
      let escaped = carry;
      if (backslashes != 0) {
        if ((backslashes & ((backslashes << 1) | carry)) == 0) {
          escaped |= backslashes << 1; // no backslash is itself escaped: each escapes the next byte
        } else {
          let rest = backslashes & ~carry;
          while (rest != 0) {
            const i = ctz(rest);
            escaped |= 2 << i;
            rest &= ~(3 << i);
          }
        }
      }
      const stop = (quotes & ~escaped) | controls;
      if ((stop & 0xffff) != 0) {
        const i = ctz(stop);
        return (controls >> i) & 1 ? 0 : p + <usize>i;
      }
      carry = (escaped >> 16) & 1;
      p += 16;
    }
  } else {
    while (true) {
      const c = load<u8>(p);
      if (c == 0x22) return p;
      if (c < 0x20) return 0;
      p += c == 0x5c ? 2 : 1;
      if (c == 0x5c && load<u8>(p - 1) < 0x20) return 0;
    }
  }
  return unreachable();
}

/** Address after the value at p (no leading whitespace), or 0. */
export function skimValue(p: usize): usize {
  const c = load<u8>(p);
  if (c == 0x22) {
    const close = skimString(p + 1);
    return close == 0 ? 0 : close + 1;
  }
  if (c == 0x7b || c == 0x5b) return skimContainer(p);
  // A number or a literal: up to the next delimiter.
  const start = p;
  while (true) {
    const b = load<u8>(p);
    if (b == 0x2c || b == 0x7d || b == 0x5d || b <= 0x20) break;
    p++;
  }
  return p == start ? 0 : p;
}

/** Address after the object or array at p, found by counting brackets outside strings; or 0. */
function skimContainer(p: usize): usize {
  let depth: i32 = 0;
  while (true) {
    if (ASC_FEATURE_SIMD) {
      // To the next '"', bracket or brace ('[' | 0x20 == '{', ']' | 0x20 == '}') or the sentinel.
      while (true) {
        const v = v128.load(p);
        const folded = v128.or(v, i8x16.splat(0x20));
        const mask = i8x16.bitmask(v128.or(
          v128.or(i8x16.eq(folded, i8x16.splat(0x7b)), i8x16.eq(folded, i8x16.splat(0x7d))),
          v128.or(i8x16.eq(v, i8x16.splat(0x22)), i8x16.eq(v, i8x16.splat(0))),
        ));
        if (mask != 0) {
          p += <usize>ctz(mask);
          break;
        }
        p += 16;
      }
    }
    const c = load<u8>(p);
    if (c == 0x22) {
      const close = skimString(p + 1);
      if (close == 0) return 0;
      p = close + 1;
    } else if (c == 0x7b || c == 0x5b) {
      depth++;
      p++;
    } else if (c == 0x7d || c == 0x5d) {
      depth--;
      p++;
      if (depth == 0) return p;
    } else if (c == 0) {
      return 0;
    } else {
      p++;
    }
  }
  return unreachable();
}
