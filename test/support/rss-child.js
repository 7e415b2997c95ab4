// Runs the CLI in this process (same code as dist/cli/main.js) and then reports its peak memory on
// stderr as a last line "maxRSS <kilobytes>", so a test can check that memory stays bounded.
import { run } from "../../dist/cli/run.js";

const code = await run(process.argv.slice(2));
process.stderr.write(`maxRSS ${process.resourceUsage().maxRSS}\n`);
process.exitCode = code;
