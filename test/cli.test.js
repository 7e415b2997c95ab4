// End-to-end tests of `hipaa-sieve filter` through a child process: `node dist/bin/main.js ...`.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFilter, parsePolicyText } from "../dist/index.js";
import { ROOT, CLI, cli, cliAsync } from "./support/cli-run.js";

const POLICY = join(ROOT, "examples", "policy.json");
const EVENTS = join(ROOT, "examples", "events.ndjson");
const TMP = mkdtempSync(join(tmpdir(), "hipaa-sieve-cli-"));
const VERSION = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;

/** Personal data planted in the example events, in places the policy drops. */
const PHI = [
  "Maria", "Gonzalez", "5035550147", "maria.gonzalez@example.com", "1961-04-02", "MRN-00482913", "diabetes",
  "metformin", "endocrinology", "A1c", "Alice", "Nguyen", "alice.nguyen", "José", "Ramírez", "jose.r@example.org",
  "sertraline", "Robert", "Chen", "2065550199", "chest pain", "Linda", "3125550123",
];

/** Run the cases concurrently; each is [args, pattern]. */
async function assertUserErrors(cases, status) {
  const results = await Promise.all(cases.map(([args]) => cliAsync(args)));
  results.forEach((r, i) => assertUserError(r, status, cases[i][1]));
}

function tmp(name) {
  return join(TMP, name);
}

