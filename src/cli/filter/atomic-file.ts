/**
 * A file written whole or not at all (`--stats-json`): the text goes to a temporary file in the same
 * directory, which is flushed to disk and then renamed over the target. Whatever stops the run (an
 * error, a signal, a crash), the target is either left as it was or holds the complete new text; it is
 * never empty or cut short. The temporary file is created when the run starts, so that a directory
 * that cannot be written to is reported before any event is filtered.
 */
import { randomBytes } from "node:crypto";
import { open, rename, unlink, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileError } from "../errors.js";
import { checkOutputPath, pathIdentity, type FileIdentity } from "./io.js";

export class AtomicFile {
  private done = false;

  private constructor(
    private readonly path: string,
    private readonly what: string,
    private readonly temp: string,
    private readonly handle: FileHandle,
  ) {}

  /** `avoid`: files the target must not be (as for `OutputSink.file`). */
  static async create(path: string, what: string, avoid: { label: string; identity: FileIdentity | undefined }[]): Promise<AtomicFile> {
    await checkOutputPath(path, what, avoid);
    // Hidden, and unique: two runs writing the same target never share a temporary file.
    const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
    try {
      return new AtomicFile(path, what, temp, await open(temp, "wx", 0o666));
    } catch (error) {
      throw fileError("write", what, path, error);
    }
  }

  get label(): string {
    return `${this.what} ${JSON.stringify(this.path)}`;
  }

  /** The target's identity when it exists already (to keep other outputs from naming it). */
  identity(): Promise<FileIdentity | undefined> {
    return pathIdentity(this.path);
  }

  /** Write `text` and put it in place of the target. */
  async commit(text: string): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      await this.handle.writeFile(text);
      await this.handle.sync();
      await this.handle.close();
      await rename(this.temp, this.path);
    } catch (error) {
      await this.handle.close().catch(() => {});
      await unlink(this.temp).catch(() => {});
      throw fileError("write", this.what, this.path, error);
    }
  }

  /** Give up: the temporary file goes, the target stays as it was. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.handle.close().catch(() => {});
    await unlink(this.temp).catch(() => {});
  }
}
