// Configuration files must be UTF-8: bytes that are not (an encoded surrogate, a Latin-1 letter) are refused at
// their line and column instead of being read as U+FFFD, which would silently turn a key into another key. This
// holds for policy files, accounts files, and accounts files reloaded by --watch.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { renameSync, writeFileSync } from "node:fs";
import { Problems } from "../dist/policy/problems.js";
import { decodeStrictUtf8 } from "../dist/policy/strict-utf8.js";
import { CLI, ROOT, assertUserError, cli, tempDir, until } from "./support/cli-run.js";

const T = tempDir("config-utf8");
const bytes = (...parts) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));
const NOT_UTF8 = "not valid UTF-8 (a byte here starts no UTF-8 character, such as an encoded surrogate or a Latin-1 letter; save the file as UTF-8)";

function decode(b) {
  const problems = new Problems();
  const text = decodeStrictUtf8(b, problems);
  return { text, problems: problems.list.map((p) => [p.path, p.expected]) };
}

test("decodeStrictUtf8: UTF-8 text as it is (a BOM kept for the JSON reader); anything else at its line and column", () => {
  assert.equal(decode(bytes("{\"k\": \"é東😀\"}")), { text: "{\"k\": \"é東😀\"}", problems: [] });
  assert.equal(decode(bytes([0xef, 0xbb, 0xbf], "{}")), { text: "\ufeff{}", problems: [] });
  const cases = [
    [bytes('{"keep": ["a', [0xed, 0xa0, 0x80], 'b"]}'), "line 1, column 13"], // an encoded surrogate (CESU-8)
    [bytes('{\n "keep": [\n  "caf', [0xe9], '"]}'), "line 3, column 7"], // Latin-1 é
    [bytes([0xef, 0xbb, 0xbf], '{"a": "', [0xc0, 0xaf], '"}'), "line 1, column 8"], // overlong "/", after a BOM
    [bytes('{"a": "', [0xf4, 0x90, 0x80, 0x80], '"}'), "line 1, column 8"], // above U+10FFFF
    [bytes('{"a": "', [0xe6, 0x9d]), "line 1, column 8"], // truncated at the end
    [bytes('{"a": "東', [0x80], '"}'), "line 1, column 9"], // a stray continuation byte
  ];
  for (const [b, at] of cases) assert.equal(decode(b), { text: undefined, problems: [[at, NOT_UTF8]] }, at);
});

test("CLI: a policy or accounts file that is not UTF-8 is refused in one line, exit 1", () => {
  const policy = T.write("policy.json", bytes('{"keep": ["a', [0xed, 0xa0, 0x80], '"]}'));
  for (const args of [["filter", "--policy", policy], ["explain", "--policy", policy]]) {
    assertUserError(cli(args, { input: "" }), 1, new RegExp(`policy\\.json: line 1, column 13: not valid UTF-8 \\(`));
  }
  const accounts = T.write("accounts.json", bytes('{"accountKey": "AccountSid",\n "accounts": {"AC', [0xe9], '": {}}}'));
  assertUserError(cli(["check-config", accounts]), 1, /accounts\.json: line 2, column 18: not valid UTF-8 \(/);
});

test("--watch: a reloaded accounts file that is not UTF-8 changes nothing and is reported", async () => {
  const accounts = T.write("watched.json", { accountKey: "AccountSid", accounts: { AC1: { hipaaEnabled: false } } });
  const child = spawn(process.execPath, [CLI, "filter", "--accounts", accounts, "--watch"], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
  const closed = once(child, "close");
  child.stdin.write('{"AccountSid":"AC1","Name":"Pat"}\n');
  await until(() => stdout.length > 0);
  const next = `${accounts}.tmp`;
  // read leniently, this would be a valid file (the bad byte is in a description) that turns AC1's filtering on
  writeFileSync(next, bytes('{"accountKey": "AccountSid", "accounts": {"AC1": {"hipaaEnabled": true, "policy": "p"}},\n',
    ' "policies": {"p": {"description": "caf', [0xe9], '", "keep": ["AccountSid"]}}}'));
  renameSync(next, accounts);
  await until(() => /kept the previous configuration|loaded the changed accounts file/.test(stderr));
  child.stdin.end('{"AccountSid":"AC1","Name":"Pat"}\n');
  const [status] = await closed;
  assert.is(status, 0, stderr);
  assert.is(stdout, '{"AccountSid":"AC1","Name":"Pat"}\n'.repeat(2), "AC1 still passes through: the old configuration stayed");
  assert.match(stderr, /kept the previous configuration: .*watched\.json: line 2, column 40: not valid UTF-8 \(/);
});

test.after(() => T.cleanup());

test.run();