/** A user error: the exit code, exactly one line on stderr, nothing on stdout, no stack trace. */
function assertUserError(r, status, pattern) {
  assert.is(r.status, status, `exit code (stderr: ${r.stderr})`);
  assert.is(r.stdout, "", "nothing on stdout");
  assert.ok(r.stderr.endsWith("\n"), "stderr ends with a line end");
  const lines = r.stderr.slice(0, -1).split("\n");
  assert.is(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
  assert.match(lines[0], /^hipaa-sieve: /);
  assert.not.match(r.stderr, /\n\s+at /, "no stack trace");
  assert.not.match(r.stderr, /internal error/);
  assert.match(lines[0], pattern);
}

function exampleLines() {
  return readFileSync(EVENTS, "utf8").split("\n").filter((l) => l.endsWith("}"));
}

// ---------------------------------------------------------------------------------------------
// Help and version

test("--help shows the program help and the filter command", () => {
  for (const args of [["--help"], ["-h"], ["help"]]) {
    const r = cli(args);
    assert.is(r.status, 0);
    assert.match(r.stdout, /^hipaa-sieve \d+\.\d+\.\d+/);
    assert.match(r.stdout, /Usage: hipaa-sieve <command> \[options\]/);
    assert.match(r.stdout, /\n  filter +Filter NDJSON events/);
    assert.match(r.stdout, /--version/);
    assert.is(r.stderr, "");
  }
});

test("filter --help lists every option", () => {
  for (const args of [["filter", "--help"], ["filter", "-h"], ["help", "filter"], ["--help", "filter"]]) {
    const r = cli(args);
    assert.is(r.status, 0);
    assert.match(r.stdout, /^Usage: hipaa-sieve filter \(--accounts FILE \| --policy FILE \| --preset NAME\) \[--input FILE\] \[--output FILE\]\n {26}\[--errors FILE\]/);
    for (const o of ["--accounts FILE", "--policy FILE", "--preset NAME", "--input FILE", "--output FILE", "--errors FILE",
      "--rejects FILE", "--format FORMAT", "--watch", "--audit FILE", "--stats-json FILE", "--max-depth N", "--max-event-bytes N"]) {
      assert.ok(r.stdout.includes(o), o);
    }
    assert.match(r.stdout, /Exit status/);
    assert.is(r.stderr, "");
  }
});

test("every command has --help; the program help lists them all", () => {
  const program = cli(["--help"]).stdout;
  for (const [command, usage] of [
    ["filter", /^Usage: hipaa-sieve filter /],
    ["check-config", /^Usage: hipaa-sieve check-config FILE\n/],
    ["presets", /^Usage: hipaa-sieve presets\n/],
    ["explain", /^Usage: hipaa-sieve explain \(--preset NAME \| --policy FILE\)\n/],
  ]) {
    assert.match(program, new RegExp(`\\n  ${command} +\\S`), `${command} in the program help`);
    for (const args of [[command, "--help"], [command, "-h"], ["help", command]]) {
      const r = cli(args);
      assert.is(r.status, 0, r.stderr);
      assert.is(r.stderr, "");
      assert.match(r.stdout, usage);
      assert.match(r.stdout, /-h, --help +Show this help/);
    }
  }
  const filterHelp = cli(["filter", "--help"]).stdout;
  assert.match(filterHelp, /RAW BYTES of rejected events.*MAY CONTAIN PHI/);
  assert.match(filterHelp.replace(/\s+/g, " "), /--rejects holds the raw bytes of the rejected events .* MAY CONTAIN PHI/);
});

test('filter --help says what "-" means for each option, and every exit status', () => {
  const help = cli(["filter", "--help"]).stdout;
  const option = (name) => help.split("\n").find((l) => l.startsWith(`      --${name} `)) ?? "";
  assert.match(option("input"), /"-" or none: standard input$/);
  assert.match(option("output"), /"-" or none: standard output$/);
  for (const name of ["errors", "rejects", "stats-json", "audit"]) assert.match(option(name), /"-": standard output if --output is a file$/, name);
  for (const name of ["accounts", "policy"]) assert.match(option(name), /"-" is refused/, name);
  const text = help.replace(/\s+/g, " ");
  assert.ok(text.includes("two outputs never share standard output"), text);
  for (const status of [
    "0 when the input was filtered, even if events were rejected",
    "1 when a file cannot be read or written, a policy or accounts file is invalid",
    "2 for bad arguments, an unknown --preset name included",
    "128+N when stopped by signal N (130 for SIGINT, 143 for SIGTERM)",
    "141 (128+SIGPIPE, as a shell reports it) when standard output was closed by its reader",
  ]) {
    assert.ok(text.includes(status), status);
  }
});

test("--help wins over missing options", () => {
  const r = cli(["filter", "--input", "nope.ndjson", "--help"]);
  assert.is(r.status, 0);
  assert.match(r.stdout, /^Usage: hipaa-sieve filter/);
});

test("--version prints the package version", () => {
  for (const args of [["--version"], ["-V"]]) {
    const r = cli(args);
    assert.is(r.status, 0);
    assert.is(r.stdout, `${VERSION}\n`);
    assert.is(r.stderr, "");
  }
});

// ---------------------------------------------------------------------------------------------
// Filtering

test("filters the example events to stdout, drops PHI, summary on stderr", () => {
  const r = cli(["filter", "--policy", "examples/policy.json", "--input", "examples/events.ndjson"]);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, "hipaa-sieve: 10 events in, 9 kept, 1 rejected (UNEXPECTED_END 1)\n");
  const lines = r.stdout.split("\n");
  assert.is(lines.pop(), "");
  assert.is(lines.length, 9);
  for (const phi of PHI) assert.not.ok(r.stdout.includes(phi), `PHI left in the output: ${phi}`);
  const events = lines.map((l) => JSON.parse(l));
  assert.equal(
    events.map((e) => e.EventType),
    ["task.created", "task-queue.entered", "reservation.created", "reservation.accepted", "worker.activity.update",
      "task.created", "task.wrapup", "task.completed", "task.canceled"],
  );
  for (const e of events) {
    assert.is(e.AccountSid, "AC5f1e0c2a9b8d47e3a6c4f2b1d0e9a8c7");
    for (const dropped of ["WorkerName", "WorkerAttributes", "EventDescription", "TaskCompletedReason", "TaskCanceledReason"]) {
      assert.not.ok(dropped in e, dropped);
    }
  }
  // TaskAttributes as a string stays a string; as an object stays an object.
  const first = JSON.parse(events[0].TaskAttributes);
  assert.equal(Object.keys(first), ["direction", "from_country", "to_country", "channelSid", "reason", "hipaa_enabled", "customers", "conversations"]);
  assert.equal(first.customers, { gender: "female", year_of_birth: 1961, region: "Pacific Northwest", state: "OR", country: "US", type: "patient", customer_label_1: "returning" });
  assert.is(typeof events[5].TaskAttributes, "object");
  assert.equal(events[5].TaskAttributes.customers, { gender: "male", year_of_birth: 1988, market_segment: "self-pay" });
  // recordings and reservation_attributes are kept whole.
  const wrapup = JSON.parse(events[6].TaskAttributes);
  assert.equal(Object.keys(wrapup.recordings), ["url", "duration", "channels"]);
  assert.equal(Object.keys(wrapup.reservation_attributes), ["WR07070707070707070707070707070707"]);
});

