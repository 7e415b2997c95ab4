/**
 * Policy paths → a deterministic automaton over object keys, which the WASM walks.
 * A trie of the listed paths is determinized (subset construction): where a literal key and
 * "*" both match, the key's node is the union of both, so the engine never tracks several
 * candidate nodes and never interprets a path at run time.
 *
 * Subset construction can blow up exponentially, so every state, edge and key is charged to
 * budgets as it is created (see automaton-budget.ts), and the work is a loop over a queue of
 * pending states rather than a recursion (a path may be up to MAX_PATH_KEYS keys long).
 */
import { AutomatonBudget, EDGE_BYTES, STATE_BYTES } from "./automaton-budget.js";
import { detectorNames, type DetectConfig, type DetectPath } from "./detect.js";
import type { PathPart } from "./problems.js";
import type { Segment } from "./paths.js";

export const FLAG_KEEP_WHOLE = 1;
export const FLAG_EMBEDDED_JSON = 2;

export interface AutomatonNode {
  /** FLAG_KEEP_WHOLE | FLAG_EMBEDDED_JSON */
  flags: number;
  /** Node for keys without a literal edge; 0 drops them. */
  wildcard: number;
  /** Literal keys (decoded) and their nodes; already merged with the wildcard's. */
  edges: Array<[key: string, node: number]>;
  /** On kept (FLAG_KEEP_WHOLE) nodes whose values are scanned: what for (see NodeDetect). */
  detect?: NodeDetect;
}

/** What the values kept at a node are scanned for. */
export interface NodeDetect {
  /** Bit i: detectorNames(policy.detect)[i] runs here (exemptions already taken off). Never 0. */
  readonly detectors: number;
  /** Whether a bare nine-digit run counts as an SSN here. */
  readonly bareSsn: boolean;
  /** The keep path the values are kept by (the first listed that applies), as reports name it. */
  readonly label: string;
}

/** A detect path that cannot be honoured; `at` is where it is written in the policy. */
export class DetectPathError extends Error {
  constructor(readonly at: readonly PathPart[], message: string) {
    super(message);
  }
}

export interface Automaton {
  /** Node 0 is "drop"; the root is node 1. */
  nodes: AutomatonNode[];
  /** Most embedded documents that can be open inside each other. */
  embeddedNesting: number;
}

class TrieNode {
  keepWhole = false;
  embedded = false;
  /** Index of the first keep path ending here, or -1. */
  keepIndex = -1;
  /** Detect settings of the paths ending here (none: all zero). */
  scan = false;
  exempt = 0;
  bareSsn = false;
  /** Detect entries ending here (to tell which ones select something). */
  readonly markers: DetectPath[] = [];
  /** A detect entry that goes on below this node, if any (it must not, below a kept node). */
  markerBelow: DetectPath | undefined;
  readonly children = new Map<string, TrieNode>();
  wildcard: TrieNode | undefined;

  constructor(readonly id: number) {}
}

/** The listed paths as a trie; `*` segments are the wildcard children. */
export class PathTrie {
  private count = 0;
  readonly root = this.node();

  constructor(keep: readonly Segment[][]) {
    keep.forEach((path, index) => {
      let node = this.root;
      for (const segment of path) node = this.child(node, segment, true)!;
      node.keepWhole = true;
      if (node.keepIndex < 0) node.keepIndex = index;
    });
  }

  /**
   * Adds a detect entry's path (created if missing: `a.*` may meet kept paths only after determinizing)
   * and applies `mark` to the node it ends at.
   */
  markDetect(entry: DetectPath, mark: (node: TrieNode) => void): void {
    let node = this.root;
    for (const segment of entry.segments) {
      node.markerBelow ??= entry;
      node = this.child(node, segment, true)!;
    }
    node.markers.push(entry);
    mark(node);
  }

  /** Marks the node an embeddedJson path names; false when the path is neither kept nor a prefix of a kept path. */
  markEmbedded(path: readonly Segment[]): boolean {
    let node: TrieNode | undefined = this.root;
    for (const segment of path) node = node && this.child(node, segment, false);
    if (!node) return false;
    node.embedded = true;
    return true;
  }

  private node(): TrieNode {
    return new TrieNode(this.count++);
  }

