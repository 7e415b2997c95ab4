// Per-account auth tokens: the accounts file's optional "authTokenEnv" (validated strictly, its value never
// shown), the handler picking each request's token by the account it claims (a form's AccountSid, a JSON
// event's accountKey) before verifying, and `serve` reading every token from the environment only.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { ConfigError, createAccountsFilter, createWebhookHandler, parseAccountsText } from "../dist/index.js";
import { authTokensFrom } from "../dist/cli/serve-run.js";
import { downstream, formBody, serve, signedForm, signedJson, taskRouterParams } from "./support/webhook.js";

const A = "AC000000000000000000000000000000aa"; // has its own token
const B = "AC000000000000000000000000000000bb"; // uses the default token
const STRANGER = "AC0000000000000000000000000000dead"; // not configured
const TOKEN_A = "token-of-account-a-91c3";
const DEFAULT = "default-token-5d27";
const HOOK = "http://127.0.0.1:8080/taskrouter";

const accountsText = (accounts, extra = {}) => JSON.stringify({ accountKey: "AccountSid", unknownAccount: "filter", accounts, ...extra });
const config = () => parseAccountsText(accountsText({ [A]: { hipaaEnabled: true, authTokenEnv: "TOKEN_A" }, [B]: { hipaaEnabled: true } }), "accounts.json");

test("authTokenEnv: kept in the account's settings when it names a variable; absent otherwise", async () => {
  const c = await config();
  assert.is(c.accounts.get(A).authTokenEnv, "TOKEN_A");
  assert.is(c.accounts.get(B).authTokenEnv, undefined);
  assert.not.ok(Object.hasOwn(c.accounts.get(B), "authTokenEnv"), "settings of accounts without one keep their shape");
});

test("authTokenEnv: anything but a variable's name is refused at its path, and a string's value is never shown", async () => {
  const pasted = "f3a9c1d07e2b4a66b1c8d9e0f1a2b3c4-pasted"; // a token pasted by mistake
  for (const [value, found] of [[pasted, "a string of 39 characters"], ["1ABC", "a string of 4 characters"], ["", "a string of 0 characters"], [42, "a number"], [null, "null"]]) {
    let error;
    try {
      await parseAccountsText(accountsText({ [A]: { hipaaEnabled: true, authTokenEnv: value } }), "accounts.json");
    } catch (e) {
      error = e;
    }
    assert.instance(error, ConfigError);
    assert.is(error.problems.length, 1);
    assert.match(error.message, `accounts.json: accounts["${A}"].authTokenEnv: expected the name of an environment variable`);
    assert.match(error.message, found);
    if (typeof value === "string" && value !== "") assert.not.ok(error.message.includes(value), "the value was shown");
  }
  // Only accounts entries have it: tenants' settings come from CTICloud, which has no such field.
  const tenant = await parseAccountsText(accountsText({}, { tenants: [{ tenantId: "7001", authTokenEnv: "X" }] }), "a.json").catch((e) => e);
  assert.instance(tenant, ConfigError);
  assert.match(tenant.message, /tenants\[0\]\.authTokenEnv: unknown field/);
});

/** A handler over config() with per-account tokens; records what is forwarded. */
async function setup(options = {}) {
  const c = await config();
  const calls = [];
  const handler = await createWebhookHandler({
    filter: await createAccountsFilter(c), authToken: DEFAULT, authTokens: new Map([[A, TOKEN_A]]), accountKeyPath: c.accountKeyPath,
    forwardUrl: "http://downstream.test/in", fetch: async (_url, init) => (calls.push(init.body), new Response("ok")), ...options,
  });
  const form = async (account, token) => {
    const params = taskRouterParams(0, account);
    const r = await handler(new Request(HOOK, { method: "POST", headers: signedForm(HOOK, params, token), body: formBody(params) }));
    return { status: r.status, text: await r.text() };
  };
  return { handler, calls, form };
}

test("a form's AccountSid picks its token: its own when configured, the default otherwise, never the other one", async () => {
  const { calls, form } = await setup();
  assert.is((await form(A, TOKEN_A)).status, 200);
  assert.is((await form(A, DEFAULT)).status, 403, "an account with its own token is not verified with the default one");
  assert.is((await form(B, DEFAULT)).status, 200);
  assert.is((await form(B, TOKEN_A)).status, 403, "another account's token does not sign for B");
  // An unconfigured account falls to the default token; the accounts file's unknownAccount then decides.
  assert.is((await form(STRANGER, DEFAULT)).status, 200);
  assert.is(calls.length, 3);
});

