/**
 * File and standard stream I/O for the CLI: inputs read in chunks, outputs written with respect to
 * backpressure, and every failure turned into a one-line CliError naming the file.
 */
import { fstatSync, read, write, type Stats } from "node:fs";
import { open, stat } from "node:fs/promises";
import type { Readable, Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { PipeReader } from "../pipe-reader.js";
import { BrokenPipe, CliError, UsageError, errorCode, fileError, fsReason } from "../errors.js";

/** Read size for input files. */
export const READ_CHUNK_BYTES = 1 << 20;

export interface FileIdentity {
  dev: number;
  ino: number;
}

function identity(s: Stats): FileIdentity | undefined {
  // Only regular files can be clobbered by opening them for writing.
  return s.isFile() ? { dev: s.dev, ino: s.ino } : undefined;
}

/** True if `path` is a standard stream placeholder. */
export function isStdio(path: string | undefined): boolean {
  return path === undefined || path === "-";
}

export interface Input {
  /** For messages: `input file "x"` or `standard input`. */
  readonly label: string;
  readonly identity: FileIdentity | undefined;
  /** Size in bytes when known (a regular file), for progress and ETA. */
  readonly size: number | undefined;
  /** Chunks of the input; read errors come out as CliErrors naming the file. */
  chunks(): AsyncGenerator<Uint8Array>;
  /**
   * Where the input is a descriptor: reads straight into `target` (from its start), resolving to the
   * count, 0 at the end; read errors come out as CliErrors naming the file. Use this or chunks(), not both.
   */
  readonly readInto?: (target: Uint8Array) => Promise<number>;
  close(): void;
}

/** One read(2) of a regular file's `fd` into `target`. */
function readDescriptor(fd: number, target: Uint8Array): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    read(fd, target, 0, target.length, null, (error, bytesRead) => (error ? reject(error) : resolve(bytesRead)));
  });
}

/** The stats of a descriptor (standard input redirected from a file, a pipe), if it has any. */
function descriptorStats(fd: unknown): Stats | undefined {
  if (typeof fd !== "number") return undefined;
  try {
    return fstatSync(fd);
  } catch {
    return undefined;
  }
}

/**
 * Standard input. `stream()` gives the stream (made only when needed); `fd`, where given, is read
 * directly: a regular file (a redirection) by read(2) on the thread pool, a pipe by a reader thread of
 * its own (cli/pipe-reader.ts) where the system allows, so that its writer never waits while a
 * batch is filtered (through readInto, or through chunks() for a JSON array or a pool). Anything else (a terminal, a socket, a pipe where no reader thread can be had) is
 * read as a stream. Measured on 2 cores: read(2) calls of a pipe on the thread pool were slower than
 * the stream (a hand-off per 64 KiB the pipe holds).
 */
export interface StandardInput {
  stream: () => Readable;
  fd?: number | undefined;
}

export async function openInput(path: string | undefined, stdin: StandardInput): Promise<Input> {
  if (isStdio(path)) {
    const info = descriptorStats(stdin.fd ?? (stdin.stream() as Readable & { fd?: unknown }).fd);
    const direct = stdin.fd !== undefined && info?.isFile() === true;
    const fd = stdin.fd as number;
    // Started at once (a thread takes tens of milliseconds to start): it is ready when the first read
    // comes. From then on it is the pipe's only reader: chunks() reads through it too.
    const pipe = stdin.fd !== undefined && info?.isFIFO() === true ? PipeReader.open(fd) : undefined;
    pipe?.start();
    const fail = (error: unknown): CliError => new CliError(`cannot read standard input: ${fsReason(error)}`);
    let streamed = !direct && pipe === undefined;
    let readInto: ((target: Uint8Array) => Promise<number>) | undefined;
    if (direct) readInto = (target) => readDescriptor(fd, target).catch((error: unknown) => { throw fail(error); });
    else if (pipe !== undefined) readInto = (target) => pipe.readInto(target).catch((error: unknown) => { throw fail(error); });
    return {
      label: "standard input",
      identity: info !== undefined ? identity(info) : undefined,
      size: info?.isFile() === true ? info.size : undefined,
      async *chunks() {
        if (pipe !== undefined) {
          for (;;) {
            const chunk = new Uint8Array(READ_CHUNK_BYTES);
            const n = await (readInto as (target: Uint8Array) => Promise<number>)(chunk);
            if (n === 0) return;
            yield chunk.subarray(0, n);
          }
        }
        streamed = true;
        try {
          for await (const chunk of stdin.stream()) yield chunk as Uint8Array;
        } catch (error) {
          throw fail(error);
        }
      },
      ...(readInto !== undefined ? { readInto } : {}),
      // Stops the reading (a pending read ends), so that a run stopped early does not wait for more input.
      close() {
        pipe?.close();
        if (streamed) stdin.stream().destroy();
      },
    };
  }
  const file = path as string;
  let handle;
  try {
    handle = await open(file, "r");
  } catch (error) {
    throw fileError("read", "input file", file, error);
  }
  let info: Stats;
  try {
    info = await handle.stat();
  } catch (error) {
    await handle.close().catch(() => {});
    throw fileError("read", "input file", file, error);
  }
  if (info.isDirectory()) {
    await handle.close().catch(() => {});
    throw new CliError(`cannot read input file ${JSON.stringify(file)}: is a directory`);
  }
  const fileHandle = handle;
  let stream: ReturnType<typeof handle.createReadStream> | undefined;
  return {
    label: `input file ${JSON.stringify(file)}`,
    identity: identity(info),
    size: info.isFile() ? info.size : undefined,
    async *chunks() {
      stream = fileHandle.createReadStream({ highWaterMark: READ_CHUNK_BYTES });
      try {
        for await (const chunk of stream) yield chunk as Uint8Array;
      } catch (error) {
        throw fileError("read", "input file", file, error);
      }
    },
    // Through the handle, so that closing it waits for a read in flight.
    readInto: (target) => fileHandle.read(target, 0, target.length, null).then(
      (r) => r.bytesRead,
      (error: unknown) => {
        throw fileError("read", "input file", file, error);
      },
    ),
    close() {
      if (stream !== undefined) stream.destroy();
      else void fileHandle.close().catch(() => {});
    },
  };
}

