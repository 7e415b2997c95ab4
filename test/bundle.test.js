// The package entry bundles for the browser and for Cloudflare workerd: esbuild resolves
// `#wasm-loader` through package.json "imports" to the fetch loader, so no `node:` module is
// reachable (a `node:` import makes the browser build fail and workerd refuse the module graph
// unless nodejs_compat is on). Node itself still resolves the loader that reads from disk.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Bundles the package's "." entry (resolved by name, as a user's bundler would) in memory. */
async function bundle(options) {
  const result = await build({
    stdin: { contents: `export * from "hipaa-sieve";`, resolveDir: root, loader: "js" },
    bundle: true,
    write: false,
    format: "esm",
    metafile: true,
    logLevel: "silent",
    ...options,
  });
  assert.equal(result.errors, []);
  const text = result.outputFiles.map((f) => f.text).join("\n");
  return { text, inputs: Object.keys(result.metafile.inputs) };
}

/** A `node:` module imported or required anywhere in the output, or null. */
const nodeImport = (text) => /(?:from\s*|import\s*\(\s*|require\s*\(\s*|import\s+)["']node:[^"']*["']/.exec(text)?.[0] ?? null;

test("bundles for platform=browser with no node: import, through the fetch loader", async () => {
  const { text, inputs } = await bundle({ platform: "browser" });
  assert.is(nodeImport(text), null);
  assert.not.ok(text.includes("node:"), "no node: specifier at all in the browser bundle");
  assert.ok(inputs.includes("dist/engine/wasm-loader-fetch.js"), inputs.join(", "));
  assert.not.ok(inputs.includes("dist/engine/wasm-loader-node.js"));
  assert.ok(text.includes("createFilter"));
});

test("bundles with workerd's conditions with no node: import, through the fetch loader", async () => {
  // What wrangler asks for; platform "neutral" adds no condition of its own ("node" least of all).
  const { text, inputs } = await bundle({ platform: "neutral", conditions: ["workerd", "worker", "browser"], mainFields: ["module", "main"] });
  assert.is(nodeImport(text), null);
  assert.not.ok(text.includes("node:"), "no node: specifier at all in the workerd bundle");
  assert.ok(inputs.includes("dist/engine/wasm-loader-fetch.js"), inputs.join(", "));
  assert.not.ok(inputs.includes("dist/engine/wasm-loader-node.js"));
});

test("for platform=node the loader that reads from disk is chosen", async () => {
  const { inputs } = await bundle({ platform: "node" });
  assert.ok(inputs.includes("dist/engine/wasm-loader-node.js"), inputs.join(", "));
  assert.not.ok(inputs.includes("dist/engine/wasm-loader-fetch.js"));
});

test.run();
