// The events of the cluster tests, made on demand from their index (so 200,000 of them are never held in
// memory): the TaskRouter callbacks of examples/events.ndjson, each with a unique TaskSid (kept by every
// policy, so an output published under the wrong message id would not match), spread over the accounts of
// examples/accounts.json (three HIPAA accounts with different policies, one without HIPAA) and one account
// that is not configured. Some are malformed (rejected), some hold a line break as whitespace.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EXAMPLES, taskRouterEvent } from "../../support/cli-run.js";

export const ACCOUNTS_FILE = join(EXAMPLES, "accounts.json");
export const HIPAA_ACCOUNTS = [
  "AC5f1e0c2a9b8d47e3a6c4f2b1d0e9a8c7",
  "AC7a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d",
  "AC2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e",
];
export const PASS_ACCOUNT = "AC9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b";
/** Not in the accounts file: filtered with the default policy (unknownAccount "filter"). */
export const UNKNOWN_ACCOUNT = "AC00000000000000000000000000000000";
const ACCOUNTS = [...HIPAA_ACCOUNTS, PASS_ACCOUNT, UNKNOWN_ACCOUNT];

const templates = new Map();
function template(account, index) {
  const key = `${account}/${index % 9}`;
  let t = templates.get(key);
  if (t === undefined) {
    t = taskRouterEvent(account, index % 9);
    templates.set(key, t);
  }
  return t;
}

/** Every how many events one is malformed, and one holds a line break. */
export const MALFORMED_EVERY = 199;
export const LINE_BREAK_EVERY = 503;

export function accountOf(i) {
  return ACCOUNTS[i % ACCOUNTS.length];
}

/** Event number `i` (0-based), as text. */
export function eventText(i) {
  const account = accountOf(i);
  let text = template(account, i).replace(/"TaskSid":"WT[0-9a-f]{32}"/, `"TaskSid":"WT${String(i).padStart(32, "0")}"`);
  if (i % MALFORMED_EVERY === 11) {
    switch (Math.floor(i / MALFORMED_EVERY) % 3) {
      case 0: return text.slice(0, -9); // truncated
      case 1: return text.replace('"EventType":', '"EventType":01,"x":'); // bad number
      default: return text.replace("{", `{"AccountSid":"${account}",`); // the account key twice
    }
  }
  if (i % LINE_BREAK_EVERY === 5) text = text.replace(",", ",\n  ");
  return text;
}

/** What the engine gives for event `i` alone: `{ kept: text }` or `{ code, offset }`. */
export function expectedFor(filter, text) {
  const decoder = new TextDecoder();
  if (/[\r\n]/.test(text)) {
    const r = filter.filterEvent(text);
    return r.ok ? { kept: decoder.decode(r.output) } : { code: r.code, offset: r.offset };
  }
  const r = filter.filterBatch(new TextEncoder().encode(text + "\n"));
  if (r.rejected.length > 0) return { code: r.rejected[0].code, offset: r.rejected[0].offset };
  return { kept: decoder.decode(r.output).slice(0, -1) };
}

export function accountsText() {
  return readFileSync(ACCOUNTS_FILE, "utf8");
}