export interface OpenOptions {
  /** Append instead of truncating (an audit log). */
  append?: boolean;
  /** Permission bits when the file is created (default 0o666 before umask). */
  mode?: number;
}

/**
 * Before an output file is opened: its stats if it exists (undefined if not). Throws if it is a directory
 * or one of the files in `avoid` (the input, the configuration, another output), so that nothing is
 * truncated by mistake.
 */
export async function checkOutputPath(
  path: string,
  what: string,
  avoid: { label: string; identity: FileIdentity | undefined }[],
): Promise<Stats | undefined> {
  let existing: Stats | undefined;
  try {
    existing = await stat(path);
  } catch (error) {
    if (errorCode(error) !== "ENOENT") throw fileError("write", what, path, error);
    return undefined;
  }
  if (existing.isDirectory()) throw new CliError(`cannot write ${what} ${JSON.stringify(path)}: is a directory`);
  const id = identity(existing);
  for (const other of avoid) {
    if (id !== undefined && other.identity !== undefined && id.dev === other.identity.dev && id.ino === other.identity.ino) {
      throw new UsageError(`${what} ${JSON.stringify(path)} is the same file as the ${other.label}`);
    }
  }
  return existing;
}

/** The identity of a regular file at `path`, if there is one. */
export async function pathIdentity(path: string): Promise<FileIdentity | undefined> {
  try {
    return identity(await stat(path));
  } catch {
    return undefined;
  }
}

/** write(2) of all of `bytes` at the descriptor's position (a short write continues where it stopped). */
async function writeAll(fd: number, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) {
    at += await new Promise<number>((resolve, reject) => {
      write(fd, bytes, at, bytes.length - at, null, (error, written) => (error ? reject(error) : resolve(written)));
    });
  }
}

/** A writable destination with backpressure: `await sink.write(bytes)` waits while the stream is full. */
export class OutputSink {
  private failure: unknown = undefined;
  private closed = false;
  /** writeView on a file of ours: the write in flight, and the buffer it is not using (two take turns). */
  private viewWrite: Promise<void> | undefined;
  private viewSpare = new Uint8Array(0);
  private viewBusy = new Uint8Array(0);

  private constructor(
    private readonly stream: Writable,
    private readonly what: string,
    private readonly path: string | undefined,
    private readonly owned: boolean,
    /** The descriptor of a file this sink opened (written to directly by writeView). */
    private readonly fd?: number,
  ) {
    stream.on("error", (error: unknown) => {
      this.failure ??= error;
    });
  }

  /** Standard output (not closed at the end, only flushed). */
  static stdout(stream: Writable): OutputSink {
    return new OutputSink(stream, "standard output", undefined, false);
  }

