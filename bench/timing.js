// Timing helpers the bench scripts share: a call timed by repetition, and a median.

/** Seconds per call of fn, calling it for about `ms` milliseconds (after one warm-up call). */
export function timePerCall(fn, ms) {
  fn();
  let calls = 0;
  const start = process.hrtime.bigint();
  const limit = start + BigInt(ms) * 1000000n;
  let now = start;
  while (now < limit) {
    fn();
    calls++;
    now = process.hrtime.bigint();
  }
  return Number(now - start) / 1e9 / calls;
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
