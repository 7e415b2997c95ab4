// The Worker template (examples/cloudflare-worker/worker.js) in real workerd via miniflare v4: requests
// signed with the `twilio` package's signer are verified there, filtered with the template's accounts.json
// and forwarded to a Node http server on 127.0.0.1; unsigned and forged ones get 403 and reach nothing;
// a failing downstream gives 502 so that Twilio retries. The forwarded event must be exactly what the
// Node-side library makes of the same callback.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { createAccountsFilter, loadAccountsConfig } from "../../dist/index.js";
import { formEventJson } from "../../dist/webhook/form-event.js";
import { TOKEN, downstream, formBody, signedForm, signedJson, taskRouterParams } from "../support/webhook.js";
import { workerModules } from "./bundle.js";

const TEMPLATE = new URL("../../examples/cloudflare-worker/", import.meta.url);
const ACCOUNT = "AC5f1e0c2a9b8d47e3a6c4f2b1d0e9a8c7"; // the template's one account
const HOOK = "https://hooks.example.test/twilio/taskrouter";
const decoder = new TextDecoder();

/** The template Worker, forwarding to `forwardUrl`; always disposed, with the downstream, by `run`. */
async function withWorker(respond, body, { accounts, bindings = { TWILIO_AUTH_TOKEN: TOKEN } } = {}) {
  const down = await downstream(respond);
  let mf;
  try {
    mf = new Miniflare({
      modules: await workerModules(new URL("worker.js", TEMPLATE).pathname, { accounts }),
      compatibilityDate: "2025-01-01",
      bindings: { ...bindings, FORWARD_URL: down.url },
    });
    await body(mf, down);
  } finally {
    await mf?.dispose();
    await down.close();
  }
}

/** What Node's library makes of the callback with the template's accounts.json. */
async function nodeFiltered(params) {
  const config = await loadAccountsConfig(JSON.parse(readFileSync(new URL("accounts.json", TEMPLATE), "utf8")), "accounts.json");
  const filter = await createAccountsFilter(config);
  const map = new Map(Object.entries(params).map(([k, v]) => [k, [v]]));
  const result = filter.filterEvent(formEventJson(map));
  assert.ok(result.ok);
  return decoder.decode(result.output);
}

test("a signed TaskRouter callback is verified, filtered and forwarded from workerd", async () => {
  await withWorker(undefined, async (mf, down) => {
    const params = taskRouterParams(0, ACCOUNT);
    const response = await mf.dispatchFetch(HOOK, { method: "POST", headers: signedForm(HOOK, params), body: formBody(params) });
    assert.is(response.status, 200);
    assert.is(down.received.length, 1);
    assert.is(down.received[0].type, "application/json");
    assert.is(down.received[0].body, await nodeFiltered(params));
    // TaskAttributes held the caller's name and number: not forwarded.
    const attributes = params.TaskAttributes;
    for (const secret of [JSON.parse(attributes).name, JSON.parse(attributes).from]) {
      assert.ok(attributes.includes(secret) && !down.received[0].body.includes(secret));
    }
  });
});

test("unsigned and forged requests get 403 in workerd and nothing is forwarded", async () => {
  await withWorker(undefined, async (mf, down) => {
    const params = taskRouterParams(1, ACCOUNT);
    const unsigned = await mf.dispatchFetch(HOOK, {
      method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: formBody(params),
    });
    assert.is(unsigned.status, 403);
    // Signed with another token; and signed for these params but sent with one changed.
    const forged = await mf.dispatchFetch(HOOK, { method: "POST", headers: signedForm(HOOK, params, "not-the-token"), body: formBody(params) });
    assert.is(forged.status, 403);
    const tampered = await mf.dispatchFetch(HOOK, {
      method: "POST", headers: signedForm(HOOK, params), body: formBody({ ...params, TaskQueueName: "Other" }),
    });
    assert.is(tampered.status, 403);
    // Signed for another URL (a replay to a different hook).
    const elsewhere = await mf.dispatchFetch(HOOK, { method: "POST", headers: signedForm(`${HOOK}/other`, params), body: formBody(params) });
    assert.is(elsewhere.status, 403);
    for (const r of [unsigned, forged, tampered, elsewhere]) {
      const text = await r.text();
      assert.not.ok(text.includes(ACCOUNT) || text.includes(params.TaskSid), "a refusal echoed content");
    }
    assert.is(down.received.length, 0);
  });
});

test("a JSON array with bodySHA256 is filtered element by element and forwarded as one array", async () => {
  await withWorker(undefined, async (mf, down) => {
    const events = [0, 1, 2].map((i) => taskRouterParams(i, ACCOUNT));
    const body = JSON.stringify(events);
    const { url, headers } = signedJson(HOOK, body);
    const response = await mf.dispatchFetch(url, { method: "POST", headers, body });
    assert.is(response.status, 200);
    assert.is(down.received.length, 1);
    const forwarded = JSON.parse(down.received[0].body);
    assert.ok(Array.isArray(forwarded));
    assert.equal(forwarded, await Promise.all(events.map(async (e) => JSON.parse(await nodeFiltered(e)))));
    // The same URL with another body: the hash no longer matches.
    const other = await mf.dispatchFetch(url, { method: "POST", headers, body: JSON.stringify(events.slice(1)) });
    assert.is(other.status, 403);
    assert.is(down.received.length, 1);
  });
});

test("a downstream that fails gives 502 (Twilio retries), with nothing of its answer passed on", async () => {
  await withWorker((_req, res) => {
    res.statusCode = 503;
    res.end("downstream says: secret detail");
  }, async (mf, down) => {
    const params = taskRouterParams(2, ACCOUNT);
    const response = await mf.dispatchFetch(HOOK, { method: "POST", headers: signedForm(HOOK, params), body: formBody(params) });
    assert.is(response.status, 502);
    assert.not.ok((await response.text()).includes("secret"));
    assert.is(down.received.length, 1);
  });
});

test("an account's own token comes from the binding its authTokenEnv names; an unset binding fails closed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hipaa-sieve-worker-"));
  try {
    const accounts = join(dir, "accounts.json");
    writeFileSync(accounts, JSON.stringify({
      accountKey: "AccountSid", unknownAccount: "reject", accounts: { [ACCOUNT]: { hipaaEnabled: true, authTokenEnv: "TOKEN_CLINIC" } },
    }));
    const params = taskRouterParams(0, ACCOUNT);
    const send = (mf, token) => mf.dispatchFetch(HOOK, { method: "POST", headers: signedForm(HOOK, params, token), body: formBody(params) });
    await withWorker(undefined, async (mf, down) => {
      assert.is((await send(mf, "clinic-token-77")).status, 200);
      assert.is((await send(mf, TOKEN)).status, 403, "the account's own token, not the default, verifies it");
      assert.is(down.received.length, 1);
    }, { accounts, bindings: { TWILIO_AUTH_TOKEN: TOKEN, TOKEN_CLINIC: "clinic-token-77" } });
    // The binding is missing: every request is refused with 500 and nothing forwarded.
    await withWorker(undefined, async (mf, down) => {
      const r = await send(mf, "clinic-token-77");
      assert.is(r.status, 500);
      assert.is((await r.text()).trim(), "misconfigured");
      assert.is(down.received.length, 0);
    }, { accounts });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
