/**
 * Input messages → one engine batch → what to do with each message. Each message holds one event; the
 * payloads are joined with LF into one NDJSON batch, so the whole fetch is one call into WASM, and line
 * i of the batch is message i. A message that would not be exactly one NDJSON line (it holds a CR or LF,
 * which JSON allows as whitespace, or it is blank, which NDJSON would skip) is filtered on its own with
 * filterEvent instead: the line numbering stays exact, and nothing is ever split or merged.
 *
 * No NATS here: plain bytes in, outcomes out.
 */
import type { FilterBase } from "../engine/engine.js";
import { MISSING_ACCOUNT_KEY, UNKNOWN_ACCOUNT_KEY, type RejectCode, type RouteCounts } from "../types.js";

export type Outcome =
  | { kind: "kept"; output: Uint8Array }
  | {
      kind: "rejected";
      code: RejectCode;
      offset: number;
      /** The configured account the event belongs to, null when unknown (an unconfigured id is event content). */
      account: string | null;
      /** PHI_DETECTED: the detector that hit and the policy's kept path (never the value). */
      detector?: string;
      path?: string;
    };

export interface BatchOutcomes {
  outcomes: Outcome[];
  /** Of the kept events, those copied through unchanged (accounts without HIPAA). */
  passed: number;
  /** Per-account counts (with an accounts filter), as the engine reports them. */
  accounts?: Record<string, RouteCounts>;
}

const LF = 0x0a;
const CR = 0x0d;
const TAB = 0x09;

/** Must this payload be filtered on its own? (It holds CR or LF, or only whitespace.) */
export function needsOwnCall(payload: Uint8Array): boolean {
  let blank = true;
  for (let i = 0; i < payload.length; i++) {
    const b = payload[i] as number;
    if (b === LF || b === CR) return true;
    if (b !== 0x20 && b !== TAB) blank = false;
  }
  return blank;
}

function join(payloads: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of payloads) length += p.length + 1;
  const batch = new Uint8Array(length);
  let at = 0;
  for (const p of payloads) {
    batch.set(p, at);
    at += p.length;
    batch[at++] = LF;
  }
  return batch;
}

/** A PHI_DETECTED rejection's detector and path, to carry into its outcome (nothing for other codes). */
function phiDetail(r: { detector?: string; path?: string }): { detector?: string; path?: string } {
  return r.detector === undefined ? {} : { detector: r.detector, path: r.path as string };
}

/** The account ids a filter is configured with, or null without accounts. */
function configuredAccounts(filter: FilterBase): ReadonlyMap<string, unknown> | null {
  const config = (filter as { config?: { accounts?: ReadonlyMap<string, unknown> } }).config;
  return config?.accounts ?? null;
}

/**
 * The configured account of a rejected event, found by the engine itself: the event alone as a one-line
 * batch, where the per-account counts name the only account seen. CR and LF become TAB for that call only:
 * all three are whitespace between tokens and all three are control characters inside strings, so the
 * event reads the same, at the same offsets, as one line. The output of that call is discarded.
 */
function rejectedAccount(filter: FilterBase, configured: ReadonlyMap<string, unknown>, payload: Uint8Array): string | null {
  const line = payload.map((b) => (b === LF || b === CR ? TAB : b));
  const ids = Object.keys(filter.filterBatch(line).accounts ?? {});
  const id = ids.length === 1 ? (ids[0] as string) : undefined;
  return id !== undefined && id !== UNKNOWN_ACCOUNT_KEY && id !== MISSING_ACCOUNT_KEY && configured.has(id) ? id : null;
}

function countAccount(accounts: Record<string, RouteCounts>, id: string, route: "filtered" | "passed" | "rejected"): void {
  const c = (accounts[id] ??= { events: 0, filtered: 0, passed: 0, rejected: 0 });
  c.events++;
  c[route]++;
}

/** Filters the payloads of one fetch; outcome i is message i's. */
export function filterMessages(filter: FilterBase, payloads: readonly Uint8Array[]): BatchOutcomes {
  const configured = configuredAccounts(filter);
  const outcomes: (Outcome | undefined)[] = new Array(payloads.length);
  const lined: number[] = [];
  const accounts: Record<string, RouteCounts> | undefined = configured !== null ? {} : undefined;
  let passed = 0;

  for (let i = 0; i < payloads.length; i++) {
    const payload = payloads[i] as Uint8Array;
    if (!needsOwnCall(payload)) {
      lined.push(i);
      continue;
    }
    const r = filter.filterEvent(payload);
    let id: string | null | undefined;
    if (r.ok) {
      outcomes[i] = { kind: "kept", output: r.output };
      if (r.route === "passed") passed++;
      id = r.account;
    } else {
      id = configured ? rejectedAccount(filter, configured, payload) : null;
      outcomes[i] = { kind: "rejected", code: r.code, offset: r.offset, account: id, ...phiDetail(r) };
    }
    if (accounts !== undefined) {
      const route = r.ok ? r.route : "rejected";
      countAccount(accounts, id !== null && id !== undefined && configured?.has(id) ? id : UNKNOWN_ACCOUNT_KEY, route);
    }
  }

  if (lined.length > 0) {
    const result = filter.filterBatch(join(lined.map((i) => payloads[i] as Uint8Array)));
    if (result.events !== lined.length) {
      // Cannot happen (no message holds a line break or is blank); if it did, lines and messages would no
      // longer match: fail closed, publish and ack nothing of this fetch.
      throw new Error(`hipaa-sieve: internal error: ${lined.length} messages made ${result.events} events`);
    }
    const rejectedAt = new Map(result.rejected.map((r) => [r.line, r]));
    const out = result.output;
    let at = 0;
    for (let line = 1; line <= lined.length; line++) {
      const index = lined[line - 1] as number;
      const rejection = rejectedAt.get(line);
      if (rejection !== undefined) {
        outcomes[index] = {
          kind: "rejected",
          code: rejection.code,
          offset: rejection.offset,
          account: configured ? rejectedAccount(filter, configured, payloads[index] as Uint8Array) : null,
          ...phiDetail(rejection),
        };
        continue;
      }
      const end = out.indexOf(LF, at);
      if (end < 0) throw new Error("hipaa-sieve: internal error: the engine's output has fewer events than it kept");
      outcomes[index] = { kind: "kept", output: out.subarray(at, end) };
      at = end + 1;
    }
    if (at !== out.length) throw new Error("hipaa-sieve: internal error: the engine's output has more events than it kept");
    passed += result.passed;
    if (accounts !== undefined) {
      for (const [id, c] of Object.entries(result.accounts ?? {})) {
        const total = (accounts[id] ??= { events: 0, filtered: 0, passed: 0, rejected: 0 });
        total.events += c.events;
        total.filtered += c.filtered;
        total.passed += c.passed;
        total.rejected += c.rejected;
      }
    }
  }
  const done = outcomes as Outcome[];
  return accounts !== undefined ? { outcomes: done, passed, accounts } : { outcomes: done, passed };
}
