/**
 * A policy drawn as a tree of its paths, for `hipaa-sieve explain`: which values are kept whole, which
 * objects keep only some members, and which strings are embedded JSON documents.
 */
import type { PolicySpec } from "../policy.js";
import { formatPath, parsePath, type Segment } from "../paths.js";

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
