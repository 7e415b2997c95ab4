// Load for `hipaa-sieve serve` (test/webhook-load.test.js and bench/webhook.js): many signed TaskRouter
// callbacks over a fixed number of keep-alive connections, with bad requests mixed in. Each valid request
// carries its own TaskSid, so the downstream can tell that each was forwarded exactly once.
import { Agent, request as httpRequest } from "node:http";
import twilio from "twilio";
import { mulberry32 } from "./random.js";
import { TOKEN, formBody, taskRouterParams } from "./webhook.js";

/** What each kind of request is, and the status it must get. */
export const KINDS = {
  valid: 200,
  unsigned: 403,
  wrongSignature: 403,
  malformed: 400, // signed, but a field given twice: no event can be made of it
};

export const taskSid = (i) => `WT${String(i).padStart(32, "0")}`;

/** The requests, made (and signed) before any is sent: `badShare` of them bad, the kinds in turn. */
export function planRequests(base, count, badShare = 0.1, seed = 9) {
  const rand = mulberry32(seed);
  const url = `${base}/taskrouter`;
  const bad = ["unsigned", "wrongSignature", "malformed"];
  let b = 0;
  return Array.from({ length: count }, (_, i) => {
    const kind = rand() < badShare ? bad[b++ % bad.length] : "valid";
    const params = { ...taskRouterParams(i), TaskSid: taskSid(i) };
    const headers = { "content-type": "application/x-www-form-urlencoded" };
    let body = formBody(params);
    if (kind === "valid") headers["x-twilio-signature"] = twilio.getExpectedTwilioSignature(TOKEN, url, params);
    if (kind === "wrongSignature") headers["x-twilio-signature"] = twilio.getExpectedTwilioSignature(TOKEN + "x", url, params);
    if (kind === "malformed") {
      body += `&TaskSid=${taskSid(i)}`;
      headers["x-twilio-signature"] = twilio.getExpectedTwilioSignature(TOKEN, url, { ...params, TaskSid: [taskSid(i), taskSid(i)] });
    }
    return { i, kind, url, headers, body: Buffer.from(body) };
  });
}

function send(agent, plan) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const req = httpRequest(plan.url, { method: "POST", agent, headers: { ...plan.headers, "content-length": plan.body.length } }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    });
    req.on("error", (error) => resolve({ status: 0, ms: Number(process.hrtime.bigint() - started) / 1e6, error: error.code }));
    req.end(plan.body);
  });
}

/** Sends every planned request over `connections` keep-alive connections; resolves to results in plan order. */
export async function runLoad(plans, connections = 64) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const results = new Array(plans.length);
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < plans.length) {
      const plan = plans[next++];
      results[plan.i] = { ...(await send(agent, plan)), kind: plan.kind };
    }
  };
  try {
    await Promise.all(Array.from({ length: connections }, worker));
  } finally {
    agent.destroy();
  }
  return { results, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** Requests per second and latency percentiles (ms) of a run. */
export function summarize({ results, seconds }) {
  const times = results.map((r) => r.ms).sort((a, b) => a - b);
  const at = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  return { requests: results.length, seconds, perSecond: results.length / seconds, p50: at(0.5), p99: at(0.99) };
}
