// The playground page end to end in Chromium: paste events, pick a preset, filter; the output must be
// what the library gives in Node, the removed parts marked, each event's status shown, and the page
// must ask for nothing but its own files (no event leaves the browser). Saves docs/playground.png.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { CHROMIUM, haveChromium } from "./support/chromium.js";
import { startPlayground } from "../../playground/serve.js";
import { createFilter, presetPolicy } from "../../dist/index.js";

const SCREENSHOT = fileURLToPath(new URL("../../docs/playground.png", import.meta.url));
const decoder = new TextDecoder();

const ATTRIBUTES = JSON.stringify({
  conversations: { queue: "Cardiology", external_contact: "+15551234567" },
  customers: { name: "Dorothy Keane", gender: "F" },
  caller_notes: "on warfarin",
});
const EVENTS = [
  JSON.stringify({ EventType: "task.created", AccountSid: "AC5f1e", WorkerName: "Jane Doe", TaskAttributes: ATTRIBUTES }),
  '{"EventType":"task.completed","TaskAttributes":"{\\"customers\\":', // cut short: rejected
  JSON.stringify({ EventType: "reservation.accepted", WorkerName: "John Roe", TaskQueueName: "Cardiology" }),
];

/** Opens the playground in a fresh Chromium; runs fn(page, requests); closes both whatever happens. */
async function withPlayground(fn) {
  const server = await startPlayground(0);
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests = [];
    const errors = [];
    page.on("request", (r) => requests.push(r.url()));
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => window.playgroundReady === true, null, { timeout: 30_000 });
    await fn(page, requests, server.url);
    assert.equal(errors, [], "errors in the page");
  } finally {
    await browser?.close();
    await server.close();
  }
}

if (haveChromium(test)) {
  test("pasted NDJSON through a preset: Node's output, removed parts marked, statuses, nothing sent anywhere", async () => {
    const node = await createFilter(presetPolicy("flex-insights-hipaa"));
    const expected = EVENTS.map((e) => node.filterEvent(e));
    await withPlayground(async (page, requests, origin) => {
      await page.selectOption("#preset", "flex-insights-hipaa@1");
      await page.fill("#events", EVENTS.join("\n"));
      await page.click("#run");
      await page.waitForSelector(`section.event[data-index="${EVENTS.length}"]`);

      const shown = await page.$$eval("section.event", (sections) => sections.map((s) => ({
        status: s.querySelector(".status").textContent,
        output: s.dataset.output ?? null,
        removed: [...s.querySelectorAll(".input .removed")].map((r) => r.textContent),
        fault: s.querySelector(".fault")?.textContent ?? null,
      })));
      assert.is(shown.length, EVENTS.length);
      expected.forEach((r, i) => {
        if (r.ok) {
          assert.is(shown[i].status, "filtered", `event ${i + 1}`);
          assert.is(shown[i].output, decoder.decode(r.output), `event ${i + 1}: the page's output is Node's`);
        } else {
          assert.is(shown[i].status, `rejected: ${r.code} at byte ${r.offset}`, `event ${i + 1}`);
          assert.is(shown[i].output, null);
          assert.ok(shown[i].fault !== null, `event ${i + 1}: the rejected byte is marked`);
        }
      });
      // What the preset drops is marked as removed, inside the embedded TaskAttributes too; what it keeps is not.
      const removed = shown[0].removed.join("\n");
      for (const gone of ["WorkerName", "Jane Doe", "Dorothy Keane", "caller_notes", "on warfarin"]) {
        assert.ok(removed.includes(gone), `${gone} is marked removed`);
      }
      const kept = JSON.parse(shown[0].output);
      assert.is(kept.EventType, "task.created");
      // (external_contact is on the Flex Insights preserved list: kept, not marked.)
      assert.not.ok(shown[0].removed.some((r) => /^"(?:EventType|queue|external_contact|gender)"/.test(r)), "kept members are not marked");
      assert.ok(shown[2].removed.join().includes("John Roe"), "event 3: the worker's name is marked removed");
      assert.match(await page.textContent(".privacy"), /no event leaves the browser/);
      assert.match(await page.textContent("#summary"), /3 events \(ndjson\), 2 kept, 1 rejected/);

      mkdirSync(fileURLToPath(new URL("../../docs/", import.meta.url)), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      const foreign = requests.filter((u) => !u.startsWith(origin));
      assert.equal(foreign, [], "the page asked for nothing outside its own origin");
      assert.ok(requests.every((u) => /\/(?:$|playground\/|dist\/|build\/(?:simd|scalar)\.wasm$)/.test(new URL(u).pathname)),
        `only the page, the library and the engine were loaded: ${requests.map((u) => new URL(u).pathname).join(" ")}`);
    });
  });

  test("a JSON array and a form-encoded callback are read as the CLI and serve read them", async () => {
    const node = await createFilter(presetPolicy("flex-insights-hipaa"));
    const form = new URLSearchParams({ EventType: "task.created", AccountSid: "AC5f1e", WorkerName: "Jane Doe", TaskAttributes: ATTRIBUTES }).toString();
    const fromForm = JSON.stringify({ EventType: "task.created", AccountSid: "AC5f1e", WorkerName: "Jane Doe", TaskAttributes: ATTRIBUTES });
    await withPlayground(async (page) => {
      await page.selectOption("#preset", "flex-insights-hipaa@1");
      await page.fill("#events", form);
      await page.click("#run");
      await page.waitForSelector('section.event[data-index="1"]');
      assert.is(await page.$eval("section.event", (s) => s.dataset.output), decoder.decode(node.filterEvent(fromForm).output));
      assert.match(await page.textContent("#summary"), /1 events \(form\)/);

      await page.fill("#events", `[${EVENTS[0]},\n ${EVENTS[2]}]`);
      await page.click("#run");
      await page.waitForSelector('section.event[data-index="2"]');
      const outputs = await page.$$eval("section.event", (ss) => ss.map((s) => s.dataset.output));
      assert.equal(outputs, [EVENTS[0], EVENTS[2]].map((e) => decoder.decode(node.filterEvent(e).output)));

      await page.fill("#events", "[{}, {");
      await page.click("#run");
      await page.waitForFunction(() => document.getElementById("problem").textContent !== "");
      assert.match(await page.textContent("#problem"), /not a JSON array of events/);
    });
  });

  test("an edited policy is compiled in the page, and a bad one is refused with its problem", async () => {
    await withPlayground(async (page) => {
      await page.fill("#events", EVENTS[0]);
      await page.fill("#policy", JSON.stringify({ keep: ["EventType"] }));
      assert.is(await page.inputValue("#preset"), "(custom)");
      await page.click("#run");
      await page.waitForSelector('section.event[data-index="1"]');
      assert.is(await page.$eval("section.event", (s) => s.dataset.output), '{"EventType":"task.created"}');
      await page.fill("#policy", JSON.stringify({ keep: ["a..b"] }));
      await page.click("#run");
      await page.waitForFunction(() => document.getElementById("problem").textContent !== "");
      assert.match(await page.textContent("#problem"), /policy: .*empty key/);
      assert.is(await page.$$eval("section.event", (s) => s.length), 0, "nothing is shown filtered by a policy that failed");
    });
  });
}

test.run();
