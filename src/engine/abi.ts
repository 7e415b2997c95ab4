/**
 * The numbers the host and the engine must agree on, read from the engine's exports (they are
 * defined once, in assembly/abi.ts) and checked when it loads. The host keeps no copy of its
 * own: a renamed, missing, duplicated or extra value refuses the engine with one internal
 * error, instead of misreading codes or routes.
 */
import { BUILTIN_DETECTORS } from "../policy/detect.js";
import { REJECT_CODES, type RejectCode, type WasmVariant } from "../types.js";

export interface EngineAbi {
  /** Rejection code number -> name. */
  readonly codeNames: ReadonlyMap<number, RejectCode>;
  readonly ok: number;
  readonly status: {
    readonly bytes: number; readonly capacity: number;
    readonly line: number; readonly code: number; readonly offset: number;
    readonly outputEnd: number; readonly account: number; readonly route: number; readonly detail: number;
  };
  readonly accountIdMissing: number;
  readonly route: { readonly rejected: number; readonly filtered: number; readonly passed: number };
  readonly action: { readonly filter: number; readonly pass: number; readonly reject: number };
  readonly flags: { readonly keepWhole: number; readonly embeddedJson: number };
  readonly magic: { readonly tables: number; readonly routes: number };
  readonly padding: number;
  readonly variant: WasmVariant;
  readonly reserve: { readonly impossible: number; readonly noRoom: number };
  readonly detect: {
    /** Built-in detector name → the engine's detector number. */
    readonly builtins: ReadonlyMap<string, number>;
    readonly firstPattern: number; readonly maxPatterns: number;
    /** Detect word bits. */
    readonly detectors: number; readonly bareSsn: number; readonly numbers: number; readonly reject: number; readonly redact: number;
  };
}

const VARIANT_EXPORTS: Record<WasmVariant, string> = { simd: "VARIANT_SIMD", scalar: "VARIANT_SCALAR", debug: "VARIANT_DEBUG" };
const CODE_PREFIX = "REJECT_";

