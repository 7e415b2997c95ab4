/**
 * `--watch` for the nats command: when the accounts file changes, validate it and build its filter, then
 * hand it over; the runner takes the filter in use once per batch, so the swap lands between two batches
 * and each batch is filtered by exactly one configuration. A file with problems changes nothing: the
 * configuration in use stays, and each problem is reported. Reloads run one at a time; a change noticed
 * during one triggers one more.
 */
import { readFile } from "node:fs/promises";
import type { AccountsConfig } from "../accounts/config.js";
import type { AccountsFilter } from "../engine/accounts-filter.js";
import type { FilterOptions } from "../engine/engine.js";
import { ProblemsError, fileError, oneLine } from "../cli/errors.js";
import { watchForChanges, type FileWatch } from "../cli/filter/file-watch.js";
import { accountsFilter, parseAccounts } from "../cli/load.js";

export interface AccountsWatchOptions {
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

export interface AccountsWatch {
  /** Stop watching; waits for a reload under way (whose result is then dropped). */
  close(): Promise<void>;
}

export function watchAccounts(options: AccountsWatchOptions): AccountsWatch {
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
