/**
 * A policy's `detect` section: which PHI detectors run on the values the policy keeps, where, and what
 * happens on a hit. Validated here (every problem collected, each naming the field), then handed to the
 * automaton builder, which turns the path lists into per-node detector sets (automaton.ts). The detectors'
 * exact rules are in docs/detectors.md; the engine runs them (assembly/detect/).
 *
 *   "detect": {
 *     "use": "flex-insights-hipaa",          a named recommendation to start from (recommendations.ts)
 *     "detectors": ["phone", "email", ...],  default: all seven built-ins (or the recommendation's)
 *     "patterns": [{ "name": "mrn", "pattern": "MRN[-: ]?\\d{6,10}", "ignoreCase": true }],
 *     "paths": ["TaskAttributes.conversations"],       default: every kept value
 *     "exempt": ["Timestamp", { "path": "TaskAttributes.conversations.segment_link", "detectors": ["url"] }],
 *     "bareSsn": ["TaskAttributes.customers.customer_attribute_1"],
 *     "numbers": true,                       also scan kept numbers of 9 or more digits (default)
 *     "action": "reject" | "redact" | "count"          default: "reject" (fail closed)
 *   }
 */
import { parsePath, PathSyntaxError, type Segment } from "./paths.js";
import { compilePattern, PatternError, type CompiledPattern } from "./pattern.js";
import { describe, isObject, show, type PathPart, type Problems } from "./problems.js";
import { didYouMean } from "./suggest.js";
import { findRecommendation, RECOMMENDATION_NAMES } from "./recommendations.js";

/** The built-in detectors, in report order (the engine's DETECTOR_* numbers are these indexes). */
export const BUILTIN_DETECTORS = Object.freeze(["ssn", "card", "phone", "email", "date", "ip", "url"] as const);
export type BuiltinDetector = (typeof BUILTIN_DETECTORS)[number];

export const DETECT_ACTIONS = Object.freeze(["reject", "redact", "count"] as const);
export type DetectAction = (typeof DETECT_ACTIONS)[number];

/** Custom patterns one policy may add (the engine holds MAX_PATTERNS of them in all). */
export const MAX_POLICY_PATTERNS = 16;

/** What a redaction writes in place of a value: the detector's name in brackets, as a JSON string. */
export function placeholder(detector: string): string {
  return `"[${detector}]"`;
}

/**
 * The shortest value text (a JSON lexeme, quotes included for strings) each built-in can match: a
 * redaction must never lengthen an event (the engine's output buffers are sized by its input), and
 * each placeholder is no longer than these (checked by test/detect-policy.test.js).
 */
export const BUILTIN_MIN_LEXEME: Readonly<Record<BuiltinDetector, number>> = Object.freeze({
  ssn: 9, card: 13, phone: 10, email: 9, date: 10, ip: 6, url: 10,
});

export const DETECT_FIELDS = Object.freeze(["use", "detectors", "patterns", "paths", "exempt", "bareSsn", "numbers", "action"]);

/** A path entry of a detect list, with where it came from (for messages). */
export interface DetectPath {
  readonly text: string;
  readonly segments: readonly Segment[];
  /** Where in the policy it is written, e.g. ["detect", "exempt", 2]. */
  readonly at: readonly PathPart[];
  /** Entries a recommendation brings may select nothing in a given policy; the user's own may not. */
  readonly optional: boolean;
}

export interface Exemption extends DetectPath {
  /** Detector names (built-in or pattern) it exempts from; every one when the entry is a plain path. */
  readonly detectors: readonly string[] | "all";
}

export interface DetectConfig {
  readonly action: DetectAction;
  readonly builtins: readonly BuiltinDetector[];
  readonly patterns: readonly CompiledPattern[];
  readonly numbers: boolean;
  /** null: every kept value is scanned. */
  readonly paths: readonly DetectPath[] | null;
  readonly exempt: readonly Exemption[];
  readonly bareSsn: readonly DetectPath[];
  /** The section in its JSON form, recommendation expanded (what `explain` and the spec echo show). */
  readonly spec: Readonly<Record<string, unknown>>;
}

/** Every detector name a config enables, in report order: built-ins, then its patterns as listed. */
export function detectorNames(config: DetectConfig): string[] {
  return [...config.builtins, ...config.patterns.map((p) => p.name)];
}

/**
 * Validates a `detect` value found at `at` (e.g. ["detect"]) and returns it compiled, or records its problems
 * and returns null. `value` may be a recommendation name alone: `"detect": "flex-insights-hipaa"`.
 */
