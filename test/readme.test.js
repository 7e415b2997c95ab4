// The README is part of the product: its file map lists every source file (and nothing that is gone), and
// every `npx hipaa-sieve ...` command it shows in a sh block runs from a fresh checkout as written.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT, cli } from "./support/cli-run.js";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");

/** The paths of the file map: the fenced block after the "Layout" heading, a tree drawn by indentation. */
function fileMap() {
  const section = readme.split(/^#+ Layout$/m)[1];
  assert.ok(section !== undefined, 'README has a "Layout" heading');
  const block = /```\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block !== undefined, "the Layout section has a fenced file map");
  const paths = [];
  const stack = []; // [indent, folder]
  for (const line of block.split("\n")) {
    const m = /^( *)(\S+)/.exec(line);
    if (!m) continue;
    const indent = m[1].length;
    const name = m[2];
    while (stack.length > 0 && stack[stack.length - 1][0] >= indent) stack.pop();
    const path = [...stack.map(([, folder]) => folder), name].join("");
    if (name.endsWith("/")) stack.push([indent, name]);
    else paths.push(path);
  }
  return paths;
}

const sourceFiles = (folder, ending) => readdirSync(join(ROOT, folder), { recursive: true })
  .filter((f) => f.endsWith(ending))
  .map((f) => `${folder}/${f}`);

test("the README's file map lists every source file of assembly/ and src/, and only those", () => {
  const listed = fileMap().filter((p) => (p.startsWith("assembly/") || p.startsWith("src/")) && p.endsWith(".ts"));
  const actual = [...sourceFiles("assembly", ".ts"), ...sourceFiles("src", ".ts")];
  assert.ok(actual.length > 30, `source files found: ${actual.length}`);
  assert.equal(actual.filter((f) => !listed.includes(f)).sort(), [], "source files missing from the README's file map");
  assert.equal(listed.filter((f) => !actual.includes(f)).sort(), [], "files in the README's file map that do not exist");
});

test("every `npx hipaa-sieve` command in the README's sh blocks runs as written", () => {
  const commands = [];
  for (const [, block] of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of block.split("\n")) {
      const m = /(?:^|&& )npx hipaa-sieve (.*)$/.exec(line.trim());
      if (m) commands.push(m[1]);
    }
  }
  assert.ok(commands.length >= 4, `commands found: ${commands.length}`);
  for (const command of commands) {
    const r = cli(command.split(/\s+/));
    assert.is(r.status, 0, `npx hipaa-sieve ${command}: ${r.stderr}`);
    assert.ok(r.stdout.length > 0, `npx hipaa-sieve ${command} prints something`);
  }
});

test("every policy the README shows in a json block with a \"keep\" compiles, its detect section included", async () => {
  const { compilePolicy } = await import("../dist/index.js");
  const blocks = [...readme.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => /^\s*\{\s*\n?\s*"(keep|name)"/.test(b));
  const policies = blocks.map((b) => JSON.parse(b)).filter((v) => Array.isArray(v.keep));
  assert.ok(policies.some((p) => p.detect !== undefined), "the detect example is among them");
  for (const p of policies) compilePolicy(p, "README.md");
});

test.run();
