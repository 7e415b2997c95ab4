/**
 * A short, one-line reason for a NATS failure, for report lines: the error's class and its code or the
 * client's own message (timeouts, no responders, connection refused...). These come from the client and
 * the server about requests, never from event bytes, which no error path here touches.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return "unknown error";
  const api = (error as { api_error?: { err_code?: number; code?: number } }).api_error;
  const code = (error as { code?: unknown }).code;
  const detail = api?.err_code !== undefined ? `API error ${api.err_code}` : typeof code === "string" || typeof code === "number" ? String(code) : "";
  const message = error.message.replace(/\s+/g, " ").trim().slice(0, 120);
  return [error.name, detail, message].filter((part) => part !== "" && part !== "Error").join(": ");
}
