/**
 * `hipaa-sieve nats`: run as one member of a NATS JetStream consumer group (src/nats/runner.ts does the
 * work). Here: the options and help, loading what events are filtered with, --watch, signals (SIGTERM or
 * SIGINT drains, a second one abandons the batch in flight), and the summary.
 */
import { readFile, writeFile } from "node:fs/promises";
import type { AccountsConfig } from "../accounts/config.js";
import type { AccountsFilter } from "../engine/accounts-filter.js";
import { watchForChanges, type FileWatch } from "./filter/file-watch.js";
import { HELP_OPTION, flag, numberOption, stringOption, type CommandSpec, type ParsedOptions } from "./args.js";
import type { CliContext } from "./context.js";
import { CliError, ProblemsError, UsageError, fileError, oneLine } from "./errors.js";
import { PROGRAM } from "./help.js";
import { accountsFilter, loadAccountsFile, loadPolicyFile, loadPreset, parseAccounts, policyFilter } from "./load.js";
import type { FilterBase, FilterOptions } from "../engine/engine.js";
import type { Command } from "./run.js";
import { NatsSetupError } from "../nats/consumer-setup.js";
import { formatNatsSummary } from "../nats/run-stats.js";
import { startNatsFilter, type NatsFilterRun } from "../nats/runner.js";

export const natsSpec: CommandSpec = {
  name: "nats",
  summary: "Filter a NATS JetStream stream as one member of a consumer group, exactly once",
  usage: [
    "nats --servers URLS --in-stream NAME --consumer NAME --out-subject SUBJECT",
    "     (--accounts FILE | --policy FILE | --preset NAME) [--errors-subject SUBJECT]",
    "     [--rejects-subject SUBJECT] [--batch N] [--watch] [--stats-json FILE] [--ack-wait SECONDS]",
    "     [--max-ack-pending N] [--max-depth N] [--max-event-bytes N]",
  ],
  options: [
    { name: "servers", type: "string", value: "URLS", description: "NATS server URLs, comma-separated (nats://127.0.0.1:4222,...)" },
    { name: "in-stream", type: "string", value: "NAME", description: "The stream holding the events, one per message" },
    { name: "consumer", type: "string", value: "NAME", description: "Durable pull consumer shared by every process of the group" },
    { name: "out-subject", type: "string", value: "SUBJECT", description: "Where kept events are published (a stream must store it)" },
    { name: "accounts", type: "string", value: "FILE", description: "Accounts configuration (JSON): each event is routed by its account" },
    { name: "policy", type: "string", value: "FILE", description: "One policy file for every event" },
    { name: "preset", type: "string", value: "NAME", description: 'One built-in policy for every event (see "hipaa-sieve presets")' },
    {
      name: "errors-subject",
      type: "string",
      value: "SUBJECT",
      description: 'One record per rejected event: {"stream","seq","code","offset","account"}, no content',
    },
    {
      name: "rejects-subject",
      type: "string",
      value: "SUBJECT",
      description: "Publish the RAW BYTES of rejected events there. MAY CONTAIN PHI",
    },
    { name: "batch", type: "string", value: "N", positiveInteger: true, description: "Messages per fetch and engine call (default 500)" },
    { name: "watch", type: "boolean", description: "Reload the --accounts file when it changes (between two batches)" },
    { name: "stats-json", type: "string", value: "FILE", description: "Write the summary as JSON when the run ends" },
    {
      name: "ack-wait",
      type: "string",
      value: "SECONDS",
      positiveInteger: true,
      description: "The consumer's ack wait: checked if it exists, used if created (default 30)",
    },
    {
      name: "max-ack-pending",
      type: "string",
      value: "N",
      positiveInteger: true,
      description: "The consumer's max ack pending: checked if it exists, used if created (default 10000)",
    },
    { name: "max-depth", type: "string", value: "N", positiveInteger: true, description: "Deepest nesting accepted (default 64)" },
    { name: "max-event-bytes", type: "string", value: "N", positiveInteger: true, description: "Largest event in bytes (default 16777216)" },
    HELP_OPTION,
  ],
  details: [
    "Every process started with the same --in-stream and --consumer shares the work: the server hands each",
    "message to one of them. Each batch is filtered in one engine call; each kept event is published on",
    "--out-subject with the message id STREAM:SEQUENCE (its input stream and sequence), and the input",
    "message is acked only once the server stored everything it produced. A process that dies leaves its",
    "unacked messages to be redelivered after the ack wait; the output stream's duplicate window drops",
    "their second publish. Input headers are not copied to the output (they are not filtered).",
    "",
    "The consumer is created when missing. One that exists with other settings (a push consumer, an ack",
    "policy other than explicit, a max_deliver limit, or another --ack-wait / --max-ack-pending than asked",
    "for) is refused. Each output subject must be stored by a stream whose duplicate window is at least",
    "twice the ack wait.",
    "",
    "--errors-subject records hold the input stream and sequence, the code, the byte offset and the",
    "account when it is a configured one: never content. --rejects-subject publishes the rejected events'",
    "raw bytes: it MAY CONTAIN PHI. Without --errors-subject rejected events are only counted.",
    "",
    "When the servers or an output stream are unavailable, the process retries with backoff and jitter,",
    "and nothing is acked meanwhile. SIGTERM or SIGINT drains: stop pulling, finish the batch in flight,",
    "ack, close, print the summary. A second signal (once \"stopping\" is reported) hands the batch in",
    "flight back for redelivery instead.",
    "",
    "Exit status: 0 after a drained stop; 1 for invalid configuration files or consumer and stream",
    "settings that cannot give exactly-once; 2 for bad arguments.",
  ],
};

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

async function runNats(values: ParsedOptions, _positionals: string[], context: CliContext): Promise<number> {
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

export const natsCommand: Command = { ...natsSpec, run: runNats };
