// The fetch-style webhook handler, called with Request objects: every status rule, in its order. A refused
// request reaches nothing downstream (the forwarding fetch records every call); a forwarded one is the
// filtered event, exactly as the engine filters it. No response body, and no outcome reported, holds any
// of the event's content, the token, the signature or an account id.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import twilio from "twilio";
import { createAccountsFilter, createWebhookHandler, parseAccountsText } from "../dist/index.js";
import { EXAMPLES, EXAMPLE_ACCOUNT, PHI, TASKROUTER_PHI, assertNoPhi } from "./support/cli-run.js";
import { TOKEN, downstream, eventStreamsBatch, formBody, signedForm, signedJson, taskRouterParams } from "./support/webhook.js";

const URL_BASE = "http://127.0.0.1:8080/taskrouter";
const ES_ACCOUNT = "AC8e2d1c0b9a8f7e6d5c4b3a2918f7e6d5";
const UNCONFIGURED = "AC00000000000000000000000000000bad";
const accountsConfig = (file) => parseAccountsText(readFileSync(join(EXAMPLES, file), "utf8"), file);
const trFilter = await createAccountsFilter(await accountsConfig("accounts.json"));
const esFilter = await createAccountsFilter(await accountsConfig("eventstreams-accounts.json"));

/** Everything that must never appear in a response or an outcome. */
const SECRETS = [...PHI, ...TASKROUTER_PHI, TOKEN, EXAMPLE_ACCOUNT, ES_ACCOUNT, UNCONFIGURED];
const seen = [];

/** A handler whose forwarding fetch records its calls and answers with `answer(call)` (default 200). */
async function setup({ filter = trFilter, answer, ...options } = {}) {
  const calls = [];
  const outcomes = [];
  const fetch = async (url, init) => {
    calls.push({ url, body: new TextDecoder().decode(init.body), type: init.headers["content-type"] });
    return answer ? answer(init) : new Response("ok", { status: 200 });
  };
  const handler = await createWebhookHandler({
    filter, authToken: TOKEN, forwardUrl: "http://downstream.test/in", fetch, onOutcome: (o) => outcomes.push(o), ...options,
  });
  /** Calls the handler; checks the response and outcome hold nothing secret. */
  const call = async (request) => {
    const response = await handler(request);
    const text = await response.text();
    seen.push(text, JSON.stringify(outcomes.at(-1)), JSON.stringify([...response.headers]));
    return { status: response.status, text: text.trim() };
  };
  return { handler, calls, outcomes, call };
}

const post = (url, headers, body) => new Request(url, { method: "POST", headers, body });
const formPost = (url = URL_BASE, params = taskRouterParams(0), token = TOKEN) => post(url, signedForm(url, params, token), formBody(params));

test("a signed TaskRouter form: 200 once forwarded, the event filtered as filterEvent filters its JSON", async () => {
  const { call, calls, outcomes } = await setup();
  const params = taskRouterParams(0);
  const r = await call(formPost(URL_BASE, params));
  assert.is(r.status, 200);
  assert.is(calls.length, 1);
  assert.is(calls[0].type, "application/json");
  const expected = trFilter.filterEvent(JSON.stringify(params));
  assert.ok(expected.ok);
  assert.is(calls[0].body, new TextDecoder().decode(expected.output));
  const forwarded = JSON.parse(calls[0].body);
  assert.is(forwarded.EventType, params.EventType);
  assert.type(forwarded.TaskAttributes, "string", "TaskAttributes stays a JSON string");
  assertNoPhi(calls[0].body);
  assert.equal(outcomes, [{ status: 200, reason: "forwarded", events: 1 }]);
});

test("403 before anything else: no signature, a wrong one, another token's; the downstream sees nothing", async () => {
  const { call, calls, handler } = await setup();
  const params = taskRouterParams(1);
  const { "x-twilio-signature": good, ...unsigned } = signedForm(URL_BASE, params);
  const cases = [
    post(URL_BASE, unsigned, formBody(params)),
    post(URL_BASE, { ...unsigned, "x-twilio-signature": "" }, formBody(params)),
    post(URL_BASE, { ...unsigned, "x-twilio-signature": good.replace(/^./, (c) => (c === "A" ? "B" : "A")) }, formBody(params)),
    formPost(URL_BASE, params, "another-token"),
    // Signed for other parameters than those sent.
    post(URL_BASE, signedForm(URL_BASE, params), formBody({ ...params, TaskSid: "WT0" })),
    // Signed for another URL.
    post(`${URL_BASE}?x=1`, signedForm(URL_BASE, params), formBody(params)),
    // Unsigned and not even a POST, or far too large: still 403 first.
    new Request(URL_BASE, { method: "GET" }),
    post(URL_BASE, unsigned, "x".repeat(2 << 20)),
  ];
  for (const request of cases) assert.is((await call(request)).status, 403);
  assert.is(calls.length, 0, "nothing forwarded");
  assert.equal(handler.stats.refused, { 403: cases.length });
});

