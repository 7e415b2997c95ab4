// End-to-end tests of the built-in presets through the CLI: `presets`, `explain`, and `filter --preset`
// on realistic events of each kind (TaskRouter callbacks, Event Streams CloudEvents, CTICloud reports).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createFilter } from "../dist/index.js";
import { PRESETS, findPreset, presetPolicy } from "../dist/policy/presets.js";
import {
  TASKROUTER_PHI, assertNoPhi, assertUserErrors, cli, cticloudReport, eventStreamsEvent, lines, taskRouterLines, tempDir,
} from "./support/cli-run.js";

const T = tempDir("presets");

const dec = new TextDecoder();

/** Realistic events for each preset name. */
const EVENTS = {
  "flex-insights-hipaa": () => taskRouterLines(),
  "flex-insights-hipaa-eventstreams": () => Array.from({ length: 12 }, (_, i) => eventStreamsEvent("AC5f1e0c2a9b8d47e3a6c4f2b1d0e9a8c7", i)),
  "cticloud-end-of-call": () => Array.from({ length: 12 }, (_, i) => cticloudReport("7001234", i)),
};

/** What must survive each preset (positive checks, beyond "no PHI"). */
const KEPT = {
  "flex-insights-hipaa"(event) {
    assert.is(event.AccountSid, "AC5f1e0c2a9b8d47e3a6c4f2b1d0e9a8c7");
    assert.ok(typeof event.EventType === "string");
    for (const dropped of ["WorkerName", "WorkerAttributes"]) assert.not.ok(dropped in event, dropped);
  },
  "flex-insights-hipaa-eventstreams"(event) {
    assert.is(event.type, "com.twilio.taskrouter.task.created");
    assert.is(event.data.payload.account_sid, "AC5f1e0c2a9b8d47e3a6c4f2b1d0e9a8c7");
    assert.not.ok("worker_name" in event.data.payload);
    assert.is(typeof event.data.payload.task_attributes, "string", "task_attributes stays a JSON string");
    const attributes = JSON.parse(event.data.payload.task_attributes);
    assert.equal(attributes.customers, { gender: "male", year_of_birth: 1958, region: "Midwest", market_segment: "medicare" });
    assert.is(attributes.conversations.queue, "Billing");
    assert.equal(attributes.recordings, { url: "https://example.com/RE1", duration: 311 });
    assert.not.ok("name" in attributes);
  },
  "cticloud-end-of-call"(event) {
    assert.equal(Object.keys(event), ["callId", "startTime", "endTime", "duration", "agentId", "queueId", "disposition", "containedPHI"]);
  },
};

test("presets: every preset id, the newest version of each name marked", () => {
  const r = cli(["presets"]);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, "");
  for (const name of Object.keys(EVENTS)) assert.ok(findPreset(name) !== undefined, `preset ${name} exists`);
  const idLines = lines(r.stdout).filter((l) => /^\S/.test(l) && !l.startsWith("A bare name"));
  assert.equal(
    idLines,
    PRESETS.map((p) => `${p.id}${findPreset(p.name).id === p.id ? "  (newest)" : ""}`),
  );
  for (const p of PRESETS) {
    const words = p.description.split(/\s+/).slice(0, 4).join(" ");
    assert.ok(r.stdout.replace(/\n\s+/g, " ").includes(words), `description of ${p.id}`);
  }
  assert.match(r.stdout, /A bare name means its newest version; NAME@VERSION pins one\.\n$/);
});

test("explain --preset: the policy as a tree, every path once, kept-whole and embedded JSON marked", () => {
  for (const preset of PRESETS) {
    for (const name of [preset.id, ...(findPreset(preset.name).id === preset.id ? [preset.name] : [])]) {
      const r = cli(["explain", "--preset", name]);
      assert.is(r.status, 0, r.stderr);
      const out = lines(r.stdout);
      assert.ok(out[0].startsWith(`preset ${preset.id}`), out[0]);
      assert.ok(out[0].includes(`keeps ${preset.spec.keep.length} paths`), out[0]);
      const marks = (what) => out.filter((l) => l.includes(what)).length;
      assert.is(marks("(kept whole"), preset.spec.keep.length, `${name}: one "kept whole" per kept path`);
      assert.is(marks("(embedded JSON string"), (preset.spec.embeddedJson ?? []).length);
    }
  }
  const flex = lines(cli(["explain", "--preset", "flex-insights-hipaa"]).stdout);
  assert.ok(flex.includes("TaskAttributes  (embedded JSON string: decoded, filtered, re-encoded)"));
  assert.ok(flex.includes("├── customers  (only the keys below)") || flex.includes("└── customers  (only the keys below)"));
  assert.ok(flex.some((l) => /^│ {3}[├└]── conversation_id {2}\(kept whole\)$/.test(l)), "conversations' keys one level down");
  assert.ok(flex.some((l) => /^[│ ] {3}[├└]── year_of_birth {2}\(kept whole\)$/.test(l)), "customers' keys one level down");
  assert.ok(flex.some((l) => /^[├└]── recordings {2}\(kept whole\)$/.test(l)));
  assert.not.ok(flex.some((l) => /WorkerName|WorkerAttributes/.test(l)));
});

