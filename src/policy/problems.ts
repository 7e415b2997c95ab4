/**
 * Problems of a configuration input (a policy file, an accounts file, a policy given as a value): each names
 * the JSON path of the field at fault, or the line and column of a syntax error, and says what was expected
 * and what was found. Inputs are checked whole and every problem is collected, so one run shows them all.
 */
/** A key of an object, or an index into an array. */
export type PathPart = string | number;

export interface ConfigProblem {
  /** JSON path of the bad field, e.g. `accounts["AC01"].policy`; "line L, column C" for a syntax error; the root label for the input as a whole. */
  path: string;
  expected: string;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * A JSON path as messages show it: schema fields dotted (`tenants[0].complianceSettings.hipaaEnabled`), keys that
 * are data (account ids, policy names: the keys of "accounts" and "policies") always as bracketed JSON strings
 * (`accounts["AC01"].policy`, `policies["my-policy"].keep[2]`), and any other key that is not an identifier
 * bracketed too. The empty path is `root`.
 */
export function formatConfigPath(parts: readonly PathPart[], root = "(file)"): string {
  let out = "";
  parts.forEach((part, i) => {
    if (typeof part === "number") out += `[${part}]`;
    else if ((i === 1 && (parts[0] === "accounts" || parts[0] === "policies")) || !IDENTIFIER.test(part)) {
      out += `[${JSON.stringify(part)}]`;
    } else out += out ? `.${part}` : part;
  });
  return out || root;
}

/** Problems, in the order found. `root` names the input as a whole: "(file)", or "(policy)" for a value. */
export class Problems {
  readonly list: ConfigProblem[] = [];
  constructor(private readonly root = "(file)") {}

  add(parts: readonly PathPart[], expected: string): void {
    this.list.push({ path: formatConfigPath(parts, this.root), expected });
  }

  /** A problem at a place in the text rather than at a field (a syntax error). */
  addAt(line: number, column: number, expected: string): void {
    this.list.push({ path: `line ${line}, column ${column}`, expected });
  }
}

/** The message lines of problems: `policy.json: keep[2]: expected a path string, found a number`. */
export function problemLines(source: string, problems: readonly ConfigProblem[]): string[] {
  return problems.map((p) => `${source}: ${p.path}: ${p.expected}`);
}

/** A JSON object (not null, not an array). */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** What a value is, for "found ...": its type, never its content (a config value may be anything). */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return "a string";
  return `a ${typeof v}`;
}

/** A short scalar as written (strings quoted), anything else described. */
export function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return describe(v);
}
