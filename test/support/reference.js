// A plain-JS reference filter: the oracle for the differential tests.
// JSON.parse validates the grammar; a tiny walker over the (already valid) text keeps keys in order
// and with their duplicates, so the pick can apply the policy rules of /tmp/contract.md literally.
// Deliberately independent of the engine: its own path parser, its own trie.
// A spec may carry a `detect` section: every kept string and long number then goes through the detectors reference
// (detectors-reference.js, written from docs/detectors.md), after the event has passed every other check.

import { DETECTORS, detectBuiltins } from "./detectors-reference.js";

// Custom patterns have their own reference (pattern-reference.js, written separately). It is loaded here when the
// file is there, and its absence (or a load error) only matters once a spec with patterns is used: then
// compileReference says so. A dynamic import keeps this module loadable without it.
let patternMatches = null;
let patternLoadError = null;
try {
  ({ patternMatches } = await import("./pattern-reference.js"));
  if (typeof patternMatches !== "function") throw new Error("it does not export patternMatches(patternSpec, bytes)");
} catch (e) {
  patternMatches = null;
  patternLoadError = e;
}

const DEFAULT_MAX_DEPTH = 64;
const DEFAULT_MAX_EVENT_BYTES = 16 << 20;

// ---------------------------------------------------------------- policy paths

/** Parse one path into segments: { key: string } or { star: true }. Throws on bad syntax. */
export function parsePath(path) {
  if (typeof path !== "string" || path === "") throw new Error(`bad path ${JSON.stringify(path)}`);
  const segs = [];
  let i = 0;
  const bad = () => new Error(`bad path ${JSON.stringify(path)} at ${i}`);
  for (;;) {
    if (path[i] === "[") {
      if (path[i + 1] !== '"') throw bad();
      let j = i + 2;
      while (j < path.length && path[j] !== '"') j += path[j] === "\\" ? 2 : 1;
      if (j >= path.length || path[j + 1] !== "]") throw bad();
      let key;
      try { key = JSON.parse(path.slice(i + 1, j + 1)); } catch { throw bad(); }
      segs.push({ key });
      i = j + 2;
    } else if (path[i] === "*") {
      segs.push({ star: true });
      i += 1;
    } else {
      let j = i;
      while (j < path.length && !'.*["'.includes(path[j])) j++;
      if (j === i) throw bad();
      segs.push({ key: path.slice(i, j) });
      i = j;
    }
    if (i === path.length) return segs;
    if (path[i] === "[") continue;
    if (path[i] !== ".") throw bad();
    i += 1;
    if (i === path.length) throw bad();
  }
}

function newNode() {
  return { children: new Map(), star: null, listed: false, embedded: false };
}

/** Whether path entry `segs` applies to concrete key path K: at K or above it ("at/under"), `*` matching any key. */
function applies(segs, K) {
  return segs.length <= K.length && segs.every((s, i) => s.star || s.key === K[i]);
}

/** Compile a spec's `detect` section (null when there is none). Throws on names it does not know. */
function compileDetect(spec) {
  const d = spec.detect;
  if (d === undefined || d === null) return null;
  const builtins = d.detectors ?? DETECTORS;
  for (const n of builtins) if (!DETECTORS.includes(n)) throw new Error(`detect: unknown detector ${JSON.stringify(n)}`);
  const patterns = d.patterns ?? [];
  const names = new Set(DETECTORS);
  for (const p of patterns) {
    if (typeof p.name !== "string" || names.has(p.name)) throw new Error(`detect: bad or repeated pattern name ${JSON.stringify(p.name)}`);
    names.add(p.name);
  }
  if (patterns.length > 0 && !patternMatches) {
    throw new Error(`detect: this spec has custom patterns, but test/support/pattern-reference.js could not be loaded (${patternLoadError?.message})`);
  }
  const exemptNames = (list) => {
    for (const n of list) if (!names.has(n)) throw new Error(`detect: exempt names unknown detector ${JSON.stringify(n)}`);
    return new Set(list);
  };
  const action = d.action ?? "reject";
  if (!["reject", "redact", "count"].includes(action)) throw new Error(`detect: unknown action ${JSON.stringify(action)}`);
  return {
    // report order: the built-ins in DETECTORS order, then the patterns in the order listed
    order: [...DETECTORS, ...patterns.map((p) => p.name)],
    enabled: [...DETECTORS.filter((n) => builtins.includes(n)), ...patterns.map((p) => p.name)],
    patterns,
    paths: d.paths === undefined ? null : d.paths.map(parsePath),
    // names: null = every detector (the string form; also an object without `detectors`)
    exempt: (d.exempt ?? []).map((e) =>
      typeof e === "string" ? { segs: parsePath(e), names: null } : { segs: parsePath(e.path), names: e.detectors ? exemptNames(e.detectors) : null },
    ),
    bareSsn: (d.bareSsn ?? []).map(parsePath),
    numbers: d.numbers ?? true,
    action,
    keep: spec.keep.map((p) => ({ label: p, segs: parsePath(p) })),
  };
}

