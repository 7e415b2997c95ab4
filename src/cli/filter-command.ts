/**
 * `hipaa-sieve filter`: NDJSON in, filtered NDJSON out, one `--errors` line per rejected event, a
 * summary on stderr. Streams in batches (LineBatcher), so memory stays bounded whatever the input size.
 */
import { readFile } from "node:fs/promises";
import { createFilter, parsePolicyText, PolicyError, type FilterOptions } from "../index.js";
import { FilterSession, type FilterStats, type BatchFilter } from "../stream.js";
import { HELP_OPTION, numberOption, stringOption, type CommandSpec, type ParsedOptions } from "./args.js";
import { CliError, UsageError, fileError, oneLine } from "./errors.js";
import { OutputSink, isStdio, openInput, type Input } from "./io.js";
import { PROGRAM } from "./help.js";
import { formatSummary, rejectionLine } from "./summary.js";
import type { CliContext } from "./context.js";

export const filterSpec: CommandSpec = {
  name: "filter",
  summary: "Filter NDJSON events through an allowlist policy",
  usage: ["filter --policy FILE [--input FILE] [--output FILE] [--errors FILE]"],
  options: [
    { name: "policy", type: "string", value: "FILE", description: "Policy file (JSON: keep, embeddedJson). Required" },
    { name: "input", type: "string", value: "FILE", description: "NDJSON events to read (default: standard input)" },
    { name: "output", type: "string", value: "FILE", description: "Where to write the kept events (default: standard output)" },
    {
      name: "errors",
      type: "string",
      value: "FILE",
      description: 'Write one line per rejected event: {"line":N,"code":"...","offset":N}',
    },
    { name: "max-depth", type: "string", value: "N", positiveInteger: true, description: "Deepest nesting accepted (default 64)" },
    {
      name: "max-event-bytes",
      type: "string",
      value: "N",
      positiveInteger: true,
      description: "Largest event in bytes, longer ones are rejected (default 16777216)",
    },
    HELP_OPTION,
  ],
  details: [
    "Each kept event is written as minified JSON on its own line; rejected events (malformed JSON,",
    "invalid UTF-8, duplicate keys, too deep, too large...) are left out. Blank lines are skipped.",
    "--errors lines give the 1-based input line, a code and a byte offset, never event content.",
    'A FILE of "-" means standard input or output. A summary (events in, kept, rejected by code)',
    "goes to standard error.",
    "",
    "Exit status: 0 when the input was filtered, even if events were rejected; 1 when a file cannot",
    "be read or written or the policy is invalid; 2 for bad arguments.",
  ],
};

interface FilterArgs {
  policy: string;
  input: string | undefined;
  output: string | undefined;
  errors: string | undefined;
  maxDepth: number | undefined;
  maxEventBytes: number | undefined;
}

function filterArgs(values: ParsedOptions): FilterArgs {
  const policy = stringOption(values, "policy");
  if (policy === undefined) throw new UsageError("option --policy FILE is required", "filter");
  const args: FilterArgs = {
    policy,
    input: stringOption(values, "input"),
    output: stringOption(values, "output"),
    errors: stringOption(values, "errors"),
    maxDepth: numberOption(values, "max-depth"),
    maxEventBytes: numberOption(values, "max-event-bytes"),
  };
  if (args.errors !== undefined && isStdio(args.errors)) {
    throw new UsageError('option --errors needs a file name, not "-"', "filter");
  }
  if (args.errors !== undefined && args.output !== undefined && args.errors === args.output) {
    throw new UsageError("options --output and --errors name the same file", "filter");
  }
  return args;
}

async function loadFilter(args: FilterArgs): Promise<BatchFilter> {
  let text: string;
  try {
    text = await readFile(args.policy, "utf8");
  } catch (error) {
    throw fileError("read", "policy file", args.policy, error);
  }
  let policy;
  try {
    policy = parsePolicyText(text, args.policy);
  } catch (error) {
    if (error instanceof PolicyError) throw new CliError(oneLine(error.message));
    throw error;
  }
  const options: FilterOptions = {};
  if (args.maxDepth !== undefined) options.maxDepth = args.maxDepth;
  if (args.maxEventBytes !== undefined) options.maxEventBytes = args.maxEventBytes;
  try {
    return await createFilter(policy, options);
  } catch (error) {
    // The engine checks the limits' ranges; name the option it came from.
    const limit = error instanceof RangeError ? /^(maxDepth|maxEventBytes) (must .*)$/.exec(error.message) : null;
    if (limit !== null) {
      throw new UsageError(`option ${limit[1] === "maxDepth" ? "--max-depth" : "--max-event-bytes"} ${limit[2]}`, "filter");
    }
    throw new CliError(`cannot create the filter: ${oneLine(error instanceof Error ? error.message : String(error))}`);
  }
}

/** Pump the input through the session into the sinks, awaiting each write (backpressure). */
async function pump(input: Input, session: FilterSession, output: OutputSink, errors: OutputSink | undefined): Promise<void> {
  const emit = async (batches: ReturnType<FilterSession["push"]>): Promise<void> => {
    for (const batch of batches) {
      if (batch.output.length > 0) await output.write(batch.output);
      if (errors !== undefined && batch.rejected.length > 0) {
        await errors.write(batch.rejected.map(rejectionLine).join(""));
      }
    }
  };
  for await (const chunk of input.chunks()) await emit(session.push(chunk));
  await emit(session.finish());
}

export async function runFilter(values: ParsedOptions, context: CliContext): Promise<FilterStats> {
  const args = filterArgs(values);
  const filter = await loadFilter(args);
  const input = await openInput(args.input, context.stdin);
  const sinks: OutputSink[] = [];
  try {
    const output = isStdio(args.output)
      ? OutputSink.stdout(context.stdout)
      : await OutputSink.file(args.output as string, "output file", [input]);
    sinks.push(output);
    let errors: OutputSink | undefined;
    if (args.errors !== undefined) {
      errors = await OutputSink.file(args.errors, "errors file", [
        input,
        { label: output.label, identity: await output.identity() },
      ]);
      sinks.push(errors);
    }
    const sessionOptions: { batchBytes?: number } = {};
    if (context.batchBytes !== undefined) sessionOptions.batchBytes = context.batchBytes;
    const session = new FilterSession(filter, sessionOptions);
    await pump(input, session, output, errors);
    for (const sink of sinks) await sink.close();
    context.stderr.write(`${PROGRAM}: ${formatSummary(session.stats)}\n`);
    return session.stats;
  } finally {
    input.close();
    for (const sink of sinks) sink.abort();
  }
}
