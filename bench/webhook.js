#!/usr/bin/env node
// node bench/webhook.js [--requests N] [--connections N] [--bad SHARE]
// `hipaa-sieve serve` end to end, as Twilio would drive it: the real CLI in a child process, signed
// TaskRouter form callbacks over keep-alive connections (a share of them bad), forwarded to a downstream
// HTTP server in this process. Reports requests per second and p50/p99 latency (per request, client side,
// the downstream answering at once). The client, the server and the downstream share the machine's cores.
import { parseArgs } from "node:util";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { downstream, serve } from "../test/support/webhook.js";
import { KINDS, planRequests, runLoad, summarize } from "../test/support/webhook-load.js";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "10000" },
    connections: { type: "string", default: "64" },
    bad: { type: "string", default: "0.1" },
  },
});
const examples = fileURLToPath(new URL("../examples/", import.meta.url));
const down = await downstream();
let server;
try {
  server = await serve(["--accounts", join(examples, "accounts.json"), "--forward", down.url]);
  // A warm-up round (JIT, connections), not counted.
  await runLoad(planRequests(server.url, 1000, Number(values.bad), 1), Number(values.connections));
  const plans = planRequests(server.url, Number(values.requests), Number(values.bad));
  const run = await runLoad(plans, Number(values.connections));
  const wrong = run.results.filter((r) => r.status !== KINDS[r.kind]).length;
  const s = summarize(run);
  console.log(`serve: ${s.requests} requests over ${values.connections} connections (${Number(values.bad) * 100}% bad) in ${s.seconds.toFixed(2)} s`);
  console.log(`  ${Math.round(s.perSecond)} requests/s, p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms, wrong statuses: ${wrong}`);
} finally {
  await server?.stop("SIGTERM");
  await down.close();
}
