// The plain library inside real workerd (miniflare v4): the engine comes in as a compiled module, a batch
// of examples/events.ndjson is filtered there, and the result must be byte for byte what Node produces
// with the same preset. Fails if the package reaches a Node built-in or compiles WebAssembly at run time.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { Miniflare } from "miniflare";
import { compilePolicy, createFilter, presetPolicy } from "../../dist/index.js";
import { workerModules } from "./bundle.js";

const events = readFileSync(new URL("../../examples/events.ndjson", import.meta.url));

test("workerd filters a batch with the library, exactly as Node does", async () => {
  const mf = new Miniflare({ modules: await workerModules(new URL("library-worker.js", import.meta.url).pathname), compatibilityDate: "2025-01-01" });
  try {
    // A line that is not JSON is rejected in workerd as in Node, and does not stop the batch.
    const batch = Buffer.concat([events, Buffer.from("{not json\n")]);
    const response = await mf.dispatchFetch("http://worker.test/", { method: "POST", body: batch });
    assert.is(response.status, 200);
    const output = Buffer.from(await response.arrayBuffer());

    const node = (await createFilter(presetPolicy("flex-insights-hipaa"), { variant: "simd" })).filterBatch(batch);
    assert.ok(node.kept > 0);
    assert.is(response.headers.get("x-variant"), "simd");
    assert.is(response.headers.get("x-kept"), String(node.kept));
    assert.is(response.headers.get("x-rejected"), node.rejected.map((r) => `${r.line}:${r.code}`).join(","));
    assert.is(node.rejected.at(-1).line, node.lines);
    assert.ok(output.equals(Buffer.from(node.output)), "workerd's output differs from Node's");
    // And the filter did drop something: a caller's name from TaskAttributes is not in the output.
    assert.ok(events.includes("Maria Gonzalez") && !output.includes("Maria Gonzalez"));
  } finally {
    await mf.dispose();
  }
});

test("workerd redacts with PHI detection, exactly as Node does", async () => {
  const mf = new Miniflare({ modules: await workerModules(new URL("library-worker.js", import.meta.url).pathname), compatibilityDate: "2025-01-01" });
  try {
    const response = await mf.dispatchFetch("http://worker.test/redact", { method: "POST", body: events });
    assert.is(response.status, 200);
    const output = Buffer.from(await response.arrayBuffer());
    const policy = compilePolicy({
      ...presetPolicy("flex-insights-hipaa").spec,
      detect: { use: "flex-insights-hipaa", patterns: [{ name: "mrn", pattern: "MRN[-: #]?\\d{6,10}", ignoreCase: true }], action: "redact" },
    });
    const node = (await createFilter(policy, { variant: "simd" })).filterBatch(events);
    assert.ok((node.detections ?? []).length > 0, "the examples hold PHI in a preserved attribute");
    assert.is(response.headers.get("x-detections"), node.detections.map((d) => `${d.path}:${d.detector}:${d.count}`).join(","));
    assert.ok(output.equals(Buffer.from(node.output)), "workerd's output differs from Node's");
    assert.ok(output.includes('[phone]'), "a phone number was redacted");
  } finally {
    await mf.dispose();
  }
});

test.run();
