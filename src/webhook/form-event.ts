/**
 * A form-encoded TaskRouter callback as the JSON event the policies expect: one member per field, in the
 * order the fields came, every value a string as sent (TaskAttributes stays a JSON string: the presets
 * read it through embeddedJson). examples/events.ndjson has the shape.
 */

/**
 * The event's JSON text, or null when a field name is repeated: an object cannot hold two values under
 * one name, and picking one would silently drop the other (fail closed: the request is malformed).
 */
export function formEventJson(params: ReadonlyMap<string, readonly string[]>): string | null {
  let json = "{";
  let first = true;
  for (const [name, values] of params) {
    if (values.length !== 1) return null;
    // JSON.stringify escapes what JSON needs; written by hand so that no name is special (__proto__) and
    // the order stays the form's.
    json += (first ? "" : ",") + JSON.stringify(name) + ":" + JSON.stringify(values[0]);
    first = false;
  }
  return json + "}";
}
