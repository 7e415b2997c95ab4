/**
 * Turns the status records of one batch's engine calls into its BatchResult: rejections with
 * their lines, counts, and per-account counts when routing. The engine records at most
 * STATUS_CAPACITY events per call, so a batch may take several calls; lines in each call's
 * records count from that call's start, output ends from the batch's (the calls append to one
 * output). The output itself is the caller's to read once the last call is done.
 */
import type { EngineAbi } from "./abi.js";
import type { DetectionCounter } from "./encode-policy-tables.js";
import type { BatchResult, Detection, RejectCode, Rejection, RouteCounts } from "../types.js";

/** One engine call's detection counters: the counters it touched, and all counter values (views, read at once). */
export interface CallCounters {
  readonly touched: Uint32Array;
  readonly values: Uint32Array;
}

/** Adds a call's counters to `into` (counter number → hits). */
export function addCounters(into: Map<number, number>, counters: CallCounters): void {
  for (const counter of counters.touched) into.set(counter, (into.get(counter) ?? 0) + counters.values[counter]);
}

/** Counts as the public Detection list, in counter order (policy, then kept path, then detector). */
export function detectionList(counts: ReadonlyMap<number, number>, table: readonly DetectionCounter[]): Detection[] {
  return [...counts].sort(([a], [b]) => a - b).map(([counter, count]) => ({ ...table[counter], count }));
}

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

  private readonly detections = new Map<number, number>();
  private readonly phiCode: number;

  /**
   * `accountKey` names an engine account number's counts; null when not routing. `counters` says what each
   * detection counter counts.
   */
  constructor(
    private readonly abi: EngineAbi,
    private readonly codeName: (code: number) => RejectCode,
    private readonly accountKey: ((number: number) => string) | null,
    private readonly counters: readonly DetectionCounter[] = [],
  ) {
    this.perAccount = accountKey ? {} : undefined;
    this.phiCode = [...abi.codeNames].find(([, name]) => name === "PHI_DETECTED")![0];
  }

  /** Adds one call's records (a view of engine memory, read now), its line count and its detection counters. */
  addCall(status: Uint32Array, lines: number, counters?: CallCounters): void {
    if (counters) addCounters(this.detections, counters);
    const { abi } = this;
    const words = abi.status.bytes / 4;
    const line = abi.status.line / 4;
    const code = abi.status.code / 4;
    const offset = abi.status.offset / 4;
    const end = abi.status.outputEnd / 4;
    const account = abi.status.account / 4;
    const route = abi.status.route / 4;
    const detail = abi.status.detail / 4;
    const phi = this.phiCode;
    let previousEnd = this.previousEnd;
    for (let i = 0; i < status.length; i += words) {
      const failed = status[i + code] !== abi.ok;
      const passed = !failed && status[i + route] === abi.route.passed;
      if (failed) {
        const rejection: Rejection = { line: this.lines + status[i + line], code: this.codeName(status[i + code]), offset: status[i + offset] };
        if (status[i + code] === phi) {
          const counter = this.counters[status[i + detail]];
          rejection.detector = counter.detector;
          rejection.path = counter.path;
        }
        this.rejected.push(rejection);
      }
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
    if (this.detections.size > 0) result.detections = detectionList(this.detections, this.counters);
    return result;
  }
}