test("explain --policy: bracketed keys and wildcards written in path syntax", () => {
  const r = cli(["explain", "--policy", "examples/policy.json"]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^policy "flex-insights-hipaa-example" from examples\/policy\.json: keeps \d+ paths, 1 embedded JSON\n/);
  assert.ok(r.stdout.includes("\nEventType  (kept whole)\n"));
  const file = T.write("odd.json", { name: "odd", keep: ['a["b.c"].*.d', 'a["b.c"].e', '["*"]', "x.y"], embeddedJson: ["x"] });
  const odd = cli(["explain", "--policy", file]);
  assert.is(odd.status, 0, odd.stderr);
  assert.equal(lines(odd.stdout).slice(2), [
    "a  (only the keys below)",
    '└── ["b.c"]  (only the keys below)',
    "    ├── *  (only the keys below)",
    "    │   └── d  (kept whole)",
    "    └── e  (kept whole)",
    '["*"]  (kept whole)',
    "x  (embedded JSON string: decoded, filtered, re-encoded)",
    "└── y  (kept whole)",
  ]);
});

test("filter --preset: every preset on realistic events, same bytes as the library, no PHI", async () => {
  for (const preset of PRESETS) {
    const events = EVENTS[preset.name]();
    const filter = await createFilter(presetPolicy(preset.id));
    const expected = events.map((e) => {
      const r = filter.filterEvent(e);
      assert.ok(r.ok, `${preset.id} accepts the event`);
      return dec.decode(r.output);
    });
    const names = [preset.id, ...(findPreset(preset.name).id === preset.id ? [preset.name] : [])];
    for (const name of names) {
      const r = cli(["filter", "--preset", name], { input: events.join("\n") + "\n" });
      assert.is(r.status, 0, r.stderr);
      assert.is(r.stderr, `hipaa-sieve: ${events.length} events in, ${events.length} kept, 0 rejected\n`);
      assert.equal(lines(r.stdout), expected, `${name}: output`);
      assertNoPhi(r.stdout);
      for (const line of lines(r.stdout)) KEPT[preset.name](JSON.parse(line));
    }
  }
});

test("the newest flex-insights-hipaa preset keeps what the example policy keeps inside TaskAttributes", () => {
  const input = taskRouterLines().join("\n") + "\n";
  const preset = lines(cli(["filter", "--preset", "flex-insights-hipaa"], { input }).stdout);
  const example = lines(cli(["filter", "--policy", "examples/policy.json"], { input }).stdout);
  assert.is(preset.length, example.length);
  preset.forEach((line, i) => {
    const a = JSON.parse(line);
    const b = JSON.parse(example[i]);
    const inner = (e) => (typeof e.TaskAttributes === "string" ? JSON.parse(e.TaskAttributes) : e.TaskAttributes);
    assert.equal(inner(a), inner(b), `TaskAttributes of event ${i + 1}`);
  });
  assertNoPhi(preset.join("\n"), TASKROUTER_PHI);
});

test("explain --accounts FILE --policy-name NAME: a policy of the file, or a preset as the file may name one", () => {
  const own = cli(["explain", "--accounts", "examples/accounts.json", "--policy-name", "queue-times-only"]);
  assert.is(own.status, 0, own.stderr);
  const out = lines(own.stdout);
  assert.is(out[0], 'policy "queue-times-only" from examples/accounts.json: keeps 11 paths, 1 embedded JSON');
  assert.ok(out.includes("TaskAttributes  (embedded JSON string: decoded, filtered, re-encoded)"));
  assert.ok(out.includes("    ├── queue_time  (kept whole)"), own.stdout);
  assert.not.ok(out.some((l) => l.includes("customers")), "only the file's policy, not the preset");
  // a preset, by name or id, whether the file uses it or not: the same tree as explain --preset
  for (const name of ["flex-insights-hipaa@1", "cticloud-end-of-call"]) {
    const r = cli(["explain", "--accounts", "examples/accounts.json", "--policy-name", name]);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, cli(["explain", "--preset", name]).stdout);
  }
  // a policy declared in the file but used by no account is there too
  const file = T.write("unused.json", { accountKey: "AccountSid", policies: { spare: { keep: ["a.b", "c"] } } });
  assert.equal(lines(cli(["explain", "--accounts", file, "--policy-name", "spare"]).stdout).slice(1), ["", "a  (only the keys below)", "└── b  (kept whole)", "c  (kept whole)"]);
});

