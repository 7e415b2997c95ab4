/**
 * Lays compiled policies out as the flat tables the WASM reads (format: assembly/policy-tables.ts).
 * Several policies share one blob, and identical sub-automata are stored once (hash-consing):
 * policies are mostly presets and variants of them, and a small working set keeps the key
 * lookups of a batch that mixes many accounts in cache. Node 0 ("drop") is shared by all.
 *
 * Detection: a kept node that scans its values gets a detect word (engine detector numbers, action)
 * and its own run of counters, one per detector; `counters` tells the host what each counter
 * stands for (policy, kept path, detector), which is how hits and PHI_DETECTED rejections are named.
 * Such nodes are never shared between policies (their counters name the policy).
 */
import { FLAG_EMBEDDED_JSON, FLAG_KEEP_WHOLE, type AutomatonNode } from "../policy/automaton.js";
import { detectorNames, placeholder, type DetectAction } from "../policy/detect.js";
import type { CompiledPattern } from "../policy/pattern.js";
import type { CompiledPolicy } from "../policy/policy.js";
import type { EngineAbi } from "./abi.js";
import { BlobWriter } from "./blob-writer.js";

/** What one detection counter counts. */
export interface DetectionCounter {
  /** The policy's name (an accounts file's policy id). */
  readonly policy: string;
  /** The keep path the values are kept by. */
  readonly path: string;
  readonly detector: string;
  readonly action: DetectAction;
}

export interface EncodedTables {
  readonly blob: Uint8Array;
  /** Counter number → what it counts. */
  readonly counters: readonly DetectionCounter[];
}

/** The engine's flag bits for an automaton node's flags. */
function engineFlags(flags: number, abi: EngineAbi): number {
  return (flags & FLAG_KEEP_WHOLE ? abi.flags.keepWhole : 0) | (flags & FLAG_EMBEDDED_JSON ? abi.flags.embeddedJson : 0);
}

/** The engine's patterns: one per distinct (name, pattern, ignoreCase) among all policies. */
class PatternSlots {
  readonly list: CompiledPattern[] = [];
  private readonly numbers = new Map<string, number>();

  constructor(private readonly max: number) {}

  number(pattern: CompiledPattern): number {
    const id = JSON.stringify([pattern.name, pattern.source, pattern.ignoreCase]);
    let n = this.numbers.get(id);
    if (n === undefined) {
      if (this.list.length === this.max) {
        throw new RangeError(`hipaa-sieve: these policies hold more than ${this.max} distinct detect patterns, the most one engine runs; ` +
          "share patterns between policies (same name, pattern and ignoreCase)");
      }
      n = this.list.length;
      this.list.push(pattern);
      this.numbers.set(id, n);
    }
    return n;
  }
}

export function encodeTables(policies: readonly CompiledPolicy[], abi: EngineAbi): EncodedTables {
  const blob = new BlobWriter();
  const nodes: number[] = [0, 0, 0, 0, 0, 0]; // node 0: drop
  const edges: number[] = [];
  const roots: number[] = [];
  const counters: DetectionCounter[] = [];
  const patterns = new PatternSlots(abi.detect.maxPatterns);
  let nesting = 0;
  const known = new Map<string, number>(); // node signature -> blob node

  for (const policy of policies) {
    const own = policy.automaton.nodes;
    const detect = policy.detect;
    // Automaton detector bit i → engine detector number.
    const engineNumbers = detect
      ? [...detect.builtins.map((d) => abi.detect.builtins.get(d)!), ...detect.patterns.map((p) => abi.detect.firstPattern + patterns.number(p))]
      : [];
    const names = detect ? detectorNames(detect) : [];
    const placed = new Map<number, number>([[0, 0]]); // own node -> blob node
    // Children first, so that a node's signature names its children's blob nodes.
    const place = (i: number): number => {
      const done = placed.get(i);
      if (done !== undefined) return done;
      const node: AutomatonNode = own[i];
      const wildcard = place(node.wildcard);
      const children = node.edges.map(([key, next]): [string, number] => [key, place(next)]);
      const flags = engineFlags(node.flags, abi);
      let at: number | undefined;
      let word = 0;
      let counterBase = 0;
      if (node.detect && detect) {
        // Detector bits are numbered in report order in both numberings (built-ins, then patterns as listed).
        for (let bit = 0; bit < names.length; bit++) {
          if (node.detect.detectors & (1 << bit)) word |= 1 << engineNumbers[bit];
        }
        counterBase = counters.length;
        for (let d = 0; d < 32; d++) {
          if (word & (1 << d)) {
            const name = names[engineNumbers.indexOf(d)];
            counters.push({ policy: policy.name, path: node.detect.label, detector: name, action: detect.action });
          }
        }
        word |= actionBits(detect.action, abi) | (detect.numbers ? abi.detect.numbers : 0) | (node.detect.bareSsn ? abi.detect.bareSsn : 0);
      } else {
        const signature = JSON.stringify([flags, wildcard, children]);
        at = known.get(signature);
        if (at === undefined) known.set(signature, nodes.length / 6);
      }
      if (at === undefined) {
        at = nodes.length / 6;
        nodes.push(flags, wildcard, edges.length / 3, children.length, word >>> 0, counterBase);
        for (const [key, next] of children) edges.push(...blob.key(key), next);
      }
      placed.set(i, at);
      return at;
    };
    roots.push(place(1));
    nesting = Math.max(nesting, policy.automaton.embeddedNesting);
  }

  // Placeholders, one slot per detector number (unused slots empty).
  const names: number[] = [];
  for (let d = 0; d < abi.detect.firstPattern + abi.detect.maxPatterns; d++) {
    const builtin = [...abi.detect.builtins].find(([, n]) => n === d)?.[0];
    const pattern = d >= abi.detect.firstPattern ? patterns.list[d - abi.detect.firstPattern] : undefined;
    const name = builtin ?? pattern?.name;
    names.push(...(name === undefined ? [0, 0] : blob.key(placeholder(name))));
  }
  const patternOffsets: number[] = [];
  const patternWords: number[] = [];
  for (const p of patterns.list) {
    patternOffsets.push(patternWords.length);
    const words = new Uint32Array(p.table.buffer.slice(p.table.byteOffset, p.table.byteOffset + p.table.length));
    patternWords.push(...words);
  }

  // Header: magic, nodeCount, edgeCount, policyCount, keyBytes, maxEmbeddedNesting, counterCount, patternCount, patternWords.
  const words = [abi.magic.tables, nodes.length / 6, edges.length / 3, roots.length, 0, nesting, counters.length,
    patterns.list.length, patternWords.length, ...nodes, ...edges, ...roots, ...names, ...patternOffsets, ...patternWords];
  words[4] = blob.keyBytes; // last: the placeholders above added key bytes
  return { blob: blob.finish(words), counters };
}

function actionBits(action: DetectAction, abi: EngineAbi): number {
  return action === "reject" ? abi.detect.reject : action === "redact" ? abi.detect.redact : 0;
}
