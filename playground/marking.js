// What the filter removed from one event, drawn for people: the input, pretty-printed, with every
// member and element the output does not hold marked as removed. It compares the parsed input with
// the parsed output (a display aid; the filtering itself is the engine's). An embedded JSON string
// (TaskAttributes) whose output is also a JSON document is drawn as the document inside it.
// Returns HTML; every piece of event text goes through escapeHtml.

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const removed = (html) => `<span class="removed">${html}</span>`;
const pad = (depth) => "  ".repeat(depth);

/** A JSON document held in a string, or undefined (only objects and arrays count as documents). */
function embedded(value) {
  if (typeof value !== "string") return undefined;
  const t = value.trimStart();
  if (!t.startsWith("{") && !t.startsWith("[")) return undefined;
  try { return JSON.parse(value); } catch { return undefined; }
}

/** Whether output element `out` is what input element `input` became (for aligning arrays). */
function sameShape(input, out) {
  if (Array.isArray(input)) return Array.isArray(out);
  if (isObject(input)) return isObject(out);
  if (typeof input === "string" && typeof out === "string" && input !== out) return embedded(input) !== undefined && embedded(out) !== undefined;
  return JSON.stringify(input) === JSON.stringify(out);
}

/** Plain rendering of a value (no markings), indented at `depth`. */
function plain(value, depth) {
  return escapeHtml(JSON.stringify(value, null, 2).replaceAll("\n", `\n${pad(depth)}`));
}

/**
 * The input value with the parts absent from `out` marked. `out` is undefined where nothing of the
 * input was kept.
 */
export function markRemoved(input, out, depth = 0) {
  if (out === undefined) return removed(plain(input, depth));
  if (isObject(input)) {
    if (!isObject(out)) return removed(plain(input, depth));
    const keys = Object.keys(input);
    if (keys.length === 0) return "{}";
    const lines = keys.map((k) => {
      const has = Object.prototype.hasOwnProperty.call(out, k);
      const body = `${escapeHtml(JSON.stringify(k))}: ${markRemoved(input[k], has ? out[k] : undefined, depth + 1)}`;
      return `${pad(depth + 1)}${has ? body : removed(body)}`;
    });
    return `{\n${lines.join(",\n")}\n${pad(depth)}}`;
  }
  if (Array.isArray(input)) {
    if (!Array.isArray(out)) return removed(plain(input, depth));
    if (input.length === 0) return "[]";
    let j = 0;
    const lines = input.map((item) => {
      const match = j < out.length && sameShape(item, out[j]);
      const html = markRemoved(item, match ? out[j] : undefined, depth + 1);
      if (match) j++;
      return `${pad(depth + 1)}${html}`;
    });
    return `[\n${lines.join(",\n")}\n${pad(depth)}]`;
  }
  const inner = embedded(input);
  const innerOut = embedded(out);
  if (inner !== undefined && innerOut !== undefined && input !== out) {
    return `<span class="embedded" title="a JSON document inside a string">"${markRemoved(inner, innerOut, depth)}"</span>`;
  }
  return plain(input, depth);
}

/** A rejected event's text with the byte at `offset` marked (offsets are UTF-8 bytes). */
export function markRejected(text, offset) {
  const bytes = new TextEncoder().encode(text);
  const before = new TextDecoder().decode(bytes.subarray(0, offset));
  const at = new TextDecoder().decode(bytes.subarray(offset, offset + 1));
  const after = new TextDecoder().decode(bytes.subarray(offset + 1));
  return `${escapeHtml(before)}<span class="fault" title="rejected here">${escapeHtml(at || " ")}</span>${escapeHtml(after)}`;
}
