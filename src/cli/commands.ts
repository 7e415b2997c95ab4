/** The CLI's commands: spec (options, help) and handler. New commands are added here. */
import type { CommandSpec, ParsedOptions } from "./args.js";
import { checkConfigSpec, runCheckConfig } from "./check-config-command.js";
import type { CliContext } from "./context.js";
import { explainSpec, runExplain } from "./explain-command.js";
import { filterSpec, runFilter } from "./filter-command.js";
import { presetsSpec, runPresets } from "./presets-command.js";

export interface Command extends CommandSpec {
  /** Runs the command; resolves to the exit code. Throws CliError for user errors. */
  run(values: ParsedOptions, positionals: string[], context: CliContext): Promise<number>;
  /** Does the command take positional arguments? */
  positionals?: boolean;
}

export const COMMANDS: Command[] = [
  {
    ...filterSpec,
    async run(values, _positionals, context) {
      await runFilter(values, context);
      return 0;
    },
  },
  { ...checkConfigSpec, run: runCheckConfig, positionals: true },
  { ...presetsSpec, run: runPresets },
  { ...explainSpec, run: runExplain },
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}
