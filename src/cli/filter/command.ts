/**
 * `hipaa-sieve filter`: set up a run (check the options, load the configuration, open the input, then
 * the outputs, in that order, so that nothing is created or truncated when something is wrong), pump
 * the input through, then write the summary. Options: filter-spec.ts; the loop: pump.ts.
 */
import { stat } from "node:fs/promises";
import { auditRecords } from "../../accounts/audit.js";
import type { BatchFilter } from "../../stream/line-batcher.js";
import type { AccountsConfig } from "../../accounts/config.js";
import type { ParsedOptions } from "../args.js";
import { AuditLog } from "./audit-log.js";
import type { CliContext } from "../context.js";
import { filterArgs, type FilterArgs } from "./options.js";
import { FilterSlot } from "./filter-slot.js";
import { PROGRAM } from "../help.js";
import { OutputSink, isStdio, openInput, type FileIdentity, type Input, type OpenOptions } from "./io.js";
import { accountsFilter, loadAccountsFile, loadPolicyFile, loadPreset, policyFilter } from "../load.js";
import { Progress } from "./progress.js";
import { pump } from "./pump.js";
import { Reloader, type LiveAccounts } from "./reloader.js";
import { formatSummary, newRunStats, statsDocument, type RunConfiguration, type RunStats } from "./stats.js";
import { misconfigurationWarnings } from "./warnings.js";


/** What the run filters with. */
interface Loaded {
  filter: BatchFilter & { readonly limits: { readonly maxEventBytes: number } };
  /** With --accounts: the configuration and the text it was read from (--watch compares against it). */
  accounts?: { config: AccountsConfig; text: string };
  configuration: RunConfiguration;
}

async function load(args: FilterArgs): Promise<Loaded> {
  const source = args.source;
  switch (source.kind) {
    case "policy": {
      const policy = await loadPolicyFile(source.file);
      const filter = await policyFilter(policy, args.limits, "filter");
      return { filter, configuration: { kind: "policy", file: source.file, name: policy.name } };
    }
    case "preset": {
      const policy = loadPreset(source.name, "filter");
      const filter = await policyFilter(policy, args.limits, "filter");
      return { filter, configuration: { kind: "preset", preset: policy.name } };
    }
    case "accounts": {
      const { config, text } = await loadAccountsFile(source.file);
      const filter = await accountsFilter(config, args.limits, "filter");
      return {
        filter,
        accounts: { config, text },
        configuration: { kind: "accounts", file: source.file, digest: config.digest, reloads: 0 },
      };
    }
  }
}

async function fileIdentity(path: string): Promise<FileIdentity | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? { dev: s.dev, ino: s.ino } : undefined;
  } catch {
    return undefined;
  }
}

interface Outputs {
  output: OutputSink;
  errors: OutputSink | undefined;
  rejects: OutputSink | undefined;
  statsJson: OutputSink | undefined;
  audit: AuditLog | undefined;
  /** Every sink, in the order to close them. */
  all: OutputSink[];
}

/**
 * Open the outputs. None may be the input, the configuration file, or another output (checked by file
 * identity, before the file is truncated). "-" is standard output (options.ts lets one output at most
 * have it). On failure the ones already opened are in `opened`.
 */
async function openOutputs(args: FilterArgs, input: Input, context: CliContext, opened: OutputSink[]): Promise<Outputs> {
  const avoid: { label: string; identity: FileIdentity | undefined }[] = [input];
  if (args.source.kind !== "preset") {
    avoid.push({ label: `${args.source.kind} file`, identity: await fileIdentity(args.source.file) });
  }
  const open = async (path: string, what: string, options: OpenOptions = {}): Promise<OutputSink> => {
    const sink = isStdio(path) ? OutputSink.stdout(context.stdout) : await OutputSink.file(path, what, avoid, options);
    opened.push(sink);
    avoid.push({ label: sink.label, identity: await sink.identity() });
    return sink;
  };
  const output = await open(args.output ?? "-", "output file");
  const errors = args.errors !== undefined ? await open(args.errors, "errors file") : undefined;
  // Raw event bytes, possibly PHI: readable by the owner only.
  const rejects = args.rejects !== undefined ? await open(args.rejects, "rejects file", { mode: 0o600 }) : undefined;
  const statsJson = args.statsJson !== undefined ? await open(args.statsJson, "stats file") : undefined;
  const audit = args.audit !== undefined ? new AuditLog(await open(args.audit, "audit file", { append: true })) : undefined;
  return { output, errors, rejects, statsJson, audit, all: opened };
}

export async function runFilter(values: ParsedOptions, context: CliContext): Promise<RunStats> {
  const args = filterArgs(values);
  const loaded = await load(args);
  const input = await openInput(args.input, context.stdin);
  const opened: OutputSink[] = [];
  let reloader: Reloader | undefined;
  try {
    const out = await openOutputs(args, input, context, opened);
    const progress = new Progress(context.stderr, input.size, PROGRAM);
    const stats = newRunStats(loaded.accounts !== undefined);
    const slot = new FilterSlot<{ filter: BatchFilter; config?: AccountsConfig }>({ filter: loaded.filter });

    if (loaded.accounts !== undefined) {
      slot.current.config = loaded.accounts.config;
      await out.audit?.write(auditRecords(null, loaded.accounts.config, new Date()));
      if (args.watch) {
        reloader = new Reloader({
          path: (args.source as { file: string }).file,
          slot: slot as FilterSlot<LiveAccounts>,
          filterOptions: args.limits,
          audit: out.audit,
          report: (line) => progress.message(`${PROGRAM}: ${line}`),
          text: loaded.accounts.text,
        });
        reloader.start();
      }
    }
    const live = reloader;
    await pump({
      input,
      format: args.format,
      slot,
      output: out.output,
      errors: out.errors,
      rejects: out.rejects,
      stats,
      progress,
      maxEventBytes: loaded.filter.limits.maxEventBytes,
      batchBytes: context.batchBytes,
      check: live !== undefined ? () => live.check() : undefined,
    });
    if (live !== undefined) {
      await live.stop();
      if (loaded.configuration.kind === "accounts") {
        loaded.configuration.reloads = live.reloads;
        loaded.configuration.digest = (slot.current.config as AccountsConfig).digest;
      }
    }
    if (out.statsJson !== undefined) {
      await out.statsJson.write(JSON.stringify(statsDocument(stats, args.format, loaded.configuration), null, 2) + "\n");
    }
    for (const sink of out.all) await sink.close();
    const lines = [...formatSummary(stats), ...misconfigurationWarnings(stats, loaded.configuration, slot.current.config?.accountKey)];
    context.stderr.write(lines.map((line) => `${PROGRAM}: ${line}\n`).join(""));
    return stats;
  } finally {
    await reloader?.stop().catch(() => {});
    input.close();
    for (const sink of opened) sink.abort();
  }
}