/**
 * Build the trie of a policy spec { keep: string[], embeddedJson?: string[], detect?: {...} }.
 * Returns { root, detect } (detect: null without a detect section).
 */
export function compileReference(spec) {
  if (spec && spec.root) return spec; // already compiled
  const root = newNode();
  for (const p of spec.keep) {
    let n = root;
    for (const s of parsePath(p)) {
      if (s.star) n = n.star ??= newNode();
      else {
        if (!n.children.has(s.key)) n.children.set(s.key, newNode());
        n = n.children.get(s.key);
      }
    }
    n.listed = true;
  }
  for (const p of spec.embeddedJson ?? []) {
    let n = root;
    for (const s of parsePath(p)) {
      n = s.star ? n.star : n.children.get(s.key);
      if (!n) throw new Error(`embeddedJson path ${p} selects nothing`);
    }
    n.embedded = true;
  }
  return { root, detect: compileDetect(spec) };
}

/** The trie nodes a key matches, given the nodes of its parent object (union of literal and `*`). */
function matchKey(nodes, key) {
  const out = [];
  for (const n of nodes) {
    const c = n.children.get(key);
    if (c) out.push(c);
    if (n.star) out.push(n.star);
  }
  return out;
}

// ---------------------------------------------------------------- parsing

class Reject extends Error {
  constructor(why) { super(why); this.why = why; }
}
/** An object as parsed here: its members in input order, duplicates included. */
class Obj {
  constructor(entries) { this.entries = entries; }
}
/** A number as parsed here: its lexeme as written (the detectors scan it), its value for the output. */
class Num {
  constructor(lexeme) { this.lexeme = lexeme; }
}

// Walks text that JSON.parse has already accepted; returns Obj / Array / string / Num / boolean / null.
function parseOrdered(text) {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  const str = () => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    const s = JSON.parse(text.slice(start, i));
    if (!s.isWellFormed()) throw new Reject("lone surrogate");
    return s;
  };
  const num = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
  const value = () => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const entries = [];
      ws();
      if (text[i] === "}") { i++; return new Obj(entries); }
      for (;;) {
        ws();
        const k = str();
        ws();
        i++; // ':'
        entries.push([k, value()]);
        ws();
        if (text[i++] === "}") return new Obj(entries); // else ','
      }
    }
    if (c === "[") {
      i++;
      const items = [];
      ws();
      if (text[i] === "]") { i++; return items; }
      for (;;) {
        items.push(value());
        ws();
        if (text[i++] === "]") return items;
      }
    }
    if (c === '"') return str();
    for (const [lex, v] of [["true", true], ["false", false], ["null", null]]) {
      if (text.startsWith(lex, i)) { i += lex.length; return v; }
    }
    num.lastIndex = i;
    const m = num.exec(text);
    i += m[0].length;
    return new Num(m[0]);
  };
  return value();
}

/** JSON.parse (validation), then the ordered walk; checks it agrees with JSON.parse. */
function parseDocument(text) {
  let plain;
  try { plain = JSON.parse(text); } catch { throw new Reject("grammar"); }
  const doc = parseOrdered(text);
  if (JSON.stringify(toPlain(doc)) !== JSON.stringify(plain)) throw new Error("reference self-check failed");
  return doc;
}

function depthOf(v) {
  if (v instanceof Obj) return 1 + Math.max(0, ...v.entries.map(([, x]) => depthOf(x)));
  if (Array.isArray(v)) return 1 + Math.max(0, ...v.map(depthOf));
  return 0;
}

