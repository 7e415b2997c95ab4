/**
 * Standard error while filtering: a progress bar when it is a terminal (bytes read, events/s, and an
 * ETA when the input's size is known), nothing otherwise; and message lines (reloads, summary) that
 * never get mixed up with the bar.
 */
import type { Writable } from "node:stream";

/** Redraw at most this often. */
const REDRAW_MS = 200;
const BAR_WIDTH = 20;

type TtyLike = Writable & { isTTY?: boolean; columns?: number };

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

export class Progress {
  private readonly enabled: boolean;
  private readonly started = Date.now();
  private lastDraw = Date.now();
  private drawn = false;

  /** `total`: the input size in bytes when known. */
  constructor(
    private readonly stream: Writable,
    private readonly total: number | undefined,
    private readonly prefix: string,
  ) {
    this.enabled = (stream as TtyLike).isTTY === true;
  }

  /** Called as work progresses; redraws now and then (never when stderr is not a terminal). */
  update(bytes: number, events: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const seconds = (now - this.started) / 1000;
    const parts: string[] = [];
    if (this.total !== undefined && this.total > 0) {
      const fraction = Math.min(1, bytes / this.total);
      const filled = Math.round(fraction * BAR_WIDTH);
      parts.push(`[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%`);
      parts.push(`${formatBytes(bytes)} / ${formatBytes(this.total)}`);
    } else {
      parts.push(formatBytes(bytes));
    }
    if (seconds > 0) parts.push(`${Math.round(events / seconds).toLocaleString("en-US")} events/s`);
    if (this.total !== undefined && bytes > 0 && bytes < this.total && seconds > 0) {
      parts.push(`ETA ${formatDuration(((this.total - bytes) * seconds) / bytes)}`);
    }
    let line = `${this.prefix}: ${parts.join("  ")}`;
    const columns = (this.stream as TtyLike).columns;
    if (typeof columns === "number" && columns > 1 && line.length >= columns) line = line.slice(0, columns - 1);
    this.stream.write(`\r${line}\x1b[K`);
    this.drawn = true;
  }

  /** Erase the bar (before other output on stderr). */
  clear(): void {
    if (!this.drawn) return;
    this.stream.write("\r\x1b[K");
    this.drawn = false;
  }

  /** Write a line on stderr without garbling the bar; it is redrawn at the next update. */
  message(line: string): void {
    this.clear();
    this.stream.write(line.endsWith("\n") ? line : line + "\n");
    this.lastDraw = 0;
  }
}
