/**
 * Policies: validation of the JSON form and compilation to an automaton, once, up front.
 * Every problem is collected, each naming the source (usually a file), the entry at fault, what was
 * expected and what was found; policy files, the policies of accounts files and presets all go through
 * checkPolicy.
 */
import { buildAutomaton, DetectPathError, PathTrie, type Automaton } from "./automaton.js";
import { checkDetect, type DetectConfig } from "./detect.js";
import { AutomatonBudget, AutomatonTooLarge, POLICY_LIMITS } from "./automaton-budget.js";
import { parsePath, PathSyntaxError, type Segment } from "./paths.js";
import { describe, isObject, problemLines, Problems, type ConfigProblem, type PathPart } from "./problems.js";
import { readStrictJson } from "./strict-json.js";
import { didYouMean } from "./suggest.js";

/** The JSON form of a policy. */
export interface PolicySpec {
  name?: string;
  description?: string;
  /** Paths whose values are kept; everything else is dropped. At least one. */
  keep: string[];
  /** Paths whose string values hold JSON documents to decode, filter and re-encode. */
  embeddedJson?: string[];
  /** PHI detectors on the kept values (src/policy/detect.ts); a recommendation name, or a section. */
  detect?: string | Record<string, unknown>;
}

export interface CompiledPolicy {
  readonly name: string;
  readonly spec: Readonly<PolicySpec>;
  readonly automaton: Automaton;
  /** The detect section, compiled; null when the policy detects nothing. */
  readonly detect: DetectConfig | null;
}

/** A policy that cannot be used. `source` names where it came from; `problems` lists every mistake, one message line each. */
export class PolicyError extends Error {
  readonly problems: readonly ConfigProblem[];
  constructor(readonly source: string, problems: readonly ConfigProblem[]) {
    super(problemLines(source, problems).join("\n"));
    this.name = "PolicyError";
    this.problems = problems;
  }
}

export const POLICY_FIELDS: readonly string[] = Object.freeze(["name", "description", "keep", "embeddedJson", "detect"]);

/** Parses policy JSON text with the strict reader; `source` (a file name) prefixes every message. */
export function parsePolicyText(text: string, source: string): CompiledPolicy {
  const problems = new Problems("(file)");
  const read = readStrictJson(text, problems);
  const policy = read && checkPolicy(read.value, [], problems, "policy");
  if (!policy || problems.list.length > 0) throw new PolicyError(source, problems.list);
  return policy;
}

/** Validates a policy object and compiles it; `source` prefixes every message. */
export function compilePolicy(value: unknown, source = "policy", fallbackName = "policy"): CompiledPolicy {
  const problems = new Problems("(policy)");
  const policy = checkPolicy(value, [], problems, fallbackName);
  if (!policy) throw new PolicyError(source, problems.list);
  return policy;
}

export interface CheckOptions {
  /**
   * The detect section's path entries may select nothing (they are ignored there): a section written once for
   * many policies (an accounts file's top-level "detect") need not fit each of them.
   */
  detectPathsOptional?: boolean;
}

/**
 * Validates a policy object found at `at` and compiles it, or records its problems (paths below `at`) and
 * returns null. Its automaton is bounded by POLICY_LIMITS, and by `shared` too when given (the budget of all
 * the policies of one accounts file).
 */
