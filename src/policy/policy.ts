/**
 * Policies: validation of the JSON form and compilation to an automaton, once, up front.
 * Every error names the source (usually a file) and the entry at fault.
 */
import { buildAutomaton, type Automaton } from "./automaton.js";
import { parsePath, PathSyntaxError, type Segment } from "./paths.js";

/** The JSON form of a policy. */
export interface PolicySpec {
  name?: string;
  description?: string;
  /** Paths whose values are kept; everything else is dropped. At least one. */
  keep: string[];
  /** Paths whose string values hold JSON documents to decode, filter and re-encode. */
  embeddedJson?: string[];
}

export interface CompiledPolicy {
  readonly name: string;
  readonly spec: Readonly<PolicySpec>;
  readonly automaton: Automaton;
}

/** A policy that cannot be used. `source` names where it came from, `entry` the field at fault. */
export class PolicyError extends Error {
  constructor(readonly source: string, readonly entry: string, readonly expected: string) {
    super(`${source}: ${entry}: ${expected}`);
    this.name = "PolicyError";
  }
}

const FIELDS = new Set(["name", "description", "keep", "embeddedJson"]);

/** Parses policy JSON text; `source` (a file name) prefixes every error. */
export function parsePolicyText(text: string, source: string): CompiledPolicy {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new PolicyError(source, "(file)", `is not valid JSON (${(error as Error).message})`);
  }
  return compilePolicy(value, source);
}

/** Validates a policy object and compiles it; `source` prefixes every error. */
export function compilePolicy(value: unknown, source = "policy", fallbackName = "policy"): CompiledPolicy {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new PolicyError(source, "(policy)", "expected a JSON object with a \"keep\" array");
  }
  const record = value as Record<string, unknown>;
  for (const field of Object.keys(record)) {
    if (!FIELDS.has(field)) {
      throw new PolicyError(source, field, `unknown field (expected one of: ${[...FIELDS].join(", ")})`);
    }
  }
  for (const field of ["name", "description"] as const) {
    if (record[field] !== undefined && typeof record[field] !== "string") {
      throw new PolicyError(source, field, "expected a string");
    }
  }
  const keep = pathList(record.keep, "keep", source, true);
  const embeddedJson = pathList(record.embeddedJson ?? [], "embeddedJson", source, false);
  let automaton: Automaton;
  try {
    automaton = buildAutomaton(keep.segments, embeddedJson.segments);
  } catch (index) {
    if (typeof index !== "number") throw index;
    throw new PolicyError(source, `embeddedJson[${index}]`,
      `"${embeddedJson.texts[index]}" is neither a kept path nor a prefix of one, so it would select nothing`);
  }
  const spec: PolicySpec = { keep: keep.texts, embeddedJson: embeddedJson.texts };
  if (record.name !== undefined) spec.name = record.name as string;
  if (record.description !== undefined) spec.description = record.description as string;
  return Object.freeze({ name: spec.name ?? fallbackName, spec: Object.freeze(spec), automaton });
}

function pathList(value: unknown, field: string, source: string, required: boolean) {
  if (!Array.isArray(value)) {
    throw new PolicyError(source, field, required && value === undefined ? "missing (expected an array of paths)" : "expected an array of path strings");
  }
  if (required && value.length === 0) throw new PolicyError(source, field, "is empty (a policy must keep at least one path)");
  const texts: string[] = [];
  const segments: Segment[][] = [];
  value.forEach((entry, i) => {
    if (typeof entry !== "string") throw new PolicyError(source, `${field}[${i}]`, "expected a path string");
    try {
      segments.push(parsePath(entry));
    } catch (error) {
      if (!(error instanceof PathSyntaxError)) throw error;
      throw new PolicyError(source, `${field}[${i}]`, `bad path "${entry}": ${error.message}`);
    }
    texts.push(entry);
  });
  return { texts, segments };
}
