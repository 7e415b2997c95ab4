/**
 * Where the engine's WebAssembly comes from. Node reads the .wasm files shipped beside dist/;
 * browsers fetch them; workerd and bundlers pass a compiled WebAssembly.Module themselves.
 */
import type { WasmVariant } from "../types.js";

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
    module = readShipped(variant).then((bytes) => WebAssembly.compile(bytes));
    cache.set(variant, module);
  }
  return module;
}

async function readShipped(variant: WasmVariant): Promise<BufferSource> {
  const url = new URL(`../../build/${variant}.wasm`, import.meta.url);
  if (url.protocol === "file:") {
    const { readFile } = await import("node:fs/promises");
    return readFile(url);
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`hipaa-sieve: could not load ${url.pathname} (HTTP ${response.status})`);
  return response.arrayBuffer();
}