test("--output writes the file, stdout stays empty; same bytes as stdout", () => {
  const toStdout = cli(["filter", "--policy", POLICY, "--input", EVENTS]);
  const out = tmp("out.ndjson");
  writeFileSync(out, "old content that must be replaced\n".repeat(1000));
  const r = cli(["filter", "--policy", POLICY, "--input", EVENTS, "--output", out]);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, "");
  assert.is(r.stderr, "hipaa-sieve: 10 events in, 9 kept, 1 rejected (UNEXPECTED_END 1)\n");
  assert.is(readFileSync(out, "utf8"), toStdout.stdout);
});

test("reads stdin by default and with --input -", () => {
  const input = readFileSync(EVENTS);
  const expected = cli(["filter", "--policy", POLICY, "--input", EVENTS]).stdout;
  for (const args of [[], ["--input", "-"]]) {
    const r = cli(["filter", "--policy", POLICY, ...args], { input });
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, expected);
    assert.is(r.stderr, "hipaa-sieve: 10 events in, 9 kept, 1 rejected (UNEXPECTED_END 1)\n");
  }
});

test('"-" for --errors, --rejects or --stats-json is standard output when --output is a file', () => {
  const expected = cli(["filter", "--policy", POLICY, "--input", EVENTS]).stdout;
  const truncated = readFileSync(EVENTS, "utf8").split("\n")[8]; // the example's one rejected event
  for (const [option, check] of [
    ["--errors", (stdout) => assert.match(stdout, /^\{"line":9,"code":"UNEXPECTED_END","offset":\d+\}\n$/)],
    ["--rejects", (stdout) => assert.is(stdout, `${truncated}\n`, "the raw rejected line")],
    ["--stats-json", (stdout) => assert.equal([JSON.parse(stdout).events, JSON.parse(stdout).rejected], [10, 1])],
  ]) {
    const out = tmp(`dash${option}.ndjson`);
    const r = cli(["filter", "--policy", POLICY, "--input", EVENTS, "--output", out, option, "-"]);
    assert.is(r.status, 0, r.stderr);
    check(r.stdout);
    assert.is(readFileSync(out, "utf8"), expected, `${option} -: the kept events in the --output file`);
    assert.is(r.stderr, "hipaa-sieve: 10 events in, 9 kept, 1 rejected (UNEXPECTED_END 1)\n");
  }
});

test("empty input: no output, zero counts", () => {
  const r = cli(["filter", "--policy", POLICY], { input: "" });
  assert.is(r.status, 0);
  assert.is(r.stdout, "");
  assert.is(r.stderr, "hipaa-sieve: 0 events in, 0 kept, 0 rejected\n");
});

test("--errors: one line per rejected event, no content", () => {
  const errors = tmp("errors-example.ndjson");
  const r = cli(["filter", "--policy", POLICY, "--input", EVENTS, "--errors", errors]);
  assert.is(r.status, 0, r.stderr);
  const text = readFileSync(errors, "utf8");
  assert.match(text, /^\{"line":9,"code":"UNEXPECTED_END","offset":\d+\}\n$/);
  const { offset } = JSON.parse(text);
  assert.is(offset, Buffer.byteLength(readFileSync(EVENTS, "utf8").split("\n")[8]));
});

/**
 * A few MB of events (several 1 MiB batches) with rejections at known lines, blank lines, CRLF line ends,
 * lines above --max-event-bytes, and a final line without LF.
 */
