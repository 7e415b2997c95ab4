// `hipaa-sieve serve`, the real CLI in a child process, over real HTTP with real signatures (made by the
// `twilio` package), forwarding to a downstream server run by the test. Every server listens on 127.0.0.1
// on a free port and is closed whatever happens (finally).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { EXAMPLES, EXAMPLE_ACCOUNT, assertNoPhi, assertUserErrors, cli, tempDir } from "./support/cli-run.js";
import { TOKEN, downstream, formBody, serve, signedForm, signedJson, taskRouterParams } from "./support/webhook.js";

const T = tempDir("serve");
const ACCOUNTS = join(EXAMPLES, "accounts.json");
const ES_ACCOUNTS = join(EXAMPLES, "eventstreams-accounts.json");

test("serve forwards a signed TaskRouter form filtered, refuses a bad one, and prints a summary on SIGTERM", async () => {
  const down = await downstream();
  let server;
  try {
    server = await serve(["--accounts", ACCOUNTS, "--forward", down.url]);
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const url = `${server.url}/taskrouter`;
    const params = taskRouterParams(0);
    const ok = await fetch(url, { method: "POST", headers: signedForm(url, params), body: formBody(params) });
    assert.is(ok.status, 200);
    const bad = await fetch(url, { method: "POST", headers: signedForm(url, params, "not-the-token"), body: formBody(params) });
    assert.is(bad.status, 403);
    const unsigned = await fetch(url, { method: "POST", body: formBody(params) });
    assert.is(unsigned.status, 403);
    assert.is(down.received.length, 1, "only the signed request was forwarded");
    const event = JSON.parse(down.received[0].body);
    assert.is(event.AccountSid, EXAMPLE_ACCOUNT);
    assert.is(event.EventType, params.EventType);
    assertNoPhi(down.received[0].body);
    const r = await server.stop("SIGTERM");
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stderr, /^hipaa-sieve: serve stopped by SIGTERM: 3 requests, 1 forwarded \(1 event\), refused: 2 × 403\n$/);
    for (const text of [r.stdout, r.stderr, await bad.text(), await ok.text()]) {
      assertNoPhi(text);
      assert.not.ok(text.includes(TOKEN));
      assert.not.ok(text.includes(EXAMPLE_ACCOUNT));
    }
  } finally {
    await server?.stop("SIGKILL");
    await down.close();
  }
});

test("serve: an Event Streams array with bodySHA256, --public-url, --auth-token-env, 413 and 422 over HTTP", async () => {
  const down = await downstream();
  let server;
  try {
    server = await serve(
      ["--accounts", ES_ACCOUNTS, "--forward", down.url, "--public-url", "https://hooks.example.com/base", "--auth-token-env", "MY_TOKEN", "--max-body-bytes", "20000"],
      { MY_TOKEN: TOKEN, TWILIO_AUTH_TOKEN: "" },
    );
    const body = readFileSync(join(EXAMPLES, "eventstreams.json"), "utf8");
    const signed = signedJson("https://hooks.example.com/base/streams", body);
    const local = signed.url.replace("https://hooks.example.com/base", server.url);
    const r = await fetch(local, { method: "POST", headers: signed.headers, body });
    assert.is(r.status, 200);
    assert.is(down.received.length, 1);
    assert.is(JSON.parse(down.received[0].body).length, JSON.parse(body).length);
    // Signed for the local URL, not the public one: refused.
    const wrongBase = signedJson(`${server.url}/streams`, body);
    assert.is((await fetch(wrongBase.url, { method: "POST", headers: wrongBase.headers, body })).status, 403);
    const big = `[${"{}, ".repeat(10000)}{}]`;
    const bigSigned = signedJson("https://hooks.example.com/base/streams", big);
    assert.is((await fetch(bigSigned.url.replace("https://hooks.example.com/base", server.url), { method: "POST", headers: bigSigned.headers, body: big })).status, 413);
    const unknown = `[{"data":{"payload":{"account_sid":"AC00000000000000000000000000000bad"}}}]`;
    const u = signedJson("https://hooks.example.com/base/streams", unknown);
    const refused = await fetch(u.url.replace("https://hooks.example.com/base", server.url), { method: "POST", headers: u.headers, body: unknown });
    assert.is(refused.status, 422);
    assert.is(await refused.text(), "UNKNOWN_ACCOUNT\n");
    assert.is(down.received.length, 1);
    const done = await server.stop("SIGINT");
    assert.is(done.status, 0);
    assert.match(done.stderr, /2 × 403|1 × 403, 1 × 413, 1 × 422/);
    assert.not.ok(done.stderr.includes("AC00000000000000000000000000000bad"));
  } finally {
    await server?.stop("SIGKILL");
    await down.close();
  }
});

