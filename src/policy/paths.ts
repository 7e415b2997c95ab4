/**
 * Policy path syntax: keys joined by ".", "*" alone matches any one key, and a key holding
 * ".", "*", "[" or '"' is written as a bracketed JSON string: `["a.b"]`, `a["b.c"].d`.
 */

export type Segment = { readonly any: true } | { readonly any: false; readonly key: string };

export const ANY: Segment = { any: true };

/**
 * The most keys a path may have. A path of n keys only matches at depth n or deeper, and the engine's maxDepth is
 * at most 1024, so a longer path could never match; refusing it also bounds the recursion of the table builders.
 */
export const MAX_PATH_KEYS = 1024;

/** Thrown with a message that says where in the path and what was expected; no file context. */
export class PathSyntaxError extends Error {}

export function parsePath(text: string): Segment[] {
  if (text.length === 0) throw new PathSyntaxError("empty path");
  if (!text.isWellFormed()) {
    // TextEncoder would turn it into U+FFFD, a key other than the one written (JSON text can hold "\ud800").
    throw new PathSyntaxError(`holds a lone surrogate at character ${loneSurrogateAt(text) + 1} (a key must be valid Unicode)`);
  }
  const segments: Segment[] = [];
  let i = 0;
  while (true) {
    if (text[i] === "[") {
      const [key, next] = readBracket(text, i);
      segments.push({ any: false, key });
      i = next;
    } else {
      let end = i;
      while (end < text.length && text[end] !== "." && text[end] !== "[") end++;
      const bare = text.slice(i, end);
      if (bare.length === 0) {
        throw new PathSyntaxError(`empty key at character ${i + 1} (use [""] for an empty key)`);
      }
      if (bare === "*") segments.push(ANY);
      else if (bare.includes("*")) {
        throw new PathSyntaxError(`"*" must be a whole segment, found "${bare}" (write ["${bare}"] for a literal key)`);
      } else if (bare.includes('"')) {
        throw new PathSyntaxError(`a bare key may not hold '"' at character ${i + bare.indexOf('"') + 1} (write it as a JSON string in brackets)`);
      } else segments.push({ any: false, key: bare });
      i = end;
    }
    if (segments.length > MAX_PATH_KEYS) {
      throw new PathSyntaxError(`more than ${MAX_PATH_KEYS} keys (no event nests deeper than the engine's maxDepth, at most ${MAX_PATH_KEYS})`);
    }
    if (i === text.length) return segments;
    if (text[i] === ".") {
      i++;
      if (i === text.length) throw new PathSyntaxError("path ends with \".\"");
    } else if (text[i] !== "[") {
      throw new PathSyntaxError(`expected "." or "[" at character ${i + 1}`);
    }
  }
}

/** Reads `["..."]` at text[start] === "["; returns the decoded key and the index after "]". */
function readBracket(text: string, start: number): [string, number] {
  if (text[start + 1] !== '"') throw new PathSyntaxError(`expected '"' after "[" at character ${start + 2}`);
  let i = start + 2;
  while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
  if (i >= text.length) throw new PathSyntaxError(`unterminated string in brackets starting at character ${start + 1}`);
  let key: string;
  try {
    key = JSON.parse(text.slice(start + 1, i + 1));
  } catch {
    throw new PathSyntaxError(`invalid JSON string in brackets starting at character ${start + 1}`);
  }
  if (!key.isWellFormed()) {
    throw new PathSyntaxError(`key in brackets at character ${start + 1} holds a lone surrogate (a key must be valid Unicode)`);
  }
  if (text[i + 1] !== "]") throw new PathSyntaxError(`expected "]" at character ${i + 2}`);
  return [key, i + 2];
}

/** The index of the first UTF-16 code unit of `text` that is half of no surrogate pair. */
export function loneSurrogateAt(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    else if (c >= 0xd800 && c <= 0xdfff) return i;
  }
  return -1;
}

/** Writes a path back in the syntax parsePath reads (bare where possible). */
export function formatPath(segments: readonly Segment[]): string {
  let out = "";
  for (const s of segments) {
    if (s.any) out += out ? ".*" : "*";
    else if (s.key.length > 0 && !/[.*["]/.test(s.key)) out += out ? `.${s.key}` : s.key;
    else out += `[${JSON.stringify(s.key)}]`;
  }
  return out;
}
