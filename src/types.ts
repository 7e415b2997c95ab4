/**
 * Public types shared by the engine, the streaming helpers and the CLI.
 * Nothing here touches Node built-ins: the filtering path runs in browsers and workerd too.
 */

/**
 * Why an event was rejected. Stable names: they appear in `--errors` files and statistics.
 * The engine numbers them (assembly/abi.ts); the host reads those numbers from the engine when
 * it loads, and refuses an engine whose codes are not exactly these.
 */
export const REJECT_CODES = [
  "UNEXPECTED_END",        // input ended inside a value
  "UNEXPECTED_BYTE",       // a byte the JSON grammar does not allow here
  "INVALID_NUMBER",        // number lexeme breaks RFC 8259 (leading zero, lone '-', '1.', '1e')
  "INVALID_ESCAPE",        // unknown escape or bad \u hex digits
  "CONTROL_CHARACTER",     // raw byte < 0x20 inside a string
  "INVALID_UTF8",          // overlong, surrogate, truncated or > U+10FFFF sequence
  "LONE_SURROGATE",        // \uD800-\uDFFF escape not forming a pair (I-JSON)
  "NOT_AN_OBJECT",         // top level is not an object
  "TRAILING_BYTES",        // non-whitespace after the top-level object
  "TOO_DEEP",              // nesting deeper than maxDepth
  "TOO_LARGE",             // event longer than maxEventBytes
  "DUPLICATE_KEY",         // a key the policy selects appears twice in one object
  "INVALID_EMBEDDED_JSON", // an embeddedJson string does not hold valid JSON
  "OUTPUT_OVERFLOW",       // internal guard: no room for the event's output (never expected; fails closed)
  "UNKNOWN_ACCOUNT",       // routing: account not configured and unknownAccount is "reject"
  "DUPLICATE_ACCOUNT_KEY", // routing: the account key appears twice
  "PHI_DETECTED",          // a detector found PHI in a kept value and the policy's detect action is "reject"
] as const;

export type RejectCode = (typeof REJECT_CODES)[number];

/** One rejected event of a batch. No content: a code and a byte offset within the event's line. */
export interface Rejection {
  /** 1-based line number within the batch given to `filterBatch`. */
  line: number;
  code: RejectCode;
  /** Byte offset within the line where the problem was found. */
  offset: number;
  /** PHI_DETECTED: which detector hit (never the value). */
  detector?: string;
  /** PHI_DETECTED: the policy's keep path of the value it hit. */
  path?: string;
}

/** How many kept values a detector hit at one kept path of one policy (the policy's detect section). */
export interface Detection {
  policy: string;
  path: string;
  detector: string;
  /** What the hits did: "reject" (the event's first hit rejected it), "redact" or "count". */
  action: "reject" | "redact" | "count";
  count: number;
}

/** What happened to one account's events. */
export interface RouteCounts {
  events: number;
  /** Filtered through the account's policy (HIPAA accounts). */
  filtered: number;
  /** Copied through unchanged (accounts without HIPAA). */
  passed: number;
  rejected: number;
}

/** Per-account counts are keyed by configured account id; other accounts are counted here. */
export const UNKNOWN_ACCOUNT_KEY = "(unknown)";
/** Events that hold no account id at the accountKey path (absent, or not a string) are counted here. */
export const MISSING_ACCOUNT_KEY = "(no account id)";

/** How filterBatch hands its output over. */
export interface BatchOptions {
  /**
   * true: `output` is a view of the engine's memory, valid only until the next call on the same
   * filter (no copy and no allocation per batch). Default false: a fresh copy the caller owns.
   */
  view?: boolean;
}

export interface BatchResult {
  /** Kept events, each as minified JSON followed by "\n". A copy: safe to keep. */
  output: Uint8Array;
  /** Lines in the batch, blank ones included (a final line without "\n" counts). */
  lines: number;
  /** Non-blank lines, i.e. events seen. */
  events: number;
  /** Events written to `output`: filtered ones and passed-through ones. */
  kept: number;
  /** Of the kept events, those copied through unchanged (accounts without HIPAA). */
  passed: number;
  rejected: Rejection[];
  /** Kept events that came out of their policy as `{}`: nothing of them was kept (a wrong preset or accountKey?). */
  empty: number;
  /**
   * With account routing: counts per configured account id; MISSING_ACCOUNT_KEY for events without an account
   * id, UNKNOWN_ACCOUNT_KEY for the rest (ids not configured, and events rejected before their id was read).
   */
  accounts?: Record<string, RouteCounts>;
  /**
   * With detection: values hit, per policy, kept path and detector, over the kept events and the events
   * rejected with PHI_DETECTED (events rejected for anything else count nothing). Absent when none.
   */
  detections?: Detection[];
}

export type EventResult =
  | { ok: true; output: Uint8Array; route: "filtered" | "passed"; account?: string | null; detections?: Detection[] }
  | { ok: false; code: RejectCode; offset: number; detector?: string; path?: string };

/** Limits the engine applies unless told otherwise. */
export const DEFAULT_LIMITS: Readonly<Required<EngineLimits>> = Object.freeze({ maxDepth: 64, maxEventBytes: 16 * 1024 * 1024 });

export interface EngineLimits {
  /** Deepest nesting accepted; the top-level object is depth 1. Default 64. */
  maxDepth?: number;
  /** Largest event in bytes (one NDJSON line without its line end). Default 16 MiB. */
  maxEventBytes?: number;
}

/** The engine builds: SIMD, scalar, and SIMD with assertions on and function names kept (debug). */
export type WasmVariant = "simd" | "scalar" | "debug";
