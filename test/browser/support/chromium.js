// Debian's Chromium driven by playwright-core (no browser download): one launch per call, the
// test page served by a local server, and both always closed, whatever the test did.
import { existsSync } from "node:fs";
import * as assert from "uvu/assert";
import { chromium } from "playwright-core";
import { startServer } from "./server.js";

export const CHROMIUM = "/usr/bin/chromium";
const SKIP_NOTE = Symbol.for("hipaa-sieve.browser-skip-noted");

/**
 * Whether the browser tests can run. Without Chromium they are skipped with one line, except in
 * CI, where a missing browser must not pass unnoticed: there a failing test is registered.
 */
export function haveChromium(test) {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) {
    test("Chromium is installed", () => assert.unreachable(`${CHROMIUM} is missing: apt-get install -y chromium`));
  } else if (!globalThis[SKIP_NOTE]) {
    globalThis[SKIP_NOTE] = true;
    console.log(`browser tests skipped: ${CHROMIUM} not found (apt-get install -y chromium; with CI set they fail)`);
  }
  return false;
}

/**
 * Opens the test page in a fresh Chromium (extra command-line `args`, e.g. V8 flags) and runs
 * `fn(page, server)`. Errors thrown in the page fail the call.
 */
export async function withPage(fn, { args = [] } = {}) {
  const server = await startServer();
  let browser;
  try {
    // --no-sandbox: the tests run as root in containers, where Chromium's sandbox cannot start.
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", ...args] });
    const page = await browser.newPage();
    const pageErrors = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(`${server.origin}/page.html`);
    try {
      await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 30_000 });
    } catch (e) {
      throw new Error(`test page did not load: ${pageErrors.join("; ") || e.message}`);
    }
    const result = await fn(page, server);
    assert.equal(pageErrors, [], "errors in the page");
    return result;
  } finally {
    await browser?.close();
    await server.close();
  }
}

export const toBase64 = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
export const fromBase64 = (s) => new Uint8Array(Buffer.from(s, "base64"));