function setKey(o, k, v) {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function toPlain(v) {
  if (v instanceof Obj) {
    const o = {};
    for (const [k, x] of v.entries) setKey(o, k, toPlain(x));
    return o;
  }
  if (Array.isArray(v)) return v.map(toPlain);
  if (v instanceof Num) return Number(v.lexeme);
  return v;
}

// ---------------------------------------------------------------- the pick

const DROP = Symbol("drop");

function noDuplicates(keys) {
  const seen = new Set();
  for (const k of keys) {
    if (seen.has(k)) throw new Reject("duplicate key");
    seen.add(k);
  }
}

/**
 * A kept-whole value: every key counts as selected. `path` = its concrete key path; every scalar in it is a kept
 * value and goes through ctx.onKept (detection), which may replace it (redaction).
 */
function keepWhole(v, path, ctx) {
  if (v instanceof Obj) {
    noDuplicates(v.entries.map(([k]) => k));
    const o = {};
    for (const [k, x] of v.entries) setKey(o, k, keepWhole(x, [...path, k], ctx));
    return o;
  }
  if (Array.isArray(v)) return v.map((x) => keepWhole(x, path, ctx)); // array elements share the array's path
  const plain = toPlain(v);
  const replaced = ctx.onKept ? ctx.onKept(v, path) : undefined;
  return replaced === undefined ? plain : replaced;
}

function filterObject(obj, nodes, depth, ctx, path) {
  const out = {};
  const selected = [];
  for (const [k, v] of obj.entries) {
    const m = matchKey(nodes, k);
    if (m.length === 0) continue;
    selected.push(k);
    const at = [...path, k];
    const r = m.some((n) => n.listed) ? keepWhole(v, at, ctx) : filterValue(v, m, depth, ctx, true, at);
    if (r !== DROP) setKey(out, k, r);
  }
  noDuplicates(selected);
  return out;
}

// `depth` = depth of the container holding v. `outer` = v stands in the event itself (not at the top of an
// embedded document), so a string here may be an embedded document. `path` = v's concrete key path (array elements
// have their array's; the keys of an embedded document continue the path of the string holding it).
function filterValue(v, nodes, depth, ctx, outer, path) {
  if (v instanceof Obj) return filterObject(v, nodes, depth + 1, ctx, path);
  if (Array.isArray(v)) {
    const out = [];
    for (const x of v) {
      const r = filterValue(x, nodes, depth + 1, ctx, outer, path);
      if (r !== DROP) out.push(r);
    }
    return out;
  }
  if (typeof v === "string" && outer && nodes.some((n) => n.embedded)) {
    let inner;
    try {
      inner = parseDocument(v);
    } catch (e) {
      throw e instanceof Reject ? new Reject(`embedded: ${e.why}`) : e;
    }
    if (depth + depthOf(inner) > ctx.maxDepth) throw new Reject("too deep (embedded)");
    if (!(inner instanceof Obj) && !Array.isArray(inner)) return DROP;
    return JSON.stringify(filterValue(inner, nodes, depth, ctx, false, path));
  }
  return DROP; // a scalar under a prefix-only path
}

function decodeEvent(event) {
  if (typeof event === "string") return event;
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(event);
}

// ---------------------------------------------------------------- detection

const encoder = new TextEncoder();

/**
 * The hook keepWhole calls on every kept scalar, for a spec with a detect section. Records each value that hits
 * ({ label, hits }, in document order) in `found`; returns the redaction (a string) in redact mode, else undefined.
 * Only the first hit is recorded in reject mode: the event is rejected at it, if nothing else rejects it.
 */
function detectionHook(detect, found) {
  return (v, K) => {
    let bytes;
    if (typeof v === "string") bytes = encoder.encode(v); // the decoded value, as UTF-8
    else if (v instanceof Num) {
      // numbers: only with `numbers` on and at least 9 ASCII digits in the lexeme, scanned as written
      if (!detect.numbers || (v.lexeme.match(/[0-9]/g) ?? []).length < 9) return undefined;
      bytes = encoder.encode(v.lexeme);
    } else return undefined; // true, false, null: never
    if (detect.action === "reject" && found.length > 0) return undefined;
    if (detect.paths && !detect.paths.some((segs) => applies(segs, K))) return undefined;
    let names = detect.enabled;
    for (const e of detect.exempt) {
      if (applies(e.segs, K)) names = e.names === null ? [] : names.filter((n) => !e.names.has(n));
    }
    if (names.length === 0) return undefined;
    const bareSsn = detect.bareSsn.some((segs) => applies(segs, K));
    const hits = [
      ...detectBuiltins(bytes, { detectors: names, bareSsn }),
      ...detect.patterns.filter((p) => names.includes(p.name) && patternMatches(p, bytes)).map((p) => p.name),
    ];
    if (hits.length === 0) return undefined;
    const label = detect.keep.find((k) => applies(k.segs, K))?.label;
    if (label === undefined) throw new Error(`reference: kept value at ${JSON.stringify(K)} under no keep entry`);
    found.push({ label, hits });
    return detect.action === "redact" ? `[${hits[0]}]` : undefined;
  };
}

/** The counts of (label, detector) over the values found, sorted by label, then by the detectors' report order. */
function countDetections(detect, found) {
  const counts = new Map();
  for (const { label, hits } of found) {
    for (const detector of hits) {
      const key = JSON.stringify([label, detector]);
      const c = counts.get(key) ?? { path: label, detector, count: 0 };
      c.count++;
      counts.set(key, c);
    }
  }
  return [...counts.values()].sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : detect.order.indexOf(a.detector) - detect.order.indexOf(b.detector),
  );
}

