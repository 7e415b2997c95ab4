#!/usr/bin/env node
/** The `hipaa-sieve` executable. See run.ts; set HIPAA_SIEVE_DEBUG=1 for stack traces of internal errors. */
import { run } from "./run.js";

process.exitCode = await run(process.argv.slice(2));
