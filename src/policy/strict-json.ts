/**
 * A strict check of configuration JSON text, before JSON.parse builds the value:
 * - a syntax error is reported with its line and column, the same in every runtime (JSON.parse's messages
 *   differ between engines, and some give no position at all);
 * - a key that appears twice in one object is reported with its JSON path. JSON.parse would silently keep the
 *   last value, so `{"hipaaEnabled": true, "hipaaEnabled": false}` would load as false: refused instead.
 * The grammar is RFC 8259's. No Node built-ins.
 */

/** A key of an object, or an index into an array. */
export type PathPart = string | number;

export interface JsonTextProblem {
  /** Where: the path of the repeated key, or null for a syntax error (which stops the scan). */
  parts: PathPart[] | null;
  expected: string;
}

/** Nesting deeper than this is refused (the scan is recursive; no configuration nests this deep). */
export const MAX_CONFIG_DEPTH = 256;

class SyntaxProblem {
  constructor(readonly at: number, readonly expected: string) {}
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** Every problem of the text: at most one syntax error, then (or instead) every repeated key. */
export function checkJsonText(text: string): JsonTextProblem[] {
  const scanner = new Scanner(text);
  try {
    scanner.document();
  } catch (error) {
    if (!(error instanceof SyntaxProblem)) throw error;
    return [{ parts: null, expected: `is not valid JSON: ${error.expected} at ${lineColumn(text, error.at)}` }];
  }
  return scanner.duplicates;
}

/** "line L, column C" (both 1-based; columns count UTF-16 code units, as editors mostly do). */
export function lineColumn(text: string, at: number): string {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < at; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return `line ${line}, column ${at - start + 1}`;
}

class Scanner {
  private i = 0;
  readonly duplicates: JsonTextProblem[] = [];
  private readonly path: PathPart[] = [];

  constructor(private readonly text: string) {}

  document(): void {
    this.space();
    this.value(1);
    this.space();
    if (this.i < this.text.length) this.fail("unexpected text after the top-level value");
  }

  private fail(what: string, at = this.i): never {
    throw new SyntaxProblem(at, what);
  }

  private unexpected(expected: string): never {
    if (this.i >= this.text.length) this.fail(`unexpected end of text (expected ${expected})`);
    this.fail(`unexpected ${JSON.stringify(this.text[this.i])} (expected ${expected})`);
  }

  private space(): void {
    const t = this.text;
    while (this.i < t.length && (t[this.i] === " " || t[this.i] === "\t" || t[this.i] === "\n" || t[this.i] === "\r")) this.i++;
  }

  private value(depth: number): void {
    if (depth > MAX_CONFIG_DEPTH) this.fail(`nested deeper than ${MAX_CONFIG_DEPTH} levels`);
    const c = this.text[this.i];
    if (c === "{") this.object(depth);
    else if (c === "[") this.array(depth);
    else if (c === '"') this.string();
    else if (c === "-" || (c >= "0" && c <= "9")) this.number();
    else if (!this.literal("true") && !this.literal("false") && !this.literal("null")) this.unexpected("a value");
  }

  private literal(word: string): boolean {
    if (!this.text.startsWith(word, this.i)) return false;
    this.i += word.length;
    return true;
  }

  private number(): void {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.text);
    if (!m) this.fail("invalid number");
    const end = this.i + m[0].length;
    const next = this.text[end];
    if (next !== undefined && /[0-9.eE+-]/.test(next)) this.fail("invalid number", end);
    this.i = end;
  }

  /** Scans a string at this.i (which is '"'); returns its lexeme, quotes included. */
  private string(): string {
    const t = this.text;
    const start = this.i++;
    while (true) {
      if (this.i >= t.length) this.fail("unterminated string", start);
      const c = t.charCodeAt(this.i);
      if (c === 0x22) break;
      if (c < 0x20) this.fail("control character in a string (escape it)");
      if (c === 0x5c) {
        const e = t[this.i + 1];
        if (e === "u") {
          if (!HEX4.test(t.slice(this.i + 2, this.i + 6))) this.fail("invalid \\u escape (expected 4 hex digits)");
          this.i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) this.i += 2;
        else this.fail("invalid escape");
      } else this.i++;
    }
    this.i++;
    return t.slice(start, this.i);
  }

  private object(depth: number): void {
    this.i++; // {
    this.space();
    if (this.text[this.i] === "}") {
      this.i++;
      return;
    }
    const seen = new Map<string, number>();
    while (true) {
      if (this.text[this.i] !== '"') this.unexpected("a key in double quotes");
      const at = this.i;
      const key = JSON.parse(this.string()) as string;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, at);
      else {
        this.duplicates.push({
          parts: [...this.path, key],
          expected: `key appears more than once in its object (at ${lineColumn(this.text, first)} and ` +
            `${lineColumn(this.text, at)}); each key may appear only once`,
        });
      }
      this.space();
      if (this.text[this.i] !== ":") this.unexpected('":" after the key');
      this.i++;
      this.space();
      this.path.push(key);
      this.value(depth + 1);
      this.path.pop();
      this.space();
      if (this.text[this.i] === ",") {
        this.i++;
        this.space();
      } else if (this.text[this.i] === "}") {
        this.i++;
        return;
      } else this.unexpected('"," or "}"');
    }
  }

  private array(depth: number): void {
    this.i++; // [
    this.space();
    if (this.text[this.i] === "]") {
      this.i++;
      return;
    }
    for (let index = 0; ; index++) {
      this.path.push(index);
      this.value(depth + 1);
      this.path.pop();
      this.space();
      if (this.text[this.i] === ",") {
        this.i++;
        this.space();
      } else if (this.text[this.i] === "]") {
        this.i++;
        return;
      } else this.unexpected('"," or "]"');
    }
  }
}