/**
 * referenceFilter(policySpec, event, limits?) -> { ok: true, value } | { ok: false, why }
 * event: a string or UTF-8 bytes (one event, no line end). `value` holds embeddedJson fields as strings.
 * With a detect section: { ok: true, value, detections } (detections = [{ path, detector, count }], maybe empty),
 * or { ok: false, why: "PHI_DETECTED", code: "PHI_DETECTED", detector, path, detections } in reject mode.
 * A rejection for any other reason wins over detection (and carries no detections).
 */
export function referenceFilter(policySpec, event, limits = {}) {
  const ctx = {
    maxDepth: limits.maxDepth ?? DEFAULT_MAX_DEPTH,
    maxEventBytes: limits.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
    onKept: null,
  };
  const { root, detect } = compileReference(policySpec);
  const found = [];
  if (detect) ctx.onKept = detectionHook(detect, found);
  try {
    const size = typeof event === "string" ? new TextEncoder().encode(event).length : event.length;
    if (size > ctx.maxEventBytes) throw new Reject("too large");
    let text;
    try { text = decodeEvent(event); } catch { throw new Reject("utf-8"); }
    if (text.startsWith("\uFEFF")) text = text.slice(1);
    const doc = parseDocument(text);
    if (!(doc instanceof Obj)) throw new Reject("not an object");
    if (depthOf(doc) > ctx.maxDepth) throw new Reject("too deep");
    const value = filterObject(doc, [root], 1, ctx, []);
    // the walk finished without another rejection: only now does a PHI hit decide (see detectionHook)
    if (!detect) return { ok: true, value };
    const detections = countDetections(detect, found);
    if (detect.action === "reject" && found.length > 0) {
      const { label, hits } = found[0];
      return { ok: false, why: "PHI_DETECTED", code: "PHI_DETECTED", detector: hits[0], path: label, detections };
    }
    return { ok: true, value, detections };
  } catch (e) {
    if (e instanceof Reject) return { ok: false, why: e.why };
    throw e;
  }
}

/**
 * Reference for a batch: split at LF, drop a CR right before LF, skip blank lines (spaces/tabs/CR only).
 * Returns [{ line, result }] for every event (non-blank line), 1-based lines.
 */
export function referenceBatch(policySpec, bytes, limits = {}) {
  const compiled = compileReference(policySpec);
  const out = [];
  let start = 0;
  let line = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    const next = end < 0 ? bytes.length : end + 1;
    if (end < 0) end = bytes.length;
    line++;
    let stop = end;
    if (next === end + 1 && stop > start && bytes[stop - 1] === 0x0d) stop--;
    const ev = bytes.subarray(start, stop);
    if (!ev.every((b) => b === 0x20 || b === 0x09 || b === 0x0d)) {
      out.push({ line, result: referenceFilter(compiled, ev, limits) });
    }
    start = next;
  }
  return out;
}

/**
 * Replace every string standing at an embeddedJson position (outside kept-whole values) by its parsed
 * value, so that two filtered values can be compared regardless of how the inner documents are spelled.
 * onEmbedded(string) is called with each such string.
 */
export function normalizeEmbedded(policySpec, value, onEmbedded = () => {}) {
  const { root } = compileReference(policySpec);
  const walk = (v, nodes, outer) => {
    if (nodes.some((n) => n.listed)) return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, nodes, outer));
    if (v !== null && typeof v === "object") {
      const o = {};
      for (const k of Object.keys(v)) setKey(o, k, walk(v[k], matchKey(nodes, k), true));
      return o;
    }
    if (typeof v === "string" && outer && nodes.some((n) => n.embedded)) {
      onEmbedded(v);
      try { return { "<embedded>": walk(JSON.parse(v), nodes, false) }; } catch { return { "<not json>": v }; }
    }
    return v;
  };
  const o = {};
  for (const k of Object.keys(value)) setKey(o, k, walk(value[k], matchKey([root], k), true));
  return o;
}
