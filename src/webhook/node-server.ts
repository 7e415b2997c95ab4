/**
 * node:http for the fetch-style handler: each IncomingMessage becomes a Request (its body streamed, so the
 * handler's size limit applies while reading) and the Response is written back. Also counts requests in
 * flight, so that a server being stopped can finish them before it closes its connections.
 */
import type { IncomingMessage, ServerResponse, Server } from "node:http";

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
  // A stopping server does not keep connections for more requests. (A body refused before its end, 413,
  // is discarded as it comes, by Node, so that the client finishes sending and reads the answer: closing
  // the connection under it would reset it before it could.)
  if (stopping()) res.setHeader("connection", "close");
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
      body: hasBody ? bodyStream(req) : null,
      duplex: "half",
    } as RequestInit);
  } catch {
    return null;
  }
}

/**
 * The request body as a web stream, with backpressure. Cancelled (the handler refused the body), the rest
 * is read and dropped rather than the socket destroyed (Readable.toWeb would destroy it): see respond().
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let finished = false;
  const onData = (chunk: Buffer): void => {
    if (finished) return;
    controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if ((controller.desiredSize ?? 0) <= 0) req.pause();
  };
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  return new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      req.on("data", onData);
      req.once("end", () => {
        if (!finished) {
          finished = true;
          controller.close();
        }
      });
      req.once("close", () => {
        // Closed before its end: the client went away mid-body.
        if (!finished) {
          finished = true;
          controller.error(new Error("request body incomplete"));
        }
      });
      req.once("error", () => {});
    },
    pull() {
      req.resume();
    },
    cancel() {
      finished = true;
      req.off("data", onData);
      req.resume();
    },
  }, { highWaterMark: 1 << 16, size: (chunk) => chunk.byteLength });
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
