/**
 * `hipaa-sieve explain (--preset NAME | --policy FILE | --accounts FILE --policy-name NAME)`: what a policy keeps,
 * drawn as a tree of its paths.
 */
import type { AccountsConfig } from "../accounts/config.js";
import type { CompiledPolicy, PolicySpec } from "../policy/policy.js";
import { detectorNames } from "../policy/detect.js";
import { findPreset, presetPolicy, PRESET_NAMES, PRESETS } from "../policy/presets.js";
import { didYouMean } from "../policy/suggest.js";
import { HELP_OPTION, stringOption, type CommandSpec, type ParsedOptions } from "./args.js";
import { print, type CliContext } from "./context.js";
import { UsageError } from "./errors.js";
import { loadAccountsFile, loadPolicyFile, loadPreset } from "./load.js";
import { formatPath, parsePath, type Segment } from "../policy/paths.js";
import { wrap } from "./help.js";

export const explainSpec: CommandSpec = {
  name: "explain",
  summary: "Show what a policy keeps, as a tree of its paths",
  usage: ["explain (--preset NAME | --policy FILE)", "explain --accounts FILE --policy-name NAME"],
  options: [
    { name: "preset", type: "string", value: "NAME", description: 'A built-in policy: NAME or NAME@VERSION (see "hipaa-sieve presets")' },
    { name: "policy", type: "string", value: "FILE", description: "A policy file (JSON: keep, embeddedJson)" },
    { name: "accounts", type: "string", value: "FILE", description: "An accounts file (as filter --accounts reads it); needs --policy-name" },
    { name: "policy-name", type: "string", value: "NAME", description: 'With --accounts: a key of its "policies", or a preset name or id' },
    HELP_OPTION,
  ],
  details: [
    "Each line is one key of a path (* matches any key; a bracketed JSON string is a key holding",
    '".", "*", "[" or \'"\'). "(kept whole)": the value is kept whatever it holds. "(only the keys',
    'below)": the value is kept only if it is an object or an array, holding only the keys below it.',
    '"(embedded JSON string)": a string there holds a JSON document, filtered with the keys below it.',
    "Everything not in the tree is dropped. Arrays are transparent: their elements are filtered at",
    "the same place in the tree.",
    "",
    "An accounts file is validated whole first, as filter --accounts would load it.",
    "",
    "Exit status: 0 when the policy was shown; 1 when a file cannot be read or is not a valid policy",
    "or accounts file; 2 for a bad command line, an unknown --preset NAME or --policy-name NAME included.",
  ],
};

export async function runExplain(values: ParsedOptions, _positionals: string[], context: CliContext): Promise<number> {
  const preset = stringOption(values, "preset");
  const file = stringOption(values, "policy");
  const accounts = stringOption(values, "accounts");
  const policyName = stringOption(values, "policy-name");
  const given = [preset !== undefined && "--preset", file !== undefined && "--policy", accounts !== undefined && "--accounts"]
    .filter((g): g is string => g !== false);
  if (given.length === 0) throw new UsageError("one of --preset NAME, --policy FILE or --accounts FILE is required", "explain");
  if (given.length > 1) throw new UsageError(`options ${given.join(" and ")} cannot be used together (give exactly one)`, "explain");
  if (accounts !== undefined && policyName === undefined) {
    throw new UsageError('option --accounts needs --policy-name NAME (a key of its "policies", or a preset)', "explain");
  }
  if (accounts === undefined && policyName !== undefined) throw new UsageError("option --policy-name needs --accounts FILE", "explain");

  let policy: CompiledPolicy;
  let title: string;
  if (preset !== undefined) {
    policy = loadPreset(preset, "explain");
    title = presetTitle(policy);
  } else if (file !== undefined) {
    policy = await loadPolicyFile(file);
    title = `policy ${JSON.stringify(policy.name)} from ${file}`;
  } else {
    const { config } = await loadAccountsFile(accounts as string);
    policy = accountsPolicy(config, policyName as string);
    title = findPreset(policyName as string) ? presetTitle(policy) : `policy ${JSON.stringify(policy.name)} from ${accounts as string}`;
  }
  const spec = policy.spec;
  const embedded = spec.embeddedJson?.length ?? 0;
  const head = [
    `${title}: keeps ${spec.keep.length} path${spec.keep.length === 1 ? "" : "s"}${embedded > 0 ? `, ${embedded} embedded JSON` : ""}`,
  ];
  if (spec.description !== undefined) head.push(...wrap(spec.description, 100));
  if (policy.detect) {
    const names = detectorNames(policy.detect);
    head.push(`PHI detection: ${policy.detect.action} on a hit; detectors ${names.join(", ")}` +
      `${policy.detect.numbers ? "; numbers of 9+ digits scanned too" : ""} (each kept path below says which apply there)`);
  }
  await print(context.stdout, [...head, "", ...policyTree(spec, policy.detect ? (path) => detectionAt(policy, path) : undefined), ""].join("\n"));
  return 0;
}

