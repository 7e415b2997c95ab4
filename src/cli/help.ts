/** --help texts, generated from the command and option specs; the version; small text helpers for messages. */
import { readFileSync } from "node:fs";
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

/** The package version, read from the package.json next to dist/ at run time. */
export function packageVersion(): string {
  try {
    const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
    const version = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === "string" ? version : "unknown";
  } catch {
    return "unknown";
  }
}

/** `1 event`, `2 events`. */
export function plural(n: number, one: string, many: string = one + "s"): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Words of `text` in lines of at most `width` characters (a longer word gets a line of its own). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line.length > 0 ? `${line} ${word}` : word;
    }
  }
  if (line.length > 0) lines.push(line);
  return lines;
}
