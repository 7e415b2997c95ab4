// Helpers for the webhook tests: TaskRouter callbacks as Twilio posts them (form-encoded, signed with the
// `twilio` package's own signer, independent of ours), Event Streams batches with bodySHA256, and a
// downstream HTTP server that records what reaches it.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { once } from "node:events";
import twilio from "twilio";
import { CLI, ROOT, eventStreamsEvent, taskRouterLines } from "./cli-run.js";

export const TOKEN = "test-auth-token-3f9a1c0d7e";

/** A TaskRouter event line of examples/events.ndjson as form parameters (every value is a string there). */
let samples;
export function taskRouterParams(index = 0, account) {
  samples ??= taskRouterLines().map((line) => JSON.parse(line));
  const event = { ...samples[index % samples.length] };
  if (account !== undefined) event.AccountSid = account;
  return Object.fromEntries(Object.entries(event).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

export const formBody = (params) => new URLSearchParams(params).toString();

/** Headers of a signed form POST to `url`. */
export function signedForm(url, params, token = TOKEN) {
  return {
    "content-type": "application/x-www-form-urlencoded",
    "x-twilio-signature": twilio.getExpectedTwilioSignature(token, url, params),
  };
}

/** `base` with bodySHA256 for `body` added, and the headers of a signed JSON POST to it. */
export function signedJson(base, body, token = TOKEN) {
  const url = `${base}${base.includes("?") ? "&" : "?"}bodySHA256=${twilio.getExpectedBodyHash(body)}`;
  return { url, headers: { "content-type": "application/json", "x-twilio-signature": twilio.getExpectedTwilioSignature(token, url, {}) } };
}

/** An Event Streams batch (a JSON array of CloudEvents) of `n` events of `account`. */
export function eventStreamsBatch(account, n = 3) {
  return `[${Array.from({ length: n }, (_, i) => eventStreamsEvent(account, i)).join(",\n")}]`;
}

/**
 * A downstream on 127.0.0.1 (a free port): records each body it receives; `respond(req, res, body)`
 * answers (default 200). Close it with `close()`.
 */
export async function downstream(respond = (_req, res) => res.end("ok")) {
  const received = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      received.push({ body, type: req.headers["content-type"], method: req.method, url: req.url });
      respond(req, res, body);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    received,
    url: `http://127.0.0.1:${server.address().port}/events`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Starts `serve`; resolves once it printed its URL. `stop(signal)` resolves to its exit and output. */
export async function serve(args, env = { TWILIO_AUTH_TOKEN: TOKEN }) {
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const closed = once(child, "close").then(([status, signal]) => ({ status, signal, stdout, stderr }));
  const url = await new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => {
      stdout += d;
      const m = /^listening on (http:\/\/\S+)\n/.exec(stdout);
      if (m) resolve(m[1]);
    });
    closed.then((r) => reject(new Error(`serve exited: ${r.status} ${r.stderr}`)));
  });
  return {
    url,
    closed,
    stop: (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return closed;
    },
  };
}

