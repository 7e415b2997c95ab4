/**
 * The one reader of configuration JSON text (policy files, accounts files, and so the policies inside them):
 * - a syntax error is reported with its line and column, the same in every runtime (JSON.parse's messages
 *   differ between engines, and some give no position at all);
 * - a key that appears twice in one object is reported with its JSON path. JSON.parse would silently keep the
 *   last value, so `{"hipaaEnabled": true, "hipaaEnabled": false}` would load as false: refused instead;
 * - a leading byte order mark is ignored, whatever the file.
 * The grammar is RFC 8259's. No Node built-ins.
 */
import { Problems, type PathPart } from "./problems.js";

/** Nesting deeper than this is refused (the scan is recursive; no configuration nests this deep). */
export const MAX_CONFIG_DEPTH = 256;

class SyntaxProblem {
  constructor(readonly at: number, readonly expected: string) {}
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;
const INVALID_NUMBER = 'invalid number (RFC 8259: no leading zeros; digits after "." and after an exponent)';

/**
 * The value of configuration text, or undefined when it is not JSON. Problems go to `problems`: a syntax error
 * (which stops the reading) at its line and column, else every repeated key at its JSON path.
 */
export function readStrictJson(text: string, problems: Problems): { value: unknown } | undefined {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const scanner = new Scanner(text, problems);
  try {
    scanner.document();
  } catch (error) {
    if (!(error instanceof SyntaxProblem)) throw error;
    const { line, column } = lineColumn(text, error.at);
    problems.addAt(line, column, `not valid JSON: ${error.expected}`);
    return undefined;
  }
  return { value: JSON.parse(text) };
}

/** Line and column of a position (both 1-based; columns count UTF-16 code units, as editors mostly do). */
function lineColumn(text: string, at: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < at; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: at - start + 1 };
}

function place(text: string, at: number): string {
  const { line, column } = lineColumn(text, at);
  return `line ${line}, column ${column}`;
}

class Scanner {
  private i = 0;
  private readonly path: PathPart[] = [];

  constructor(private readonly text: string, private readonly problems: Problems) {}

  document(): void {
    this.space();
    this.value(1);
    this.space();
    if (this.i < this.text.length) this.unexpected("the end of the text after the top-level value");
  }

  private fail(what: string, at = this.i): never {
    throw new SyntaxProblem(at, what);
  }

  private unexpected(expected: string): never {
    const found = this.i >= this.text.length ? "the end of the text" : JSON.stringify(this.text[this.i]);
    this.fail(`expected ${expected}, found ${found}`);
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
    if (!m) this.fail(INVALID_NUMBER);
    const end = this.i + m[0].length;
    const next = this.text[end];
    if (next !== undefined && /[0-9.eE+-]/.test(next)) this.fail(INVALID_NUMBER, end);
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
        else this.fail('invalid escape (expected one of \\" \\\\ \\/ \\b \\f \\n \\r \\t \\u)');
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
      const lexeme = this.string();
      // Most keys hold no escape: their text is the key (decoding each with JSON.parse costs 10% of a large file).
      const key = lexeme.includes("\\") ? (JSON.parse(lexeme) as string) : lexeme.slice(1, -1);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, at);
      else {
        this.problems.add([...this.path, key], `key appears more than once in its object (at ${place(this.text, first)} ` +
          `and ${place(this.text, at)}); each key may appear only once`);
      }
      this.space();
      if (this.text[this.i] !== ":") this.unexpected('":" after the key');
      this.i++;
      this.space();
      this.path.push(key);
      this.value(depth + 1);
      this.path.pop();
      if (this.itemsEnd("}")) return;
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
      if (this.itemsEnd("]")) return;
    }
  }

  /** After an item of a container: skips a "," (false: another item follows) or the closing `close` (true). */
  private itemsEnd(close: "}" | "]"): boolean {
    this.space();
    const c = this.text[this.i];
    this.i++;
    if (c === close) return true;
    if (c !== ",") {
      this.i--;
      this.unexpected(`"," or "${close}"`);
    }
    this.space();
    return false;
  }
}
