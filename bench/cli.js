#!/usr/bin/env node
// node bench/cli.js [--mb N] [--rounds N]   (after npm run build; npm run bench runs these rows too)
// The CLI end to end next to the engine loop it wraps, on the same file, in one run (bench/cli-rows.js).
import { parseArgs } from "node:util";
import { cliRows } from "./cli-rows.js";

const { values } = parseArgs({ options: { mb: { type: "string", default: "100" }, rounds: { type: "string", default: "3" } } });
const rounds = Number(values.rounds);
const { bytes, events, rows } = await cliRows({ mb: Number(values.mb), rounds });
const engine = rows[0].seconds;
const js = rows[rows.length - 1].seconds;
console.log(`${(bytes / 1e6).toFixed(0)} MB, ${events.toLocaleString("en-US")} events, ` +
  `${(bytes / events).toFixed(0)} B/event, median of ${rounds}, node ${process.version}`);
console.table(rows.map(({ task, seconds }) => ({
  task,
  "MB/s": (bytes / seconds / 1e6).toFixed(0),
  "events/s": Math.round(events / seconds).toLocaleString("en-US"),
  "x engine": (engine / seconds).toFixed(2),
  "x js": (js / seconds).toFixed(1),
})));