  /**
   * Open (create, and truncate unless `options.append`) a file for writing. `what` names it in messages:
   * "output file". With `options.mode`, an existing file is given that mode too.
   * `avoid` lists files it must not be (the input), checked before anything is truncated.
   */
  static async file(
    path: string,
    what: string,
    avoid: { label: string; identity: FileIdentity | undefined }[],
    options: OpenOptions = {},
  ): Promise<OutputSink> {
    const existing = await checkOutputPath(path, what, avoid);
    let handle;
    try {
      handle = await open(path, options.append === true ? "a" : "w", options.mode ?? 0o666);
      if (options.mode !== undefined && existing !== undefined) await handle.chmod(options.mode);
    } catch (error) {
      await handle?.close().catch(() => {});
      throw fileError("write", what, path, error);
    }
    const stream = handle.createWriteStream({ highWaterMark: 1 << 20 });
    return new OutputSink(stream, what, path, true, handle.fd);
  }

  /** Identity of the file written (to keep two outputs apart). */
  async identity(): Promise<FileIdentity | undefined> {
    return this.path === undefined ? undefined : pathIdentity(this.path);
  }

  get label(): string {
    return this.path === undefined ? this.what : `${this.what} ${JSON.stringify(this.path)}`;
  }

  private mapError(error: unknown): Error {
    if (error instanceof CliError || error instanceof BrokenPipe) return error;
    if (this.path === undefined) {
      if (errorCode(error) === "EPIPE" || errorCode(error) === "ERR_STREAM_DESTROYED") return new BrokenPipe();
      return new CliError(`cannot write ${this.what}: ${fsReason(error)}`);
    }
    return fileError("write", this.what, this.path, error);
  }

  /** Write, waiting for the stream to drain when its buffer is full. */
  async write(chunk: Uint8Array | string): Promise<void> {
    if (this.failure !== undefined) throw this.mapError(this.failure);
    // After writeView's bytes, in order.
    await this.settleViewWrite();
    if (this.stream.write(chunk)) return;
    await new Promise<void>((resolve, reject) => {
      const done = (error?: unknown): void => {
        this.stream.off("drain", onDrain);
        this.stream.off("error", onError);
        this.stream.off("close", onClose);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onDrain = (): void => done();
      const onError = (error: unknown): void => done(error);
      const onClose = (): void => done(this.failure ?? Object.assign(new Error("closed"), { code: "ERR_STREAM_DESTROYED" }));
      this.stream.on("drain", onDrain);
      this.stream.on("error", onError);
      this.stream.on("close", onClose);
    }).catch((error: unknown) => {
      throw this.mapError(error);
    });
  }

  /**
   * Write bytes the caller will overwrite afterwards (a view of engine memory): resolves only once the
   * stream is done with them, not merely once it has taken them.
   */
  async writeView(chunk: Uint8Array): Promise<void> {
    if (this.failure !== undefined) throw this.mapError(this.failure);
    if (this.fd !== undefined && this.stream.writableLength === 0) {
      // A file of ours, nothing queued in its stream: the bytes are copied into one of two buffers, and written from there while the
      // caller goes on (the next batch is filtered meanwhile). One write in flight at a time, in order.
      // Measured, file to file: 0.66 of the engine loop when each batch waited for its write, 0.83 with
      // write(2) on the main thread, more with the write overlapped (see the bench's CLI rows).
      await this.settleViewWrite();
      if (this.viewSpare.length < chunk.length) this.viewSpare = new Uint8Array(Math.max(chunk.length, this.viewSpare.length * 2));
      const bytes = this.viewSpare.subarray(0, chunk.length);
      bytes.set(chunk);
      [this.viewSpare, this.viewBusy] = [this.viewBusy, this.viewSpare];
      // Never rejects: a failure is kept, and reported by the next call (or close).
      this.viewWrite = writeAll(this.fd, bytes).catch((error: unknown) => {
        this.failure ??= error;
      });
      return;
    }
    await new Promise<void>((resolve, reject) => {
      this.stream.write(chunk, (error) => (error ? reject(error) : resolve()));
    }).catch((error: unknown) => {
      throw this.mapError(this.failure ?? error);
    });
  }

  /** Waits for writeView's write in flight; its failure is this sink's failure. */
  private async settleViewWrite(): Promise<void> {
    const pending = this.viewWrite;
    if (pending === undefined) return;
    this.viewWrite = undefined;
    await pending;
    if (this.failure !== undefined) throw this.mapError(this.failure);
  }

  /** Flush, and close the file if this sink opened it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.settleViewWrite();
    if (this.failure !== undefined) throw this.mapError(this.failure);
    try {
      if (this.owned) {
        this.stream.end();
        await finished(this.stream);
      } else {
        await new Promise<void>((resolve, reject) => {
          this.stream.write("", (error) => (error ? reject(error) : resolve()));
        });
      }
    } catch (error) {
      throw this.mapError(this.failure ?? error);
    }
  }

  /** Give up (after another failure): close the file without waiting. */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.owned) this.stream.destroy();
  }
}