export function checkDetect(value: unknown, at: readonly PathPart[], problems: Problems, pathsOptional = false): DetectConfig | null {
  const before = problems.list.length;
  if (typeof value === "string") value = { use: value };
  if (!isObject(value)) {
    problems.add(at, `expected a detect section: an object such as {"detectors": ["phone"], "action": "count"}, ` +
      `or a recommendation name (${RECOMMENDATION_NAMES.join(", ")}); found ${describe(value)}`);
    return null;
  }
  for (const field of Object.keys(value)) {
    if (!DETECT_FIELDS.includes(field)) {
      problems.add([...at, field], `unknown field (${didYouMean(field, DETECT_FIELDS)}expected one of: ${DETECT_FIELDS.join(", ")})`);
    }
  }

  let base: Record<string, unknown> = {};
  if (value.use !== undefined) {
    const found = typeof value.use === "string" ? findRecommendation(value.use) : undefined;
    if (found) base = found.detect as Record<string, unknown>;
    else if (typeof value.use !== "string") problems.add([...at, "use"], `expected a recommendation name (a string), found ${describe(value.use)}`);
    else {
      problems.add([...at, "use"], `unknown recommendation ${JSON.stringify(value.use)} (${didYouMean(value.use, RECOMMENDATION_NAMES)}` +
        `expected one of: ${RECOMMENDATION_NAMES.join(", ")})`);
    }
  }

  const action = value.action ?? base.action ?? "reject";
  if (typeof action !== "string" || !(DETECT_ACTIONS as readonly string[]).includes(action)) {
    problems.add([...at, "action"], `expected one of ${DETECT_ACTIONS.map((a) => JSON.stringify(a)).join(", ")}, found ${show(action)}`);
  }
  const numbers = value.numbers ?? base.numbers ?? true;
  if (typeof numbers !== "boolean") problems.add([...at, "numbers"], `expected true or false, found ${show(numbers)}`);

  const builtins = builtinList(value.detectors ?? base.detectors ?? [...BUILTIN_DETECTORS],
    value.detectors === undefined ? [...at, "use"] : [...at, "detectors"], problems);
  const patterns = patternList(value.patterns ?? [], [...at, "patterns"], problems);
  const names = new Set<string>([...builtins, ...patterns.map((p) => p.name)]);
  if (names.size === 0 && problems.list.length === before) {
    problems.add([...at, "detectors"], "expected at least one detector or pattern (an empty detect section detects nothing: remove it instead)");
  }

  const paths = value.paths === undefined ? null : pathEntries(value.paths, [...at, "paths"], problems, pathsOptional);
  const exempt = [
    ...exemptEntries(base.exempt ?? [], [...at, "use"], problems, names, true, true),
    ...exemptEntries(value.exempt ?? [], [...at, "exempt"], problems, names, pathsOptional, false),
  ];
  const bareSsn = pathEntries(value.bareSsn ?? [], [...at, "bareSsn"], problems, pathsOptional);
  if (bareSsn.length > 0 && !builtins.includes("ssn")) {
    problems.add([...at, "bareSsn"], 'lists paths for bare nine-digit SSNs, but the "ssn" detector is not enabled');
  }
  if (action === "redact") checkPlaceholders(patterns, [...at, "patterns"], problems);
  if (problems.list.length > before) return null;

  const spec: Record<string, unknown> = {
    detectors: [...builtins],
    ...(patterns.length ? { patterns: patterns.map((p) => ({ name: p.name, pattern: p.source, ignoreCase: p.ignoreCase })) } : {}),
    ...(paths ? { paths: paths.map((p) => p.text) } : {}),
    ...(exempt.length ? { exempt: exempt.map((e) => (e.detectors === "all" ? e.text : { path: e.text, detectors: [...e.detectors] })) } : {}),
    ...(bareSsn.length ? { bareSsn: bareSsn.map((p) => p.text) } : {}),
    numbers,
    action,
  };
  return Object.freeze({
    action: action as DetectAction, builtins, patterns, numbers: numbers as boolean, paths, exempt, bareSsn,
    spec: Object.freeze(spec),
  });
}

function builtinList(value: unknown, at: PathPart[], problems: Problems): BuiltinDetector[] {
  if (!Array.isArray(value)) {
    problems.add(at, `expected an array of detector names (${BUILTIN_DETECTORS.join(", ")}), found ${describe(value)}`);
    return [];
  }
  const chosen = new Set<BuiltinDetector>();
  value.forEach((name: unknown, i) => {
    if (typeof name === "string" && (BUILTIN_DETECTORS as readonly string[]).includes(name)) chosen.add(name as BuiltinDetector);
    else {
      const hint = typeof name === "string" ? didYouMean(name, BUILTIN_DETECTORS) : "";
      problems.add([...at, i], `expected a detector name (${hint}one of: ${BUILTIN_DETECTORS.join(", ")}; ` +
        `custom ones go in "patterns"), found ${show(name)}`);
    }
  });
  return BUILTIN_DETECTORS.filter((d) => chosen.has(d)); // report order, whatever order they were listed in
}

const PATTERN_NAME = /^[a-z][a-z0-9_-]{0,23}$/;

