/** `hipaa-sieve check-config FILE`: validate an accounts file, as `filter --accounts` would load it. */
import type { AccountsConfig } from "../accounts/config.js";
import { HELP_OPTION, type CommandSpec, type ParsedOptions } from "./args.js";
import { print, type CliContext } from "./context.js";
import { UsageError } from "./errors.js";
import { accountsFilter, loadAccountsFile } from "./load.js";
import { plural } from "./help.js";

export const checkConfigSpec: CommandSpec = {
  name: "check-config",
  summary: "Validate an accounts configuration file",
  usage: ["check-config FILE"],
  options: [HELP_OPTION],
  details: [
    "Reads FILE as filter --accounts would, and builds its filter. When it can be used, prints one line",
    "on standard output: the accounts (and how many have HIPAA enabled), the policies, the default",
    "policy, what happens to unknown accounts, the account key and the configuration's digest (the",
    "one --audit records). Otherwise prints every problem on standard error, one per line, with the",
    "JSON path of the field at fault (or the line and column of a syntax error), what was expected and",
    "what was found.",
    "",
    "Exit status: 0 when the file is valid; 1 when it is not, or cannot be read (a bad file, even one",
    "naming an unknown preset); 2 for a bad command line (unknown options, a missing or extra FILE).",
  ],
};

export function configSummary(file: string, config: AccountsConfig): string {
  const hipaa = [...config.accounts.values()].filter((a) => a.hipaaEnabled).length;
  return [
    `${file}: OK`,
    `${plural(config.accounts.size, "account")} (${hipaa} with HIPAA enabled)`,
    `${plural(config.policies.size, "policy", "policies")} (${[...config.policies.keys()].join(", ")})`,
    `default policy ${config.defaultPolicy}`,
    `unknown accounts: ${config.unknownAccount}`,
    `account key ${config.accountKey}`,
    config.digest,
  ].join(", ");
}

export async function runCheckConfig(_values: ParsedOptions, positionals: string[], context: CliContext): Promise<number> {
  if (positionals.length === 0) throw new UsageError("missing the accounts FILE to check", "check-config");
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[1])}`, "check-config");
  const file = positionals[0] as string;
  const { config } = await loadAccountsFile(file);
  await accountsFilter(config, {}, "check-config");
  await print(context.stdout, configSummary(file, config) + "\n");
  return 0;
}
