// The current event's first error, and the rejection codes' short names (their values are in abi.ts).
import { OK, REJECT_UNEXPECTED_END, LAST_GRAMMAR_CODE } from "./abi";
export {
  OK,
  REJECT_UNEXPECTED_END as UNEXPECTED_END,
  REJECT_UNEXPECTED_BYTE as UNEXPECTED_BYTE,
  REJECT_INVALID_NUMBER as INVALID_NUMBER,
  REJECT_INVALID_ESCAPE as INVALID_ESCAPE,
  REJECT_CONTROL_CHARACTER as CONTROL_CHARACTER,
  REJECT_INVALID_UTF8 as INVALID_UTF8,
  REJECT_LONE_SURROGATE as LONE_SURROGATE,
  REJECT_NOT_AN_OBJECT as NOT_AN_OBJECT,
  REJECT_TRAILING_BYTES as TRAILING_BYTES,
  REJECT_TOO_DEEP as TOO_DEEP,
  REJECT_TOO_LARGE as TOO_LARGE,
  REJECT_DUPLICATE_KEY as DUPLICATE_KEY,
  REJECT_INVALID_EMBEDDED_JSON as INVALID_EMBEDDED_JSON,
  REJECT_OUTPUT_OVERFLOW as OUTPUT_OVERFLOW,
  REJECT_UNKNOWN_ACCOUNT as UNKNOWN_ACCOUNT,
  REJECT_DUPLICATE_ACCOUNT_KEY as DUPLICATE_ACCOUNT_KEY,
  REJECT_PHI_DETECTED as PHI_DETECTED,
} from "./abi";

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
  return code >= REJECT_UNEXPECTED_END && code <= LAST_GRAMMAR_CODE;
}
