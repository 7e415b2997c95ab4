// The engine build (assembly/build.mjs) is quiet and incremental: up-to-date targets are left
// alone, a stale one is rebuilt alone, and nothing is printed but what was built.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { readFileSync, statSync, utimesSync } from "node:fs";

const root = new URL("..", import.meta.url);
const TARGETS = ["simd", "scalar", "debug"];
const wasm = (target) => new URL(`build/${target}.wasm`, root);
const mtimes = () => TARGETS.map((t) => statSync(wasm(t)).mtimeMs);

/** Runs the build; its standard output and error together (a compiler note shows up here too). */
function build() {
  const run = spawnSync(process.execPath, ["assembly/build.mjs"], { cwd: root, encoding: "utf8" });
  assert.is(run.status, 0, run.stderr);
  return run.stdout + run.stderr;
}

test("nothing changed: nothing is built and nothing printed", () => {
  build(); // whatever state the tree is in, after this every target is up to date
  const before = mtimes();
  assert.is(build(), "");
  assert.equal(mtimes(), before);
});

test("a stale target is rebuilt alone, silently but for its name, to the same bytes", () => {
  const bytes = readFileSync(wasm("scalar"));
  const [simd, , debug] = mtimes();
  utimesSync(wasm("scalar"), new Date(0), new Date(0)); // older than every source
  assert.is(build(), "build: build/scalar.wasm\n");
  assert.equal(readFileSync(wasm("scalar")), bytes);
  const after = mtimes();
  assert.equal([after[0], after[2]], [simd, debug], "the other targets were left alone");
});

test("assertions are compiled into the debug build only", () => {
  // An assertion's failure message names its source file, as a UTF-16 string in the data segment.
  const marker = Buffer.from("assembly/buffers.ts", "utf16le");
  const asserts = (target) => readFileSync(wasm(target)).includes(marker);
  assert.equal(TARGETS.map(asserts), [false, false, true]);
});

test.run();
