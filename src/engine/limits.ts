/** The limits a filter accepts, checked before an engine is made. */
import { DEFAULT_LIMITS, type EngineLimits } from "../types.js";

const LIMIT_RANGES = { maxDepth: [1, 1024], maxEventBytes: [2, 256 * 1024 * 1024] } as const;
/** Largest batch accepted in one call; the streaming API cuts input far smaller. */
export const MAX_BATCH_BYTES = 512 * 1024 * 1024;

/** Checks limits, naming the option at fault. */
export function resolveLimits(limits: EngineLimits = {}): Required<EngineLimits> {
  const resolved: Required<EngineLimits> = { ...DEFAULT_LIMITS };
  for (const name of ["maxDepth", "maxEventBytes"] as const) {
    const value = limits[name];
    if (value === undefined) continue;
    const [low, high] = LIMIT_RANGES[name];
    if (!Number.isInteger(value) || value < low || value > high) {
      throw new RangeError(`${name} must be an integer from ${low} to ${high}`);
    }
    resolved[name] = value;
  }
  return resolved;
}
