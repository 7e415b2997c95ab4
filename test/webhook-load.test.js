// `hipaa-sieve serve` under load, the real CLI over real HTTP: 10,000 signed TaskRouter callbacks over 64
// keep-alive connections, about 10% of them bad (unsigned, signed with another token, malformed). Every
// valid request must reach the downstream exactly once, every bad one must get its status and reach
// nothing, and none may be lost (no connection error, every request answered). Speed is not asserted
// (bench/webhook.js measures it).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { EXAMPLES } from "./support/cli-run.js";
import { downstream, serve } from "./support/webhook.js";
import { KINDS, planRequests, runLoad, taskSid } from "./support/webhook-load.js";

const REQUESTS = 10_000;

test("10,000 requests, 64 connections, ~10% bad: each valid one forwarded once, each bad one refused", async () => {
  const down = await downstream();
  let server;
  try {
    server = await serve(["--accounts", join(EXAMPLES, "accounts.json"), "--forward", down.url]);
    const plans = planRequests(server.url, REQUESTS);
    const bad = plans.filter((p) => p.kind !== "valid").length;
    assert.ok(bad > REQUESTS * 0.07 && bad < REQUESTS * 0.13, `bad requests: ${bad}`);
    const { results } = await runLoad(plans, 64);

    const wrong = results.filter((r) => r.status !== KINDS[r.kind]);
    assert.equal(wrong.slice(0, 5), [], `${wrong.length} requests got the wrong status`);

    // Exactly once: count each TaskSid the downstream received.
    const seen = new Map();
    for (const { body } of down.received) {
      const sid = JSON.parse(body).TaskSid;
      seen.set(sid, (seen.get(sid) ?? 0) + 1);
    }
    const valid = plans.filter((p) => p.kind === "valid");
    assert.is(down.received.length, valid.length, "forwarded requests");
    for (const p of valid) assert.is(seen.get(taskSid(p.i)), 1, `request ${p.i} forwarded once`);
    for (const p of plans) if (p.kind !== "valid") assert.not.ok(seen.has(taskSid(p.i)), `bad request ${p.i} forwarded`);

    const r = await server.stop("SIGTERM");
    assert.is(r.status, 0, r.stderr);
    const refused = Object.entries(KINDS).filter(([k]) => k !== "valid");
    const by = (status) => plans.filter((p) => p.kind !== "valid" && KINDS[p.kind] === status).length;
    assert.ok(r.stderr.includes(`${REQUESTS} requests, ${valid.length} forwarded`), r.stderr);
    for (const status of new Set(refused.map(([, s]) => s))) assert.ok(r.stderr.includes(`${by(status)} × ${status}`), r.stderr);
  } finally {
    await server?.stop("SIGKILL");
    await down.close();
  }
});

test.run();
