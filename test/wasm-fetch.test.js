// Outside Node (the "default" condition of #wasm-loader) the engine is fetched from beside the
// library's own module URL. A failed fetch is an error naming the file and the HTTP status (no
// content), and it is not remembered: the next createFilter fetches again, so one network hiccup
// does not break a page for good. Run here on the browser bundle with a stand-in fetch.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const MODULE_URL = "https://cdn.example/hipaa-sieve/dist/engine/wasm-source.js";

/** The browser bundle of the package, its module URL as a CDN would give it, `fetch` replaced. */
async function browserLibrary(fetch) {
  const result = await build({
    stdin: { contents: `export * from "hipaa-sieve";`, resolveDir: root, loader: "js" },
    bundle: true, write: false, format: "iife", globalName: "sieve", platform: "browser", logLevel: "silent",
    define: { "import.meta.url": JSON.stringify(MODULE_URL) },
  });
  return new Function("fetch", `${result.outputFiles[0].text}; return sieve;`)(fetch);
}

test("the build is fetched from beside the module; a failure names file and status, and is retried next time", async () => {
  const asked = [];
  let fail = true;
  const sieve = await browserLibrary(async (url) => {
    asked.push(String(url));
    if (fail) return new Response("busy", { status: 503 });
    return new Response(readFileSync(new URL("../build/scalar.wasm", import.meta.url)));
  });
  const policy = sieve.compilePolicy({ keep: ["a"] });
  try {
    await sieve.createFilter(policy, { variant: "scalar" });
    assert.unreachable("created a filter without an engine");
  } catch (e) {
    if (e.name === "Assertion") throw e;
    assert.is(e.message, "hipaa-sieve: could not load /hipaa-sieve/build/scalar.wasm (HTTP 503)");
  }
  fail = false;
  const filter = await sieve.createFilter(policy, { variant: "scalar" });
  assert.is(filter.variant, "scalar");
  assert.is(new TextDecoder().decode(filter.filterEvent('{"a":1,"b":2}').output), '{"a":1}');
  assert.equal(asked, ["https://cdn.example/hipaa-sieve/build/scalar.wasm", "https://cdn.example/hipaa-sieve/build/scalar.wasm"]);
  await sieve.createFilter(policy, { variant: "scalar" });
  assert.is(asked.length, 2, "a build once loaded is compiled once");
});

test.run();
