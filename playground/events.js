// What a person pasted, as the events to filter: NDJSON (one event per line; blank lines skipped,
// CR LF accepted, as the CLI reads it), one JSON array of events (split by the CLI's own byte
// scanner, so nothing is parsed on the way), or a form-encoded Twilio callback (its fields as one
// JSON event, as `hipaa-sieve serve` builds it). Returns { format, events: string[] } or { error }.
import { ArrayScanner, ArrayFormatError } from "/dist/cli/filter/json-array.js";
import { formEventJson } from "/dist/webhook/form-event.js";

export function detectFormat(text) {
  const t = text.trimStart();
  if (t.startsWith("[")) return "json-array";
  if (t.startsWith("{") || t === "") return "ndjson";
  return /^[A-Za-z0-9_.%-]+=/.test(t) ? "form" : "ndjson";
}

function lines(text) {
  return text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l)).filter((l) => !/^[ \t\r]*$/.test(l));
}

export function pastedEvents(text) {
  const format = detectFormat(text);
  if (format === "ndjson") return { format, events: lines(text) };
  if (format === "form") {
    const params = new Map();
    for (const [name, value] of new URLSearchParams(text.trim())) params.set(name, [...(params.get(name) ?? []), value]);
    const event = formEventJson(params);
    return event === null ? { format, error: "a field name is repeated: a form callback holds each field once" } : { format, events: [event] };
  }
  const scanner = new ArrayScanner();
  try {
    const pieces = scanner.push(new TextEncoder().encode(text));
    scanner.finish();
    const ndjson = new TextDecoder().decode(concat(pieces));
    return { format, events: lines(ndjson) };
  } catch (error) {
    if (error instanceof ArrayFormatError) return { format, error: `not a JSON array of events: ${error.message}` };
    throw error;
  }
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
