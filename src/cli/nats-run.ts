/**
 * `hipaa-sieve nats` at work: one member of a NATS JetStream consumer group (src/nats/runner.ts does the
 * work). Here: the options checked, loading what events are filtered with, --watch, signals (SIGTERM or
 * SIGINT drains, a second one abandons the batch in flight), and the summary.
 */
import { readFile, writeFile } from "node:fs/promises";
import type { AccountsConfig } from "../accounts/config.js";
import type { AccountsFilter } from "../engine/accounts-filter.js";
import { watchForChanges, type FileWatch } from "./filter/file-watch.js";
import { flag, numberOption, stringOption, type ParsedOptions } from "./args.js";
import type { CliContext } from "./context.js";
import { CliError, ProblemsError, UsageError, fileError, oneLine } from "./errors.js";
import { PROGRAM } from "./help.js";
import { accountsFilter, loadAccountsFile, loadPolicyFile, loadPreset, parseAccounts, policyFilter } from "./load.js";
import type { FilterBase, FilterOptions } from "../engine/engine.js";
import { NatsSetupError } from "../nats/consumer-setup.js";
import { formatNatsSummary } from "../nats/run-stats.js";
import { startNatsFilter, type NatsFilterRun } from "../nats/runner.js";

interface NatsArgs {
  servers: string[];
  inStream: string;
  consumer: string;
  outSubject: string;
  errorsSubject: string | undefined;
  rejectsSubject: string | undefined;
  source: { kind: "accounts"; file: string } | { kind: "policy"; file: string } | { kind: "preset"; name: string };
  batch: number | undefined;
  watch: boolean;
  statsJson: string | undefined;
  ackWaitMs: number | undefined;
  maxAckPending: number | undefined;
  limits: FilterOptions;
}

function required(values: ParsedOptions, name: string): string {
  const v = stringOption(values, name);
  if (v === undefined) throw new UsageError(`option --${name} is required`, "nats");
  return v;
}

function natsArgs(values: ParsedOptions): NatsArgs {
  const servers = required(values, "servers").split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (servers.length === 0) throw new UsageError("option --servers needs at least one URL", "nats");
  const given = (["accounts", "policy", "preset"] as const).filter((name) => stringOption(values, name) !== undefined);
  if (given.length !== 1) {
    throw new UsageError(
      given.length === 0 ? "one of --accounts FILE, --policy FILE or --preset NAME is required"
        : `options ${given.map((g) => `--${g}`).join(" and ")} cannot be used together (give exactly one)`,
      "nats",
    );
  }
  const which = given[0] as "accounts" | "policy" | "preset";
  const value = stringOption(values, which) as string;
  const watch = flag(values, "watch");
  if (watch && which !== "accounts") throw new UsageError("option --watch needs --accounts FILE", "nats");
  const subjects = ["out-subject", "errors-subject", "rejects-subject"].map((n) => stringOption(values, n)).filter((s) => s !== undefined);
  if (new Set(subjects).size !== subjects.length) {
    throw new UsageError("options --out-subject, --errors-subject and --rejects-subject must be different subjects", "nats");
  }
  const limits: FilterOptions = {};
  const maxDepth = numberOption(values, "max-depth");
  const maxEventBytes = numberOption(values, "max-event-bytes");
  if (maxDepth !== undefined) limits.maxDepth = maxDepth;
  if (maxEventBytes !== undefined) limits.maxEventBytes = maxEventBytes;
  const ackWait = numberOption(values, "ack-wait");
  return {
    servers,
    inStream: required(values, "in-stream"),
    consumer: required(values, "consumer"),
    outSubject: required(values, "out-subject"),
    errorsSubject: stringOption(values, "errors-subject"),
    rejectsSubject: stringOption(values, "rejects-subject"),
    source: which === "preset" ? { kind: "preset", name: value } : which === "policy" ? { kind: "policy", file: value } : { kind: "accounts", file: value },
    batch: numberOption(values, "batch"),
    watch,
    statsJson: stringOption(values, "stats-json"),
    ackWaitMs: ackWait !== undefined ? ackWait * 1000 : undefined,
    maxAckPending: numberOption(values, "max-ack-pending"),
    limits,
  };
}

/**
 * `--watch`: when the accounts file changes, validate it and build its filter, then hand it over; the runner
 * takes the filter in use once per batch, so the swap lands between two batches and each batch is filtered
 * by exactly one configuration. A file with problems changes nothing: the configuration in use stays, and
 * each problem is reported. Reloads run one at a time; a change noticed during one triggers one more.
 * (Here, in the CLI, because it reads files: src/nats/ uses no Node built-ins of its own.)
 */
