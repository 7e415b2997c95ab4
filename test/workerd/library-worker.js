// A Worker that uses the plain library, no webhook: POST NDJSON, get the filtered NDJSON back and the
// batch's counts in headers. Proves the engine loads from a compiled module and filters inside workerd.
import engine from "hipaa-sieve/wasm/simd.wasm";
import { createFilter, presetPolicy } from "hipaa-sieve";

let filter;

export default {
  async fetch(request) {
    filter ??= createFilter(presetPolicy("flex-insights-hipaa"), { module: engine });
    const result = (await filter).filterBatch(new Uint8Array(await request.arrayBuffer()));
    return new Response(result.output, {
      headers: {
        "x-kept": String(result.kept),
        "x-rejected": result.rejected.map((r) => `${r.line}:${r.code}`).join(","),
        "x-variant": (await filter).variant,
      },
    });
  },
};
