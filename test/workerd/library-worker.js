// A Worker that uses the plain library, no webhook: POST NDJSON, get the filtered NDJSON back and the
// batch's counts in headers. Proves the engine loads from a compiled module and filters inside workerd.
// POST /redact filters with the preset and PHI detection redacting (the recommendation), to prove the
// detectors and the pattern compiler run there too.
import engine from "hipaa-sieve/wasm/simd.wasm";
import { compilePolicy, createFilter, presetPolicy } from "hipaa-sieve";

let filter;
let redacting;

export default {
  async fetch(request) {
    filter ??= createFilter(presetPolicy("flex-insights-hipaa"), { module: engine });
    redacting ??= createFilter(compilePolicy({
      ...presetPolicy("flex-insights-hipaa").spec,
      detect: { use: "flex-insights-hipaa", patterns: [{ name: "mrn", pattern: "MRN[-: #]?\\d{6,10}", ignoreCase: true }], action: "redact" },
    }), { module: engine });
    const chosen = await (new URL(request.url).pathname === "/redact" ? redacting : filter);
    const result = chosen.filterBatch(new Uint8Array(await request.arrayBuffer()));
    return new Response(result.output, {
      headers: {
        "x-kept": String(result.kept),
        "x-rejected": result.rejected.map((r) => `${r.line}:${r.code}`).join(","),
        "x-detections": (result.detections ?? []).map((d) => `${d.path}:${d.detector}:${d.count}`).join(","),
        "x-variant": chosen.variant,
      },
    });
  },
};
