/**
 * `hipaa-sieve filter`: set up a run (check the options, open the input, load the configuration, then
 * open the outputs, in that order, so that nothing is created or truncated when something is wrong;
 * a piped input's reader thread starts while the configuration loads), pump
 * the input through, then write the statistics and the summary. A run stopped early (a signal, standard
 * output closed by its reader) still writes them, saying so. Options: options.ts; the loop: pump.ts.
 */
import { auditRecords } from "../../accounts/audit.js";
import type { BatchFilter } from "../../stream/line-batcher.js";
import type { AccountsConfig } from "../../accounts/config.js";
import type { ParsedOptions } from "../args.js";
import { AuditLog } from "./audit-log.js";
import type { CliContext } from "../context.js";
import { filterArgs, type FilterArgs } from "./options.js";
import { FilterSlot } from "./filter-slot.js";
import { PROGRAM } from "../help.js";
import { AtomicFile } from "./atomic-file.js";
import { BrokenPipe, CliError, EXIT_BROKEN_PIPE, EXIT_OK, oneLine } from "../errors.js";
import { createFilterPool, type FilterPool, type FilterPoolConfig } from "../../pool/filter-pool.js";
import { Interrupt, signalExitCode } from "./interrupt.js";
import { OutputSink, isStdio, openInput, pathIdentity, type FileIdentity, type Input, type OpenOptions } from "./io.js";
import { accountsFilter, loadAccountsFile, loadPolicyFile, loadPreset, policyFilter } from "../load.js";
import { Progress } from "./progress.js";
import { pump } from "./pump.js";
import { Reloader, type LiveAccounts } from "./reloader.js";
import { formatSummary, newRunStats, statsDocument, stopLine, type RunConfiguration, type StopReason } from "./stats.js";
import { misconfigurationWarnings } from "./warnings.js";


/** What the run filters with. */
interface Loaded {
  filter: BatchFilter & { readonly limits: { readonly maxEventBytes: number } };
  /** With --accounts: the configuration and the text it was read from (--watch compares against it). */
  accounts?: { config: AccountsConfig; text: string };
  configuration: RunConfiguration;
  /** The same, for a pool's workers (--workers N > 1). */
  poolConfig: FilterPoolConfig;
}

async function load(args: FilterArgs): Promise<Loaded> {
  const source = args.source;
  switch (source.kind) {
    case "policy": {
      const policy = await loadPolicyFile(source.file);
      const filter = await policyFilter(policy, args.limits, "filter");
      return { filter, configuration: { kind: "policy", file: source.file, name: policy.name }, poolConfig: policy };
    }
    case "preset": {
      const policy = loadPreset(source.name, "filter");
      const filter = await policyFilter(policy, args.limits, "filter");
      return { filter, configuration: { kind: "preset", preset: policy.name }, poolConfig: policy };
    }
    case "accounts": {
      const { config, text } = await loadAccountsFile(source.file);
      const filter = await accountsFilter(config, args.limits, "filter");
      return {
        filter,
        accounts: { config, text },
        configuration: { kind: "accounts", file: source.file, digest: config.digest, reloads: 0 },
        poolConfig: config,
      };
    }
  }
}

interface Outputs {
  output: OutputSink;
  errors: OutputSink | undefined;
  rejects: OutputSink | undefined;
  statsJson: OutputSink | AtomicFile | undefined;
  audit: AuditLog | undefined;
  /** Every sink, in the order to close them (the --stats-json file is not one: it is committed). */
  all: OutputSink[];
}

/**
 * Open the outputs. None may be the input, the configuration file, or another output (checked by file
 * identity, before the file is truncated). "-" is standard output (options.ts lets one output at most
 * have it). On failure the ones already opened are in `opened`.
 */
