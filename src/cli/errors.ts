/**
 * CLI errors: every user error becomes ONE line on stderr and a non-zero exit code, never a stack trace.
 * Messages never hold event content (only file names, option names, codes and counts).
 */

export const EXIT_OK = 0;
/** Runtime failures: unreadable or unwritable files, bad policy, I/O errors. */
export const EXIT_FAILURE = 1;
/** Bad command line: unknown command or option, missing or invalid value. */
export const EXIT_USAGE = 2;
/**
 * Standard output closed by its reader (`| head`): 128 + SIGPIPE, the status a shell shows for a process
 * killed by SIGPIPE, so that `set -o pipefail` sees the output was cut short. (Node ignores SIGPIPE and
 * gets EPIPE errors instead.)
 */
export const EXIT_BROKEN_PIPE = 141;

/** An error whose message is meant for the user as it is. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT_FAILURE) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/** A bad command line; `helpHint` names the command whose --help to suggest. */
export class UsageError extends CliError {
  readonly helpCommand: string | undefined;
  constructor(message: string, helpCommand?: string) {
    super(message, EXIT_USAGE);
    this.name = "UsageError";
    this.helpCommand = helpCommand;
  }
}

/**
 * A user error made of several problems (an invalid accounts file): one line each on stderr, every line
 * prefixed with the program name. `message` holds them joined by LF.
 */
export class ProblemsError extends CliError {
  readonly lines: readonly string[];
  constructor(lines: readonly string[], exitCode: number = EXIT_FAILURE) {
    super(lines.join("\n"), exitCode);
    this.name = "ProblemsError";
    this.lines = lines.map(oneLine);
  }
}

/** Thrown when stdout is closed by the reader (`| head`): stop, exit EXIT_BROKEN_PIPE. */
export class BrokenPipe extends Error {
  constructor() {
    super("broken pipe");
    this.name = "BrokenPipe";
  }
}

const FS_REASONS: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a directory",
  ENOTDIR: "a parent of it is not a directory",
  ELOOP: "too many symbolic links",
  ENAMETOOLONG: "file name too long",
  EMFILE: "too many open files",
  ENFILE: "too many open files",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EIO: "input/output error",
  EBUSY: "resource busy",
  EEXIST: "file exists",
  EPIPE: "broken pipe",
  EFBIG: "file too large",
};

export function errorCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/** A short reason for a file system error: "no such file or directory", or the code. */
export function fsReason(error: unknown): string {
  const code = errorCode(error);
  if (code !== undefined) return FS_REASONS[code] ?? code;
  return oneLine(error instanceof Error ? error.message : String(error));
}

/** `cannot read policy file "p.json": no such file or directory` */
export function fileError(action: string, what: string, path: string, error: unknown): CliError {
  return new CliError(`cannot ${action} ${what} ${JSON.stringify(path)}: ${fsReason(error)}`);
}

/** Collapse a message onto one line. */
export function oneLine(message: string): string {
  return message.replace(/\s*[\r\n]+\s*/g, " ").trim();
}
