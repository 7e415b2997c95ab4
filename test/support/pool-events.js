// The corpus the pool tests share: generated TaskRouter-like events and mutated copies of them (the
// differential tests' approach), cut into NDJSON batches of uneven sizes with blank lines and CRLF, and
// an accounts configuration that routes them every way (HIPAA with a policy, copied through, unknown).
import { EVENT_POLICY, buildBatch, generateEvents, mulberry32, mutate } from "./events.js";

const decoder = new TextDecoder();

/** `valid` generated events, `mutated` mutated copies, interleaved (seeded: the same every run). */
export function poolEvents(seed, valid, mutated) {
  const events = generateEvents(seed, valid).map((e) => e.bytes);
  const rng = mulberry32(seed + 1);
  const out = [];
  for (let i = 0; i < valid + mutated; i++) {
    out.push(i % 2 === 1 && i / 2 < mutated ? mutate(events[(i * 7) % valid], rng) : events[i % valid]);
  }
  return { events: out, rng };
}

/** Batches of 1 to `most` events (uneven, so that workers finish out of order). */
export function poolBatches(events, rng, most) {
  const batches = [];
  for (let i = 0; i < events.length;) {
    const n = 1 + Math.floor(rng() * most);
    batches.push(buildBatch(events.slice(i, i + n), rng).bytes);
    i += n;
  }
  return batches;
}

/** The AccountSid values of the events, in first-seen order. */
export function accountIdsOf(events) {
  const ids = new Set();
  for (const e of events) {
    const m = /"AccountSid":"(AC[0-9a-f]{32})"/.exec(decoder.decode(e));
    if (m !== null) ids.add(m[1]);
  }
  return [...ids];
}

/**
 * An accounts file's value: a third of the ids HIPAA with the events' policy, a third copied through, the
 * rest left out (unknown, handled by `unknownAccount`); `variant` changes which third is which.
 */
export function accountsValue(ids, unknownAccount = "reject", variant = 0) {
  const accounts = {};
  ids.forEach((id, i) => {
    const role = (i + variant) % 3;
    if (role === 0) accounts[id] = { hipaaEnabled: true, policy: "events" };
    else if (role === 1) accounts[id] = { hipaaEnabled: false };
  });
  const { keep, embeddedJson } = EVENT_POLICY;
  return { accountKey: "AccountSid", unknownAccount, defaultPolicy: "events", policies: { events: { keep, embeddedJson } }, accounts };
}