test("explain --accounts: unknown names exit 2 with did-you-mean; a bad file exits 1 with every problem", async () => {
  const bad = T.write("bad-accounts.json", { accountKey: "AccountSid", defaultPolicy: "nope", policies: { p: { keep: [] } } });
  await assertUserErrors([
    [["explain", "--accounts", "examples/accounts.json", "--policy-name", "queue-time-only"], 2,
      /^hipaa-sieve: unknown policy "queue-time-only" in examples\/accounts\.json \(did you mean "queue-times-only"\? expected a key of its "policies" \("queue-times-only"\) or a preset: flex-insights-hipaa, flex-insights-hipaa-eventstreams, cticloud-end-of-call, optionally with @version\) \(see "hipaa-sieve explain --help"\)$/],
    [["explain", "--accounts", "examples/accounts.json", "--policy-name", "flex-insights-hipa"], 2, /unknown policy "flex-insights-hipa" .*\(did you mean "flex-insights-hipaa"\? /],
    [["explain", "--accounts", "examples/accounts.json", "--policy-name", "zzz"], 2, /^hipaa-sieve: unknown policy "zzz" in examples\/accounts\.json \(expected a key/],
    [["explain", "--accounts", "examples/accounts.json"], 2, /option --accounts needs --policy-name NAME/],
    [["explain", "--preset", "cticloud-end-of-call", "--policy-name", "x"], 2, /option --policy-name needs --accounts FILE/],
    [["explain", "--accounts", "examples/accounts.json", "--preset", "x", "--policy-name", "x"], 2, /options --preset and --accounts cannot be used together/],
    [["explain", "--accounts", "nope.json", "--policy-name", "x"], 1, /cannot read accounts file "nope\.json": no such file or directory/],
  ]);
  const r = cli(["explain", "--accounts", bad, "--policy-name", "p"]);
  assert.is(r.status, 1);
  assert.equal(lines(r.stderr).map((l) => l.replace(bad, "FILE")), [
    'hipaa-sieve: FILE: policies["p"].keep: expected at least one path, found an empty array (a policy must keep something)',
    'hipaa-sieve: FILE: defaultPolicy: unknown policy "nope" (expected a name from "policies" ("p") or a preset: flex-insights-hipaa, flex-insights-hipaa-eventstreams, cticloud-end-of-call, optionally with @version)',
  ]);
});

test("--preset NAME on the command line: an unknown name exits 2, with did-you-mean when one is close", async () => {
  for (const command of ["filter", "explain"]) {
    await assertUserErrors([
      [[command, "--preset", "flex-insight-hipaa"], 2,
        new RegExp(`^hipaa-sieve: unknown preset "flex-insight-hipaa" \\(did you mean "flex-insights-hipaa"\\? run "hipaa-sieve presets" for the list\\) \\(see "hipaa-sieve ${command} --help"\\)$`)],
      [[command, "--preset", "flex-insights-hipaa@3"], 2, /unknown preset "flex-insights-hipaa@3" \(did you mean "flex-insights-hipaa@1"\? /],
      [[command, "--preset", "nope"], 2, /^hipaa-sieve: unknown preset "nope" \(run "hipaa-sieve presets" for the list\)/],
    ]);
  }
});

test("help texts of explain, presets and check-config state the exit codes", () => {
  assert.match(cli(["explain", "--help"]).stdout.replace(/\n/g, " "),
    /Exit status: 0 when the policy was shown; 1 when a file cannot be read or is not a valid policy or accounts file; 2 for a bad command line, an unknown --preset NAME or --policy-name NAME included\./);
  assert.match(cli(["explain", "--help"]).stdout,
    /^Usage: hipaa-sieve explain \(--preset NAME \| --policy FILE\)\n {7}hipaa-sieve explain --accounts FILE --policy-name NAME\n/);
  assert.match(cli(["presets", "--help"]).stdout, /Exit status: 0; 2 for a bad command line\./);
  assert.match(cli(["check-config", "--help"]).stdout.replace(/\n/g, " "), /Exit status: 0 when the file is valid; 1 when it is not, or cannot be read .*; 2 for a bad command line/);
});

test("explain and presets: bad command lines exit 2 with one line", async () => {
  await assertUserErrors([
    [["explain"], 2, /one of --preset NAME, --policy FILE or --accounts FILE is required \(see "hipaa-sieve explain --help"\)/],
    [["explain", "--preset", "flex-insights-hipaa", "--policy", "examples/policy.json"], 2, /cannot be used together/],
    [["explain", "--preset", "nope"], 2, /unknown preset "nope" \(run "hipaa-sieve presets" for the list\)/],
    [["explain", "--policy", "nope.json"], 1, /cannot read policy file "nope\.json": no such file or directory/],
    [["explain", "--policy", "examples/events.ndjson"], 1, /examples\/events\.ndjson: .*not valid JSON/],
    [["explain", "extra"], 2, /unexpected argument "extra"/],
    [["presets", "extra"], 2, /unexpected argument "extra"/],
    [["presets", "--json"], 2, /unknown option --json/],
  ]);
});

test.after(() => T.cleanup());

test.run();
