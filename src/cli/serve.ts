/**
 * `hipaa-sieve serve`: its options and help. The receiver itself (serve-run.ts, on node:http) is loaded
 * only when the command runs, so that other commands start without it.
 */
import { HELP_OPTION, type CommandSpec } from "./args.js";
import type { Command } from "./run.js";
import { DEFAULT_MAX_BODY_BYTES } from "../webhook/handler.js";

export const DEFAULT_TOKEN_ENV = "TWILIO_AUTH_TOKEN";

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

export const serveCommand: Command = {
  ...serveSpec,
  run: async (values, positionals, context) => (await import("./serve-run.js")).runServe(values, positionals, context),
};
