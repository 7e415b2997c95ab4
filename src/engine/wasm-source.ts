/**
 * Where the engine's WebAssembly comes from. Node reads the .wasm files shipped beside dist/;
 * browsers fetch them; workerd and bundlers pass a compiled WebAssembly.Module themselves.
 */
import type { WasmVariant } from "../types.js";
// Node reads from disk, everything else fetches: chosen by package.json "imports" conditions, so
// that no `node:` module is reachable from a browser or workerd bundle.
import { readWasm } from "#wasm-loader";

// The smallest module that uses a SIMD instruction (i32.const 0; i8x16.splat): it validates
// only where WebAssembly SIMD is switched on.
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, //       type: () -> v128
  0x03, 0x02, 0x01, 0x00, //                         one function of that type
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b, // body
]);

export function simdSupported(): boolean {
  return WebAssembly.validate(SIMD_PROBE);
}

const cache = new Map<WasmVariant, Promise<WebAssembly.Module>>();

/** Compiles (once per variant) the engine shipped with the package. */
export function shippedModule(variant: WasmVariant): Promise<WebAssembly.Module> {
  let module = cache.get(variant);
  if (!module) {
    module = Promise.resolve()
      .then(() => readWasm(shippedUrl(variant, import.meta.url)))
      .then((bytes) => WebAssembly.compile(bytes));
    // A failed load (a network error, a missing file) is not remembered: the next filter retries.
    module.catch(() => cache.delete(variant));
    cache.set(variant, module);
  }
  return module;
}

/**
 * Where the shipped build lies, relative to this module. Some runtimes give modules no URL
 * (workerd leaves import.meta.url undefined; some bundles make it meaningless): there the engine
 * cannot be found, and the caller must hand it over compiled. Said plainly, instead of the
 * "Invalid URL" TypeError that `new URL` would throw.
 */
export function shippedUrl(variant: WasmVariant, base: string | undefined): URL {
  let url: URL | undefined;
  try {
    if (typeof base === "string" && base !== "") url = new URL(`../../build/${variant}.wasm`, base);
  } catch {
    url = undefined;
  }
  if (!url) {
    throw new Error(
      `hipaa-sieve: this runtime gives modules no URL (import.meta.url), so the shipped engine ` +
        `build/${variant}.wasm cannot be located. Pass the compiled WebAssembly.Module as the ` +
        `\`module\` option of createFilter/createAccountsFilter (in Cloudflare Workers: import ` +
        `"hipaa-sieve/wasm/${variant}.wasm"), or its bytes as \`wasmBytes\`.`,
    );
  }
  return url;
}
