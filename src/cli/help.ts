/** --help texts, generated from the command and option specs. */
import { HELP_OPTION, VERSION_OPTION, type CommandSpec, type OptionSpec } from "./args.js";

export const PROGRAM = "hipaa-sieve";

function optionLabel(o: OptionSpec): string {
  const long = `--${o.name}${o.value !== undefined ? ` ${o.value}` : ""}`;
  return o.short !== undefined ? `-${o.short}, ${long}` : `    ${long}`;
}

function table(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

export function programHelp(commands: CommandSpec[], version: string): string {
  return [
    `${PROGRAM} ${version}: keep an allowlist of attributes in contact-center JSON events`,
    "(Twilio TaskRouter, call reports) and drop everything else, PHI included.",
    "",
    `Usage: ${PROGRAM} <command> [options]`,
    `       ${PROGRAM} --help | --version`,
    "",
    "Commands:",
    ...table(commands.map((c) => [c.name, c.summary])),
    "",
    "Options:",
    ...table([HELP_OPTION, VERSION_OPTION].map((o) => [optionLabel(o), o.description])),
    "",
    `Run "${PROGRAM} <command> --help" for the options of a command.`,
    "",
  ].join("\n");
}

export function commandHelp(command: CommandSpec): string {
  // A usage line starting with a space continues the one above it.
  const usage = command.usage.map((u, i) =>
    u.startsWith(" ") ? `${" ".repeat(`Usage: ${PROGRAM}`.length)}${u}` : `${i === 0 ? "Usage: " : "       "}${PROGRAM} ${u}`,
  );
  return [
    ...usage,
    "",
    command.summary + ".",
    "",
    "Options:",
    ...table(command.options.map((o) => [optionLabel(o), o.description])),
    ...(command.details !== undefined ? ["", ...command.details] : []),
    "",
  ].join("\n");
}