test("without a default token an account with none is refused 403 'unknown account', its id not repeated", async () => {
  const { calls, form } = await setup({ authToken: undefined });
  assert.is((await form(A, TOKEN_A)).status, 200);
  for (const account of [B, STRANGER]) {
    const r = await form(account, DEFAULT);
    assert.is(r.status, 403);
    assert.is(r.text.trim(), "unknown account");
  }
  assert.is(calls.length, 1);
});

test("JSON bodies: the account at accountKey picks the token; an array whose events disagree gets the default", async () => {
  const { handler, calls } = await setup();
  const send = async (events, token) => {
    const body = JSON.stringify(events);
    const { url, headers } = signedJson(HOOK, body, token);
    return (await handler(new Request(url, { method: "POST", headers, body }))).status;
  };
  const a = taskRouterParams(0, A);
  const b = taskRouterParams(1, B);
  assert.is(await send(a, TOKEN_A), 200);
  assert.is(await send([a, a], TOKEN_A), 200);
  assert.is(await send([a, a], DEFAULT), 403);
  // Mixed accounts: no single account vouches for the batch, so A's token does not apply.
  assert.is(await send([a, b], TOKEN_A), 403);
  assert.is(await send([a, b], DEFAULT), 200);
  assert.is(calls.length, 3);
});

test("serve's tokens: each from the variable its account names, the default optional only when all have one", async () => {
  const c = await config();
  const got = authTokensFrom(c, "TWILIO_AUTH_TOKEN", { TOKEN_A: TOKEN_A, TWILIO_AUTH_TOKEN: DEFAULT });
  assert.is(got.authToken, DEFAULT);
  assert.equal([...got.authTokens], [[A, TOKEN_A]]);
  // B has no token of its own: the default is needed.
  assert.throws(() => authTokensFrom(c, "TWILIO_AUTH_TOKEN", { TOKEN_A: TOKEN_A }), (e) => /TWILIO_AUTH_TOKEN is not set/.test(e.message));
  // The variable A names is unset: named in the message (a name, not a value).
  assert.throws(() => authTokensFrom(c, "TWILIO_AUTH_TOKEN", { TWILIO_AUTH_TOKEN: DEFAULT }), (e) => /^environment variable TOKEN_A is not set/.test(e.message) && !e.message.includes(DEFAULT));
  const onlyA = await parseAccountsText(accountsText({ [A]: { hipaaEnabled: true, authTokenEnv: "TOKEN_A" } }), "a.json");
  assert.is(authTokensFrom(onlyA, "TWILIO_AUTH_TOKEN", { TOKEN_A: TOKEN_A }).authToken, undefined);
});

test("serve over real HTTP with a per-account token from the environment", async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "hipaa-sieve-accounts-"));
  const down = await downstream();
  let server;
  try {
    const file = join(dir, "accounts.json");
    writeFileSync(file, accountsText({ [A]: { hipaaEnabled: true, authTokenEnv: "TOKEN_A" } }, { unknownAccount: "reject" }));
    server = await serve(["--accounts", file, "--forward", down.url], { TOKEN_A: TOKEN_A, TWILIO_AUTH_TOKEN: "" });
    const url = `${server.url}/taskrouter`;
    const params = taskRouterParams(0, A);
    const ok = await fetch(url, { method: "POST", headers: signedForm(url, params, TOKEN_A), body: formBody(params) });
    assert.is(ok.status, 200);
    const stranger = taskRouterParams(0, STRANGER);
    const refused = await fetch(url, { method: "POST", headers: signedForm(url, stranger, TOKEN_A), body: formBody(stranger) });
    assert.is(refused.status, 403);
    assert.not.ok((await refused.text()).includes(STRANGER));
    assert.is(down.received.length, 1);
    const { status, stderr } = await server.stop();
    assert.is(status, 0);
    assert.not.ok(stderr.includes(TOKEN_A) || stderr.includes(STRANGER));
  } finally {
    await server?.stop();
    await down.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
