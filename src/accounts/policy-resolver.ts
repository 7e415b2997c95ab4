/**
 * The policies of one accounts file: those declared in "policies", and presets, by reference.
 *
 * - A reference (`defaultPolicy`, an account's or tenant's `policy`) is a name from "policies", or a preset name
 *   (its newest version), or a preset id `name@version`. It resolves to an id: the policy's name, or the
 *   preset's `name@version`.
 * - A name in "policies" may not contain "@" and may not be a preset's name, so the two never shadow each other
 *   and a reference means the same thing whatever else the file holds.
 * - Every declared policy is checked by the same code as a policy file, and all of them together draw on one
 *   automaton budget (FILE_LIMITS): one engine holds them all.
 */
import { AutomatonBudget, FILE_LIMITS } from "../policy/automaton-budget.js";
import { checkPolicy, type CompiledPolicy } from "../policy/policy.js";
import { describe, isObject, show, type PathPart, type Problems } from "../policy/problems.js";
import { findPreset, presetPolicy, presetVersions, PRESET_NAMES, PRESETS } from "../policy/presets.js";
import { didYouMean } from "../policy/suggest.js";

export class PolicyResolver {
  /** Declared names → compiled policy, or null when the declaration was refused (already reported). */
  private readonly declared = new Map<string, CompiledPolicy | null>();
  private readonly budget = new AutomatonBudget(FILE_LIMITS, "for the policies of one file together");

  constructor(private readonly problems: Problems) {}

  declare(name: string, spec: unknown): void {
    const parts: PathPart[] = ["policies", name];
    this.declared.set(name, null);
    const refused = (expected: string) => this.problems.add(parts, expected);
    if (name.length === 0) return refused("expected a non-empty policy name");
    if (!name.isWellFormed()) return refused("expected a policy name without lone surrogates (it must be valid Unicode)");
    if (name.includes("@")) return refused('a policy name may not contain "@" ("@" marks a preset version, as in flex-insights-hipaa@1)');
    if (findPreset(name)) {
      return refused(`a policy name may not be a preset's name (presets: ${PRESET_NAMES.join(", ")}); choose another name`);
    }
    if (isObject(spec) && spec.name !== undefined && spec.name !== name) {
      this.problems.add([...parts, "name"], `expected ${JSON.stringify(name)} (the key in "policies" names the policy) or no name, found ${show(spec.name)}`);
      return;
    }
    this.declared.set(name, checkPolicy(spec, parts, this.problems, name, this.budget));
  }

  /** The ids of every declared policy that compiled, in file order. */
  declaredIds(): string[] {
    return [...this.declared].filter(([, p]) => p !== null).map(([name]) => name);
  }

  /** A reference as written in the file; records a problem and returns null when it does not resolve. */
  reference(value: unknown, parts: PathPart[]): string | null {
    if (typeof value !== "string") {
      this.problems.add(parts, `expected a policy name (a string), found ${describe(value)}`);
      return null;
    }
    return this.resolve(value, parts);
  }

  resolve(name: string, parts: PathPart[]): string | null {
    if (this.declared.has(name)) return this.declared.get(name) ? name : null; // a refused policy: reported already
    const preset = findPreset(name);
    if (preset) return preset.id;
    const at = name.lastIndexOf("@");
    const versions = at > 0 ? presetVersions(name.slice(0, at)) : [];
    if (versions.length > 0) {
      this.problems.add(parts, `unknown preset version ${JSON.stringify(name)} (versions of ${name.slice(0, at)}: ${versions.join(", ")})`);
    } else {
      const declared = [...this.declared.keys()];
      const names = declared.map((n) => JSON.stringify(n));
      const suggestion = didYouMean(name, [...declared, ...PRESET_NAMES, ...PRESETS.map((p) => p.id)]);
      this.problems.add(parts, `unknown policy ${JSON.stringify(name)} (${suggestion}expected a name from "policies"` +
        `${names.length ? ` (${names.join(", ")})` : ""} or a preset: ${PRESET_NAMES.join(", ")}, optionally with @version)`);
    }
    return null;
  }

  /** The compiled policy of a resolved id (a declared one, a preset, or one made by withDetect). */
  compiled(id: string): CompiledPolicy {
    return this.derived.get(id) ?? this.declared.get(id) ?? presetPolicy(id);
  }

  /** Policies made by withDetect, by id. */
  private readonly derived = new Map<string, CompiledPolicy>();

  /**
   * The policy `id` with `detect` as its detect section (in place of its own), compiled once per distinct pair
   * and named `name`; null (and its problems recorded at `at`.detect) when that section does not fit it.
   * `optionalPaths`: detect paths that select nothing in this policy are ignored (a file-wide section).
   */
  withDetect(id: string, detect: unknown, at: PathPart[], name: string, optionalPaths: boolean): string | null {
    if (this.derived.has(name)) return name;
    const { name: _name, detect: _own, ...spec } = this.compiled(id).spec;
    const compiled = checkPolicy({ ...spec, detect }, at, this.problems, name, this.budget, { detectPathsOptional: optionalPaths });
    if (!compiled) return null;
    this.derived.set(name, compiled);
    return name;
  }
}
