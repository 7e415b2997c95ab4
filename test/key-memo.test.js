// Key prediction (assembly/key-memo.ts): the engine remembers, per policy node and member index, the
// key it saw there last and the tables' answer for it, and takes the next event's key on one compare.
// These cases prime the memo with one event, then send near misses of it in the SAME filter (a
// batch, and one event per call): keys one byte longer or shorter, one byte changed at each
// position, the same bytes spelled with an escape, followed by something other than a quote, cut
// short by the end of the line, repeated (DUPLICATE_KEY through the remembered edge), at the memo's
// length limit, in other orders, inside embedded documents. Every build must give exactly what the
// engine before issue 7 (bench/engine-before, no memo) gives, code and offset included, and agree
// with the reference filter on what is kept.
import { test } from "uvu";
import { againstBefore, compareWithBefore } from "./support/engine-before.js";
import { mulberry32 } from "./support/random.js";

const LONG40 = "k".repeat(39) + "4"; // the longest key the memo keeps
const LONG41 = "k".repeat(40) + "5"; // one byte too long: looked up every time
const SPEC = {
  name: "memo",
  keep: ["alpha", "beta.x", "beta.y", "gamma", "é€", LONG40, LONG41, "e.alpha", "e.q.x", "w.*.id"],
  embeddedJson: ["e"],
};

const engines = await againstBefore(SPEC);

const PRIME = JSON.stringify({
  alpha: 1, beta: { x: "a", y: [1, 2], z: 3 }, dropped: "d", gamma: true, "é€": "u",
  [LONG40]: 40, [LONG41]: 41, e: JSON.stringify({ alpha: 1, q: { x: 2, y: 3 }, r: 4 }),
  w: { a: { id: 1, no: 2 }, b: { id: 3 } },
});

/** Near misses of PRIME: each is a string, maybe not JSON. */
function nearMisses() {
  const out = [];
  const keys = ["alpha", "beta", "dropped", "gamma", "é€", LONG40, LONG41, "x", "y", "id"];
  for (const k of keys) {
    const at = PRIME.indexOf(`"${k}"`);
    const body = at + 1;
    out.push(PRIME.slice(0, body) + k + "q" + PRIME.slice(body + k.length)); // one byte longer
    out.push(PRIME.slice(0, body) + k.slice(0, -1) + PRIME.slice(body + k.length)); // one byte shorter
    for (let i = 0; i < k.length; i++) {
      out.push(PRIME.slice(0, body + i) + "Z" + PRIME.slice(body + i + 1)); // one byte changed
      if (k.charCodeAt(i) < 0x80) {
        const code = k.charCodeAt(i).toString(16).padStart(4, "0");
        out.push(PRIME.slice(0, body + i) + `\\u${code}` + PRIME.slice(body + i + 1)); // same key, escaped
      }
    }
    out.push(PRIME.slice(0, body + k.length) + "x" + PRIME.slice(body + k.length)); // no closing quote there
    out.push(PRIME.slice(0, body + k.length) + '\\"' + PRIME.slice(body + k.length + 1)); // escaped quote
    out.push(PRIME.slice(0, body + k.length) + '" ' + PRIME.slice(body + k.length + 1)); // space before ':'
    out.push(PRIME.slice(0, body + k.length) + '"' + PRIME.slice(body + k.length + 2)); // no ':'
    for (let cut = 0; cut <= k.length + 2; cut++) out.push(PRIME.slice(0, body + cut)); // line ends inside
  }
  // Repeats of a predicted key (a literal edge's bit), and of a key taken by the wildcard.
  out.push(PRIME.replace('"gamma":true', '"gamma":true,"gamma":false'));
  out.push(PRIME.replace('"dropped":"d"', '"dropped":"d","alpha":2'));
  out.push(PRIME.replace('"b":{"id":3}', '"b":{"id":3,"id":4}'));
  out.push(PRIME.replace('"b":{"id":3}', '"a":{"id":3}'));
  // Other orders and fewer members.
  const value = JSON.parse(PRIME);
  const entries = Object.entries(value);
  out.push(JSON.stringify(Object.fromEntries([...entries].reverse())));
  out.push(JSON.stringify(Object.fromEntries(entries.slice(1))));
  out.push(JSON.stringify(Object.fromEntries([entries[1], entries[0], ...entries.slice(2)])));
  // Inside the embedded document: a changed key, an escaped one, a repeat.
  out.push(JSON.stringify({ ...value, e: '{"alphb":1,"q":{"x":2}}' }));
  out.push(JSON.stringify({ ...value, e: '{"\\u0061lpha":1,"q":{"x":2}}' }));
  out.push(JSON.stringify({ ...value, e: '{"alpha":1,"alpha":1}' }));
  out.push(JSON.stringify({ ...value, e: '{"alpha":1,"q":{"x":2,"x":3}}' }));
  return out;
}

const compare = (events, what) => compareWithBefore(engines, events, what);

test("near misses of a remembered key, each right after the event that primed the memo", () => {
  const events = [];
  for (const miss of nearMisses()) events.push(PRIME, miss, miss);
  compare(events, "primed");
});

test("random orders and random near misses, the memo primed by whatever came before", () => {
  const rng = mulberry32(7);
  const misses = nearMisses();
  for (let round = 0; round < 20; round++) {
    const events = Array.from({ length: 60 }, () => (rng() < 0.4 ? PRIME : misses[Math.floor(rng() * misses.length)]));
    compare(events, `round ${round}`);
  }
});

test("keys far longer than a memo slot are never remembered (a slot holds MEMO_KEY_MAX bytes)", () => {
  // Were such a key copied into its slot, it would run over the slots after it and, near the
  // memo's end, over the engine memory behind it: later events would come out wrong.
  const long = (i) => `${i}`.padEnd(3000, "x");
  const event = JSON.stringify(Object.fromEntries([["alpha", 1], ...Array.from({ length: 300 }, (_, i) => [long(i), i]), ["gamma", 2]]));
  compare([PRIME, event, PRIME, event, PRIME], "long keys");
});

test.run();
