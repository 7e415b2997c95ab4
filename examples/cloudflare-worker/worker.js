/**
 * hipaa-sieve's webhook receiver as a Cloudflare Worker: Twilio posts TaskRouter callbacks (form-encoded)
 * or Event Streams batches (JSON arrays of CloudEvents) here; each request's X-Twilio-Signature is checked,
 * its events are filtered by their account's policy, and what is kept is POSTed to FORWARD_URL.
 *
 * Bindings (see wrangler.toml): FORWARD_URL (a var), TWILIO_AUTH_TOKEN (a secret: `wrangler secret put
 * TWILIO_AUTH_TOKEN`), and a secret for each account whose entry in accounts.json has "authTokenEnv".
 * Optional vars: PUBLIC_URL (the URL Twilio calls, when a proxy or a custom route rewrites it) and
 * MAX_BODY_BYTES.
 *
 * workerd compiles no WebAssembly at run time: the engine is imported as a compiled module (wrangler
 * turns a `.wasm` import into a WebAssembly.Module) and handed to the filter. No nodejs_compat needed.
 */
import engine from "hipaa-sieve/wasm/simd.wasm";
import { createAccountsFilter, createWebhookHandler, loadAccountsConfig } from "hipaa-sieve";
import accounts from "./accounts.json";

/** One handler per isolate, built on the first request (bindings are only known then). */
let ready;

async function makeHandler(env) {
  const config = await loadAccountsConfig(accounts, "accounts.json");
  const filter = await createAccountsFilter(config, { module: engine });
  // Tokens come from bindings only; accounts.json names a binding, never holds a token.
  const authTokens = new Map();
  for (const [account, settings] of config.accounts) {
    if (settings.authTokenEnv === undefined) continue;
    const token = env[settings.authTokenEnv];
    if (typeof token !== "string" || token === "") throw new Error(`hipaa-sieve worker: binding ${settings.authTokenEnv} is not set`);
    authTokens.set(account, token);
  }
  const authToken = typeof env.TWILIO_AUTH_TOKEN === "string" && env.TWILIO_AUTH_TOKEN !== "" ? env.TWILIO_AUTH_TOKEN : undefined;
  return createWebhookHandler({
    filter,
    authToken,
    authTokens,
    accountKeyPath: config.accountKeyPath,
    forwardUrl: env.FORWARD_URL,
    publicUrl: env.PUBLIC_URL || undefined,
    maxBodyBytes: env.MAX_BODY_BYTES ? Number(env.MAX_BODY_BYTES) : undefined,
  });
}

export default {
  async fetch(request, env) {
    ready ??= makeHandler(env);
    let handler;
    try {
      handler = await ready;
    } catch {
      // A misconfigured Worker refuses every request (fail closed) and tries again on the next one.
      ready = undefined;
      return new Response("misconfigured\n", { status: 500 });
    }
    return handler(request);
  },
};
