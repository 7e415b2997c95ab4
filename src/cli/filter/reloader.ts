/**
 * `--watch`: when the accounts file changes, validate it, build the new filter, and have the pump swap
 * it in between two batches. A file that cannot be used changes nothing: the configuration in use stays,
 * and each problem is reported on stderr (one line each) and in the audit log as an "error" record.
 * Reloads run one at a time; a change noticed during a reload triggers one more.
 */
import { auditRecords } from "../../accounts/audit.js";
import type { AccountsConfig } from "../../accounts/config.js";
import type { FilterOptions } from "../../engine/engine.js";
import type { AccountsFilter } from "../../engine/accounts-filter.js";
import type { AuditLog } from "./audit-log.js";
import { ProblemsError, oneLine } from "../errors.js";
import type { FilterSlot } from "./filter-slot.js";
import { accountsFilter, parseAccounts, readText } from "../load.js";
import { watchForChanges, type FileWatch, type WatchOptions } from "./file-watch.js";

export interface LiveAccounts {
  config: AccountsConfig;
  filter: AccountsFilter;
}

export interface ReloaderOptions {
  path: string;
  slot: FilterSlot<LiveAccounts>;
  filterOptions: FilterOptions;
  audit: AuditLog | undefined;
  /** Writes one line on stderr (the program prefix is added by the caller). */
  report: (line: string) => void;
  /** The text the configuration in use was read from. */
  text: string;
  watch?: WatchOptions;
}

export class Reloader {
  /** Configurations swapped in so far. */
  reloads = 0;
  private lastText: string;
  private running: Promise<void> | undefined = undefined;
  private again = false;
  private stopped = false;
  private failure: unknown = undefined;
  private watcher: FileWatch | undefined = undefined;

  constructor(private readonly options: ReloaderOptions) {
    this.lastText = options.text;
  }

  start(): void {
    this.watcher = watchForChanges(this.options.path, () => this.changed(), this.options.watch);
    // A change between the first load and the start of watching would go unnoticed: look once now.
    this.changed();
  }

  /** Throws what went wrong in the background (an audit log that cannot be written). */
  check(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /** Stop watching; waits for a reload in progress (its swap, if not applied yet, is dropped). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    await this.running;
    this.check();
  }

  private changed(): void {
    if (this.stopped) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = this.loop()
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => {
        this.running = undefined;
      });
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      await this.reload();
    } while (this.again && !this.stopped);
  }

  private async reload(): Promise<void> {
    const { path, slot } = this.options;
    let text: string;
    try {
      text = await readText(path, "accounts file");
    } catch (error) {
      await this.refuse([(error as Error).message]); // readText's errors are one line each
      return;
    }
    if (text === this.lastText || this.stopped) return;
    this.lastText = text;
    let config: AccountsConfig;
    let filter: AccountsFilter;
    try {
      config = await parseAccounts(text, path);
      filter = await accountsFilter(config, this.options.filterOptions, "filter");
    } catch (error) {
      if (error instanceof ProblemsError) await this.refuse([...error.lines]);
      else await this.refuse([oneLine(error instanceof Error ? error.message : String(error))]);
      return;
    }
    const previous = slot.current.config;
    if (config.digest === previous.digest || this.stopped) return;
    if (!(await slot.request({ config, filter }))) return;
    this.reloads++;
    const records = auditRecords(previous, config, new Date());
    const changes = records.filter((r) => r.event === "change").length;
    this.options.report(
      `loaded the changed accounts file ${JSON.stringify(path)} (${config.digest}): ${changes} account setting${changes === 1 ? "" : "s"} changed`,
    );
    await this.options.audit?.write(records);
  }

  private async refuse(problems: string[]): Promise<void> {
    if (this.stopped) return;
    for (const p of problems) this.options.report(`kept the previous configuration: ${p}`);
    await this.options.audit?.error(this.options.path, this.options.slot.current.config.digest, problems);
  }
}
