/**
 * The webhook receiver as a fetch-style handler, `(request: Request) => Promise<Response>`, with Web APIs
 * only (Web Crypto, TextEncoder/TextDecoder, URLSearchParams, fetch): Twilio posts an event, the handler
 * checks its signature, filters it through the accounts' policies and forwards what is kept downstream.
 *
 * In order, and nothing of a request is used before the step that allows it:
 * 1. no X-Twilio-Signature header: 403; not a POST: 405;
 * 2. the body is read up to maxBodyBytes: 413 past it (a Content-Length over it is refused unread);
 * 3. the account is found, only to pick the auth token (see accountOf): its own token when one is
 *    configured, else the default token, else 403 ("unknown account", the id not repeated);
 *    the signature (and for a URL with bodySHA256, the body's hash) is checked: 403 when wrong, and a JSON
 *    body whose URL has no bodySHA256 is not covered by the signature: 403 too;
 * 4. the body becomes events: a form (TaskRouter) is one event, a JSON object one event, a JSON array one
 *    event per element; anything else is 400;
 * 5. the events are filtered: one rejected (any element of an array) refuses the whole request with 422,
 *    the body holding the rejection code only, and nothing is forwarded;
 * 6. the kept event (or the array of them) is POSTed as application/json to the downstream URL: 2xx from
 *    it gives 200, anything else 502, no answer within forwardTimeoutMs 504, so that Twilio retries.
 *
 * Responses and outcomes hold fixed words and codes only: never the event, the token, the signature, an
 * account id or the downstream's answer. Errors inside (a bug, an engine trap) are 500, fail closed.
 */
import type { FilterBase } from "../engine/engine.js";
import { ArrayFormatError, ArrayOutput, ArrayScanner } from "../cli/filter/json-array.js";
import { formEventJson } from "./form-event.js";
import { bodyHashParameter, bodyMatchesUrl, createSignatureVerifier, formParams, type SignatureVerifier } from "./signature.js";

export const DEFAULT_MAX_BODY_BYTES = 1 << 20;
export const DEFAULT_FORWARD_TIMEOUT_MS = 10_000;
export const SIGNATURE_HEADER = "x-twilio-signature";

export interface WebhookOptions {
  /** The filter the events go through: createAccountsFilter(config) routes each by its account. */
  filter: FilterBase;
  /** The Twilio auth token the signatures are made with, for accounts without their own in authTokens. */
  authToken?: string;
  /** Account id → that account's auth token (accounts with their own Twilio project token). */
  authTokens?: ReadonlyMap<string, string>;
  /**
   * Where a JSON event holds its account id (the accounts file's accountKey path; default ["AccountSid"]).
   * Read only to pick a token from authTokens, before the signature is checked; a form's is its AccountSid.
   */
  accountKeyPath?: readonly string[];
  /** Where kept events are POSTed (application/json). */
  forwardUrl: string | URL;
  /**
   * The base URL Twilio calls, when a proxy stands in between: the signed URL is this (a trailing "/"
   * dropped) followed by the request's path and query. Default: the request's own URL.
   */
  publicUrl?: string;
  /** Largest body accepted, in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** How long the downstream may take to answer, in milliseconds (default 10 s). */
  forwardTimeoutMs?: number;
  /** The fetch used to forward (default: the global one). */
  fetch?: typeof fetch;
  /** Told of each request's outcome: a status and a fixed reason, never content. */
  onOutcome?: (outcome: WebhookOutcome) => void;
}

export interface WebhookOutcome {
  status: number;
  /** A fixed word ("forwarded", "bad signature", ...) or, for 422, the rejection code. */
  reason: string;
  /** Events forwarded (0 unless status is 200). */
  events: number;
}

export interface WebhookStats {
  requests: number;
  /** Requests forwarded (200). */
  forwarded: number;
  /** Events forwarded: one per form or object, one per kept element of an array. */
  events: number;
  /** Requests refused, by status. */
  refused: Record<number, number>;
}

export interface WebhookHandler {
  (request: Request): Promise<Response>;
  readonly stats: WebhookStats;
}

/** Not an Error with a message: a refusal carries only its status and fixed reason. */
class Refusal {
  constructor(readonly status: number, readonly reason: string) {}
}

const FORM_TYPE = "application/x-www-form-urlencoded";
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder("utf-8", { ignoreBOM: true });

