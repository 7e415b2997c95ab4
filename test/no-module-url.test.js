// A runtime that gives modules no URL (workerd: import.meta.url is undefined) cannot locate the
// shipped engine. Forgetting the `module` option there must say what to pass, not surface
// `TypeError: Invalid URL` from deep inside the loader; and passing `module` must just work.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { shippedUrl } from "../dist/engine/wasm-source.js";

const root = fileURLToPath(new URL("..", import.meta.url));

function assertClear(error) {
  assert.instance(error, Error);
  assert.not.instance(error, TypeError, "not the TypeError of new URL");
  assert.not.match(error.message, /Invalid URL/i);
  assert.match(error.message, /WebAssembly\.Module/);
  assert.match(error.message, /`module`/);
}

test("shippedUrl: no base URL, or one that is not a URL, is a clear error naming the `module` option", () => {
  for (const base of [undefined, "", "not a url"]) {
    try {
      shippedUrl("simd", base);
      assert.unreachable(`accepted ${JSON.stringify(base)}`);
    } catch (e) {
      if (e.name === "Assertion") throw e;
      assertClear(e);
    }
  }
});

test("shippedUrl: with a module URL, the build beside dist/", () => {
  assert.is(shippedUrl("scalar", "https://cdn.example/pkg/dist/engine/wasm-source.js").href, "https://cdn.example/pkg/build/scalar.wasm");
});

// A real runtime without import.meta.url: esbuild empties import.meta in a non-ESM bundle, so the
// bundled library runs exactly as it would where the module has no URL.
async function libraryWithoutModuleUrl() {
  const result = await build({
    stdin: { contents: `export * from "hipaa-sieve";`, resolveDir: root, loader: "js" },
    bundle: true, write: false, format: "iife", globalName: "sieve", platform: "browser", logLevel: "silent",
  });
  return new Function(`${result.outputFiles[0].text}; return sieve;`)();
}

test("createFilter without `module` where import.meta.url is undefined: rejects with the clear error", async () => {
  const sieve = await libraryWithoutModuleUrl();
  const policy = sieve.compilePolicy({ keep: ["a"] });
  for (const variant of ["auto", "scalar"]) {
    try {
      await sieve.createFilter(policy, { variant });
      assert.unreachable(`${variant}: created a filter with no engine to load`);
    } catch (e) {
      if (e.name === "Assertion") throw e;
      assertClear(e);
    }
  }
});

test("the same runtime with `module`: filters", async () => {
  const sieve = await libraryWithoutModuleUrl();
  const module = new WebAssembly.Module(readFileSync(new URL("../build/scalar.wasm", import.meta.url)));
  const filter = await sieve.createFilter(sieve.compilePolicy({ keep: ["a"] }), { module });
  assert.is(filter.variant, "scalar");
  const r = filter.filterEvent('{"a":1,"b":"PHI"}');
  assert.ok(r.ok);
  assert.is(new TextDecoder().decode(r.output), '{"a":1}');
});

test.run();