  private child(node: TrieNode, segment: Segment, create: boolean): TrieNode | undefined {
    if (segment.any) {
      if (!node.wildcard && create) node.wildcard = this.node();
      return node.wildcard;
    }
    let next = node.children.get(segment.key);
    if (!next && create) node.children.set(segment.key, (next = this.node()));
    return next;
  }
}

/** What buildAutomaton needs to place detection: the policy's detect section and its keep paths as written. */
export interface DetectPlan {
  readonly config: DetectConfig;
  readonly keepTexts: readonly string[];
}

/** Detect settings inherited from the keys above a state: part of the state's identity. */
interface Inherited {
  readonly scan: boolean;
  readonly exempt: number;
  readonly bareSsn: boolean;
}

/**
 * Determinizes the trie; throws AutomatonTooLarge as soon as one of the budgets runs out, and DetectPathError
 * for a detect entry that selects no kept value or reaches inside a kept one. With `detect`, the entries'
 * paths are added to the trie first; states then also carry the detect settings of the keys above them, and
 * after the construction every state that keeps nothing is cut off, so that the automaton keeps exactly what
 * it keeps without detection.
 */
export function buildAutomaton(trie: PathTrie, budgets: readonly AutomatonBudget[], detect?: DetectPlan): Automaton {
  const charge = (states: number, bytes: number) => {
    for (const budget of budgets) budget.charge(states, bytes);
  };
  const enabled = detect ? (1 << detectorNames(detect.config).length) - 1 : 0;
  if (detect) markDetectEntries(trie, detect.config);
  const nodes: AutomatonNode[] = [{ flags: 0, wildcard: 0, edges: [] }];
  const pending: Array<{ set: TrieNode[]; above: Inherited }> = []; // pending[i]: automaton node i + 1
  const known = new Map<string, number>(); // sorted trie ids (and inherited settings) → automaton node
  const keys = new Set<string>(); // keys whose bytes were charged (the tables store each key once)

  const stateOf = (set: TrieNode[], above: Inherited): number => {
    let name = set.length === 1 ? String(set[0].id) : set.map((n) => n.id).join(",");
    if (detect) name += `|${above.scan ? 1 : 0}${above.bareSsn ? 1 : 0}${above.exempt}`;
    let index = known.get(name);
    if (index === undefined) {
      charge(1, STATE_BYTES);
      index = nodes.length;
      nodes.push({ flags: 0, wildcard: 0, edges: [] });
      pending.push({ set, above });
      known.set(name, index);
    }
    return index;
  };

  const rootSettings: Inherited = { scan: detect?.config.paths === null, exempt: 0, bareSsn: false };
  stateOf([trie.root], rootSettings);
  for (let i = 0; i < pending.length; i++) {
    const { set, above } = pending[i];
    const node = nodes[i + 1];
    const here: Inherited = detect ? {
      scan: above.scan || set.some((n) => n.scan),
      exempt: set.reduce((bits, n) => bits | n.exempt, above.exempt),
      bareSsn: above.bareSsn || set.some((n) => n.bareSsn),
    } : above;
    if (set.some((n) => n.keepWhole)) {
      node.flags = FLAG_KEEP_WHOLE; // the whole value is kept: nothing below matters
      if (detect) node.detect = keptDetect(set, here, enabled, detect.keepTexts);
      continue;
    }
    if (set.some((n) => n.embedded)) node.flags = FLAG_EMBEDDED_JSON;
    const wild: TrieNode[] = [];
    const byKey = new Map<string, TrieNode[]>();
    for (const n of set) {
      if (n.wildcard) wild.push(n.wildcard);
      for (const [key, child] of n.children) {
        const next = byKey.get(key);
        if (next) next.push(child);
        else byKey.set(key, [child]);
      }
    }
    for (const [key, next] of byKey) {
      const keyBytes = keys.has(key) ? 0 : utf8Length(key);
      keys.add(key);
      charge(0, EDGE_BYTES + keyBytes);
      node.edges.push([key, stateOf(sorted(wild.length > 0 ? next.concat(wild) : next), here)]);
    }
    if (wild.length > 0) node.wildcard = stateOf(sorted(wild), here);
  }
  if (detect) {
    const keeps = cutStatesKeepingNothing(nodes);
    checkDetectEntriesUsed(detect.config, pending.map((p, i) => (keeps[i + 1] ? p.set : [])));
  }
  return { nodes, embeddedNesting: nesting(nodes) };
}

