// End-to-end tests of `hipaa-sieve filter --format json-array`: a JSON array of events in (a batched
// Event Streams webhook body), a JSON array of the kept events out, element positions in --errors.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import {
  TASKROUTER_PHI, assertNoPhi, assertUserErrors, cli, cliAsync, eventStreamsEvent, lines, taskRouterEvent, tempDir,
} from "./support/cli-run.js";

const T = tempDir("json-array");

const ACCOUNTS = T.write("accounts.json", {
  accountKey: "AccountSid",
  unknownAccount: "reject",
  accounts: { ACHIPAA: { hipaaEnabled: true }, ACPLAIN: { hipaaEnabled: false } },
});

/** Realistic events: HIPAA (filtered), non-HIPAA (passed through), unknown (rejected). */
function events(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const account = ["ACHIPAA", "ACPLAIN", "ACHIPAA", "ACSTRANGER"][i % 4];
    out.push(JSON.parse(taskRouterEvent(account, i)));
  }
  return out;
}

test("a JSON array in, a JSON array out: the same events and bytes as NDJSON", () => {
  const list = events(40);
  const ndjson = cli(["filter", "--accounts", ACCOUNTS], { input: list.map((e) => JSON.stringify(e)).join("\n") + "\n" });
  assert.is(ndjson.status, 0, ndjson.stderr);
  const expected = `[${lines(ndjson.stdout).join(",")}]\n`;
  for (const body of [JSON.stringify(list), JSON.stringify(list, null, 2), `\r\n [ ${list.map((e) => JSON.stringify(e)).join(" ,\r\n\t")} ] \n`]) {
    const r = cli(["filter", "--accounts", ACCOUNTS, "--format", "json-array"], { input: body });
    assert.is(r.status, 0, r.stderr);
    assert.equal(lines(r.stderr), lines(ndjson.stderr), "same summary");
    if (body === JSON.stringify(list)) assert.is(r.stdout, expected, "compact input: byte for byte the NDJSON output, as an array");
    const out = JSON.parse(r.stdout);
    assert.ok(Array.isArray(out));
    assert.equal(out, lines(ndjson.stdout).map((l) => JSON.parse(l)));
    assertNoPhi(JSON.stringify(out.filter((e) => e.AccountSid === "ACHIPAA")), TASKROUTER_PHI);
  }
});

test("Event Streams webhook body through the eventstreams preset", () => {
  const body = JSON.stringify(Array.from({ length: 25 }, (_, i) => JSON.parse(eventStreamsEvent("AC5f1e0c2a9b8d47e3a6c4f2b1d0e9a8c7", i))), null, 1);
  const r = cli(["filter", "--preset", "flex-insights-hipaa-eventstreams", "--format", "json-array"], { input: body });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, "hipaa-sieve: 25 events in, 25 kept, 0 rejected\n");
  const out = JSON.parse(r.stdout);
  assert.is(out.length, 25);
  assertNoPhi(r.stdout);
  assert.equal(JSON.parse(out[3].data.payload.task_attributes).conversations.queue_time, 45);
});