test("JSON bodies: bodySHA256 must be in the signed URL and match the body, else 403", async () => {
  const { call, calls } = await setup({ filter: esFilter });
  const body = eventStreamsBatch(ES_ACCOUNT, 2);
  const { url, headers } = signedJson(URL_BASE, body);
  const urlOnly = { "content-type": "application/json", "x-twilio-signature": twilio.getExpectedTwilioSignature(TOKEN, URL_BASE, {}) };
  assert.is((await call(post(URL_BASE, urlOnly, body))).status, 403, "no bodySHA256: the body is not covered");
  assert.is((await call(post(url, headers, body.replace("Billing", "Billinh")))).status, 403, "body changed");
  assert.is((await call(post(url.replace(/bodySHA256=[0-9a-f]+/, "bodySHA256=00"), headers, body))).status, 403, "hash changed");
  assert.is(calls.length, 0);
  assert.is((await call(post(url, headers, body))).status, 200);
  assert.is(calls.length, 1);
});

test("an Event Streams array: each element filtered, forwarded as one array", async () => {
  const { call, calls, outcomes } = await setup({ filter: esFilter });
  const body = readFileSync(join(EXAMPLES, "eventstreams.json"), "utf8");
  const { url, headers } = signedJson(URL_BASE, body);
  const r = await call(post(url, headers, body));
  assert.is(r.status, 200);
  const elements = JSON.parse(body);
  const expected = elements.map((e) => {
    const out = esFilter.filterEvent(JSON.stringify(e));
    assert.ok(out.ok);
    return JSON.parse(new TextDecoder().decode(out.output));
  });
  assert.equal(JSON.parse(calls[0].body), expected);
  assert.is(outcomes[0].events, elements.length);
  // The example's PHI (names in task attributes) does not get through.
  assert.not.match(calls[0].body, /Dorothy|Keane|Gina Albright/);
});

test("a single JSON object body is one event", async () => {
  const { call, calls } = await setup({ filter: esFilter });
  const body = JSON.parse(eventStreamsBatch(ES_ACCOUNT, 1))[0];
  const text = JSON.stringify(body);
  const { url, headers } = signedJson(URL_BASE, text);
  assert.is((await call(post(url, headers, text))).status, 200);
  assert.is(calls.length, 1);
  assert.ok(calls[0].body.startsWith("{"));
  assertNoPhi(calls[0].body);
});

test("405 for a signed request that is not a POST", async () => {
  const { call, calls } = await setup();
  const r = await call(new Request(URL_BASE, { method: "PUT", headers: signedForm(URL_BASE, {}), body: "" }));
  assert.is(r.status, 405);
  assert.is(calls.length, 0);
});

test("413 past maxBodyBytes: by Content-Length unread, or while reading a stream (which stops there)", async () => {
  const { call, calls } = await setup({ maxBodyBytes: 1000 });
  const params = taskRouterParams(0);
  assert.ok(formBody(params).length > 1000);
  assert.is((await call(formPost(URL_BASE, params))).status, 413);
  let pulled = 0;
  const stream = new ReadableStream({
    pull(controller) {
      pulled++;
      if (pulled > 100) return controller.close();
      controller.enqueue(new Uint8Array(300).fill(0x61));
    },
  }, { highWaterMark: 0 });
  const request = new Request(URL_BASE, { method: "POST", headers: signedForm(URL_BASE, {}), body: stream, duplex: "half" });
  assert.is((await call(request)).status, 413);
  assert.ok(pulled <= 5, `the body was read past the limit: ${pulled} chunks`);
  // At the limit exactly: accepted (the form is signed, then malformed as an event: no fields).
  const small = await setup({ maxBodyBytes: 1000 });
  const exact = { A: "x".repeat(996) };
  assert.is((await small.call(formPost(URL_BASE, exact))).status, 200);
  assert.is(calls.length, 0);
});

test("400 for malformed bodies, signed: repeated field, empty form, bad UTF-8, not JSON, broken array, other types", async () => {
  const { call, calls } = await setup({ filter: esFilter });
  const repeated = "AccountSid=AC1&AccountSid=AC2";
  const sig = (params) => ({ "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": twilio.getExpectedTwilioSignature(TOKEN, URL_BASE, params) });
  assert.is((await call(post(URL_BASE, sig({ AccountSid: ["AC1", "AC2"] }), repeated))).status, 400);
  assert.is((await call(post(URL_BASE, sig({}), ""))).status, 400);
  const badUtf8 = new Uint8Array([0x41, 0x3d, 0xff, 0xfe]); // "A=" then bytes that are not UTF-8
  assert.is((await call(post(URL_BASE, sig({ A: "\ufffd\ufffd" }), badUtf8))).status, 400);
  for (const body of ["nope", "[{}", "[{},]", "[] x", "", "42"]) {
    const { url, headers } = signedJson(URL_BASE, body);
    assert.is((await call(post(url, headers, body))).status, 400, body);
  }
  const { url, headers } = signedJson(URL_BASE, "{}");
  assert.is((await call(post(url, { ...headers, "content-type": "text/plain" }, "{}"))).status, 400);
  assert.is(calls.length, 0);
});

