/**
 * The CLI's entry point as a function: `run(argv, context)` resolves to the exit code. It dispatches to
 * a command, prints help and version, and turns every error into one line on stderr.
 */
import type { Writable } from "node:stream";
import { VERSION_OPTION, HELP_OPTION, flag, parseOptions, type CommandSpec, type ParsedOptions } from "./args.js";
import { checkConfigSpec, runCheckConfig } from "./check-config.js";
import { explainSpec, runExplain } from "./explain.js";
import { natsCommand } from "./nats.js";
import { runFilter } from "./filter/command.js";
import { filterSpec } from "./filter/options.js";
import { presetsSpec, runPresets } from "./presets.js";
import { runScan, scanSpec } from "./scan.js";
import { serveCommand } from "./serve.js";
import { print, processContext, type CliContext } from "./context.js";
import { BrokenPipe, CliError, EXIT_BROKEN_PIPE, EXIT_FAILURE, EXIT_OK, ProblemsError, UsageError, errorCode, oneLine } from "./errors.js";
import { PROGRAM, commandHelp, packageVersion, programHelp } from "./help.js";

export type { CliContext } from "./context.js";

/** The commands: spec (options, help) and handler. New commands are added here. */
export interface Command extends CommandSpec {
  /** Runs the command; resolves to the exit code. Throws CliError for user errors. */
  run(values: ParsedOptions, positionals: string[], context: CliContext): Promise<number>;
  /** Does the command take positional arguments? */
  positionals?: boolean;
}

export const COMMANDS: Command[] = [
  {
    ...filterSpec,
    run: (values, _positionals, context) => runFilter(values, context),
  },
  { ...checkConfigSpec, run: runCheckConfig, positionals: true },
  { ...presetsSpec, run: runPresets },
  { ...explainSpec, run: runExplain },
  { ...scanSpec, run: runScan },
  natsCommand,
  serveCommand,
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}

async function dispatch(argv: string[], context: CliContext): Promise<number> {
  // Program options come before the command: `hipaa-sieve --version`, `hipaa-sieve --help filter`.
  let start = 0;
  while (start < argv.length && (argv[start] ?? "").startsWith("-") && argv[start] !== "-") start++;
  const global = parseOptions(argv.slice(0, start), [HELP_OPTION, VERSION_OPTION], undefined).values;
  let name = argv[start];
  const rest = argv.slice(start + 1);

  if (flag(global, "help") || name === "help") {
    if (name === "help") name = rest[0];
    const command = name === undefined ? undefined : findCommand(name);
    if (name !== undefined && command === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
    await print(context.stdout, command !== undefined ? commandHelp(command) : programHelp(COMMANDS, packageVersion()));
    return EXIT_OK;
  }
  if (flag(global, "version")) {
    await print(context.stdout, `${packageVersion()}\n`);
    return EXIT_OK;
  }
  if (name === undefined) throw new UsageError("missing command");
  const command = findCommand(name);
  if (command === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)}`);

  const { values, positionals } = parseOptions(rest, command.options, command.name, command.positionals === true);
  if (flag(values, "help")) {
    await print(context.stdout, commandHelp(command));
    return EXIT_OK;
  }
  return command.run(values, positionals, context);
}

/** Report an error as one line on stderr; returns the exit code. */
async function report(error: unknown, stderr: Writable): Promise<number> {
  if (error instanceof BrokenPipe) return EXIT_BROKEN_PIPE;
  if (error instanceof ProblemsError) {
    await print(stderr, error.lines.map((line) => `${PROGRAM}: ${line}\n`).join(""));
    return error.exitCode;
  }
  if (error instanceof CliError) {
    let line = `${PROGRAM}: ${oneLine(error.message)}`;
    if (error instanceof UsageError) {
      line += ` (see "${PROGRAM}${error.helpCommand !== undefined ? ` ${error.helpCommand}` : ""} --help")`;
    }
    await print(stderr, line + "\n");
    return error.exitCode;
  }
  // A bug, not a user error: still one line unless asked for details.
  const message = error instanceof Error ? error.message : String(error);
  const code = errorCode(error);
  await print(stderr, `${PROGRAM}: internal error: ${oneLine(message)}${code !== undefined ? ` (${code})` : ""}\n`);
  if (process.env["HIPAA_SIEVE_DEBUG"] && error instanceof Error && error.stack !== undefined) {
    await print(stderr, error.stack + "\n");
  }
  return EXIT_FAILURE;
}

/** Run the CLI with `argv` (without node and script). Never throws; resolves to the exit code. */
export async function run(argv: string[], context: CliContext = processContext()): Promise<number> {
  try {
    return await dispatch(argv, context);
  } catch (error) {
    return report(error, context.stderr);
  }
}
