/**
 * node:http for the fetch-style handler: each IncomingMessage becomes a Request (its body streamed, so the
 * handler's size limit applies while reading) and the Response is written back. Also counts requests in
 * flight, so that a server being stopped can finish them before it closes its connections.
 */
import type { IncomingMessage, ServerResponse, Server } from "node:http";
import { Readable } from "node:stream";

export type FetchHandler = (request: Request) => Promise<Response>;

export interface NodeListener {
  (req: IncomingMessage, res: ServerResponse): void;
  /** Requests whose response is not yet written. */
  readonly inFlight: number;
  /** Resolves when no request is in flight. */
  idle(): Promise<void>;
  /** Set when the server stops: responses from then on close their connection. */
  stopping: boolean;
}

export function nodeListener(handler: FetchHandler): NodeListener {
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  const done = (): void => {
    inFlight--;
    if (inFlight === 0) {
      const w = waiters;
      waiters = [];
      for (const resolve of w) resolve();
    }
  };
  const listener: NodeListener = ((req: IncomingMessage, res: ServerResponse): void => {
    inFlight++;
    respond(handler, req, res, () => listener.stopping).finally(done);
  }) as NodeListener;
  Object.defineProperty(listener, "inFlight", { get: () => inFlight });
  listener.idle = (): Promise<void> => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve)));
  listener.stopping = false;
  return listener;
}

async function respond(handler: FetchHandler, req: IncomingMessage, res: ServerResponse, stopping: () => boolean): Promise<void> {
  let response: Response;
  const request = toRequest(req);
  if (request === null) {
    response = new Response("malformed\n", { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } });
  } else {
    try {
      response = await handler(request);
    } catch {
      response = new Response("internal error\n", { status: 500, headers: { "content-type": "text/plain; charset=utf-8" } });
    }
  }
  const body = new Uint8Array(await response.arrayBuffer());
  if (res.destroyed) return;
  res.statusCode = response.status;
  response.headers.forEach((value, name) => res.setHeader(name, value));
  // A body refused before it was read whole (413) is not waited for: the connection is not reused.
  // A stopping server does not keep connections for more requests either.
  if (!req.complete || stopping()) res.setHeader("connection", "close");
  await new Promise<void>((resolve) => {
    res.on("close", resolve);
    res.end(body);
  });
}

/** The request as the fetch API sees it; null when its target or headers cannot make a URL. */
function toRequest(req: IncomingMessage): Request | null {
  try {
    const host = req.headers.host ?? "localhost";
    const url = new URL(req.url ?? "/", `http://${host}`);
    const headers = new Headers();
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    return new Request(url, {
      method: req.method ?? "GET",
      headers,
      body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : null,
      duplex: "half",
    } as RequestInit);
  } catch {
    return null;
  }
}

/** Stops `server`: no new connections, the requests in flight finished, then every connection closed. */
export async function closeGracefully(server: Server, listener: NodeListener): Promise<void> {
  listener.stopping = true;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Idle keep-alive connections would hold close() open: they go now, busy ones once their response is out.
  server.closeIdleConnections();
  await listener.idle();
  server.closeAllConnections();
  await closed;
}
