// Rule cases in Chromium: the SIMD and scalar builds, loaded by the page from dist/ and build/
// as a site would serve them, give byte-identical outputs, and the same rejection codes and
// offsets, as the same builds in Node. Expected results are computed here, in Node, with the
// same library; the cases cover keeping, dropping, nesting, embedded JSON, escapes, Unicode,
// long strings across SIMD blocks, and every kind of rejection a single-policy filter makes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compilePolicy, createFilter } from "../../dist/index.js";
import { haveChromium, withPage, toBase64 } from "./support/chromium.js";

const encoder = new TextEncoder();
const KEEP_A = { keep: ["a"] };
const long = (n, unit) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);

const CASES = [
  [KEEP_A, '{"a":1,"b":"PHI-1"}'],
  [{ keep: ["a.b", "c"] }, '{"a":{"b":[1,{"z":2}],"x":"PHI-2"},"c":null,"d":{"e":true}}'],
  [{ keep: ["x.*.y"] }, '{"x":{"p":{"y":1,"z":2},"q":{"y":"s","w":[]}},"y":3}'],
  [{ keep: ["t.u"], embeddedJson: ["t"] }, '{"t":"{\\"u\\":[1, 2],\\"v\\":\\"PHI-3\\"}","s":"x"}'],
  [{ keep: ['["d.e"].f', 'g["h"]'] }, '{"d.e":{"f":1,"g":2},"g":{"h":"k","i":"PHI-4"}}'],
  [KEEP_A, '{"\\u0061":"x\\n\\u00e9\\ud83d\\ude00\\/","b":1}'],
  [KEEP_A, ' {\t"a" : [ 1 , 2 , { "k" : "v" } ] ,\r\n "b" : 0 } \r\n'],
  [KEEP_A, '{"a":"é中😀","b":"PHI-5"}'],
  [{ keep: ["a", "b", "c"] }, '{"a":-0,"b":1.5E-3,"c":12345678901234567890123456789}'],
  [KEEP_A, `{"a":"${long(200, "abcdefghijklmno\\\\p")}","b":"${long(130, "q")}"}`],
  [KEEP_A, `{"b":"${long(100, "\\\\")}","a":"${long(70, "é\\u00e9\\\"")}"}`],
  [KEEP_A, `{"${long(64, "k")}":1,"a":"${long(63, "中")}"}`],
  [KEEP_A, '{"b":1}'],
  [KEEP_A, '{"a":'],
  [KEEP_A, '{"a":"x'],
  [KEEP_A, '{"a":1,}'],
  [KEEP_A, '{"a":01}'],
  [KEEP_A, '{"a":1.}'],
  [KEEP_A, '{"a":"\\x"}'],
  [KEEP_A, '{"a":"\\u12G4"}'],
  [KEEP_A, '{"a":"x\u0001"}'],
  [KEEP_A, Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d])],
  [KEEP_A, Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d])],
  [KEEP_A, '{"a":"\\ud800"}'],
  [KEEP_A, '[{"a":1}]'],
  [KEEP_A, '{"a":1} x'],
  [KEEP_A, '{"a":[[[[[1]]]]]}', { maxDepth: 4 }],
  [KEEP_A, `{"a":"${long(40, "x")}"}`, { maxEventBytes: 16 }],
  [KEEP_A, '{"a":1,"b":2,"a":3}'],
  [{ keep: ["t.u"], embeddedJson: ["t"] }, '{"t":"{\\"u\\":1"}'],
].map(([spec, input, limits = {}]) => ({ spec, limits, input: typeof input === "string" ? encoder.encode(input) : input }));

/** The case results as plain data, as the page reports them (outputs in base64). */
async function inNode(variant) {
  const out = [];
  for (const c of CASES) {
    const filter = await createFilter(compilePolicy(c.spec, "case"), { ...c.limits, variant });
    assert.is(filter.variant, variant);
    const r = filter.filterEvent(c.input);
    out.push(r.ok ? { ok: true, output: toBase64(r.output) } : { ok: false, code: r.code, offset: r.offset });
  }
  return out;
}

if (haveChromium(test)) {
  test("the cases are worth comparing: kept events, and many kinds of rejection", async () => {
    const expected = await inNode("scalar");
    assert.ok(expected.filter((r) => r.ok).length >= 10);
    assert.ok(new Set(expected.filter((r) => !r.ok).map((r) => r.code)).size >= 10, JSON.stringify(expected));
  });

  test("rule cases: SIMD and scalar builds in Chromium match Node byte for byte", async () => {
    const expected = { simd: await inNode("simd"), scalar: await inNode("scalar") };
    const cases = CASES.map((c) => ({ spec: c.spec, limits: c.limits, input: toBase64(c.input) }));
    await withPage(async (page, server) => {
      for (const variant of ["simd", "scalar"]) {
        const got = await page.evaluate(([v, cs]) => window.harness.events(v, cs), [variant, cases]);
        assert.is(got.length, CASES.length);
        got.forEach((r, i) => assert.equal(r, expected[variant][i], `${variant}, case #${i}`));
      }
      // The library found both builds itself, beside its own modules.
      assert.ok(server.requests.includes("/build/simd.wasm") && server.requests.includes("/build/scalar.wasm"), server.requests.join(" "));
    });
  });
}

test.run();
