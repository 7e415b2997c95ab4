// A plain-JS reference filter: the oracle for the differential tests.
// JSON.parse validates the grammar; a tiny walker over the (already valid) text keeps keys in order
// and with their duplicates, so the pick can apply the policy rules of /tmp/contract.md literally.
// Deliberately independent of the engine: its own path parser, its own trie.

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

/** Build the trie of a policy spec { keep: string[], embeddedJson?: string[] }. */
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
  return { root };
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

// Walks text that JSON.parse has already accepted; returns Obj / Array / string / number / boolean / null.
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
    return Number(m[0]);
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

/** A kept-whole value: every key counts as selected. */
function keepWhole(v) {
  if (v instanceof Obj) {
    noDuplicates(v.entries.map(([k]) => k));
    v.entries.forEach(([, x]) => keepWhole(x));
  } else if (Array.isArray(v)) v.forEach(keepWhole);
  return toPlain(v);
}

function filterObject(obj, nodes, depth, ctx) {
  const out = {};
  const selected = [];
  for (const [k, v] of obj.entries) {
    const m = matchKey(nodes, k);
    if (m.length === 0) continue;
    selected.push(k);
    const r = m.some((n) => n.listed) ? keepWhole(v) : filterValue(v, m, depth, ctx, true);
    if (r !== DROP) setKey(out, k, r);
  }
  noDuplicates(selected);
  return out;
}

// `depth` = depth of the container holding v. `outer` = v stands in the event itself (not at the top of an
// embedded document), so a string here may be an embedded document.
function filterValue(v, nodes, depth, ctx, outer) {
  if (v instanceof Obj) return filterObject(v, nodes, depth + 1, ctx);
  if (Array.isArray(v)) {
    const out = [];
    for (const x of v) {
      const r = filterValue(x, nodes, depth + 1, ctx, outer);
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
    return JSON.stringify(filterValue(inner, nodes, depth, ctx, false));
  }
  return DROP; // a scalar under a prefix-only path
}

function decodeEvent(event) {
  if (typeof event === "string") return event;
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(event);
}

/**
 * referenceFilter(policySpec, event, limits?) -> { ok: true, value } | { ok: false, why }
 * event: a string or UTF-8 bytes (one event, no line end). `value` holds embeddedJson fields as strings.
 */
export function referenceFilter(policySpec, event, limits = {}) {
  const ctx = {
    maxDepth: limits.maxDepth ?? DEFAULT_MAX_DEPTH,
    maxEventBytes: limits.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
  };
  const { root } = compileReference(policySpec);
  try {
    const size = typeof event === "string" ? new TextEncoder().encode(event).length : event.length;
    if (size > ctx.maxEventBytes) throw new Reject("too large");
    let text;
    try { text = decodeEvent(event); } catch { throw new Reject("utf-8"); }
    if (text.startsWith("\uFEFF")) text = text.slice(1);
    const doc = parseDocument(text);
    if (!(doc instanceof Obj)) throw new Reject("not an object");
    if (depthOf(doc) > ctx.maxDepth) throw new Reject("too deep");
    return { ok: true, value: filterObject(doc, [root], 1, ctx) };
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
