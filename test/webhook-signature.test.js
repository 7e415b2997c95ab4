// The webhook signature against an oracle: the `twilio` package's own validateRequest and
// validateRequestWithBody (a dev dependency, used here only). On random URLs, parameters and bodies, each
// signed right and then spoiled in one way, our verifier must accept exactly what Twilio's accepts, and a
// signature we make must pass Twilio's check. URLs keep to the forms both validators share (see
// src/webhook/signature.ts: the legacy querystring re-encoding is Twilio's alone), so unique query names
// and no "'" in the query.
import { test } from "uvu";
import * as assert from "uvu/assert";
import twilio from "twilio";
import { mulberry32 } from "./support/random.js";
import { bodyMatchesUrl, bodySha256, constantTimeEqual, createSignatureVerifier, formParams, signedData, urlCandidates } from "../dist/webhook/signature.js";

const rand = mulberry32(0x7e1e9);
const pick = (list) => list[Math.floor(rand() * list.length)];
const int = (n) => Math.floor(rand() * n);

/** Characters that exercise sorting and encoding: ASCII letters of both cases, separators, accents, astral. */
const ALPHABET = [..."aAbBzZ09_-. +&=%/?#~!*()", "é", "ß", "中", "😀", "\u00a0", "\n", "\t", '"', "\\", "{", "}"];
const word = (max = 8) => Array.from({ length: int(max) }, () => pick(ALPHABET)).join("");
const name = () => pick(["EventType", "AccountSid", "TaskAttributes", "Task", "task", "Z", "a", "_x", "é"]) + word(4);

function randomUrl() {
  const scheme = pick(["https", "http"]);
  const host = pick(["example.com", "hooks.example.org", "127.0.0.1", "a-b.c"]);
  const port = pick(["", "", ":443", ":80", ":8443", `:${1 + int(65535)}`]);
  const path = Array.from({ length: int(4) }, () => encodeURIComponent(word(6)).replaceAll("'", "%27")).join("/");
  const names = new Set();
  const query = [];
  for (let i = int(4); i > 0; i--) {
    const n = "q" + word(4).replace(/[0-9]/g, "n");
    if (names.has(n)) continue;
    names.add(n);
    query.push(`${encodeURIComponent(n)}=${encodeURIComponent(word(8))}`.replaceAll("'", "%27"));
  }
  return `${scheme}://${host}${port}/${path}${query.length ? "?" + query.join("&") : ""}`;
}

/** Random form parameters: as Twilio's validator takes them (name → string or array) and as a Map. */
function randomParams() {
  const object = {};
  for (let i = int(6); i > 0; i--) {
    const n = name();
    object[n] = rand() < 0.15 ? Array.from({ length: 1 + int(3) }, () => word(6)) : word(12);
  }
  return object;
}
const toMap = (object) => new Map(Object.entries(object).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));

