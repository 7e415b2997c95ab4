// Helpers for the end-to-end CLI tests: run `node dist/bin/main.js ...` (the bundled executable that
// package.json's "bin" names) as a child process, check user
// errors, and build realistic events (TaskRouter callbacks, Event Streams CloudEvents, CTICloud reports)
// with personal data planted where every policy drops it.
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = join(ROOT, "dist", "bin", "main.js");
export const EXAMPLES = join(ROOT, "examples");

/** A temporary directory for one test file; `file(name)` gives paths in it, `cleanup()` removes it. */
export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `hipaa-sieve-${prefix}-`));
  return {
    dir,
    file: (name) => join(dir, name),
    write(name, content) {
      const path = join(dir, name);
      writeFileSync(path, typeof content === "string" || content instanceof Uint8Array ? content : JSON.stringify(content, null, 2));
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Run the CLI to completion (synchronously). stdout is returned as a string, and as bytes in `out`. */
export function cli(args, { input, cwd = ROOT } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, input: input ?? "", maxBuffer: 256 << 20 });
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString(), out: r.stdout };
}

/** Same as cli(), asynchronous, so that many cases run at once. */
export function cliAsync(args, { input = "", cwd = ROOT } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd });
    const out = [];
    const err = [];
    child.stdout.on("data", (d) => out.push(d));
    child.stderr.on("data", (d) => err.push(d));
    child.on("error", reject);
    child.on("close", (status) => {
      const stdout = Buffer.concat(out);
      resolve({ status, stdout: stdout.toString(), stderr: Buffer.concat(err).toString(), out: stdout });
    });
    child.stdin.on("error", () => {});
    child.stdin.end(input);
  });
}

/**
 * Start the CLI with standard input from `stdin` ("pipe": `child.stdin`, or a file descriptor, which is
 * closed here once the child has it), adding the child to `running` (removed at its exit) so that a
 * test file can stop what is left. `output()` is stdout so far; `firstOutput` resolves at its first
 * bytes (or the exit); `closed` at the exit, to { status, signal, out (bytes), stdout (text), stderr }.
 */
export function startCli(args, { stdin = "pipe", running } = {}) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: [stdin, "pipe", "pipe"] });
  if (typeof stdin === "number") closeSync(stdin);
  running?.add(child);
  const out = [];
  let stderr = "";
  let first;
  const firstOutput = new Promise((resolve) => (first = resolve));
  child.stdout.on("data", (d) => {
    out.push(d);
    first();
  });
  child.stderr.on("data", (d) => (stderr += d));
  child.stdin?.on("error", () => {}); // a child that stops reading breaks the pipe
  const closed = once(child, "close").then(([status, signal]) => {
    running?.delete(child);
    first(); // a child that died before writing anything must not leave the test waiting
    const bytes = Buffer.concat(out);
    return { status, signal, out: bytes, stdout: bytes.toString(), stderr };
  });
  return { child, firstOutput, closed, output: () => Buffer.concat(out) };
}

/**
 * A user error: the exit code, nothing on stdout, no stack trace, and one stderr line per pattern, in
 * order, each starting with "hipaa-sieve: ".
 */
export function assertUserError(r, status, ...patterns) {
  assert.is(r.status, status, `exit code (stderr: ${r.stderr})`);
  assert.is(r.stdout, "", "nothing on stdout");
  assert.ok(r.stderr.endsWith("\n"), `stderr ends with a line end: ${JSON.stringify(r.stderr)}`);
  const lines = r.stderr.slice(0, -1).split("\n");
  assert.is(lines.length, patterns.length, `${patterns.length} line(s) on stderr, got: ${r.stderr}`);
  assert.not.match(r.stderr, /\n\s+at /, "no stack trace");
  assert.not.match(r.stderr, /internal error/);
  lines.forEach((line, i) => {
    assert.match(line, /^hipaa-sieve: /);
    assert.match(line, patterns[i]);
  });
}

/** Run the cases concurrently; each is [args, status, ...patterns]. */
export async function assertUserErrors(cases) {
  const results = await Promise.all(cases.map(([args]) => cliAsync(args)));
  results.forEach((r, i) => {
    const [args, status, ...patterns] = cases[i];
    try {
      assertUserError(r, status, ...patterns);
    } catch (error) {
      error.message = `${JSON.stringify(args)}: ${error.message}`;
      throw error;
    }
  });
}

export function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Non-empty lines of a text, without their LF. */
export function lines(text) {
  const all = text.split("\n");
  if (all[all.length - 1] === "") all.pop();
  return all;
}

/** Wait until `predicate()` is true, checking every few milliseconds (no time limit of its own). */
export async function until(predicate) {
  while (!(await predicate())) await new Promise((r) => setTimeout(r, 5));
}

// ---------------------------------------------------------------------------------------------
// Realistic events

/** The TaskRouter callbacks of examples/events.ndjson (the truncated one left out), as text lines. */
export function taskRouterLines() {
  return readFileSync(join(EXAMPLES, "events.ndjson"), "utf8").split("\n").filter((l) => l.endsWith("}"));
}

export const EXAMPLE_ACCOUNT = "AC5f1e0c2a9b8d47e3a6c4f2b1d0e9a8c7";

