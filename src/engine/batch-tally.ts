/**
 * Turns the status records of one batch's engine calls into its BatchResult: rejections with
 * their lines, counts, and per-account counts when routing. The engine records at most
 * STATUS_CAPACITY events per call, so a batch may take several calls; lines in each call's
 * records count from that call's start, output ends from the batch's (the calls append to one
 * output). The output itself is the caller's to read once the last call is done.
 */
import type { EngineAbi } from "./abi.js";
import type { BatchResult, RejectCode, Rejection, RouteCounts } from "../types.js";

/** `{}` and its line end: an event of which nothing was kept. */
const EMPTY_OUTPUT_BYTES = 3;

export class BatchTally {
  private readonly rejected: Rejection[] = [];
  private readonly perAccount: Record<string, RouteCounts> | undefined;
  /** The previous event's end in the batch's output. */
  private previousEnd = 0;
  private events = 0;
  private passed = 0;
  private empty = 0;
  private lines = 0;

  /** `accountKey` names an engine account number's counts; null when not routing. */
  constructor(
    private readonly abi: EngineAbi,
    private readonly codeName: (code: number) => RejectCode,
    private readonly accountKey: ((number: number) => string) | null,
  ) {
    this.perAccount = accountKey ? {} : undefined;
  }

  /** Adds one call's records (a view of engine memory, read now) and its line count. */
  addCall(status: Uint32Array, lines: number): void {
    const { abi } = this;
    const words = abi.status.bytes / 4;
    const line = abi.status.line / 4;
    const code = abi.status.code / 4;
    const offset = abi.status.offset / 4;
    const end = abi.status.outputEnd / 4;
    const account = abi.status.account / 4;
    const route = abi.status.route / 4;
    let previousEnd = this.previousEnd;
    for (let i = 0; i < status.length; i += words) {
      const failed = status[i + code] !== abi.ok;
      const passed = !failed && status[i + route] === abi.route.passed;
      if (failed) this.rejected.push({ line: this.lines + status[i + line], code: this.codeName(status[i + code]), offset: status[i + offset] });
      else if (passed) this.passed++;
      else if (status[i + route] === abi.route.filtered && status[i + end] - previousEnd === EMPTY_OUTPUT_BYTES) this.empty++;
      previousEnd = status[i + end];
      if (this.perAccount && this.accountKey) {
        const id = this.accountKey(status[i + account]);
        const counts = (this.perAccount[id] ??= { events: 0, filtered: 0, passed: 0, rejected: 0 });
        counts.events++;
        if (failed) counts.rejected++;
        else if (passed) counts.passed++;
        else counts.filtered++;
      }
    }
    this.previousEnd = previousEnd;
    this.events += status.length / words;
    this.lines += lines;
  }

  /** The batch's result, with `output` (a copy of the engine's, or a view of it). */
  result(output: Uint8Array): BatchResult {
    const result: BatchResult = {
      output,
      lines: this.lines,
      events: this.events,
      kept: this.events - this.rejected.length,
      passed: this.passed,
      empty: this.empty,
      rejected: this.rejected,
    };
    if (this.perAccount) result.accounts = this.perAccount;
    return result;
  }
}
