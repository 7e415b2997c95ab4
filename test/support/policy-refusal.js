// The policy tests' shared check: a spec that compilePolicy must refuse.
import * as assert from "uvu/assert";
import { compilePolicy, PolicyError } from "../../dist/index.js";

/**
 * compilePolicy(spec, source) throws a PolicyError (an Error) whose message names `source` and every
 * string in `mentions`; returns the error.
 */
export function refusedPolicy(source, spec, ...mentions) {
  let error;
  try {
    compilePolicy(spec, source);
  } catch (e) {
    error = e;
  }
  assert.ok(error, `accepted: ${JSON.stringify(spec)}`);
  assert.instance(error, PolicyError, `not a PolicyError: ${error}`);
  assert.instance(error, Error);
  assert.ok(error.message.includes(source), `message does not name the source: ${error.message}`);
  for (const m of mentions) assert.ok(error.message.includes(m), `message does not mention ${m}: ${error.message}`);
  return error;
}