function patternList(value: unknown, at: PathPart[], problems: Problems): CompiledPattern[] {
  if (!Array.isArray(value)) {
    problems.add(at, `expected an array of patterns such as {"name": "mrn", "pattern": "MRN\\\\d{7}"}, found ${describe(value)}`);
    return [];
  }
  if (value.length > MAX_POLICY_PATTERNS) problems.add(at, `expected at most ${MAX_POLICY_PATTERNS} patterns, found ${value.length}`);
  const out: CompiledPattern[] = [];
  const seen = new Set<string>();
  value.forEach((entry: unknown, i) => {
    const here = [...at, i];
    if (!isObject(entry)) {
      problems.add(here, `expected a pattern object {"name": ..., "pattern": ...}, found ${describe(entry)}`);
      return;
    }
    for (const field of Object.keys(entry)) {
      if (!["name", "pattern", "ignoreCase"].includes(field)) {
        problems.add([...here, field], `unknown field (${didYouMean(field, ["name", "pattern", "ignoreCase"])}expected name, pattern, ignoreCase)`);
      }
    }
    const { name, pattern, ignoreCase = false } = entry;
    if (typeof name !== "string" || !PATTERN_NAME.test(name)) {
      problems.add([...here, "name"], `expected a name of lowercase letters, digits, "-" and "_" (at most 24, starting with a letter), found ${show(name)}`);
      return;
    }
    if ((BUILTIN_DETECTORS as readonly string[]).includes(name) || seen.has(name)) {
      problems.add([...here, "name"], `expected a name no other detector has, found ${JSON.stringify(name)} again`);
      return;
    }
    seen.add(name);
    if (typeof ignoreCase !== "boolean") problems.add([...here, "ignoreCase"], `expected true or false, found ${show(ignoreCase)}`);
    if (typeof pattern !== "string") {
      problems.add([...here, "pattern"], `expected a pattern string, found ${describe(pattern)}`);
      return;
    }
    try {
      out.push(compilePattern(name, pattern, ignoreCase === true));
    } catch (error) {
      if (!(error instanceof PatternError)) throw error;
      problems.add([...here, "pattern"], error.message);
    }
  });
  return out;
}

function pathEntries(value: unknown, at: PathPart[], problems: Problems, optional: boolean): DetectPath[] {
  if (!Array.isArray(value)) {
    problems.add(at, `expected an array of paths, found ${describe(value)}`);
    return [];
  }
  const out: DetectPath[] = [];
  value.forEach((entry: unknown, i) => {
    const path = onePath(entry, [...at, i], problems, optional);
    if (path) out.push(path);
  });
  return out;
}

function onePath(entry: unknown, at: PathPart[], problems: Problems, optional: boolean): DetectPath | null {
  if (typeof entry !== "string") {
    problems.add(at, `expected a path string, found ${describe(entry)}`);
    return null;
  }
  try {
    return { text: entry, segments: parsePath(entry), at, optional };
  } catch (error) {
    if (!(error instanceof PathSyntaxError)) throw error;
    problems.add(at, `bad path ${JSON.stringify(entry)}: ${error.message}`);
    return null;
  }
}

/** `fromRecommendation`: its exemptions may name detectors this section does not enable (they are left out). */
function exemptEntries(value: unknown, at: PathPart[], problems: Problems, names: ReadonlySet<string>, optional: boolean,
  fromRecommendation: boolean): Exemption[] {
  if (!Array.isArray(value)) {
    problems.add(at, `expected an array of paths or {"path": ..., "detectors": [...]} objects, found ${describe(value)}`);
    return [];
  }
  const out: Exemption[] = [];
  value.forEach((entry: unknown, i) => {
    const here = [...at, i];
    if (typeof entry === "string") {
      const path = onePath(entry, here, problems, optional);
      if (path) out.push({ ...path, detectors: "all" });
      return;
    }
    if (!isObject(entry)) {
      problems.add(here, `expected a path, or {"path": ..., "detectors": [...]}, found ${describe(entry)}`);
      return;
    }
    for (const field of Object.keys(entry)) {
      if (field !== "path" && field !== "detectors") problems.add([...here, field], 'unknown field (expected "path" and "detectors")');
    }
    const path = onePath(entry.path, [...here, "path"], problems, optional);
    if (!Array.isArray(entry.detectors) || entry.detectors.length === 0) {
      problems.add([...here, "detectors"], `expected a non-empty array of detector names, found ${describe(entry.detectors)}`);
      return;
    }
    const detectors: string[] = [];
    entry.detectors.forEach((name: unknown, j) => {
      if (typeof name === "string" && names.has(name)) detectors.push(name);
      else if (typeof name === "string" && fromRecommendation) return; // a detector not enabled here
      else {
        problems.add([...here, "detectors", j], `expected the name of an enabled detector (${[...names].join(", ")}), found ${show(name)}`);
      }
    });
    if (path && detectors.length > 0) out.push({ ...path, detectors });
  });
  return out;
}

/**
 * Redaction must never lengthen an event: each pattern's placeholder fits in the shortest value it matches.
 * (The built-ins' placeholders are checked against BUILTIN_MIN_LEXEME once, by test/detect-policy.test.js.)
 */
function checkPlaceholders(patterns: readonly CompiledPattern[], at: PathPart[], problems: Problems): void {
  patterns.forEach((p, i) => {
    const length = placeholder(p.name).length;
    if (length > p.minLength) {
      problems.add([...at, i, "name"], `with "action": "redact" a placeholder may not be longer than the shortest value it replaces: ` +
        `${placeholder(p.name)} is ${length} bytes, and the pattern matches values of ${p.minLength}; choose a shorter name`);
    }
  });
}