export function checkPolicy(value: unknown, at: readonly PathPart[], problems: Problems, fallbackName: string,
  shared?: AutomatonBudget, options: CheckOptions = {}): CompiledPolicy | null {
  const before = problems.list.length;
  if (!isObject(value)) {
    problems.add(at, `expected a policy: a JSON object with a "keep" array, found ${describe(value)}`);
    return null;
  }
  for (const field of Object.keys(value)) {
    if (!POLICY_FIELDS.includes(field)) {
      problems.add([...at, field], `unknown field (${didYouMean(field, POLICY_FIELDS)}expected one of: ${POLICY_FIELDS.join(", ")})`);
    }
  }
  for (const field of ["name", "description"] as const) {
    const v = value[field];
    if (v !== undefined && typeof v !== "string") problems.add([...at, field], `expected a string, found ${describe(v)}`);
  }
  if (typeof value.name === "string" && !value.name.isWellFormed()) {
    problems.add([...at, "name"], "expected a policy name without lone surrogates (it must be valid Unicode)");
  }
  const keep = pathList(value.keep, [...at, "keep"], problems, true);
  const embeddedJson = pathList(value.embeddedJson ?? [], [...at, "embeddedJson"], problems, false);
  const detect = value.detect === undefined ? null : checkDetect(value.detect, [...at, "detect"], problems, options.detectPathsOptional);
  if (problems.list.length > before) return null;

  const trie = new PathTrie(keep.segments);
  embeddedJson.segments.forEach((path, i) => {
    if (!trie.markEmbedded(path)) {
      problems.add([...at, "embeddedJson", i],
        `${JSON.stringify(embeddedJson.texts[i])} is neither a kept path nor a prefix of one, so it would select nothing`);
    }
  });
  if (problems.list.length > before) return null;

  let automaton: Automaton;
  try {
    const own = new AutomatonBudget(POLICY_LIMITS, "for one policy");
    automaton = buildAutomaton(trie, shared ? [own, shared] : [own], detect ? { config: detect, keepTexts: keep.texts } : undefined);
  } catch (error) {
    if (error instanceof DetectPathError) {
      problems.add(error.at, error.message); // its path is where the entry is written, already below `at`
      return null;
    }
    if (!(error instanceof AutomatonTooLarge)) throw error;
    problems.add([...at, "keep"], `the paths ${error.message} (each "*" beside literal keys can multiply the states: ` +
      "list fewer wildcard paths, or keep a shorter prefix whole)");
    return null;
  }
  const spec: PolicySpec = { keep: keep.texts, embeddedJson: embeddedJson.texts };
  if (value.name !== undefined) spec.name = value.name as string;
  if (value.description !== undefined) spec.description = value.description as string;
  // As written (a recommendation stays a name): compiling the spec again must give the same policy.
  if (detect) spec.detect = structuredClone(value.detect) as PolicySpec["detect"];
  return Object.freeze({ name: spec.name ?? fallbackName, spec: Object.freeze(spec), automaton, detect });
}

/** The entries of a path list; every bad entry is recorded. */
function pathList(value: unknown, at: PathPart[], problems: Problems, required: boolean) {
  const texts: string[] = [];
  const segments: Segment[][] = [];
  if (!Array.isArray(value)) {
    problems.add(at, required && value === undefined ? "missing (expected an array of paths)" : `expected an array of path strings, found ${describe(value)}`);
    return { texts, segments };
  }
  if (required && value.length === 0) problems.add(at, "expected at least one path, found an empty array (a policy must keep something)");
  value.forEach((entry: unknown, i) => {
    if (typeof entry !== "string") {
      problems.add([...at, i], `expected a path string, found ${describe(entry)}`);
      return;
    }
    try {
      segments.push(parsePath(entry));
      texts.push(entry);
    } catch (error) {
      if (!(error instanceof PathSyntaxError)) throw error;
      problems.add([...at, i], `bad path ${JSON.stringify(entry)}: ${error.message}`);
    }
  });
  return { texts, segments };
}

/**
 * The policy with its detectors counting instead of acting (`hipaa-sieve scan`): its own detect section with
 * "action": "count", or, when it has none, the recommendation `recommendation` (its optional entries fit any
 * policy). What it keeps is unchanged.
 */
export function countingPolicy(policy: CompiledPolicy, recommendation: string): CompiledPolicy {
  const own = policy.spec.detect;
  const detect = own === undefined ? { use: recommendation } : typeof own === "string" ? { use: own } : { ...own };
  return compilePolicy({ ...policy.spec, detect: { ...detect, action: "count" } }, `policy ${JSON.stringify(policy.name)}`, policy.name);
}
