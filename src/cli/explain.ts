/** `hipaa-sieve explain (--preset NAME | --policy FILE)`: what a policy keeps, drawn as a tree of its paths. */
import type { CompiledPolicy, PolicySpec } from "../policy/policy.js";
import { findPreset } from "../policy/presets.js";
import { HELP_OPTION, stringOption, type CommandSpec, type ParsedOptions } from "./args.js";
import { print, type CliContext } from "./context.js";
import { UsageError } from "./errors.js";
import { loadPolicyFile, loadPreset } from "./load.js";
import { formatPath, parsePath, type Segment } from "../policy/paths.js";
import { wrap } from "./help.js";

export const explainSpec: CommandSpec = {
  name: "explain",
  summary: "Show what a policy keeps, as a tree of its paths",
  usage: ["explain (--preset NAME | --policy FILE)"],
  options: [
    { name: "preset", type: "string", value: "NAME", description: 'A built-in policy: NAME or NAME@VERSION (see "hipaa-sieve presets")' },
    { name: "policy", type: "string", value: "FILE", description: "A policy file (JSON: keep, embeddedJson)" },
    HELP_OPTION,
  ],
  details: [
    "Each line is one key of a path (* matches any key; a bracketed JSON string is a key holding",
    '".", "*", "[" or \'"\'). "(kept whole)": the value is kept whatever it holds. "(only the keys',
    'below)": the value is kept only if it is an object or an array, holding only the keys below it.',
    '"(embedded JSON string)": a string there holds a JSON document, filtered with the keys below it.',
    "Everything not in the tree is dropped. Arrays are transparent: their elements are filtered at",
    "the same place in the tree.",
  ],
};

export async function runExplain(values: ParsedOptions, _positionals: string[], context: CliContext): Promise<number> {
  const preset = stringOption(values, "preset");
  const file = stringOption(values, "policy");
  if (preset === undefined && file === undefined) throw new UsageError("one of --preset NAME or --policy FILE is required", "explain");
  if (preset !== undefined && file !== undefined) {
    throw new UsageError("options --preset and --policy cannot be used together (give exactly one)", "explain");
  }
  let policy: CompiledPolicy;
  let title: string;
  if (preset !== undefined) {
    policy = loadPreset(preset, "explain");
    const found = findPreset(preset);
    const newest = found !== undefined && findPreset(found.name)?.id === found.id;
    title = `preset ${policy.name}${newest ? " (newest)" : ""}`;
  } else {
    policy = await loadPolicyFile(file as string);
    title = `policy ${JSON.stringify(policy.name)} from ${file as string}`;
  }
  const spec = policy.spec;
  const embedded = spec.embeddedJson?.length ?? 0;
  const head = [
    `${title}: keeps ${spec.keep.length} path${spec.keep.length === 1 ? "" : "s"}${embedded > 0 ? `, ${embedded} embedded JSON` : ""}`,
  ];
  if (spec.description !== undefined) head.push(...wrap(spec.description, 100));
  await print(context.stdout, [...head, "", ...policyTree(spec), ""].join("\n"));
  return 0;
}

interface Node {
  children: Map<string, Node>;
  segment: Segment | undefined;
  kept: boolean;
  embedded: boolean;
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

function label(n: Node): string {
  const name = formatPath([n.segment as Segment]);
  if (n.kept && n.embedded) return `${name}  (kept whole; embedded JSON string kept as it is)`;
  if (n.kept) return `${name}  (kept whole)`;
  if (n.embedded) return `${name}  (embedded JSON string: decoded, filtered, re-encoded)`;
  return `${name}  (only the keys below)`;
}

/** The tree lines, one per path segment, children in the order the policy first names them. */
export function policyTree(spec: Readonly<PolicySpec>): string[] {
  const root = node(undefined);
  for (const path of spec.keep) insert(root, path).kept = true;
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