test("--errors gives element positions; --rejects one element per line; strings may hold brackets and commas", () => {
  const elements = [
    '{"AccountSid":"ACPLAIN","s":"],[{\\"}\\\\"}', //                                     1 kept: brackets, quote, backslash in a string
    '{"AccountSid":"ACPLAIN",\n  "x": [1,\n2, {"y": [[]]}]}', //                            2 kept, LFs in whitespace
    '{"AccountSid":"ACPLAIN","note":"line\nbreak"}', //                                    3 a raw LF inside a string
    "42", //                                                                               4 not an object
    '"a string, with ] in it"', //                                                          5 not an object
    '{"AccountSid":"ACSTRANGER"}', //                                                       6 unknown account
    '{"AccountSid":"ACPLAIN"} {"AccountSid":"ACPLAIN"}', //                                 7 two values: trailing bytes
    '{"AccountSid":"ACPLAIN","x":}', //                                                     8 malformed
    '[1, 2]', //                                                                            9 not an object
    '{"AccountSid":"ACHIPAA","EventType":"task.created","WorkerName":"PHI-WORKER-Okafor"}', // 10 filtered
  ];
  const body = `[\n  ${elements.join(",\n  ")}\n]\n`;
  const errors = T.file("positions.errors");
  const rejects = T.file("positions.rejects");
  const r = cli(["filter", "--accounts", ACCOUNTS, "--format", "json-array", "--errors", errors, "--rejects", rejects], { input: body });
  assert.is(r.status, 0, r.stderr);
  assert.is(
    r.stdout,
    '[{"AccountSid":"ACPLAIN","s":"],[{\\"}\\\\"},{"AccountSid":"ACPLAIN",   "x": [1, 2, {"y": [[]]}]},{"AccountSid":"ACHIPAA","EventType":"task.created"}]\n',
  );
  const rejections = lines(readFileSync(errors, "utf8")).map((l) => JSON.parse(l));
  assert.equal(rejections, [
    { line: 3, code: "CONTROL_CHARACTER", offset: 36 },
    { line: 4, code: "NOT_AN_OBJECT", offset: 0 },
    { line: 5, code: "NOT_AN_OBJECT", offset: 0 },
    { line: 6, code: "UNKNOWN_ACCOUNT", offset: 0 },
    { line: 7, code: "TRAILING_BYTES", offset: 25 },
    { line: 8, code: "UNEXPECTED_BYTE", offset: 28 },
    { line: 9, code: "NOT_AN_OBJECT", offset: 0 },
  ]);
  // The raw elements, each on one line: a LF in a string shows as CR, elsewhere as a space.
  assert.is(
    readFileSync(rejects, "utf8"),
    [
      '{"AccountSid":"ACPLAIN","note":"line\rbreak"}', "42", '"a string, with ] in it"', '{"AccountSid":"ACSTRANGER"}',
      '{"AccountSid":"ACPLAIN"} {"AccountSid":"ACPLAIN"}', '{"AccountSid":"ACPLAIN","x":}', "[1, 2]",
    ].join("\n") + "\n",
  );
  assert.match(
    r.stderr,
    /^hipaa-sieve: 10 events in, 3 kept \(1 filtered, 2 passed through\), 7 rejected \(CONTROL_CHARACTER 1, NOT_AN_OBJECT 3, TRAILING_BYTES 1, UNEXPECTED_BYTE 1, UNKNOWN_ACCOUNT 1\); 4 of unknown accounts \(not configured, or not read\)\n/,
  );
});

test("a large array streamed through stdin: chunk boundaries anywhere, element positions exact", async () => {
  const list = [];
  const expectedRejected = [];
  for (let i = 1; i <= 3000; i++) {
    if (i % 500 === 0) {
      list.push(`{"AccountSid":"ACPLAIN","bad":"\\x${i}"}`);
      expectedRejected.push([i, "INVALID_ESCAPE"]);
    } else if (i % 777 === 0) {
      list.push(`{"AccountSid":"ACPLAIN","big":"${"y".repeat(20000)}"}`);
      expectedRejected.push([i, "TOO_LARGE"]);
    } else {
      list.push(JSON.stringify({ AccountSid: i % 3 ? "ACHIPAA" : "ACPLAIN", EventType: `e${i}`, s: `]}"{,[\\${"z".repeat(i % 700)}`, TaskAttributes: "{}" }, null, i % 2 ? 2 : 0));
    }
  }
  const body = `[${list.join(",")}]`;
  assert.ok(body.length > 1 << 20, "more than a batch and many pipe chunks");
  const errors = T.file("large.errors");
  const r = await cliAsync(["filter", "--accounts", ACCOUNTS, "--format", "json-array", "--errors", errors, "--max-event-bytes", "10000"], { input: body });
  assert.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.is(out.length, 3000 - expectedRejected.length);
  assert.equal(lines(readFileSync(errors, "utf8")).map((l) => JSON.parse(l)).map((x) => [x.line, x.code]), expectedRejected);
  const kept = out.map((e) => e.EventType);
  assert.equal(kept, list.map((_, i) => `e${i + 1}`).filter((_, i) => !expectedRejected.some(([line]) => line === i + 1)));
});

