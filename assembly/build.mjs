#!/usr/bin/env node
// Builds each engine target of asconfig.json (build/simd.wasm, scalar.wasm, debug.wasm) that is
// missing or older than its sources: anything under assembly/, asconfig.json, or the compiler
// itself. A fresh clone builds everything; a test run after a change to src/ only rebuilds none.
// Prints nothing unless it builds something or the compiler complains.
// Also builds the engines only the bench uses: the frozen engine of bench/engine-before/ (the walk
// before issue 7) into build/before/*.wasm, so that the bench can measure old and new engine in
// one run, and the stage-1 kernel of bench/stage1/ into build/stage1/*.wasm. Neither is in
// package.json "files" (which ships build/*.wasm only).
import { readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import asc from "assemblyscript/asc";

const root = new URL("..", import.meta.url).pathname;
process.chdir(root); // asc resolves asconfig.json and the entry file from here
const config = JSON.parse(readFileSync(join(root, "asconfig.json"), "utf8"));
const compiler = createRequire(import.meta.url).resolve("assemblyscript/package.json");

/** Newest modification time of a file, or of every file below a directory. */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

function modified(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -Infinity; // missing: build it
  }
}

const sources = Math.max(newest(join(root, "assembly")), newest(join(root, "asconfig.json")), newest(compiler));
// Engines built for the bench only (each with its own asconfig.json): the engine before issue 7
// (self-contained), and the stage-1 kernel measured on its own (it imports from assembly/).
const benchEngines = [{ dir: "bench/engine-before", imports: false }, { dir: "bench/stage1", imports: true }];
const builds = [
  ...Object.entries(config.targets).map(([target, { outFile }]) => ({
    outFile, newest: sources, args: ["assembly/index.ts", "--target", target],
  })),
  ...benchEngines.flatMap(({ dir, imports }) => {
    const benchConfig = JSON.parse(readFileSync(join(root, dir, "asconfig.json"), "utf8"));
    const stamp = Math.max(newest(join(root, dir)), newest(compiler), imports ? sources : 0);
    return Object.entries(benchConfig.targets).map(([target, { outFile }]) => ({
      outFile: join(dir, outFile), newest: stamp,
      args: [`${dir}/index.ts`, "--config", `${dir}/asconfig.json`, "--target", target],
    }));
  }),
];
let failed = false;
for (const { outFile, newest: stamp, args } of builds) {
  if (modified(join(root, outFile)) > stamp) continue;
  // The compiler's diagnostics go straight to stderr: a quiet build hides nothing.
  const { error } = await asc.main(args, { stdout: process.stdout, stderr: process.stderr });
  if (error) {
    process.stderr.write(`build: ${outFile}: ${error.message}\n`);
    failed = true;
  } else {
    process.stdout.write(`build: ${outFile}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
