// Every number the engine and its host must agree on, defined here only. index.ts exports each
// of them as a WebAssembly global; the host (src/engine/abi.ts) reads them from the instance,
// checks them when the engine loads, and never keeps a copy of its own. Renaming, adding or
// renumbering one here is therefore all it takes: a host that does not know a name refuses to
// load the engine instead of misreading it.

// Rejection codes (REJECT_<name>). The host's public RejectCode names must match this list,
// both ways. OK is not a rejection.
export const OK: i32 = 0;
export const REJECT_UNEXPECTED_END: i32 = 1;
export const REJECT_UNEXPECTED_BYTE: i32 = 2;
export const REJECT_INVALID_NUMBER: i32 = 3;
export const REJECT_INVALID_ESCAPE: i32 = 4;
export const REJECT_CONTROL_CHARACTER: i32 = 5;
export const REJECT_INVALID_UTF8: i32 = 6;
export const REJECT_LONE_SURROGATE: i32 = 7;
export const REJECT_NOT_AN_OBJECT: i32 = 8;
export const REJECT_TRAILING_BYTES: i32 = 9;
export const REJECT_TOO_DEEP: i32 = 10;
export const REJECT_TOO_LARGE: i32 = 11;
export const REJECT_DUPLICATE_KEY: i32 = 12;
export const REJECT_INVALID_EMBEDDED_JSON: i32 = 13;
export const REJECT_OUTPUT_OVERFLOW: i32 = 14;
export const REJECT_UNKNOWN_ACCOUNT: i32 = 15;
export const REJECT_DUPLICATE_ACCOUNT_KEY: i32 = 16;
export const REJECT_PHI_DETECTED: i32 = 17;
/** Codes from REJECT_UNEXPECTED_END to this one mean "this text is not JSON" (not a limit or a rule). */
export const LAST_GRAMMAR_CODE: i32 = REJECT_TRAILING_BYTES;

// Status records: one per event of a batch call, STATUS_BYTES each, u32 fields at these offsets.
//   +0 line     1-based, counted from the line the call started at
//   +4 code     OK or REJECT_*
//   +8 offset   bytes from the start of the event's line to where it was rejected
//   +12 end     output bytes of this batch so far, across its calls (the event's end in the output)
//   +16 account the account's index + 1; 0 when not configured or not routing; ACCOUNT_ID_MISSING
//   +20 route   ROUTE_*
//   +24 detail  PHI_DETECTED: the counter of the hit (its kept path and detector; see DETECT_* below)
export const STATUS_BYTES: u32 = 28;
export const STATUS_LINE: u32 = 0;
export const STATUS_CODE: u32 = 4;
export const STATUS_OFFSET: u32 = 8;
export const STATUS_OUTPUT_END: u32 = 12;
export const STATUS_ACCOUNT: u32 = 16;
export const STATUS_ROUTE: u32 = 20;
export const STATUS_DETAIL: u32 = 24;
/** Records a batch call writes at most; the call then stops and the host calls again from there. */
export const STATUS_CAPACITY: u32 = 4096;

/** The status account of an event that holds no account id (absent, or not a string). */
export const ACCOUNT_ID_MISSING: u32 = 0xffffffff;

// How an event went (status record, lastEventRoute()).
export const ROUTE_REJECTED: u32 = 0;
export const ROUTE_FILTERED: u32 = 1;
export const ROUTE_PASSED: u32 = 2;

// What the routes blob tells the engine to do with an account's events.
export const ACTION_FILTER: u32 = 0;
export const ACTION_PASS: u32 = 1;
export const ACTION_REJECT: u32 = 2;

// Policy table node flags.
export const FLAG_KEEP_WHOLE: u32 = 1;
export const FLAG_EMBEDDED_JSON: u32 = 2;

// PHI detectors (docs/detectors.md), numbered in report order: when a value hits several, the
// lowest number names it (in a PHI_DETECTED rejection and in a redaction's placeholder).
export const DETECTOR_SSN: u32 = 0;
export const DETECTOR_CARD: u32 = 1;
export const DETECTOR_PHONE: u32 = 2;
export const DETECTOR_EMAIL: u32 = 3;
export const DETECTOR_DATE: u32 = 4;
export const DETECTOR_IP: u32 = 5;
export const DETECTOR_URL: u32 = 6;
/** How many built-in detectors there are: numbers 0 to BUILTIN_DETECTORS - 1. */
export const BUILTIN_DETECTORS: u32 = 7;
/** A policy's custom patterns are detectors FIRST_PATTERN_DETECTOR, FIRST_PATTERN_DETECTOR + 1, ... */
export const FIRST_PATTERN_DETECTOR: u32 = 8;
/** Custom patterns one engine holds at most (all its policies together). */
export const MAX_PATTERNS: u32 = 16;

// A policy node's detect word (policy-tables.ts): which detectors scan the values kept at the
// node, and what a hit does. Bits 0-23: detector numbers (DETECTOR_*, FIRST_PATTERN_DETECTOR + i).
export const DETECT_DETECTORS: u32 = 0x00ffffff;
/** A bare run of nine digits counts as an SSN here. */
export const DETECT_BARE_SSN: u32 = 1 << 24;
/** Kept numbers of 9 or more digits are scanned too (strings always are). */
export const DETECT_NUMBERS: u32 = 1 << 25;
/** A hit rejects the event (PHI_DETECTED). */
export const DETECT_REJECT: u32 = 1 << 26;
/** A hit replaces the value with its detector's placeholder. Neither this nor DETECT_REJECT: counted only. */
export const DETECT_REDACT: u32 = 1 << 27;
// Every hit is counted: a node's detectors have counters from its counter base on, one per detector
// bit set in its word, in bit order. A PHI_DETECTED status record names the counter of the hit.

// Blob magics: the first word of each blob, little-endian ASCII.
export const TABLES_MAGIC: u32 = 0x32565348; // "HSV2"
export const ROUTES_MAGIC: u32 = 0x31525348; // "HSR1"

/** Readable bytes guaranteed after every document's sentinel (SIMD loads and word compares read ahead). */
export const PADDING: usize = 64;

// Which build this is: VARIANT is one of the VARIANT_* values.
export const VARIANT_SIMD: u32 = 1;
export const VARIANT_SCALAR: u32 = 2;
export const VARIANT_DEBUG: u32 = 3;
export const VARIANT: u32 = !ASC_NO_ASSERT ? VARIANT_DEBUG : ASC_FEATURE_SIMD ? VARIANT_SIMD : VARIANT_SCALAR;

// Why a batch reservation was refused (reserveInput returns 0 and sets reserveProblem).
/** Some buffer the batch needs is larger than one allocation can be: no instance can serve it. */
export const RESERVE_IMPOSSIBLE: u32 = 1;
/** This instance's memory cannot grow that far now; a fresh instance may. */
export const RESERVE_NO_ROOM: u32 = 2;