function generatedInput() {
  const samples = exampleLines();
  const lines = [];
  const expected = []; // [line, code]
  for (let i = 1; i <= 4000; i++) {
    const sample = samples[i % samples.length];
    if (i % 397 === 0) {
      lines.push(sample.slice(0, 300)); // cut short
      expected.push([i, "UNEXPECTED_END"]);
    } else if (i % 613 === 0) {
      lines.push(`{"EventType":"task.updated","TaskAttributes":"{\\"reason\\": nope}"}`);
      expected.push([i, "INVALID_EMBEDDED_JSON"]);
    } else if (i % 1009 === 0) {
      lines.push(`{"EventType":"task.updated","WorkerName":"${"Pat Doe ".repeat(1500)}"}`); // > 10000 bytes
      expected.push([i, "TOO_LARGE"]);
    } else if (i % 211 === 0) {
      lines.push(i % 2 === 0 ? "" : "  \t");
    } else if (i % 7 === 0) {
      lines.push(sample + "\r");
    } else {
      lines.push(sample);
    }
  }
  lines.push(samples[0]); // line 4001, without LF
  return { text: lines.join("\n"), expected, lineCount: 4001 };
}

test("--errors line numbers are global input lines across batch boundaries; output as one engine batch", async () => {
  const { text, expected } = generatedInput();
  assert.ok(text.length > 4 << 20, "several default batches");
  const input = tmp("generated.ndjson");
  const out = tmp("generated.out");
  const errors = tmp("generated.errors");
  writeFileSync(input, text);
  const r = cli(["filter", "--policy", POLICY, "--input", input, "--output", out, "--errors", errors, "--max-event-bytes", "10000"]);
  assert.is(r.status, 0, r.stderr);
  const rejections = readFileSync(errors, "utf8").split("\n").slice(0, -1).map((l) => JSON.parse(l));
  assert.equal(
    rejections.map((x) => [x.line, x.code]),
    expected,
  );
  for (const x of rejections) {
    assert.equal(Object.keys(x), ["line", "code", "offset"]);
    if (x.code === "TOO_LARGE") assert.is(x.offset, 10000);
  }
  const blank = [...Array(4001).keys()].filter((k) => (k + 1) % 211 === 0 && (k + 1) % 397 && (k + 1) % 613 && (k + 1) % 1009).length;
  const events = 4001 - blank;
  const byCode = {};
  for (const [, code] of expected) byCode[code] = (byCode[code] ?? 0) + 1;
  const codes = Object.keys(byCode).sort().map((c) => `${c} ${byCode[c]}`).join(", ");
  assert.is(r.stderr, `hipaa-sieve: ${events} events in, ${events - expected.length} kept, ${expected.length} rejected (${codes})\n`);

  // Batching must not change anything: the output is what one engine call over the whole input gives.
  const filter = await createFilter(parsePolicyText(readFileSync(POLICY, "utf8"), POLICY), { maxEventBytes: 10000 });
  const whole = filter.filterBatch(new Uint8Array(readFileSync(input)));
  assert.ok(Buffer.from(whole.output).equals(readFileSync(out)), "same output as a single batch");
  assert.equal(
    whole.rejected.map((x) => [x.line, x.code]),
    expected,
  );
});

test("an event above --max-event-bytes is rejected and the rest goes on (stdin)", () => {
  const big = `{"EventType":"task.created","TaskAttributes":"${"x".repeat(3 << 20)}"}`;
  const input = `{"EventType":"a"}\n${big}\n{"EventType":"b"}\n`;
  const errors = tmp("big.errors");
  const r = cli(["filter", "--policy", POLICY, "--max-event-bytes", "65536", "--errors", errors], { input });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, '{"EventType":"a"}\n{"EventType":"b"}\n');
  assert.is(readFileSync(errors, "utf8"), '{"line":2,"code":"TOO_LARGE","offset":65536}\n');
  assert.is(r.stderr, "hipaa-sieve: 3 events in, 2 kept, 1 rejected (TOO_LARGE 1)\n");
});

