/**
 * `hipaa-sieve serve`: the webhook receiver (src/webhook/handler.ts) on node:http. Here: options and help,
 * the auth token from the environment, the listening line, and the stop on SIGTERM/SIGINT (no new
 * connections, the requests in flight finished, a summary, exit 0).
 */
import { createServer } from "node:http";
import { once } from "node:events";
import { HELP_OPTION, numberOption, stringOption, type CommandSpec, type ParsedOptions } from "./args.js";
import { print, type CliContext } from "./context.js";
import { CliError, EXIT_OK, UsageError } from "./errors.js";
import { Interrupt } from "./filter/interrupt.js";
import { PROGRAM, plural } from "./help.js";
import { accountsFilter, loadAccountsFile } from "./load.js";
import type { Command } from "./run.js";
import type { AccountsConfig } from "../accounts/config.js";
import { createWebhookHandler, DEFAULT_MAX_BODY_BYTES, type WebhookStats } from "../webhook/handler.js";
import { closeGracefully, nodeListener } from "../webhook/node-server.js";

const DEFAULT_TOKEN_ENV = "TWILIO_AUTH_TOKEN";

export const serveSpec: CommandSpec = {
  name: "serve",
  summary: "Receive signed Twilio webhooks, filter them and forward what is kept",
  usage: [
    "serve --accounts FILE --forward URL [--port N] [--host H] [--auth-token-env NAME]",
    "      [--public-url URL] [--max-body-bytes N]",
  ],
  options: [
    { name: "accounts", type: "string", value: "FILE", description: "Accounts configuration (JSON): each event is routed by its account" },
    { name: "forward", type: "string", value: "URL", description: "Where kept events are POSTed as application/json (http or https)" },
    { name: "port", type: "string", value: "N", description: "Port to listen on (default 8080; 0: any free port)" },
    { name: "host", type: "string", value: "H", description: "Address to listen on (default 127.0.0.1)" },
    {
      name: "auth-token-env",
      type: "string",
      value: "NAME",
      description: `Environment variable holding the Twilio auth token (default ${DEFAULT_TOKEN_ENV})`,
    },
    { name: "public-url", type: "string", value: "URL", description: "The base URL Twilio calls, when behind a proxy (the signature covers it)" },
    {
      name: "max-body-bytes",
      type: "string",
      value: "N",
      positiveInteger: true,
      description: `Largest request body, larger ones are refused with 413 (default ${DEFAULT_MAX_BODY_BYTES})`,
    },
    HELP_OPTION,
  ],
  details: [
    "Every request must carry a valid X-Twilio-Signature: base64 HMAC-SHA1, keyed with the auth token,",
    "of the full URL followed by the POST parameters sorted by name (each name, then its value). A JSON",
    "body must be named by a bodySHA256 query parameter (hex SHA-256 of the body); the signature then",
    "covers the URL alone. Nothing of a request is read past a missing or wrong signature.",
    "",
    "A form-encoded TaskRouter callback becomes one JSON event of its fields (TaskAttributes stays a",
    "string); a JSON object is one event; a JSON array (Event Streams) is filtered element by element and",
    "forwarded as one array. Events are filtered by their account as with filter --accounts.",
    "",
    "Status codes: 200 once the downstream accepted (2xx); 400 malformed body; 403 missing or wrong",
    "signature (nothing forwarded); 405 not a POST; 413 body over --max-body-bytes; 422 an event the filter",
    "rejects (the body is its rejection code); 502 the downstream failed; 504 it did not answer in 10 s.",
    "Responses and output never hold event content, the token, signatures or account ids.",
    "",
    "The auth token is read from the environment only, never from a file or the command line: the",
    "variable --auth-token-env names, or for an account whose entry in the accounts file has",
    "\"authTokenEnv\": \"NAME\", the variable NAME. The account is taken from the form's AccountSid (for",
    "JSON, the accountKey field, all elements agreeing) only to pick the token; with no token for it: 403.",
    "--public-url: behind a proxy, the URL Twilio signed is not the one this server sees; give the base",
    "Twilio calls (https://example.com/hooks): the signed URL is it followed by the request's path and query.",
    "",
    "Prints the listening URL on standard output. SIGTERM or SIGINT stops accepting connections, finishes",
    "the requests in flight, prints a summary on standard error (requests, forwarded, refused by status)",
    "and exits 0; a second signal ends the process at once.",
    "",
    "Exit status: 0 when stopped by a signal; 1 when the accounts file is invalid, the token's variable",
    "is unset or the address cannot be listened on; 2 for bad arguments.",
  ],
};

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

async function runServe(values: ParsedOptions, _positionals: string[], context: CliContext): Promise<number> {
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

export const serveCommand: Command = { ...serveSpec, run: runServe };