test("422 for an event the filter rejects, with the rejection code only; an array with one is refused whole", async () => {
  const { call, calls } = await setup({ filter: esFilter });
  const one = eventStreamsBatch(UNCONFIGURED, 1);
  let { url, headers } = signedJson(URL_BASE, one);
  assert.equal(await call(post(url, headers, one)), { status: 422, text: "UNKNOWN_ACCOUNT" });
  const mixed = `[${JSON.parse(eventStreamsBatch(ES_ACCOUNT, 2)).map((e) => JSON.stringify(e)).join(",")},{"data":{"payload":{"account_sid":"x","account_sid":"y"}}}]`;
  ({ url, headers } = signedJson(URL_BASE, mixed));
  assert.equal(await call(post(url, headers, mixed)), { status: 422, text: "DUPLICATE_ACCOUNT_KEY" });
  const invalid = `[${eventStreamsBatch(ES_ACCOUNT, 1).slice(1, -1)}, {"a": 01}]`;
  ({ url, headers } = signedJson(URL_BASE, invalid));
  assert.equal(await call(post(url, headers, invalid)), { status: 422, text: "INVALID_NUMBER" });
  assert.is(calls.length, 0, "nothing forwarded");
});

test("502 when the downstream fails (not 2xx, unreachable, a redirect), 504 when it does not answer in time", async () => {
  const failing = await setup({ answer: () => new Response("Maria Gonzalez says no", { status: 500 }) });
  assert.is((await failing.call(formPost())).status, 502);
  const throwing = await setup({ answer: () => { throw new TypeError("fetch failed: Maria Gonzalez"); } });
  assert.is((await throwing.call(formPost())).status, 502);
  const hanging = await setup({
    forwardTimeoutMs: 50,
    answer: (init) => new Promise((_, reject) => init.signal.addEventListener("abort", () => reject(init.signal.reason))),
  });
  assert.is((await hanging.call(formPost())).status, 504);

  // The real fetch against real servers: an error status, a redirect, a slow answer, a closed port.
  const servers = [];
  try {
    const down500 = await downstream((_req, res) => { res.statusCode = 503; res.end(); });
    servers.push(down500);
    const redirect = await downstream((_req, res) => { res.writeHead(307, { location: "http://127.0.0.1:1/elsewhere" }); res.end(); });
    servers.push(redirect);
    const slow = await downstream((_req, res) => setTimeout(() => res.end("late"), 500));
    servers.push(slow);
    const real = async (forwardUrl, extra = {}) => (await setup({ forwardUrl, fetch: undefined, ...extra })).call(formPost());
    assert.is((await real(down500.url)).status, 502);
    assert.is((await real(redirect.url)).status, 502);
    assert.is((await real(slow.url, { forwardTimeoutMs: 100 })).status, 504);
    const closed = await downstream();
    const closedUrl = closed.url;
    await closed.close();
    assert.is((await real(closedUrl)).status, 502);
    const ok = await downstream();
    servers.push(ok);
    assert.is((await real(ok.url)).status, 200);
    assert.is(ok.received.length, 1);
    assert.is(ok.received[0].type, "application/json");
    assert.is(redirect.received.length, 1, "the redirect was not followed");
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }
});

test("--public-url: the signature covers the public base with the request's path and query", async () => {
  const { call, calls } = await setup({ publicUrl: "https://hooks.example.com/sieve/" });
  const params = taskRouterParams(2);
  const local = "http://127.0.0.1:8080/taskrouter?q=1";
  const signedPublic = signedForm("https://hooks.example.com/sieve/taskrouter?q=1", params);
  assert.is((await call(post(local, signedPublic, formBody(params)))).status, 200);
  assert.is((await call(post(local, signedForm(local, params), formBody(params)))).status, 403, "the local URL is not the signed one");
  assert.is(calls.length, 1);
});

test("500 when the filter fails: fail closed, its message not passed on", async () => {
  const broken = { filterEvent() { throw new Error("engine trap near Maria Gonzalez"); }, filterBatch() { throw new Error("x"); } };
  const { call, calls, outcomes } = await setup({ filter: broken });
  assert.equal(await call(formPost()), { status: 500, text: "internal error" });
  assert.is(calls.length, 0);
  assert.equal(outcomes, [{ status: 500, reason: "internal error", events: 0 }]);
});

test("stats: requests, forwarded, events and refusals by status", async () => {
  const { handler, call } = await setup();
  await call(formPost());
  await call(formPost());
  await call(post(URL_BASE, { "content-type": "application/x-www-form-urlencoded" }, "a=1"));
  assert.equal(handler.stats, { requests: 3, forwarded: 2, events: 2, refused: { 403: 1 } });
});

test("no response body, header or outcome of any test above held content, the token, a signature or an account id", () => {
  assert.ok(seen.length > 60, `responses seen: ${seen.length}`);
  const all = seen.join("\n");
  for (const secret of SECRETS) assert.not.ok(all.includes(secret), `leaked: ${secret}`);
  assert.not.match(all, /[A-Za-z0-9+/]{27}=/, "no signature-shaped string");
});

test.run();