test("--max-depth is passed to the engine", () => {
  const input = '{"EventType":"a","TaskAttributes":{"customers":{"gender":"f"}}}\n';
  const deep = cli(["filter", "--policy", POLICY, "--max-depth", "2"], { input });
  assert.is(deep.status, 0);
  assert.is(deep.stdout, "");
  assert.is(deep.stderr, "hipaa-sieve: 1 event in, 0 kept, 1 rejected (TOO_DEEP 1)\n");
  const ok = cli(["filter", "--policy", POLICY, "--max-depth", "3"], { input });
  assert.is(ok.stdout, input);
});

test("rejected events never show up anywhere, not even in messages", () => {
  const secret = "SECRET-PATIENT-4711";
  const input = `{"EventType":"a","WorkerName":"${secret}"\n{"EventType":"${secret}","EventType":"x"}\n{"bad":"\\u0000${secret}\u0001"}\n`;
  const errors = tmp("secret.errors");
  const r = cli(["filter", "--policy", POLICY, "--errors", errors], { input });
  assert.is(r.status, 0);
  for (const text of [r.stdout, r.stderr, readFileSync(errors, "utf8")]) assert.not.ok(text.includes(secret));
  assert.is(readFileSync(errors, "utf8").split("\n").length - 1, 3);
});

// ---------------------------------------------------------------------------------------------
// User errors: one line, non-zero exit, no stack trace

test("bad command lines exit 2 with one line", async () => {
  const p = ["--policy", POLICY];
  const cases = [
    [[], /^hipaa-sieve: missing command \(see "hipaa-sieve --help"\)$/m],
    [["frobnicate"], /unknown command "frobnicate" \(see "hipaa-sieve --help"\)/],
    [["help", "frobnicate"], /unknown command "frobnicate"/],
    [["--bogus"], /unknown option --bogus \(see "hipaa-sieve --help"\)/],
    [["filter"], /one of --accounts FILE, --policy FILE or --preset NAME is required \(see "hipaa-sieve filter --help"\)/],
    [["filter", "--policy"], /option --policy needs a value/],
    [["filter", "--policy="], /option --policy needs a value/],
    [["filter", "--policy", "--input", EVENTS], /option --policy needs a value \(for a value starting with "-", write --policy=VALUE\)/],
    [["filter", ...p, "--polcy", "x"], /unknown option --polcy \(see "hipaa-sieve filter --help"\)/],
    [["filter", ...p, "-x"], /unknown option -x/],
    [["filter", ...p, "extra.ndjson"], /unexpected argument "extra.ndjson"/],
    [["filter", ...p, "--policy", POLICY], /option --policy is given more than once/],
    [["filter", ...p, "--help=yes"], /option --help takes no value/],
    [["filter", ...p, "--max-depth", "0"], /option --max-depth must be a positive integer, got "0"/],
    [["filter", ...p, "--max-depth", "-3"], /option --max-depth needs a value|option --max-depth must be a positive integer/],
    [["filter", ...p, "--max-depth=-3"], /option --max-depth must be a positive integer, got "-3"/],
    [["filter", ...p, "--max-depth", "1.5"], /option --max-depth must be a positive integer, got "1.5"/],
    [["filter", ...p, "--max-depth", "ten"], /option --max-depth must be a positive integer, got "ten"/],
    [["filter", ...p, "--max-depth", "99999999999999999999"], /option --max-depth must be a positive integer/],
    [["filter", ...p, "--max-event-bytes", "0"], /option --max-event-bytes must be a positive integer, got "0"/],
    [["filter", ...p, "--max-event-bytes", "16MiB"], /option --max-event-bytes must be a positive integer, got "16MiB"/],
    [["filter", ...p, "--max-event-bytes", "1"], /option --max-event-bytes must be an integer from \d+ to \d+/],
    [["filter", ...p, "--max-depth", "100000"], /option --max-depth must be an integer from \d+ to \d+/],
    [["filter", ...p, "--errors", "-"], /options --output and --errors would both write to standard output \(give --output FILE, or a file name to --errors\)/],
    [["filter", ...p, "--output", "-", "--stats-json", "-"], /options --output and --stats-json would both write to standard output/],
    [["filter", ...p, "--output", tmp("o"), "--errors", "-", "--rejects", "-"],
      /options --errors and --rejects would both write to standard output \(give a file name to one of them\)/],
    [["filter", ...p, "--output", tmp("same"), "--errors", tmp("same")], /options --output and --errors name the same file/],
  ];
  await assertUserErrors(cases, 2);
});