test("SIGTERM: requests in flight are finished and forwarded, new connections refused, exit 0", async () => {
  let release;
  const held = new Promise((resolve) => (release = resolve));
  const down = await downstream(async (_req, res) => {
    await held;
    res.end("ok");
  });
  let server;
  try {
    server = await serve(["--accounts", ACCOUNTS, "--forward", down.url]);
    const url = `${server.url}/taskrouter`;
    const requests = [0, 1, 2].map((i) => {
      const params = taskRouterParams(i);
      return fetch(url, { method: "POST", headers: signedForm(url, params), body: formBody(params) });
    });
    while (down.received.length < 3) await new Promise((r) => setTimeout(r, 10));
    server.stop("SIGTERM");
    // Stopped accepting: a new connection fails while the three are still held downstream.
    let refusedNew = false;
    for (let i = 0; i < 100 && !refusedNew; i++) {
      await new Promise((r) => setTimeout(r, 20));
      refusedNew = await fetch(url, { method: "POST", headers: { connection: "close" } }).then(() => false, () => true);
    }
    assert.ok(refusedNew, "new connections are refused once stopping");
    release();
    const statuses = await Promise.all(requests.map((p) => p.then((r) => r.status)));
    assert.equal(statuses, [200, 200, 200]);
    const r = await server.closed;
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stderr, /3 forwarded/);
  } finally {
    release();
    await server?.stop("SIGKILL");
    await down.close();
  }
});

test("serve: usage errors and configuration failures, one line each, never the token or a URL's content", async () => {
  const bad = T.write("bad.json", '{"accountKey": "AccountSid", "accounts": 1}');
  await assertUserErrors([
    [["serve", "--forward", "http://127.0.0.1:1/"], 2, /--accounts FILE is required/],
    [["serve", "--accounts", ACCOUNTS], 2, /--forward URL is required/],
    [["serve", "--accounts", ACCOUNTS, "--forward", "ftp://user:secret-pw@x/"], 2, /^hipaa-sieve: option --forward must be an absolute http:\/\/ or https:\/\/ URL \(see/],
    [["serve", "--accounts", ACCOUNTS, "--forward", "http://x/", "--public-url", "nope"], 2, /--public-url must be/],
    [["serve", "--accounts", ACCOUNTS, "--forward", "http://x/", "--port", "70000"], 2, /--port must be a port number/],
    [["serve", "--accounts", ACCOUNTS, "--forward", "http://x/", "--auth-token", TOKEN], 2, /unknown option --auth-token/],
    [["serve", "--accounts", ACCOUNTS, "--forward", "http://x/", "--auth-token-env", "A-B"], 2, /--auth-token-env must name/],
    [["serve", "--accounts", ACCOUNTS, "--forward", "http://x/", "--max-body-bytes", "0"], 2, /--max-body-bytes must be a positive integer/],
    [["serve", "--accounts", ACCOUNTS, "--forward", "http://x/", "--auth-token-env", "HIPAA_SIEVE_TEST_UNSET"], 1, /environment variable HIPAA_SIEVE_TEST_UNSET is not set/],
    [["serve", "--accounts", bad, "--forward", "http://x/"], 1, /bad\.json: accounts: expected an object/],
  ]);
  const r = cli(["serve", "--accounts", ACCOUNTS, "--forward", "ftp://user:secret-pw@x/"]);
  assert.not.ok(r.stderr.includes("secret-pw"));
});

test("serve --help: usage, every option, the status codes", () => {
  const r = cli(["serve", "--help"]);
  assert.is(r.status, 0);
  assert.match(r.stdout, /^Usage: hipaa-sieve serve --accounts FILE --forward URL/);
  for (const option of ["--accounts", "--forward", "--port", "--host", "--auth-token-env", "--public-url", "--max-body-bytes", "--help"]) {
    assert.ok(r.stdout.includes(option), option);
  }
  assert.match(r.stdout, /403/);
  assert.match(r.stdout, /422/);
  assert.match(cli(["--help"]).stdout, /\n  serve +Receive signed Twilio webhooks/);
});

test("cleanup", () => T.cleanup());

test.run();