interface AccountsWatchOptions {
  path: string;
  /** The text the configuration in use was read from. */
  text: string;
  digest: string;
  limits: FilterOptions;
  /** Called with each new configuration's filter, ready to use. */
  swap: (filter: AccountsFilter, config: AccountsConfig) => void;
  /** One line for stderr (no program prefix). */
  report: (line: string) => void;
}

interface AccountsWatch {
  /** Stop watching; waits for a reload under way (whose result is then dropped). */
  close(): Promise<void>;
}

function watchAccounts(options: AccountsWatchOptions): AccountsWatch {
  let lastText = options.text;
  let digest = options.digest;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const reload = async (): Promise<void> => {
    let text: string;
    try {
      text = await readFile(options.path, "utf8");
    } catch (error) {
      if (!closed) options.report(`kept the previous configuration: ${fileError("read", "accounts file", options.path, error).message}`);
      return;
    }
    if (text === lastText || closed) return;
    lastText = text;
    try {
      const config = await parseAccounts(text, options.path);
      if (config.digest === digest) return;
      const filter = await accountsFilter(config, options.limits, "nats");
      if (closed) return;
      digest = config.digest;
      options.swap(filter, config);
      options.report(`loaded the changed accounts file ${JSON.stringify(options.path)} (${config.digest})`);
    } catch (error) {
      const problems = error instanceof ProblemsError ? [...error.lines] : [oneLine(error instanceof Error ? error.message : String(error))];
      if (!closed) for (const p of problems) options.report(`kept the previous configuration: ${p}`);
    }
  };

  const changed = (): void => {
    if (closed) return;
    if (running !== undefined) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await reload();
      } while (again && !closed);
    })().finally(() => {
      running = undefined;
    });
  };

  const watch: FileWatch = watchForChanges(options.path, changed);
  // A change between the first load and the start of watching would go unnoticed: look once now.
  changed();
  return {
    async close() {
      closed = true;
      watch.close();
      await running;
    },
  };
}

export async function runNats(values: ParsedOptions, _positionals: string[], context: CliContext): Promise<number> {
  const args = natsArgs(values);
  const say = (line: string): void => {
    context.stderr.write(`${PROGRAM}: ${line}\n`);
  };

  let filter: FilterBase;
  let watch: AccountsWatch | undefined;
  let run: NatsFilterRun | undefined;
  const source = args.source;
  if (source.kind === "accounts") {
    const { config, text } = await loadAccountsFile(source.file);
    filter = await accountsFilter(config, args.limits, "nats");
    if (args.watch) {
      watch = watchAccounts({
        path: source.file, text, digest: config.digest, limits: args.limits, report: say,
        swap: (next) => {
          filter = next;
          if (run !== undefined) run.stats.reloads++;
        },
      });
    }
  } else {
    const policy = source.kind === "policy" ? await loadPolicyFile(source.file) : loadPreset(source.name, "nats");
    filter = await policyFilter(policy, args.limits, "nats");
  }

  const consumerSettings: { ackWaitMs?: number; maxAckPending?: number } = {};
  if (args.ackWaitMs !== undefined) consumerSettings.ackWaitMs = args.ackWaitMs;
  if (args.maxAckPending !== undefined) consumerSettings.maxAckPending = args.maxAckPending;
  const options: Parameters<typeof startNatsFilter>[0] = {
    servers: args.servers,
    inStream: args.inStream,
    consumer: args.consumer,
    outSubject: args.outSubject,
    filter: () => filter,
    consumerSettings,
    report: say,
  };
  if (args.errorsSubject !== undefined) options.errorsSubject = args.errorsSubject;
  if (args.rejectsSubject !== undefined) options.rejectsSubject = args.rejectsSubject;
  if (args.batch !== undefined) options.batch = args.batch;

  const started = startNatsFilter(options);
  run = started;
  const onSignal = (): void => started.stop();
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  try {
    const stats = await started.done;
    if (args.statsJson !== undefined) {
      try {
        await writeFile(args.statsJson, JSON.stringify(stats, null, 2) + "\n");
      } catch (error) {
        throw fileError("write", "stats file", args.statsJson, error);
      }
    }
    context.stderr.write(formatNatsSummary(stats).map((line) => `${PROGRAM}: ${line}\n`).join(""));
    return 0;
  } catch (error) {
    if (error instanceof NatsSetupError) throw new CliError(error.message);
    throw error;
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    await watch?.close();
  }
}