async function openOutputs(
  args: FilterArgs,
  input: Input,
  context: CliContext,
  opened: { sinks: OutputSink[]; statsJson?: AtomicFile },
): Promise<Outputs> {
  const avoid: { label: string; identity: FileIdentity | undefined }[] = [input];
  if (args.source.kind !== "preset") {
    avoid.push({ label: `${args.source.kind} file`, identity: await pathIdentity(args.source.file) });
  }
  const open = async (path: string, what: string, options: OpenOptions = {}): Promise<OutputSink> => {
    const sink = isStdio(path) ? OutputSink.stdout(context.stdout) : await OutputSink.file(path, what, avoid, options);
    opened.sinks.push(sink);
    avoid.push({ label: sink.label, identity: await sink.identity() });
    return sink;
  };
  const output = await open(args.output ?? "-", "output file");
  const errors = args.errors !== undefined ? await open(args.errors, "errors file") : undefined;
  // Raw event bytes, possibly PHI: readable by the owner only.
  const rejects = args.rejects !== undefined ? await open(args.rejects, "rejects file", { mode: 0o600 }) : undefined;
  let statsJson: OutputSink | AtomicFile | undefined;
  if (args.statsJson === "-") {
    statsJson = await open(args.statsJson, "stats file");
  } else if (args.statsJson !== undefined) {
    const file = await AtomicFile.create(args.statsJson, "stats file", avoid);
    opened.statsJson = file;
    avoid.push({ label: file.label, identity: await file.identity() });
    statsJson = file;
  }
  const audit = args.audit !== undefined ? new AuditLog(await open(args.audit, "audit file", { append: true })) : undefined;
  return { output, errors, rejects, statsJson, audit, all: opened.sinks };
}

/** Runs `filter`; resolves to the exit code (0, or 128 + N when stopped by signal N, 141 on a broken pipe). */
export async function runFilter(values: ParsedOptions, context: CliContext): Promise<number> {
  const args = filterArgs(values);
  const input = await openInput(args.input, { stream: () => context.stdin, fd: context.stdinFd });
  let loaded: Loaded;
  try {
    loaded = await load(args);
  } catch (error) {
    input.close();
    throw error;
  }
  const opened: { sinks: OutputSink[]; statsJson?: AtomicFile } = { sinks: [] };
  // From here on a signal no longer kills the process: it stops the run (see interrupt.ts).
  const interrupt = new Interrupt(context.signals);
  let reloader: Reloader | undefined;
  let pool: FilterPool | undefined;
  try {
    // Before any output is created: a pool that cannot start leaves nothing behind.
    if (args.workers > 1) pool = await startPool(loaded.poolConfig, args);
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
    let stop: StopReason | undefined;
    try {
      const complete = await pump({
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
        interrupt,
        pool,
        swapConfig: () => slot.current.config as AccountsConfig,
      });
      if (!complete) stop = interrupt.signal;
    } catch (error) {
      // A reader of standard output gone away (| head) ends the run, not its report.
      if (!(error instanceof BrokenPipe)) throw error;
      stop = "EPIPE";
    }
    if (live !== undefined) {
      await live.stop();
      if (loaded.configuration.kind === "accounts") {
        loaded.configuration.reloads = live.reloads;
        loaded.configuration.digest = (slot.current.config as AccountsConfig).digest;
      }
    }
    if (out.statsJson !== undefined) {
      const text = JSON.stringify(statsDocument(stats, args.format, loaded.configuration, stop), null, 2) + "\n";
      if (out.statsJson instanceof AtomicFile) await out.statsJson.commit(text);
      else await out.statsJson.write(text).catch(ignoreBrokenPipe);
    }
    for (const sink of out.all) await sink.close().catch(stop === "EPIPE" ? ignoreBrokenPipe : rethrow);
    const lines = [...formatSummary(stats), ...misconfigurationWarnings(stats, loaded.configuration, slot.current.config?.accountKey)];
    if (stop !== undefined) lines.push(stopLine(stop));
    context.stderr.write(lines.map((line) => `${PROGRAM}: ${line}\n`).join(""));
    if (stop === undefined) return EXIT_OK;
    return stop === "EPIPE" ? EXIT_BROKEN_PIPE : signalExitCode(stop);
  } finally {
    interrupt.dispose();
    await pool?.close();
    await reloader?.stop().catch(() => {});
    input.close();
    for (const sink of opened.sinks) sink.abort();
    await opened.statsJson?.abort();
  }
}

async function startPool(config: FilterPoolConfig, args: FilterArgs): Promise<FilterPool> {
  try {
    return await createFilterPool(config, { ...args.limits, workers: args.workers });
  } catch (error) {
    throw new CliError(`cannot start ${args.workers} worker threads: ${oneLine(error instanceof Error ? error.message : String(error))}`);
  }
}

function ignoreBrokenPipe(error: unknown): void {
  if (!(error instanceof BrokenPipe)) throw error;
}

function rethrow(error: unknown): never {
  throw error;
}