/** Creates the handler; resolves once the auth token's key is imported. */
export async function createWebhookHandler(options: WebhookOptions): Promise<WebhookHandler> {
  const tokens = options.authTokens ?? new Map<string, string>();
  if (options.authToken === undefined && tokens.size === 0) throw new TypeError("hipaa-sieve: the webhook handler needs authToken or authTokens");
  // One verifier per distinct token, its key imported once, now.
  const byToken = new Map<string, SignatureVerifier>();
  for (const token of [options.authToken, ...tokens.values()]) {
    if (token !== undefined && !byToken.has(token)) byToken.set(token, await createSignatureVerifier(token));
  }
  const accounts = new Map<string, SignatureVerifier>();
  for (const [account, token] of tokens) accounts.set(account, byToken.get(token) as SignatureVerifier);
  const fallback = options.authToken === undefined ? undefined : byToken.get(options.authToken);
  const keyPath = options.accountKeyPath ?? ["AccountSid"];
  const pick: PickVerifier = (account) => (account !== null ? accounts.get(account) : undefined) ?? fallback;
  const forwardUrl = new URL(options.forwardUrl).href;
  const publicUrl = options.publicUrl === undefined ? undefined : options.publicUrl.replace(/\/+$/, "");
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const timeout = options.forwardTimeoutMs ?? DEFAULT_FORWARD_TIMEOUT_MS;
  const doFetch = options.fetch ?? globalThis.fetch;
  const { filter, onOutcome } = options;
  const stats: WebhookStats = { requests: 0, forwarded: 0, events: 0, refused: {} };

  const finish = (status: number, reason: string, events = 0): Response => {
    if (status === 200) {
      stats.forwarded++;
      stats.events += events;
    } else {
      stats.refused[status] = (stats.refused[status] ?? 0) + 1;
    }
    onOutcome?.({ status, reason, events });
    const headers: Record<string, string> = { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" };
    if (status === 405) headers["allow"] = "POST";
    return new Response(reason + "\n", { status, headers });
  };

  const handler = async (request: Request): Promise<Response> => {
    stats.requests++;
    try {
      const signature = request.headers.get(SIGNATURE_HEADER);
      if (signature === null || signature === "") throw new Refusal(403, "missing signature");
      if (request.method !== "POST") throw new Refusal(405, "method not allowed");
      const body = await readBody(request, maxBodyBytes);
      const events = await verifiedEvents(request, body, signature, accounts.size === 0 ? null : pick, fallback, keyPath, publicUrl);
      const out = filterEvents(filter, events);
      await forward(doFetch, forwardUrl, out.body, timeout);
      return finish(200, "forwarded", out.count);
    } catch (error) {
      if (error instanceof Refusal) return finish(error.status, error.reason);
      // A bug or an engine failure: its message may be anything, so it is not passed on.
      return finish(500, "internal error");
    } finally {
      // A body not read (refused early) is cancelled, so that a stream does not stay open behind it.
      if (request.body !== null && !request.bodyUsed) request.body.cancel().catch(() => {});
    }
  };
  return Object.assign(handler, { stats });
}

/** The body, read chunk by chunk and refused (413) as soon as it passes `max` bytes. */
async function readBody(request: Request, max: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^[0-9]+$/.test(declared) && Number(declared) > max) throw new Refusal(413, "body too large");
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.length;
      if (length > max) {
        reader.cancel().catch(() => {});
        throw new Refusal(413, "body too large");
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof Refusal) throw error;
    // The client went away or sent a broken body (chunked encoding): nothing whole to use.
    throw new Refusal(400, "malformed");
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const body = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.length;
  }
  return body;
}

type Events = { kind: "one"; event: string | Uint8Array } | { kind: "array"; body: Uint8Array };

/** The URL Twilio signed: the public base with the request's path and query, or the request's own URL. */
function signedUrl(request: Request, publicUrl: string | undefined): string {
  if (publicUrl === undefined) return request.url;
  const url = new URL(request.url);
  return publicUrl + url.pathname + url.search;
}

