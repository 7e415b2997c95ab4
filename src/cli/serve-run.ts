/**
 * `hipaa-sieve serve` at work: the webhook receiver (src/webhook/handler.ts) on node:http. Here: the
 * options checked, the auth token from the environment, the listening line, and the stop on
 * SIGTERM/SIGINT (no new connections, the requests in flight finished, a summary, exit 0).
 */
import { createServer } from "node:http";
import { once } from "node:events";
import { numberOption, stringOption, type ParsedOptions } from "./args.js";
import { print, type CliContext } from "./context.js";
import { CliError, EXIT_OK, UsageError } from "./errors.js";
import { Interrupt } from "./filter/interrupt.js";
import { PROGRAM, plural } from "./help.js";
import { accountsFilter, loadAccountsFile } from "./load.js";
import { DEFAULT_TOKEN_ENV } from "./serve.js";
import type { AccountsConfig } from "../accounts/config.js";
import { createWebhookHandler, DEFAULT_MAX_BODY_BYTES, type WebhookStats } from "../webhook/handler.js";
import { closeGracefully, nodeListener } from "../webhook/node-server.js";

interface ServeArgs {
  accounts: string;
  forward: string;
  port: number;
  host: string;
  tokenEnv: string;
  publicUrl: string | undefined;
  maxBodyBytes: number;
}

function httpUrl(value: string, option: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // The value is not repeated: a URL may hold credentials.
    throw new UsageError(`option --${option} must be an absolute http:// or https:// URL`, "serve");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`option --${option} must be an absolute http:// or https:// URL`, "serve");
  }
  return value;
}

export function serveArgs(values: ParsedOptions): ServeArgs {
  const accounts = stringOption(values, "accounts");
  if (accounts === undefined) throw new UsageError("option --accounts FILE is required", "serve");
  if (accounts === "-") throw new UsageError('option --accounts needs a file name, not "-"', "serve");
  const forward = stringOption(values, "forward");
  if (forward === undefined) throw new UsageError("option --forward URL is required", "serve");
  const rawPort = stringOption(values, "port") ?? "8080";
  const port = Number(rawPort);
  if (!/^[0-9]+$/.test(rawPort) || port > 65535) {
    throw new UsageError(`option --port must be a port number from 0 to 65535, got ${JSON.stringify(rawPort)}`, "serve");
  }
  const tokenEnv = stringOption(values, "auth-token-env") ?? DEFAULT_TOKEN_ENV;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(tokenEnv)) {
    throw new UsageError("option --auth-token-env must name an environment variable (letters, digits, _)", "serve");
  }
  const publicUrl = stringOption(values, "public-url");
  return {
    accounts,
    forward: httpUrl(forward, "forward"),
    port,
    host: stringOption(values, "host") ?? "127.0.0.1",
    tokenEnv,
    publicUrl: publicUrl === undefined ? undefined : httpUrl(publicUrl, "public-url"),
    maxBodyBytes: numberOption(values, "max-body-bytes") ?? DEFAULT_MAX_BODY_BYTES,
  };
}

/**
 * The tokens, from the environment only: the default from `tokenEnv`, each account's own from the variable its
 * "authTokenEnv" names. The default may be unset when every account names its own; a named variable that is
 * unset is an error (that account's requests could never be verified). Messages name variables, never values.
 */
export function authTokensFrom(config: AccountsConfig, tokenEnv: string, env: Record<string, string | undefined>):
  { authToken: string | undefined; authTokens: Map<string, string> } {
  const authTokens = new Map<string, string>();
  let everyAccountHasOne = config.accounts.size > 0;
  for (const [account, settings] of config.accounts) {
    if (settings.authTokenEnv === undefined) {
      everyAccountHasOne = false;
      continue;
    }
    const token = env[settings.authTokenEnv];
    if (token === undefined || token === "") {
      throw new CliError(`environment variable ${settings.authTokenEnv} is not set (the accounts file names it as an account's auth token)`);
    }
    authTokens.set(account, token);
  }
  const fallback = env[tokenEnv];
  const authToken = fallback === undefined || fallback === "" ? undefined : fallback;
  if (authToken === undefined && !everyAccountHasOne) {
    throw new CliError(`environment variable ${tokenEnv} is not set (it holds the Twilio auth token signatures are checked with)`);
  }
  return { authToken, authTokens };
}

export function formatServeSummary(stats: WebhookStats, signal: string): string {
  const refused = Object.entries(stats.refused).sort(([a], [b]) => Number(a) - Number(b)).map(([status, n]) => `${n} × ${status}`);
  return `${PROGRAM}: serve stopped by ${signal}: ${plural(stats.requests, "request")}, ${stats.forwarded} forwarded `
    + `(${plural(stats.events, "event")}), refused: ${refused.length === 0 ? "none" : refused.join(", ")}\n`;
}

export async function runServe(values: ParsedOptions, _positionals: string[], context: CliContext): Promise<number> {
  const args = serveArgs(values);
  const { config } = await loadAccountsFile(args.accounts);
  const { authToken, authTokens } = authTokensFrom(config, args.tokenEnv, process.env);
  const filter = await accountsFilter(config, {}, "serve");
  const handler = await createWebhookHandler({
    filter, authToken, authTokens, accountKeyPath: config.accountKeyPath, forwardUrl: args.forward, publicUrl: args.publicUrl,
    maxBodyBytes: args.maxBodyBytes,
  });
  const listener = nodeListener(handler);
  const server = createServer(listener);
  // Signals are taken before listening: one arriving just after the listening line still stops cleanly.
  const interrupt = new Interrupt(context.signals);
  const stopped = new Promise<void>((resolve) => (interrupt.onStop = resolve));
  try {
    server.listen(args.port, args.host);
    await Promise.race([once(server, "listening"), once(server, "error").then(([error]) => Promise.reject(error))]);
  } catch (error) {
    interrupt.dispose();
    const code = (error as { code?: unknown }).code;
    throw new CliError(`cannot listen on ${args.host}:${args.port}: ${typeof code === "string" ? code : "failed"}`);
  }
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : args.port;
  const host = args.host.includes(":") ? `[${args.host}]` : args.host;
  await print(context.stdout, `listening on http://${host}:${port}\n`);
  // Without a signal source (tests of run() in-process) the server runs until one arrives: none will.
  await stopped;
  await closeGracefully(server, listener);
  interrupt.dispose();
  await print(context.stderr, formatServeSummary(handler.stats, interrupt.signal ?? "signal"));
  return EXIT_OK;
}