/** The request changed in one way (or not at all): what an attacker or a proxy might do. */
function spoil(url, params, signature, token) {
  const keys = Object.keys(params);
  switch (int(9)) {
    case 0: return { url, params, signature, token };
    case 1: return { url, params, signature: signature.slice(0, -2) + (signature.at(-2) === "A" ? "B" : "A") + signature.at(-1), token };
    case 2: return { url, params, signature, token: token + "x" };
    case 3: return { url: url.replace(/^(https?:\/\/[^/]+)\//, "$1/x"), params, signature, token };
    case 4: return keys.length ? { url, params: { ...params, [keys[0]]: String(params[keys[0]]) + "1" }, signature, token } : { url, params: { extra: "" }, signature, token };
    case 5: return { url, params: Object.fromEntries(Object.entries(params).slice(1)), signature, token };
    // A port added or taken away: Twilio has signed both forms, both validators accept either.
    case 6: return { url: url.replace(/^(https?:\/\/[^/:]+)(:\d+)?/, (_, h, p) => (p ? h : h + (url.startsWith("https") ? ":443" : ":80"))), params, signature, token };
    case 7: return { url: url.replace(/^(https?:\/\/[^/:]+)(:\d+)?/, (_, h) => h + ":1234"), params, signature, token };
    default: return { url, params, signature: "", token };
  }
}

test("form parameters: our verifier and twilio.validateRequest agree, accept and refuse alike", async () => {
  let accepted = 0;
  let refused = 0;
  for (let i = 0; i < 1500; i++) {
    const token = "t" + word(20) + i;
    const url = randomUrl();
    const params = randomParams();
    const signature = twilio.getExpectedTwilioSignature(token, url, params);
    const c = spoil(url, params, signature, token);
    const theirs = twilio.validateRequest(c.token, c.signature, c.url, c.params);
    const ours = await (await createSignatureVerifier(c.token)).verify(c.signature, c.url, toMap(c.params));
    assert.is(ours, theirs, `case ${i}: ${JSON.stringify(c)}`);
    if (ours) accepted++;
    else refused++;
  }
  // Both outcomes are well represented: agreement on refusals alone would prove nothing.
  assert.ok(accepted > 300 && refused > 300, `accepted ${accepted}, refused ${refused}`);
});

test("our signature passes twilio.validateRequest, and theirs is ours, for every random request", async () => {
  for (let i = 0; i < 500; i++) {
    const token = word(30) + "k";
    const url = randomUrl();
    const params = randomParams();
    const verifier = await createSignatureVerifier(token);
    const ours = await verifier.sign(url, toMap(params));
    assert.is(ours, twilio.getExpectedTwilioSignature(token, url, params));
    assert.ok(twilio.validateRequest(token, ours, url, params));
  }
});

test("JSON bodies with bodySHA256: our checks and twilio.validateRequestWithBody agree", async () => {
  let accepted = 0;
  let refused = 0;
  for (let i = 0; i < 1000; i++) {
    const token = word(16) + "k" + i;
    const body = JSON.stringify([{ data: { n: word(40) }, i }]);
    const bytes = new TextEncoder().encode(body);
    const hash = await bodySha256(bytes);
    assert.is(hash, twilio.getExpectedBodyHash(body));
    const base = randomUrl();
    let url = `${base}${base.includes("?") ? "&" : "?"}bodySHA256=${hash}`;
    let sent = body;
    let signature = twilio.getExpectedTwilioSignature(token, url, null);
    switch (int(6)) {
      case 1: sent = body.replace("]", ",1]"); break; // the body changed after signing
      case 2: url = url.replace(hash, hash.toUpperCase()); signature = twilio.getExpectedTwilioSignature(token, url, null); break;
      case 3: url = url.replace(hash, hash.slice(0, -1) + (hash.at(-1) === "0" ? "1" : "0")); signature = twilio.getExpectedTwilioSignature(token, url, null); break;
      case 4: signature = twilio.getExpectedTwilioSignature(token + "x", url, null); break;
      case 5: url = url.replace("bodySHA256=", "bodySHA256=" + hash + "&x="); break; // the signed URL changed
      default: break;
    }
    const theirs = twilio.validateRequestWithBody(token, signature, url, sent);
    const verifier = await createSignatureVerifier(token);
    const ours = (await verifier.verify(signature, url, null)) && (await bodyMatchesUrl(url, new TextEncoder().encode(sent)));
    assert.is(ours, theirs, `case ${i}: ${url}`);
    if (ours) accepted++;
    else refused++;
  }
  assert.ok(accepted > 150 && refused > 400, `accepted ${accepted}, refused ${refused}`);
});

test("the signed text: the URL, then the names sorted, each with its distinct values sorted", () => {
  const params = formParams("b=2&a=1&B=x&a=0&a=1");
  assert.is(signedData("https://h/p?x=1", params), "https://h/p?x=1B" + "xa0a1b2");
  assert.is(signedData("https://h/p", null), "https://h/p");
  // "+" in a form is a space, as Twilio's validators decode it.
  assert.equal([...formParams("a=x+y%2B").entries()], [["a", ["x y+"]]]);
});

test("URL forms accepted: as given and normalized, each without and with the default port", () => {
  assert.equal(urlCandidates("https://h.example/p?q=1"), ["https://h.example/p?q=1", "https://h.example:443/p?q=1"]);
  assert.equal(urlCandidates("http://h:8080/p"), ["http://h:8080/p", "http://h/p"]);
  assert.equal(urlCandidates("https://H.example/a b"), [
    "https://H.example/a b", "https://H.example:443/a b", "https://h.example/a%20b", "https://h.example:443/a%20b",
  ]);
});

test("constant-time comparison: equal only when every character is", () => {
  assert.ok(constantTimeEqual("abc=", "abc="));
  assert.not.ok(constantTimeEqual("abc=", "abd="));
  assert.not.ok(constantTimeEqual("abc", "abc="));
  assert.not.ok(constantTimeEqual("", "a"));
});

test("a verifier refuses a missing or empty header, and cannot be made without a token", async () => {
  const v = await createSignatureVerifier("token");
  const sig = await v.sign("https://h/", new Map());
  assert.ok(await v.verify(sig, "https://h/", new Map()));
  assert.not.ok(await v.verify(null, "https://h/", new Map()));
  assert.not.ok(await v.verify("", "https://h/", new Map()));
  await createSignatureVerifier("").then(() => assert.unreachable("an empty token"), (e) => assert.not.match(e.message, /token\b.*:/));
});

test.run();