function mediaType(request: Request): string {
  return (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

type PickVerifier = (account: string | null) => SignatureVerifier | undefined;

/**
 * The account a request claims, used for nothing but picking its token (a wrong claim picks a token the
 * signature will not match): a form's single AccountSid; for JSON, the string at keyPath in the object, or
 * in every element of an array when they all agree. null when there is none, and the default token applies.
 */
function accountOf(type: string, body: Uint8Array, params: ReadonlyMap<string, readonly string[]> | null, keyPath: readonly string[]): string | null {
  if (params !== null) {
    const sid = params.get("AccountSid");
    return sid !== undefined && sid.length === 1 ? (sid[0] as string) : null;
  }
  if (type !== "application/json" && !type.endsWith("+json")) return null;
  let value: unknown;
  try {
    value = JSON.parse(lenient.decode(body));
  } catch {
    return null;
  }
  const at = (event: unknown): string | null => {
    let v = event;
    for (const key of keyPath) {
      if (typeof v !== "object" || v === null || Array.isArray(v) || !Object.hasOwn(v, key)) return null;
      v = (v as Record<string, unknown>)[key];
    }
    return typeof v === "string" ? v : null;
  };
  if (!Array.isArray(value)) return at(value);
  const found = new Set(value.map(at));
  return found.size === 1 ? [...found][0] as string | null : null;
}

/** Checks the signature, then turns the body into events; refuses 403 or 400. */
async function verifiedEvents(request: Request, body: Uint8Array, signature: string, pick: PickVerifier | null,
  fallback: SignatureVerifier | undefined, keyPath: readonly string[], publicUrl: string | undefined): Promise<Events> {
  const url = signedUrl(request, publicUrl);
  const type = mediaType(request);
  const hashed = bodyHashParameter(url) !== null;
  const params = !hashed && type === FORM_TYPE ? formParams(lenient.decode(body)) : null;
  // Without per-account tokens there is nothing to pick: the body is not looked at before the signature.
  const verifier = pick === null ? fallback : pick(hashed || params !== null ? accountOf(type, body, params, keyPath) : null);
  if (verifier === undefined) throw new Refusal(403, "unknown account");
  if (hashed) {
    // The URL carries the body's hash: the signature covers the URL alone, the hash the body.
    const [signed, matches] = await Promise.all([verifier.verify(signature, url, null), bodyMatchesUrl(url, body)]);
    if (!(signed && matches)) throw new Refusal(403, "bad signature");
  } else if (params !== null) {
    // Parameters are read from the body as Twilio's validators decode it (lenient UTF-8) to check the signature.
    if (!(await verifier.verify(signature, url, params))) throw new Refusal(403, "bad signature");
  } else {
    // Neither signed parameters nor a body hash: nothing covers this body.
    throw new Refusal(403, "bad signature");
  }

  if (type === FORM_TYPE) {
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      throw new Refusal(400, "malformed");
    }
    const json = formEventJson(formParams(text));
    if (json === null || json === "{}") throw new Refusal(400, "malformed");
    return { kind: "one", event: json };
  }
  if (type === "application/json" || type.endsWith("+json")) {
    const first = firstByte(body);
    if (first === 0x5b) return { kind: "array", body };
    if (first === 0x7b) return { kind: "one", event: body };
  }
  throw new Refusal(400, "malformed");
}

/** The first byte that is not JSON whitespace (a leading byte order mark skipped), or -1. */
function firstByte(body: Uint8Array): number {
  let i = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  for (; i < body.length; i++) {
    const b = body[i] as number;
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return b;
  }
  return -1;
}

/** Filters every event; one rejection refuses the request (422, its code). */
function filterEvents(filter: FilterBase, events: Events): { body: Uint8Array; count: number } {
  if (events.kind === "one") {
    const result = filter.filterEvent(events.event);
    if (!result.ok) throw new Refusal(422, result.code);
    return { body: result.output, count: 1 };
  }
  // The scanner only finds the elements (one per NDJSON line); the engine validates each as an event.
  const scanner = new ArrayScanner();
  let pieces: Uint8Array[];
  try {
    pieces = scanner.push(events.body);
    scanner.finish();
  } catch (error) {
    if (error instanceof ArrayFormatError) throw new Refusal(400, "malformed");
    throw error;
  }
  const result = filter.filterBatch(concat(pieces));
  const rejected = result.rejected[0];
  if (rejected !== undefined) throw new Refusal(422, rejected.code);
  const output = new ArrayOutput();
  return { body: concat([output.batch(result.output), output.close()]), count: result.kept };
}

function concat(pieces: Uint8Array[]): Uint8Array {
  if (pieces.length === 1) return pieces[0] as Uint8Array;
  let length = 0;
  for (const p of pieces) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** POSTs the kept events; refuses 502 (not 2xx, no connection, a redirect) or 504 (no answer in time). */
async function forward(doFetch: typeof fetch, url: string, body: Uint8Array, timeout: number): Promise<void> {
  // A timer of our own rather than AbortSignal.timeout: Node does not count the latter's as pending work,
  // and a forward in flight must keep the process (and the request) alive until it is decided.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeout);
  let response: Response;
  try {
    response = await doFetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: body as Uint8Array<ArrayBuffer>,
      // A redirect could take the events to a host nobody configured: not followed, and its 3xx (an
      // opaque status 0 in browsers) is not ok, so refused below. Not "error": workerd rejects that value.
      redirect: "manual",
      signal: controller.signal,
    });
  } catch {
    throw timedOut ? new Refusal(504, "downstream timeout") : new Refusal(502, "downstream failed");
  } finally {
    clearTimeout(timer);
  }
  // The downstream's answer is not used: released, not read.
  response.body?.cancel().catch(() => {});
  if (!response.ok) throw new Refusal(502, "downstream failed");
}
