/**
 * Twilio's request signature (X-Twilio-Signature), with Web Crypto only, so that the handler runs wherever
 * `fetch` handlers do (Node, workerd, Deno, browsers' service workers).
 *
 * The signature is base64(HMAC-SHA1(auth token, data)), where data is the full URL Twilio requested
 * followed, for a form-encoded POST, by every parameter sorted by name, each name then its value (a name
 * given more than once: its distinct values, sorted, each preceded by the name). A request with a JSON
 * body carries `bodySHA256` (lowercase hex SHA-256 of the raw body) in its URL query: the signature then
 * covers the URL alone, and the body must match that hash.
 *
 * As Twilio's own validator does, a URL is also accepted signed without its port or with the scheme's
 * default port added (Twilio has signed both forms), and in its WHATWG-normalized form. Not accepted: the
 * validator's last resort, the query re-encoded the way Node's legacy `querystring` module writes it (a
 * Node-only encoding; configure the webhook URL with its query as a browser would write it).
 *
 * Comparisons are constant-time in the compared strings' content: a timing difference must not tell an
 * attacker how much of a forged signature was right.
 */

const encoder = new TextEncoder();

/** A verifier for one auth token; the HMAC key is imported once. */
export interface SignatureVerifier {
  /**
   * Is `header` the signature of `url` with `params` (a form POST's parameters, name → values in order of
   * appearance), or of `url` alone when `params` is null?
   */
  verify(header: string | null, url: string, params: ReadonlyMap<string, readonly string[]> | null): Promise<boolean>;
  /** The signature Twilio would send for `url` and `params` (tests and tools sign with it). */
  sign(url: string, params: ReadonlyMap<string, readonly string[]> | null): Promise<string>;
}

export async function createSignatureVerifier(authToken: string): Promise<SignatureVerifier> {
  if (typeof authToken !== "string" || authToken.length === 0) throw new TypeError("hipaa-sieve: the auth token must be a non-empty string");
  const key = await crypto.subtle.importKey("raw", encoder.encode(authToken), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  const sign = async (url: string, params: ReadonlyMap<string, readonly string[]> | null): Promise<string> => {
    const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(signedData(url, params)));
    return base64(new Uint8Array(mac));
  };
  return {
    sign,
    async verify(header, url, params) {
      if (header === null || header.length === 0) return false;
      // The URL as given first, the usual match. Stopping at a match tells only which form of the URL
      // was signed (public knowledge), nothing about the token or the signature.
      for (const candidate of urlCandidates(url)) {
        if (constantTimeEqual(header, await sign(candidate, params))) return true;
      }
      return false;
    },
  };
}

/** The signed text: the URL, then each parameter name with each of its distinct values, sorted. */
export function signedData(url: string, params: ReadonlyMap<string, readonly string[]> | null): string {
  if (params === null) return url;
  let data = url;
  // Default sort (UTF-16 code units): the order Twilio's servers and validators use.
  for (const name of [...params.keys()].sort()) {
    for (const value of [...new Set(params.get(name))].sort()) data += name + value;
  }
  return data;
}

/** The form's parameters, name → values in order of appearance (URLSearchParams decoding: "+" is a space). */
export function formParams(body: string): Map<string, string[]> {
  const params = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(body)) {
    const values = params.get(name);
    if (values === undefined) params.set(name, [value]);
    else values.push(value);
  }
  return params;
}

/** Lowercase hex SHA-256 of the body, as `bodySHA256` carries it. */
export async function bodySha256(body: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", body as Uint8Array<ArrayBuffer>));
  let hex = "";
  for (const b of hash) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/** Does the body hash to the `bodySHA256` of `url`'s query (its first occurrence)? False when there is none. */
export async function bodyMatchesUrl(url: string, body: Uint8Array): Promise<boolean> {
  const claimed = bodyHashParameter(url);
  if (claimed === null) return false;
  return constantTimeEqual(claimed, await bodySha256(body));
}

/** The `bodySHA256` query parameter of `url`, or null (no such parameter, or not a URL). */
export function bodyHashParameter(url: string): string | null {
  try {
    return new URL(url).searchParams.get("bodySHA256");
  } catch {
    return null;
  }
}

/** Equal strings? The time depends on the lengths only (a signature's length is public: 28 characters). */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** The forms of `url` a valid signature may cover: as given and WHATWG-normalized, each without and with its port. */
export function urlCandidates(url: string): string[] {
  const forms = [url];
  try {
    forms.push(new URL(url).href);
  } catch {
    // Not a URL WHATWG can parse: only its forms as given.
  }
  const out = new Set<string>([url]);
  for (const form of forms) {
    out.add(withoutPort(form));
    out.add(withPort(form));
  }
  return [...out];
}

interface UrlParts {
  scheme: string;
  userInfo: string;
  host: string;
  port: string;
  rest: string;
}

/** Splits scheme://authority without normalizing anything (the signed text is the URL as Twilio wrote it). */
function splitUrl(url: string): UrlParts | null {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
  if (m === null) return null;
  const scheme = m[1] as string;
  const authority = m[2] as string;
  const at = authority.lastIndexOf("@");
  const hostPort = authority.slice(at + 1);
  // In an IPv6 literal the colons before "]" are not the port's.
  const colon = hostPort.indexOf(":", hostPort.lastIndexOf("]") + 1);
  return {
    scheme,
    userInfo: authority.slice(0, at + 1),
    host: colon === -1 ? hostPort : hostPort.slice(0, colon),
    port: colon === -1 ? "" : hostPort.slice(colon),
    rest: url.slice(m[0].length),
  };
}

function withoutPort(url: string): string {
  const p = splitUrl(url);
  return p === null ? url : p.scheme + p.userInfo + p.host + p.rest;
}

function withPort(url: string): string {
  const p = splitUrl(url);
  if (p === null || p.port !== "") return url;
  return p.scheme + p.userInfo + p.host + (p.scheme.toLowerCase() === "https://" ? ":443" : ":80") + p.rest;
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Standard base64 with padding (btoa needs a binary string; this is as short and has no Latin-1 detour). */
function base64(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += BASE64[n >> 18] + BASE64[(n >> 12) & 63] + BASE64[(n >> 6) & 63] + BASE64[n & 63];
  }
  const left = bytes.length - i;
  if (left === 1) {
    const n = (bytes[i] as number) << 16;
    out += BASE64[n >> 18] + BASE64[(n >> 12) & 63] + "==";
  } else if (left === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += BASE64[n >> 18] + BASE64[(n >> 12) & 63] + BASE64[(n >> 6) & 63] + "=";
  }
  return out;
}
