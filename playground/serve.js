#!/usr/bin/env node
// npm run playground [-- --port N]: serves the playground page, the library (dist/) and its engine
// (build/*.wasm) on 127.0.0.1, and nothing else of the tree. The page does all the filtering.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TYPES = { ".js": "text/javascript", ".html": "text/html; charset=utf-8", ".wasm": "application/wasm", ".map": "application/json" };

/** The file a request path names, or null when it is not served. */
function fileFor(pathname) {
  if (pathname === "/") return join(ROOT, "playground", "index.html");
  const relative = normalize(decodeURIComponent(pathname)).replace(/^[/\\]+/, "");
  if (relative.split(sep).includes("..")) return null;
  if (/^playground[/\\][a-z-]+\.(?:js|html)$/.test(relative)) return join(ROOT, relative);
  if (relative.startsWith(`dist${sep}`) && /\.(?:js|map)$/.test(relative)) return join(ROOT, relative);
  if (/^build[/\\](?:simd|scalar)\.wasm$/.test(relative)) return join(ROOT, relative);
  return null;
}

/**
 * A static server on 127.0.0.1 (port 0: one the system picks) for the files `fileFor(pathname)`
 * names (null: 404); `onRequest(pathname)` sees every request. Resolves to { origin, close() }.
 * The browser tests serve their own page with it too.
 */
export async function startStaticServer(fileFor, { port = 0, onRequest = () => {} } = {}) {
  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url, "http://127.0.0.1");
    onRequest(pathname);
    const file = fileFor(pathname);
    try {
      if (!file) throw new Error("not served");
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** The playground's server; resolves to { url, close() }. */
export async function startPlayground(port = 0) {
  const { origin, close } = await startStaticServer(fileFor, { port });
  return { url: `${origin}/`, close };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { port: { type: "string", default: "8787" } } });
  const { url } = await startPlayground(Number(values.port));
  console.log(`hipaa-sieve playground: ${url} (Ctrl-C to stop; everything runs in the page)`);
}