/** Reads and checks the ABI of an engine instance's exports; throws one error listing every problem. */
export function readAbi(exports: WebAssembly.Exports): EngineAbi {
  const problems: string[] = [];
  const number = (name: string): number => {
    const value = exports[name];
    if (!(value instanceof WebAssembly.Global) || typeof value.value !== "number") {
      problems.push(`${name} is not exported`);
      return NaN;
    }
    return value.value >>> 0;
  };
  const distinct = (what: string, values: Record<string, number>): void => {
    const seen = new Map<number, string>();
    for (const [name, value] of Object.entries(values)) {
      if (Number.isNaN(value)) continue;
      const other = seen.get(value);
      if (other !== undefined) problems.push(`${what} ${other} and ${name} are both ${value}`);
      seen.set(value, name);
    }
  };

  // Rejection codes: exactly the public names, both ways, distinct from each other and from OK.
  const ok = number("OK");
  const codes: Record<string, number> = { OK: ok };
  const codeNames = new Map<number, RejectCode>();
  for (const name of REJECT_CODES) {
    const value = number(CODE_PREFIX + name);
    codes[name] = value;
    codeNames.set(value, name);
  }
  const known = new Set<string>(REJECT_CODES);
  for (const name of Object.keys(exports)) {
    if (name.startsWith(CODE_PREFIX) && !known.has(name.slice(CODE_PREFIX.length))) {
      problems.push(`${name} is not a code the host knows`);
    }
  }
  distinct("rejection codes", codes);

  const status = {
    bytes: number("STATUS_BYTES"), capacity: number("STATUS_CAPACITY"),
    line: number("STATUS_LINE"), code: number("STATUS_CODE"), offset: number("STATUS_OFFSET"),
    outputEnd: number("STATUS_OUTPUT_END"), account: number("STATUS_ACCOUNT"), route: number("STATUS_ROUTE"),
    detail: number("STATUS_DETAIL"),
  };
  const { bytes, capacity, ...fields } = status;
  if (!(bytes > 0 && bytes % 4 === 0)) problems.push(`STATUS_BYTES ${bytes} is not a positive multiple of 4`);
  if (!(capacity > 0)) problems.push(`STATUS_CAPACITY ${capacity} is not positive`);
  for (const [name, offset] of Object.entries(fields)) {
    if (!(offset % 4 === 0 && offset + 4 <= bytes)) problems.push(`status field ${name} at ${offset} does not fit a ${bytes}-byte record`);
  }
  distinct("status fields", fields);

  const route = { rejected: number("ROUTE_REJECTED"), filtered: number("ROUTE_FILTERED"), passed: number("ROUTE_PASSED") };
  distinct("route outcomes", route);
  const action = { filter: number("ACTION_FILTER"), pass: number("ACTION_PASS"), reject: number("ACTION_REJECT") };
  distinct("route actions", action);
  const flags = { keepWhole: number("FLAG_KEEP_WHOLE"), embeddedJson: number("FLAG_EMBEDDED_JSON") };
  for (const [name, flag] of Object.entries(flags)) {
    if (!(flag > 0 && (flag & (flag - 1)) === 0)) problems.push(`node flag ${name} ${flag} is not a single bit`);
  }
  distinct("node flags", flags);
  const magic = { tables: number("TABLES_MAGIC"), routes: number("ROUTES_MAGIC") };
  distinct("blob magics", magic);
  const accountIdMissing = number("ACCOUNT_ID_MISSING");
  if (accountIdMissing === 0) problems.push("ACCOUNT_ID_MISSING is 0, the number of an unconfigured account");
  const padding = number("PADDING");
  if (!(padding >= 16)) problems.push(`PADDING ${padding} is less than one vector`);
  const reserve = { impossible: number("RESERVE_IMPOSSIBLE"), noRoom: number("RESERVE_NO_ROOM") };
  distinct("reservation problems", { none: 0, ...reserve });

  // Detectors: the built-in names, numbered 0..BUILTIN_DETECTORS - 1 in the host's report order.
  const builtins = new Map<string, number>();
  BUILTIN_DETECTORS.forEach((name, i) => {
    const value = number(`DETECTOR_${name.toUpperCase()}`);
    if (value !== i) problems.push(`DETECTOR_${name.toUpperCase()} is ${value}, not ${i} (the report order)`);
    builtins.set(name, value);
  });
  if (number("BUILTIN_DETECTORS") !== BUILTIN_DETECTORS.length) problems.push(`BUILTIN_DETECTORS is not ${BUILTIN_DETECTORS.length}`);
  const firstPattern = number("FIRST_PATTERN_DETECTOR");
  const maxPatterns = number("MAX_PATTERNS");
  if (!(firstPattern >= BUILTIN_DETECTORS.length && firstPattern + maxPatterns <= 24)) problems.push("detector numbers do not fit 24 bits");
  const detectBits = {
    detectors: number("DETECT_DETECTORS"), bareSsn: number("DETECT_BARE_SSN"), numbers: number("DETECT_NUMBERS"),
    reject: number("DETECT_REJECT"), redact: number("DETECT_REDACT"),
  };
  const { detectors, ...flagBits } = detectBits;
  for (const [name, bit] of Object.entries(flagBits)) {
    if (!(bit > 0 && (bit & (bit - 1)) === 0 && (bit & detectors) === 0)) problems.push(`detect bit ${name} ${bit} is not a single bit above the detectors`);
  }
  distinct("detect bits", flagBits);
  const detect = { builtins, firstPattern, maxPatterns, ...detectBits };

  const variants = Object.fromEntries(Object.entries(VARIANT_EXPORTS).map(([variant, name]) => [variant, number(name)]));
  distinct("variants", variants);
  const built = number("VARIANT");
  const variant = Object.keys(variants).find((name) => variants[name] === built) as WasmVariant | undefined;
  if (variant === undefined && !Number.isNaN(built)) problems.push(`VARIANT ${built} is none of ${Object.values(VARIANT_EXPORTS).join(", ")}`);

  if (problems.length > 0) {
    throw new Error(`hipaa-sieve: internal error: the WebAssembly engine does not match this host: ${problems.join("; ")}`);
  }
  return Object.freeze({
    codeNames, ok, status, accountIdMissing, route, action, flags, magic, padding, variant: variant!, reserve, detect,
  });
}