test("empty arrays, a byte order mark, and arrays where nothing is kept give []", async () => {
  const cases = ["[]", " [ ] ", "\ufeff[]\n", "[\n]", '[{"AccountSid":"ACSTRANGER"}]', "[1,2,3]"];
  const results = await Promise.all(cases.map((input) => cliAsync(["filter", "--accounts", ACCOUNTS, "--format", "json-array"], { input })));
  results.forEach((r, i) => {
    assert.is(r.status, 0, `${JSON.stringify(cases[i])}: ${r.stderr}`);
    assert.is(r.stdout, "[]\n", JSON.stringify(cases[i]));
  });
});

test("input that is not a JSON array: one line, exit 1", async () => {
  const a = ["filter", "--preset", "cticloud-end-of-call", "--format", "json-array"];
  const not = /^hipaa-sieve: standard input is not a JSON array of events: /;
  const cases = [
    ["", /expected a JSON array, found no "\[" before the end of the input$/],
    ["   \n", /found no "\["/],
    ['{"callId":"x"}', /expected a JSON array \("\["\) at byte 0$/],
    ['\n\n {"callId":"x"}', /expected a JSON array \("\["\) at byte 3$/],
    ["[1,,2]", /expected an event before "," at byte 3$/],
    ["[,1]", /expected an event before "," at byte 1$/],
    ['[{"callId":"x"},]', /expected an event before "\]" at byte 16$/],
    ['[{"callId":"x"}] x', /unexpected bytes after the closing "\]" at byte 17$/],
    ['[{"callId":"x"}][]', /unexpected bytes after the closing "\]" at byte 16$/],
    ['[{"callId":"x"}', /the input ended before the closing "\]" of the array$/],
    ['[{"callId":"x]', /the input ended before the closing "\]"/],
    ["\ufeff\ufeff[]", /expected a JSON array \("\["\) at byte 3$/],
    // A BOM is allowed only at the very start of the input: JSON.parse refuses one before an element.
    ['[\ufeff{"callId":"x"}]', /byte order mark before event 1 \(one is allowed only at the very start of the input\) at byte 1$/],
    ['[{"callId":"x"}, \ufeff{"callId":"y"}]', /byte order mark before event 2 .* at byte 17$/],
  ];
  await assertUserErrors(cases.map(([input, pattern]) => [[...a, "--input", T.write(`not-array-${cases.findIndex((c) => c[0] === input)}.json`, input)], 1, pattern]));
  // Through stdin, the message names standard input.
  const r = await cliAsync(a, { input: "[1,,2]" });
  assert.is(r.status, 1);
  assert.match(r.stderr, not);
});

test("a byte order mark inside or after an element is part of it: the element is rejected, the others kept", () => {
  const errors = T.file("bom.errors");
  const body = '[{"callId":"a"}\ufeff, {"callId":"b","x":"\ufeff"}, {\ufeff"callId":"c"}]';
  const r = cli(["filter", "--preset", "cticloud-end-of-call", "--format", "json-array", "--errors", errors], { input: body });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, '[{"callId":"b"}]\n');
  assert.equal(lines(readFileSync(errors, "utf8")).map((l) => JSON.parse(l)), [
    { line: 1, code: "TRAILING_BYTES", offset: 14 },
    { line: 3, code: "UNEXPECTED_BYTE", offset: 1 },
  ]);
});

test("an array broken after many events: the output array is left unclosed (not valid JSON), exit 1", async () => {
  const list = events(2000).map((e) => JSON.stringify(e));
  const r = await cliAsync(["filter", "--accounts", ACCOUNTS, "--format", "json-array"], { input: `[${list.join(",")}] trailing` });
  assert.is(r.status, 1);
  assert.ok(r.stdout.startsWith("["), "some events were written");
  assert.not.ok(r.stdout.endsWith("]\n"));
  assert.throws(() => JSON.parse(r.stdout));
  assert.match(r.stderr, /^hipaa-sieve: standard input is not a JSON array of events: unexpected bytes after the closing "\]" at byte \d+\n$/);
});

test("filter --help says what \"line\" means for json-array", () => {
  const help = cli(["filter", "--help"]).stdout.replace(/\s+/g, " ");
  assert.ok(help.includes('"line" in --errors means the 1-based position of the element in the array'), help);
});

test.after(() => T.cleanup());

test.run();