/** A TaskRouter callback line of examples/events.ndjson with its AccountSid set to `account`. */
export function taskRouterEvent(account, index = 0) {
  const samples = taskRouterLines();
  const line = samples[index % samples.length];
  assert.ok(line.includes(`"AccountSid":"${EXAMPLE_ACCOUNT}"`));
  return line.replace(`"AccountSid":"${EXAMPLE_ACCOUNT}"`, `"AccountSid":${JSON.stringify(account)}`);
}

/** Personal data planted in the example events, in places every Flex Insights policy drops. */
export const TASKROUTER_PHI = [
  "Maria", "Gonzalez", "5035550147", "maria.gonzalez@example.com", "1961-04-02", "MRN-00482913", "diabetes",
  "metformin", "endocrinology", "A1c", "Alice", "Nguyen", "alice.nguyen", "José", "Ramírez", "jose.r@example.org",
  "sertraline", "Robert", "Chen", "2065550199", "chest pain", "Linda", "3125550123",
];

/** Personal data planted in the generated Event Streams and CTICloud events. */
export const PHI = ["PHI-NAME-Kowalski", "PHI-PHONE-5551234567", "PHI-EMAIL-kowalski@example.net", "PHI-DOB-1958-11-30",
  "PHI-MRN-77123", "PHI-NOTE-insulin", "PHI-WORKER-Okafor", "PHI-ADDRESS-12-Elm-St", "PHI-TRANSCRIPT-chest-pain"];

function taskAttributes(i) {
  return {
    type: "inbound",
    name: "PHI-NAME-Kowalski",
    from: "PHI-PHONE-5551234567",
    direction: "inbound",
    from_country: "US",
    to_country: "US",
    channelSid: `CH${String(i).padStart(32, "0")}`,
    reason: "billing question",
    hipaa_enabled: true,
    caller_notes: "PHI-NOTE-insulin",
    customers: {
      name: "PHI-NAME-Kowalski",
      email: "PHI-EMAIL-kowalski@example.net",
      phone: "PHI-PHONE-5551234567",
      external_id: "PHI-MRN-77123",
      date_of_birth: "PHI-DOB-1958-11-30",
      address: "PHI-ADDRESS-12-Elm-St",
      gender: "male",
      year_of_birth: 1958,
      region: "Midwest",
      market_segment: "medicare",
    },
    conversations: {
      conversation_id: `WT${String(i).padStart(32, "0")}`,
      queue: "Billing",
      queue_time: 42 + i,
      hold_time: 7,
      talk_time: 310,
      outcome: "resolved",
      external_contact: "+18005550100",
      conversation_attribute_1: "ivr:billing",
      content: "voice",
      agent_notes: "PHI-NOTE-insulin",
    },
    recordings: { url: "https://example.com/RE1", duration: 311 },
  };
}

/** A TaskRouter event as Event Streams delivers it (a CloudEvent), with task_attributes as a JSON string. */
export function eventStreamsEvent(account, i = 0) {
  return JSON.stringify({
    specversion: "1.0",
    type: "com.twilio.taskrouter.task.created",
    source: `/v1/Workspaces/WS0d3c4b5a69788796a5b4c3d2e1f0a9b8/Tasks/WT${String(i).padStart(32, "0")}`,
    id: `EX${String(i).padStart(32, "0")}`,
    dataschema: "https://events-schemas.twilio.com/TaskRouter.WDSEvent/1",
    datacontenttype: "application/json",
    time: "2024-01-09T10:30:00.000Z",
    data: {
      name: "task.created",
      account_sid: account,
      sid: `EX${String(i).padStart(32, "0")}`,
      timestamp: "2024-01-09T10:30:00.000Z",
      level: "INFO",
      group: "Tasks",
      product_name: "TaskRouter",
      payload_type: "application/json",
      publisher: "PHI-WORKER-Okafor's workspace",
      publisher_metadata: JSON.stringify({ note: "PHI-NOTE-insulin" }),
      payload: {
        eventtype: "task.created",
        account_sid: account,
        workspace_sid: "WS0d3c4b5a69788796a5b4c3d2e1f0a9b8",
        workspace_name: "PHI-WORKER-Okafor",
        task_sid: `WT${String(i).padStart(32, "0")}`,
        task_queue_name: "Billing",
        task_priority: 0,
        task_age: i,
        task_attributes: JSON.stringify(taskAttributes(i)),
        worker_name: "PHI-WORKER-Okafor",
        worker_attributes: JSON.stringify({ email: "PHI-EMAIL-kowalski@example.net" }),
        event_description: "Task created for PHI-NAME-Kowalski",
      },
    },
  });
}

/** A CTICloud end-of-call report, with the PHI a report should never carry added to it. */
export function cticloudReport(tenantId, i = 0) {
  return JSON.stringify({
    tenantId,
    callId: `call_${i}`,
    startTime: "2024-01-09T10:30:00Z",
    endTime: "2024-01-09T10:45:00Z",
    duration: 900,
    agentId: "agent_001",
    queueId: "queue_healthcare",
    disposition: "completed",
    containedPHI: true,
    callerName: "PHI-NAME-Kowalski",
    callerNumber: "PHI-PHONE-5551234567",
    transcript: "PHI-TRANSCRIPT-chest-pain",
    agentNotes: "PHI-NOTE-insulin",
    patient: { dob: "PHI-DOB-1958-11-30", mrn: "PHI-MRN-77123" },
  });
}

export function assertNoPhi(text, markers = [...PHI, ...TASKROUTER_PHI]) {
  for (const m of markers) assert.not.ok(text.includes(m), `PHI left: ${m}`);
}
