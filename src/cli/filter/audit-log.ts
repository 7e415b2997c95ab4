/**
 * `--audit FILE`: a JSON-lines log of the accounts configuration, appended to (never truncated). One
 * record per load and per change of an account's hipaaEnabled or policy (from `auditRecords`), and an
 * "error" record when a changed file could not be used. Configuration only, never event content.
 */
import type { AuditRecord } from "../../accounts/audit.js";
import type { OutputSink } from "./io.js";

/** A changed accounts file that was refused; the configuration in use stays `digest`. */
export interface AuditErrorRecord {
  time: string;
  event: "error";
  source: string;
  /** The configuration still in use. */
  digest: string;
  /** One entry per problem, as on stderr: `accounts.json: accounts["AC01"].policy: unknown policy "x"`. */
  problems: string[];
}

export class AuditLog {
  constructor(private readonly sink: OutputSink) {}

  async write(records: readonly (AuditRecord | AuditErrorRecord)[]): Promise<void> {
    if (records.length === 0) return;
    await this.sink.write(records.map((r) => JSON.stringify(r) + "\n").join(""));
  }

  async error(source: string, digest: string, problems: string[], time: Date = new Date()): Promise<void> {
    await this.write([{ time: time.toISOString(), event: "error", source, digest, problems }]);
  }
}
