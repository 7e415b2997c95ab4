#!/usr/bin/env node
// node bench/cli.js [--mb N] [--rounds N]   (after npm run build; npm run bench runs these rows too)
// The CLI end to end next to the engine loop it wraps, on the same file, in one run (bench/cli-rows.js).
import { parseArgs } from "node:util";
import { cliRows } from "./cli-rows.js";

const { values } = parseArgs({ options: { mb: { type: "string", default: "200" }, rounds: { type: "string", default: "5" } } });
const rounds = Number(values.rounds);
const { bytes, events, rows } = await cliRows({ mb: Number(values.mb), rounds });
const js = rows[rows.length - 1].seconds;
console.log(`${(bytes / 1e6).toFixed(0)} MB, ${events.toLocaleString("en-US")} events, ` +
  `${(bytes / events).toFixed(0)} B/event, ${rounds} interleaved rounds, node ${process.version}`);
console.table(rows.map(({ task, seconds, xEngine, xEngineSteady }) => ({
  task,
  seconds: seconds.toFixed(3),
  "MB/s": task.startsWith("cli start-up") ? "" : (bytes / seconds / 1e6).toFixed(0),
  "x engine": xEngine.toFixed(2),
  "x engine steady": xEngineSteady === undefined ? "" : xEngineSteady.toFixed(2),
  "x js": (js / seconds).toFixed(1),
})));
