/** `hipaa-sieve presets`: the built-in policies, with their versions. */
import { PRESETS, findPreset } from "../policy/presets.js";
import { HELP_OPTION, type CommandSpec, type ParsedOptions } from "./args.js";
import { print, type CliContext } from "./context.js";
import { wrap } from "./help.js";

export const presetsSpec: CommandSpec = {
  name: "presets",
  summary: "List the built-in policies (presets) and their versions",
  usage: ["presets"],
  options: [HELP_OPTION],
  details: [
    "Each preset has a name and a version: its id is NAME@VERSION. A bare NAME means the newest",
    'version (marked "newest"); an id pins one version. Both work with filter --preset, explain',
    '--preset, and as a policy in an accounts file ("defaultPolicy", an account\'s "policy").',
    '"hipaa-sieve explain --preset NAME" shows what a preset keeps.',
    "",
    "Exit status: 0; 2 for a bad command line.",
  ],
};

/** One block per preset: its id, "(newest)" on the newest version of each name, the description indented. */
export function presetsText(): string {
  const blocks = PRESETS.map((p) => {
    const newest = findPreset(p.name)?.id === p.id;
    return [`${p.id}${newest ? "  (newest)" : ""}`, ...wrap(p.description, 92).map((l) => `    ${l}`)].join("\n");
  });
  return blocks.join("\n\n") + "\n\nA bare name means its newest version; NAME@VERSION pins one.\n";
}

export async function runPresets(_values: ParsedOptions, _positionals: string[], context: CliContext): Promise<number> {
  await print(context.stdout, presetsText());
  return 0;
}
