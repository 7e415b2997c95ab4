#!/usr/bin/env node
// node bench/config-load.js [--rounds N]   (after npm run build)
// How long configuration inputs take to load: policy text to a ready filter, accounts text to a ready
// routed filter, and how quickly a policy whose automaton would explode is refused. Not part of
// `npm run bench`: it measures the host's loading, not the engine's throughput. Figures are medians.
import { parseArgs } from "node:util";
import { createAccountsFilter, createFilter, parseAccountsText, parsePolicyText, PolicyError, presetPolicy } from "../dist/index.js";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "5" } } });
const rounds = Number(values.rounds);

/** 10,000 plain paths, three levels deep, in 100 objects of 100 fields: a large hand-written policy. */
function plainPolicyText() {
  const keep = [];
  for (let i = 0; i < 100; i++) for (let j = 0; j < 100; j++) keep.push(`section_${i}.group_${j % 10}.field_${i}_${j}`);
  return JSON.stringify({ name: "plain-10000", keep, embeddedJson: ["section_0"] }, null, 2);
}

/** 100 policies (variants of the newest flex-insights-hipaa preset), 100,000 accounts spread over them. */
function accountsText() {
  const flex = presetPolicy("flex-insights-hipaa").spec;
  const policies = {};
  for (let p = 0; p < 100; p++) {
    policies[`variant-${p}`] = { keep: [...flex.keep.filter((_, i) => i % 100 !== p), `TaskAttributes.custom_${p}`], embeddedJson: [...flex.embeddedJson] };
  }
  const accounts = {};
  for (let a = 0; a < 100_000; a++) {
    const id = `AC${a.toString(16).padStart(32, "0")}`;
    accounts[id] = a % 7 === 0 ? { hipaaEnabled: false } : { hipaaEnabled: true, policy: `variant-${a % 100}` };
  }
  return JSON.stringify({ accountKey: "AccountSid", policies, accounts }, null, 2);
}

/** The case: 20 paths of 20 segments, "a" at a different place in each, "*" elsewhere, then "x". */
function explodingPolicyText(n = 20) {
  const keep = [];
  for (let i = 0; i < n; i++) keep.push([...Array.from({ length: n }, (_, j) => (j === i ? "a" : "*")), "x"].join("."));
  return JSON.stringify({ keep });
}

async function median(run) {
  const times = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const plain = plainPolicyText();
const accounts = accountsText();
const exploding = explodingPolicyText();
const rows = [
  [`policy: 10,000 plain paths (${(plain.length / 1024).toFixed(0)} KiB), parse + compile`, () => parsePolicyText(plain, "plain.json")],
  ["policy: 10,000 plain paths, parse + compile + engine", async () => createFilter(parsePolicyText(plain, "plain.json"))],
  [`accounts: 100 policies x 100,000 accounts (${(accounts.length / 1048576).toFixed(1)} MiB), parse + validate`,
    () => parseAccountsText(accounts, "accounts.json")],
  ["accounts: 100 policies x 100,000 accounts, parse + validate + engine",
    async () => createAccountsFilter(await parseAccountsText(accounts, "accounts.json"))],
  [`refusal: 20 exploding paths (${exploding.length} bytes)`, () => {
    try {
      parsePolicyText(exploding, "exploding.json");
    } catch (error) {
      if (error instanceof PolicyError) return;
      throw error;
    }
    throw new Error("the exploding policy was accepted");
  }],
];
for (const [label, run] of rows) console.log(`${label}: ${(await median(run)).toFixed(0)} ms`);
console.log(`peak RSS ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`);