/** "preset flex-insights-hipaa@1 (newest)". */
function presetTitle(policy: CompiledPolicy): string {
  const found = findPreset(policy.name);
  const newest = found !== undefined && findPreset(found.name)?.id === found.id;
  return `preset ${policy.name}${newest ? " (newest)" : ""}`;
}

/**
 * The policy `name` means in an accounts file, resolved as the file's own references are: a key of its "policies",
 * else a preset name or id. Anything else is a bad command-line value, with the closest name when one is close.
 */
function accountsPolicy(config: AccountsConfig, name: string): CompiledPolicy {
  // The ids of declared policies are their names; preset ids hold "@", which declared names may not.
  const declared = [...config.policies.keys()].filter((id) => !id.includes("@"));
  if (declared.includes(name)) return config.policies.get(name) as CompiledPolicy;
  const preset = findPreset(name);
  if (preset) return config.policies.get(preset.id) ?? presetPolicy(preset.id);
  const suggestion = didYouMean(name, [...declared, ...PRESET_NAMES, ...PRESETS.map((p) => p.id)]);
  const names = declared.map((n) => JSON.stringify(n)).join(", ");
  throw new UsageError(`unknown policy ${JSON.stringify(name)} in ${config.source} (${suggestion}expected a key of its "policies"` +
    `${declared.length > 0 ? ` (${names})` : ""} or a preset: ${PRESET_NAMES.join(", ")}, optionally with @version)`, "explain");
}

interface Node {
  children: Map<string, Node>;
  segment: Segment | undefined;
  kept: boolean;
  embedded: boolean;
  /** With detection: what the detectors do at this kept path. */
  detection?: string;
}

function node(segment: Segment | undefined): Node {
  return { children: new Map(), segment, kept: false, embedded: false };
}

function key(s: Segment): string {
  return s.any ? "*" : `=${s.key}`;
}

function insert(root: Node, path: string): Node {
  let n = root;
  for (const s of parsePath(path)) {
    const k = key(s);
    let child = n.children.get(k);
    if (child === undefined) {
      child = node(s);
      n.children.set(k, child);
    }
    n = child;
  }
  return n;
}

/**
 * What the detectors do at a kept path, read from the compiled automaton (so exemptions, `paths` and
 * wildcards are resolved exactly as the engine resolves them): "scanned for phone, email" or "not scanned".
 */
function detectionAt(policy: CompiledPolicy, path: string): string {
  const nodes = policy.automaton.nodes;
  let at = 1;
  for (const segment of parsePath(path)) {
    const edge = segment.any ? undefined : nodes[at].edges.find(([key]) => key === segment.key);
    at = edge ? edge[1] : nodes[at].wildcard;
    if (at === 0) return "not scanned";
  }
  const detect = nodes[at].detect;
  if (!detect || !policy.detect) return "not scanned";
  const names = detectorNames(policy.detect).filter((_, i) => detect.detectors & (1 << i));
  return `scanned for ${names.join(", ")}${detect.bareSsn ? " (bare 9-digit SSNs too)" : ""}`;
}

function label(n: Node): string {
  const name = formatPath([n.segment as Segment]);
  const detection = n.detection !== undefined ? `; ${n.detection}` : "";
  if (n.kept && n.embedded) return `${name}  (kept whole; embedded JSON string kept as it is${detection})`;
  if (n.kept) return `${name}  (kept whole${detection})`;
  if (n.embedded) return `${name}  (embedded JSON string: decoded, filtered, re-encoded)`;
  return `${name}  (only the keys below)`;
}

/**
 * The tree lines, one per path segment, children in the order the policy first names them; with
 * `detectionAt`, each kept path also says what the detectors do there.
 */
export function policyTree(spec: Readonly<PolicySpec>, detectionAt?: (path: string) => string): string[] {
  const root = node(undefined);
  for (const path of spec.keep) {
    const kept = insert(root, path);
    kept.kept = true;
    if (detectionAt) kept.detection = detectionAt(path);
  }
  for (const path of spec.embeddedJson ?? []) insert(root, path).embedded = true;
  const lines: string[] = [];
  const walk = (n: Node, indent: string, top: boolean): void => {
    const children = [...n.children.values()];
    children.forEach((child, i) => {
      const last = i === children.length - 1;
      lines.push(top ? label(child) : `${indent}${last ? "└── " : "├── "}${label(child)}`);
      walk(child, top ? "" : indent + (last ? "    " : "│   "), false);
    });
  };
  walk(root, "", true);
  return lines;
}
