/**
 * What one input message turns into on the broker, each with the message id that lets the output stream
 * drop a redelivery's second publish (`Nats-Msg-Id`): the input stream's name and the message's sequence
 * there, which identify the event whichever process handles it, however often.
 *
 * - kept: the filtered (or passed-through) event, on the output subject. Input headers are not copied:
 *   they are not filtered, so they could carry PHI.
 * - rejected: a record on the errors subject: stream, sequence, code, offset, and the account when it is a
 *   configured one. Never content. Its id is the same as an output's would be, so when both subjects are
 *   stored in one stream an event has exactly one outcome there, even if a redelivery after a policy
 *   change decides differently.
 * - rejected, with a raw-rejects subject: the rejected bytes as they came. MAY HOLD PHI: opt-in only.
 */
import type { Outcome } from "./message-batch.js";

export interface Subjects {
  output: string;
  errors?: string;
  /** Raw rejected bytes: PHI. */
  rejects?: string;
}

export interface Publication {
  subject: string;
  data: Uint8Array;
  msgID: string;
  kind: "output" | "error" | "reject";
}

/** `EVENTS:1234`: stream names cannot hold "." or spaces; the sequence after the last ":" is all digits. */
export function messageId(stream: string, seq: number): string {
  return `${stream}:${seq}`;
}

const encoder = new TextEncoder();

/** The rejection record: JSON, one object, no content. */
export function rejectionRecord(stream: string, seq: number, outcome: Extract<Outcome, { kind: "rejected" }>): Uint8Array {
  const record: Record<string, unknown> = { stream, seq, code: outcome.code, offset: outcome.offset };
  if (outcome.account !== null) record["account"] = outcome.account;
  if (outcome.detector !== undefined) Object.assign(record, { detector: outcome.detector, path: outcome.path });
  return encoder.encode(JSON.stringify(record));
}

export function publicationsFor(outcome: Outcome, stream: string, seq: number, payload: Uint8Array, subjects: Subjects): Publication[] {
  const id = messageId(stream, seq);
  if (outcome.kind === "kept") return [{ subject: subjects.output, data: outcome.output, msgID: id, kind: "output" }];
  const out: Publication[] = [];
  if (subjects.errors !== undefined) {
    out.push({ subject: subjects.errors, data: rejectionRecord(stream, seq, outcome), msgID: id, kind: "error" });
  }
  if (subjects.rejects !== undefined) out.push({ subject: subjects.rejects, data: payload, msgID: `${id}:raw`, kind: "reject" });
  return out;
}
