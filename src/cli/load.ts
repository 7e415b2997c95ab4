/**
 * Loading what the commands filter with: a policy file, a built-in preset, an accounts file; and
 * creating the engine for it. Every failure becomes a user error, one line per problem of a policy or
 * accounts file. Messages name files, fields and expectations, never event content.
 *
 * Exit status: a bad value given on the command line (an unknown --preset NAME) is a usage error (2);
 * a file that cannot be read or is not a valid configuration is a failure (1).
 */
import { readFile } from "node:fs/promises";
import { parsePolicyText, PolicyError, type CompiledPolicy } from "../policy/policy.js";
import { createFilter, type Filter, type FilterOptions } from "../engine/engine.js";
import { createAccountsFilter, type AccountsFilter } from "../engine/accounts-filter.js";
import { findPreset, presetPolicy, presetSuggestion } from "../policy/presets.js";
import { ConfigError, parseAccountsText, type AccountsConfig } from "../accounts/config.js";
import { problemLines, Problems } from "../policy/problems.js";
import { decodeStrictUtf8 } from "../policy/strict-utf8.js";
import { CliError, ProblemsError, UsageError, fileError, oneLine } from "./errors.js";
import { PROGRAM } from "./help.js";

/**
 * Read a configuration file as UTF-8 text, strictly; `what` names it in messages ("policy file"). Bytes that are
 * not UTF-8 are refused (one line, at their line and column) rather than read as U+FFFD.
 */
export async function readText(path: string, what: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw fileError("read", what, path, error);
  }
  const problems = new Problems();
  const text = decodeStrictUtf8(bytes, problems);
  if (text === undefined) throw new CliError(problemLines(path, problems.list).join(" "));
  return text;
}

/** A policy or accounts file's problems as CLI lines, one per problem: `accounts.json: accounts["AC01"].policy: unknown policy "x" (...)`. */
function problemsError(error: PolicyError | ConfigError): ProblemsError {
  return new ProblemsError(problemLines(error.source, error.problems).map(oneLine));
}

export async function loadPolicyFile(path: string): Promise<CompiledPolicy> {
  const text = await readText(path, "policy file");
  try {
    return parsePolicyText(text, path);
  } catch (error) {
    if (error instanceof PolicyError) throw problemsError(error);
    throw error;
  }
}

/** `--preset NAME`: an unknown name is a bad command-line value (exit 2), with the closest name when one is close. */
export function loadPreset(name: string, helpCommand: string): CompiledPolicy {
  if (findPreset(name) === undefined) {
    throw new UsageError(`unknown preset ${JSON.stringify(name)} (${presetSuggestion(name)}run "${PROGRAM} presets" for the list)`, helpCommand);
  }
  return presetPolicy(name);
}

/** Parse accounts text; a bad file is a ProblemsError, one line per problem. */
export async function parseAccounts(text: string, source: string): Promise<AccountsConfig> {
  try {
    return await parseAccountsText(text, source);
  } catch (error) {
    if (error instanceof ConfigError) throw problemsError(error);
    throw error;
  }
}

export async function loadAccountsFile(path: string): Promise<{ config: AccountsConfig; text: string }> {
  const text = await readText(path, "accounts file");
  return { config: await parseAccounts(text, path), text };
}

/** The engine's limit errors name the option they came from. */
function engineError(error: unknown, helpCommand: string): Error {
  const limit = error instanceof RangeError ? /^(maxDepth|maxEventBytes) (must .*)$/.exec(error.message) : null;
  if (limit !== null) {
    return new UsageError(`option ${limit[1] === "maxDepth" ? "--max-depth" : "--max-event-bytes"} ${limit[2]}`, helpCommand);
  }
  return new CliError(`cannot create the filter: ${oneLine(error instanceof Error ? error.message : String(error))}`);
}

export async function policyFilter(policy: CompiledPolicy, options: FilterOptions, helpCommand: string): Promise<Filter> {
  try {
    return await createFilter(policy, options);
  } catch (error) {
    throw engineError(error, helpCommand);
  }
}

export async function accountsFilter(config: AccountsConfig, options: FilterOptions, helpCommand: string): Promise<AccountsFilter> {
  try {
    return await createAccountsFilter(config, options);
  } catch (error) {
    throw engineError(error, helpCommand);
  }
}
