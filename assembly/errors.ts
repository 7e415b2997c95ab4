// Rejection codes. Keep in step with REJECT_CODES in src/types.ts (same order, same values).
export const OK: i32 = 0;
export const UNEXPECTED_END: i32 = 1;
export const UNEXPECTED_BYTE: i32 = 2;
export const INVALID_NUMBER: i32 = 3;
export const INVALID_ESCAPE: i32 = 4;
export const CONTROL_CHARACTER: i32 = 5;
export const INVALID_UTF8: i32 = 6;
export const LONE_SURROGATE: i32 = 7;
export const NOT_AN_OBJECT: i32 = 8;
export const TRAILING_BYTES: i32 = 9;
export const TOO_DEEP: i32 = 10;
export const TOO_LARGE: i32 = 11;
export const DUPLICATE_KEY: i32 = 12;
export const INVALID_EMBEDDED_JSON: i32 = 13;
export const OUTPUT_OVERFLOW: i32 = 14;
export const UNKNOWN_ACCOUNT: i32 = 15;
export const DUPLICATE_ACCOUNT_KEY: i32 = 16;

/** The first error of the current event; later ones are consequences of it. */
export let errorCode: i32 = OK;
/** Absolute address where the first error was found. */
export let errorAt: usize = 0;

/** Records an error (if none is recorded yet) and returns 0, the "failed" position. */
export function fail(code: i32, at: usize): usize {
  if (errorCode == OK) {
    errorCode = code;
    errorAt = at;
  }
  return 0;
}

export function clearError(): void {
  errorCode = OK;
  errorAt = 0;
}

/** Replaces the recorded error; used when an embedded document fails as a whole. */
export function replaceError(code: i32, at: usize): void {
  errorCode = code;
  errorAt = at;
}

/** Errors that mean "this text is not JSON" (as opposed to limits or policy rules). */
export function isGrammarError(code: i32): bool {
  return code >= UNEXPECTED_END && code <= TRAILING_BYTES;
}
