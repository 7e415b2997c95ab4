/**
 * Noticing that a file changed: `fs.watch` on its directory (so that an editor replacing the file by a
 * rename is seen too) plus `fs.watchFile` polling as a fallback where watching is not available or
 * misses events (network file systems, some containers). Notifications are debounced: a burst of events
 * (truncate, write, rename) gives one call. Neither keeps the process alive.
 */
import { watch, watchFile, unwatchFile, type FSWatcher, type Stats } from "node:fs";
import { basename, dirname, resolve } from "node:path";

export interface WatchOptions {
  /** Quiet time after the last event before `onChange` is called (default 100 ms). */
  debounceMs?: number;
  /** Polling interval of the fallback (default 1000 ms). */
  pollMs?: number;
}

export interface FileWatch {
  close(): void;
}

export function watchForChanges(path: string, onChange: () => void, options: WatchOptions = {}): FileWatch {
  const debounceMs = options.debounceMs ?? 100;
  const pollMs = options.pollMs ?? 1000;
  const file = resolve(path);
  const name = basename(file);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const changed = (): void => {
    if (closed) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!closed) onChange();
    }, debounceMs);
    timer.unref();
  };

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(file), { persistent: false }, (_event, filename) => {
      if (filename === null || filename === undefined || filename.toString() === name) changed();
    });
    watcher.on("error", () => {
      watcher?.close();
      watcher = undefined;
    });
  } catch {
    watcher = undefined; // polling alone
  }

  const poll = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs !== previous.mtimeMs || current.size !== previous.size || current.ino !== previous.ino) changed();
  };
  watchFile(file, { persistent: false, interval: pollMs }, poll);

  return {
    close() {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      watcher?.close();
      unwatchFile(file, poll);
    },
  };
}
