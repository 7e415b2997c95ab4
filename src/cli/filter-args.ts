/** `hipaa-sieve filter`: checking the command line (before anything is read or written). */
import type { FilterOptions } from "../engine.js";
import { flag, numberOption, stringOption, type ParsedOptions } from "./args.js";
import { UsageError } from "./errors.js";
import { FORMATS } from "./filter-spec.js";
import { isStdio } from "./io.js";
import type { InputFormat } from "./pump.js";

export type Source = { kind: "accounts"; file: string } | { kind: "policy"; file: string } | { kind: "preset"; name: string };

export interface FilterArgs {
  source: Source;
  input: string | undefined;
  output: string | undefined;
  errors: string | undefined;
  rejects: string | undefined;
  audit: string | undefined;
  statsJson: string | undefined;
  format: InputFormat;
  watch: boolean;
  limits: FilterOptions;
}

const FILE_OPTIONS = ["output", "errors", "rejects", "audit", "stats-json"] as const;

export function filterArgs(values: ParsedOptions): FilterArgs {
  const given = (["accounts", "policy", "preset"] as const).filter((name) => stringOption(values, name) !== undefined);
  if (given.length === 0) throw new UsageError("one of --accounts FILE, --policy FILE or --preset NAME is required", "filter");
  if (given.length > 1) {
    throw new UsageError(`options ${given.map((g) => `--${g}`).join(" and ")} cannot be used together (give exactly one)`, "filter");
  }
  const which = given[0] as "accounts" | "policy" | "preset";
  const value = stringOption(values, which) as string;
  const source: Source = which === "preset" ? { kind: "preset", name: value } : { kind: which, file: value };

  const format = stringOption(values, "format") ?? "ndjson";
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`option --format must be one of ${FORMATS.join(", ")}, got ${JSON.stringify(format)}`, "filter");
  }
  const watch = flag(values, "watch");
  for (const [name, used] of [["watch", watch], ["audit", stringOption(values, "audit") !== undefined]] as const) {
    if (used && source.kind !== "accounts") throw new UsageError(`option --${name} needs --accounts FILE`, "filter");
  }
  if (source.kind === "accounts" && isStdio(source.file)) {
    throw new UsageError('option --accounts needs a file name, not "-"', "filter");
  }
  if (source.kind === "policy" && isStdio(source.file)) throw new UsageError('option --policy needs a file name, not "-"', "filter");

  for (const name of FILE_OPTIONS) {
    if (name !== "output" && stringOption(values, name) === "-") {
      throw new UsageError(`option --${name} needs a file name, not "-"`, "filter");
    }
  }
  const named = FILE_OPTIONS.map((name) => [name, stringOption(values, name)] as const).filter(
    (entry): entry is readonly [(typeof FILE_OPTIONS)[number], string] => entry[1] !== undefined && entry[1] !== "-",
  );
  for (let i = 0; i < named.length; i++) {
    for (let j = i + 1; j < named.length; j++) {
      const a = named[i] as readonly [string, string];
      const b = named[j] as readonly [string, string];
      if (a[1] === b[1]) throw new UsageError(`options --${a[0]} and --${b[0]} name the same file`, "filter");
    }
  }

  const limits: FilterOptions = {};
  const maxDepth = numberOption(values, "max-depth");
  const maxEventBytes = numberOption(values, "max-event-bytes");
  if (maxDepth !== undefined) limits.maxDepth = maxDepth;
  if (maxEventBytes !== undefined) limits.maxEventBytes = maxEventBytes;
  return {
    source,
    input: stringOption(values, "input"),
    output: stringOption(values, "output"),
    errors: stringOption(values, "errors"),
    rejects: stringOption(values, "rejects"),
    audit: stringOption(values, "audit"),
    statsJson: stringOption(values, "stats-json"),
    format: format as InputFormat,
    watch,
    limits,
  };
}
