/**
 * Command-line parsing on top of node:util parseArgs: declarative option specs (also used for --help),
 * strict checking, and one-line messages instead of parseArgs' multi-line ones.
 */
import { parseArgs } from "node:util";
import { UsageError, errorCode } from "./errors.js";

export interface OptionSpec {
  /** Long name, without the leading "--". */
  name: string;
  type: "string" | "boolean";
  short?: string;
  /** Placeholder of the value in help: FILE, N, NAME. */
  value?: string;
  description: string;
  /** The value must be a positive integer (parsed to a number). */
  positiveInteger?: boolean;
}

export interface CommandSpec {
  name: string;
  /** One line, shown in the program's help. */
  summary: string;
  /** Usage line(s) after "Usage: ". */
  usage: string[];
  options: OptionSpec[];
  /** Extra help paragraphs. */
  details?: string[];
}

export type OptionValue = string | boolean | number;
export type ParsedOptions = Record<string, OptionValue | undefined>;

export const HELP_OPTION: OptionSpec = { name: "help", type: "boolean", short: "h", description: "Show this help" };
export const VERSION_OPTION: OptionSpec = {
  name: "version",
  type: "boolean",
  short: "V",
  description: "Show the version",
};

type ParseArgsOptions = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

function parseArgsConfig(options: OptionSpec[]): NonNullable<ParseArgsOptions> {
  const config: NonNullable<ParseArgsOptions> = {};
  for (const o of options) config[o.name] = o.short === undefined ? { type: o.type } : { type: o.type, short: o.short };
  return config;
}

/** Turn a parseArgs error into a one-line UsageError. */
function usageErrorFrom(error: unknown, helpCommand: string | undefined): UsageError {
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? "";
  switch (errorCode(error)) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return new UsageError(`unknown option ${quoted}`, helpCommand);
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return new UsageError(`unexpected argument ${JSON.stringify(quoted)}`, helpCommand);
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const option = /--[^\s'<]+/.exec(message)?.[0] ?? quoted;
      if (/does not take an argument/.test(message)) return new UsageError(`option ${option} takes no value`, helpCommand);
      if (/ambiguous/.test(message)) {
        return new UsageError(
          `option ${option} needs a value (for a value starting with "-", write ${option}=VALUE)`,
          helpCommand,
        );
      }
      return new UsageError(`option ${option} needs a value`, helpCommand);
    }
    default:
      return new UsageError(message.split("\n")[0] ?? "bad arguments", helpCommand);
  }
}

/**
 * Parse `argv` against `options`. Unknown options, positionals (unless allowed), missing values,
 * repeated value options and non-integer values for integer options are UsageErrors.
 */
export function parseOptions(
  argv: string[],
  options: OptionSpec[],
  helpCommand: string | undefined,
  allowPositionals = false,
): { values: ParsedOptions; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: parseArgsConfig(options), strict: true, allowPositionals, tokens: true });
  } catch (error) {
    throw usageErrorFrom(error, helpCommand);
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== "option") continue;
    const spec = options.find((o) => o.name === token.name);
    if (spec?.type === "string") {
      if (seen.has(token.name)) throw new UsageError(`option --${token.name} is given more than once`, helpCommand);
      seen.add(token.name);
    }
  }
  const values: ParsedOptions = {};
  for (const spec of options) {
    const raw = (parsed.values as Record<string, string | boolean | undefined>)[spec.name];
    if (raw === undefined) continue;
    if (typeof raw === "string") {
      if (raw === "") throw new UsageError(`option --${spec.name} needs a value`, helpCommand);
      if (spec.positiveInteger === true) {
        values[spec.name] = positiveInteger(raw, spec.name, helpCommand);
        continue;
      }
    }
    values[spec.name] = raw;
  }
  return { values, positionals: parsed.positionals };
}

function positiveInteger(raw: string, name: string, helpCommand: string | undefined): number {
  const value = Number(raw);
  if (!/^[0-9]+$/.test(raw) || !Number.isSafeInteger(value) || value <= 0) {
    throw new UsageError(`option --${name} must be a positive integer, got ${JSON.stringify(raw)}`, helpCommand);
  }
  return value;
}

export function stringOption(values: ParsedOptions, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

export function numberOption(values: ParsedOptions, name: string): number | undefined {
  const v = values[name];
  return typeof v === "number" ? v : undefined;
}

export function flag(values: ParsedOptions, name: string): boolean {
  return values[name] === true;
}