/** Puts every detect entry's path into the trie, with its setting on the node it ends at. */
function markDetectEntries(trie: PathTrie, config: DetectConfig): void {
  const names = detectorNames(config);
  const all = (1 << names.length) - 1;
  for (const entry of config.paths ?? []) trie.markDetect(entry, (n) => { n.scan = true; });
  for (const entry of config.exempt) {
    const bits = entry.detectors === "all" ? all : entry.detectors.reduce((b, d) => b | (1 << names.indexOf(d)), 0);
    trie.markDetect(entry, (n) => { n.exempt |= bits; });
  }
  for (const entry of config.bareSsn) trie.markDetect(entry, (n) => { n.bareSsn = true; });
}

/** The detection of a kept state, or undefined when its values are not scanned. */
function keptDetect(set: readonly TrieNode[], here: Inherited, enabled: number, keepTexts: readonly string[]): NodeDetect | undefined {
  for (const n of set) {
    if (n.markerBelow) {
      throw new DetectPathError(n.markerBelow.at, `${JSON.stringify(n.markerBelow.text)} reaches inside a value the policy keeps whole ` +
        `(${JSON.stringify(keepTexts[keptIndex(set)])}): detection is set for a kept value as a whole; name the kept path itself`);
    }
  }
  const detectors = here.scan ? enabled & ~here.exempt : 0;
  if (detectors === 0) return undefined;
  return { detectors, bareSsn: here.bareSsn, label: keepTexts[keptIndex(set)] };
}

/** The first keep path (in list order) among the kept positions of a set. */
function keptIndex(set: readonly TrieNode[]): number {
  let index = Infinity;
  for (const n of set) if (n.keepWhole && n.keepIndex >= 0) index = Math.min(index, n.keepIndex);
  return index;
}

/**
 * Detect entries add paths of their own to the trie; states reached only through them keep nothing. Every
 * edge to such a state is removed (its key is then dropped, as without detection). Returns, per state,
 * whether it keeps something. Recursive, but only as deep as the longest path (as nesting() is).
 */
function cutStatesKeepingNothing(nodes: AutomatonNode[]): boolean[] {
  const keeps: Array<boolean | undefined> = nodes.map(() => undefined);
  keeps[0] = false;
  const visit = (i: number): boolean => {
    const known = keeps[i];
    if (known !== undefined) return known;
    const node = nodes[i];
    let result = (node.flags & FLAG_KEEP_WHOLE) !== 0;
    if (!result) {
      node.edges = node.edges.filter(([, next]) => visit(next));
      if (node.wildcard !== 0 && !visit(node.wildcard)) node.wildcard = 0;
      result = node.edges.length > 0 || node.wildcard !== 0;
    }
    keeps[i] = result;
    return result;
  };
  return nodes.map((_, i) => visit(i));
}

/** A user's detect entry must select some kept value (a typo would silently detect nothing, or exempt nothing). */
function checkDetectEntriesUsed(config: DetectConfig, keptSets: readonly TrieNode[][]): void {
  const used = new Set<DetectPath>();
  for (const set of keptSets) for (const n of set) for (const entry of n.markers) used.add(entry);
  for (const entry of [...(config.paths ?? []), ...config.exempt, ...config.bareSsn]) {
    if (!entry.optional && !used.has(entry)) {
      throw new DetectPathError(entry.at, `${JSON.stringify(entry.text)} selects no value the policy keeps (expected a kept path, ` +
        "or a prefix of one)");
    }
  }
}

/**
 * The set in id order, so that the same set of positions always gets the same name. The nodes of a set are
 * distinct (children of distinct trie nodes are distinct, and a node is either a literal or a wildcard child).
 */
function sorted(set: TrieNode[]): TrieNode[] {
  return set.length < 2 ? set : set.sort((a, b) => a.id - b.id);
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (const c of text) {
    const code = c.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** Recursive, but only as deep as the longest path (MAX_PATH_KEYS): each edge goes one key deeper. */
function nesting(nodes: AutomatonNode[]): number {
  const memo = new Map<number, number>();
  const depth = (i: number): number => {
    const known = memo.get(i);
    if (known !== undefined) return known;
    const node = nodes[i];
    let below = node.wildcard ? depth(node.wildcard) : 0;
    for (const [, next] of node.edges) below = Math.max(below, depth(next));
    const result = below + (node.flags & FLAG_EMBEDDED_JSON ? 1 : 0);
    memo.set(i, result);
    return result;
  };
  return depth(1);
}
