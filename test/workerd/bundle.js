// Builds a Worker the way wrangler would, for miniflare: esbuild bundles the JavaScript (the package
// resolved to this checkout's dist/, JSON imports inlined) and leaves every `.wasm` import to workerd,
// which receives the engine as a CompiledWasm module. No Node built-in may be reached: platform
// "neutral" fails the bundle on any `node:` import, so a runtime-specific path in the package shows
// here rather than in a user's deploy.
import { build } from "esbuild";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
export const WASM_PATH = "engine.wasm";

/** `accounts`: a file to bundle in place of the Worker's `./accounts.json` (a test's configuration). */
export async function bundleWorker(entry, { accounts } = {}) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    // The conditions wrangler resolves packages with.
    conditions: ["workerd", "worker", "browser"],
    write: false,
    logLevel: "silent",
    alias: { "hipaa-sieve": `${root}dist/index.js` },
    plugins: [{
      name: "wasm-external",
      setup(b) {
        b.onResolve({ filter: /\.wasm$/ }, () => ({ path: WASM_PATH, external: true }));
        if (accounts !== undefined) b.onResolve({ filter: /^\.\/accounts\.json$/ }, () => ({ path: accounts }));
      },
    }],
  });
  return result.outputFiles[0].text;
}

/** miniflare's modules for a bundled Worker and the SIMD engine. */
export async function workerModules(entry, options) {
  return [
    { type: "ESModule", path: "worker.js", contents: await bundleWorker(entry, options) },
    { type: "CompiledWasm", path: WASM_PATH, contents: await readFile(`${root}build/simd.wasm`) },
  ];
}