test("missing, unreadable and bad files exit 1 naming the file", async () => {
  const dir = tmp("a-directory");
  mkdirSync(dir, { recursive: true });
  const badJson = tmp("bad-json.json");
  writeFileSync(badJson, '{"keep": ["EventType",');
  const badPath = tmp("bad-path.json");
  writeFileSync(badPath, JSON.stringify({ keep: ["EventType", "a..b"] }));
  const unknownField = tmp("unknown-field.json");
  writeFileSync(unknownField, JSON.stringify({ keep: ["EventType"], drop: ["x"] }));
  const emptyKeep = tmp("empty-keep.json");
  writeFileSync(emptyKeep, JSON.stringify({ keep: [] }));
  const q = JSON.stringify;
  const cases = [
    [["--policy", tmp("nope.json")], new RegExp(`cannot read policy file ${esc(q(tmp("nope.json")))}: no such file or directory`)],
    [["--policy", dir], new RegExp(`cannot read policy file ${esc(q(dir))}: is a directory`)],
    [["--policy", badJson], new RegExp(`${esc(badJson)}: .*not valid JSON`)],
    [["--policy", badPath], new RegExp(`${esc(badPath)}: keep\\[1\\]: .*a\\.\\.b`)],
    [["--policy", unknownField], new RegExp(`${esc(unknownField)}: drop: unknown field`)],
    [["--policy", emptyKeep], new RegExp(`${esc(emptyKeep)}: keep: `)],
    [["--policy", POLICY, "--input", tmp("nope.ndjson")], new RegExp(`cannot read input file ${esc(q(tmp("nope.ndjson")))}: no such file or directory`)],
    [["--policy", POLICY, "--input", dir], new RegExp(`cannot read input file ${esc(q(dir))}: is a directory`)],
    [["--policy", POLICY, "--input", EVENTS, "--output", join(TMP, "no-such-dir", "out.ndjson")],
      new RegExp(`cannot write output file ${esc(q(join(TMP, "no-such-dir", "out.ndjson")))}: no such file or directory`)],
    [["--policy", POLICY, "--input", EVENTS, "--output", dir], new RegExp(`cannot write output file ${esc(q(dir))}: is a directory`)],
    [["--policy", POLICY, "--input", EVENTS, "--errors", join(TMP, "no-such-dir", "e.ndjson")],
      new RegExp(`cannot write errors file ${esc(q(join(TMP, "no-such-dir", "e.ndjson")))}: no such file or directory`)],
  ];
  await assertUserErrors(cases.map(([args, pattern]) => [["filter", ...args], pattern]), 1);
});

test("nothing is created or truncated when a file is missing", () => {
  const out = tmp("not-created.ndjson");
  const errors = tmp("not-created.errors");
  rmSync(out, { force: true });
  const r1 = cli(["filter", "--policy", tmp("nope.json"), "--input", EVENTS, "--output", out, "--errors", errors]);
  assert.is(r1.status, 1);
  const r2 = cli(["filter", "--policy", POLICY, "--input", tmp("nope.ndjson"), "--output", out, "--errors", errors]);
  assert.is(r2.status, 1);
  assert.not.ok(existsSync(out));
  assert.not.ok(existsSync(errors));
});

test("--output or --errors naming the input file is refused before it is truncated", () => {
  const input = tmp("precious.ndjson");
  const content = readFileSync(EVENTS);
  writeFileSync(input, content);
  for (const option of ["--output", "--errors"]) {
    const r = cli(["filter", "--policy", POLICY, "--input", input, option, input]);
    assertUserError(r, 2, new RegExp(`${option === "--output" ? "output" : "errors"} file .* is the same file as the input file`));
    assert.ok(readFileSync(input).equals(content), "input untouched");
  }
});

function esc(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

test.after(() => rmSync(TMP, { recursive: true, force: true }));

test.run();
