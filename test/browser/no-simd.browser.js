// Chromium with WebAssembly SIMD switched off picks the scalar build by itself. V8 has no flag
// that turns SIMD off any more; it only offers SIMD where the CPU has SSE4.1 (x64), so
// --js-flags=--no-enable-sse4-1 makes it refuse SIMD modules as hardware without SSE4.1 does.
// The page checks that it really is off (WebAssembly.validate of a SIMD module), against a
// launch without the flag; then createFilter with no variant must report "scalar", fetch only
// the scalar build, and filter byte for byte as Node's scalar build does.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compilePolicy, createFilter } from "../../dist/index.js";
import { EVENT_POLICY, generateEvents } from "../support/events.js";
import { haveChromium, withPage, toBase64 } from "./support/chromium.js";

const NO_SIMD = ["--js-flags=--no-enable-sse4-1"];
const events = generateEvents(0x5ca1a, 300).map((e) => e.bytes);

if (haveChromium(test)) {
  test("control: without the flag, SIMD validates and the SIMD build is chosen", async () => {
    await withPage(async (page) => {
      assert.is(await page.evaluate(() => window.harness.simd()), true);
      assert.is(await page.evaluate(() => window.harness.variantOf({})), "simd");
    });
  });

  test("SIMD off: the probe fails, the scalar build is chosen alone and filters as Node's does", async () => {
    const filter = await createFilter(compilePolicy(EVENT_POLICY, "differential"), { variant: "scalar" });
    const want = events.map((e) => {
      const r = filter.filterEvent(e);
      return r.ok ? { ok: true, output: toBase64(r.output) } : { ok: false, code: r.code, offset: r.offset };
    });
    await withPage(async (page, server) => {
      assert.is(await page.evaluate(() => window.harness.simd()), false, "SIMD is still on: the flag did nothing");
      assert.is(await page.evaluate(() => window.harness.variantOf({})), "scalar");
      assert.is(await page.evaluate(() => window.harness.variantOf({ variant: "auto" })), "scalar");
      // No variant: whatever the library picks by itself.
      const got = await page.evaluate(([spec, es]) => window.harness.batches(null, spec, [], es), [EVENT_POLICY, events.map(toBase64)]);
      assert.is(got.variant, "scalar");
      got.singles.forEach((r, i) => assert.equal(r, want[i], `event #${i}`));
      const wasm = server.requests.filter((p) => p.endsWith(".wasm"));
      assert.equal([...new Set(wasm)], ["/build/scalar.wasm"], "only the scalar build was fetched");
    }, { args: NO_SIMD });
  });

  test("SIMD off: asking for the SIMD build fails closed (no filter)", async () => {
    await withPage(async (page) => {
      const outcome = await page.evaluate(() => window.harness.variantOf({ variant: "simd" }).then(
        (v) => `created ${v}`,
        (e) => `refused: ${e instanceof Error}`,
      ));
      assert.is(outcome, "refused: true");
    }, { args: NO_SIMD });
  });
}

test.run();
