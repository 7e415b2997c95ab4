// A static server for the browser tests, on 127.0.0.1 and a port the system picks: the package's
// dist/ (ES modules, unbundled, as a page would load them from a CDN) and build/*.wasm beside it,
// so the library finds its engine by itself (fetch, relative to its own module URL); and the test
// page. Nothing else of the tree is served.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { extname, join, normalize, sep } from "node:path";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const page = fileURLToPath(new URL("page.html", import.meta.url));
const TYPES = { ".js": "text/javascript", ".map": "application/json", ".wasm": "application/wasm", ".html": "text/html" };

/** Which file a request path names, or null when it is outside what is served. */
function fileFor(pathname) {
  if (pathname === "/" || pathname === "/page.html") return page;
  const relative = normalize(decodeURIComponent(pathname)).replace(/^[/\\]+/, "");
  if (relative.split(sep).includes("..")) return null;
  if (relative.startsWith(`dist${sep}`) && /\.(?:js|map)$/.test(relative)) return join(root, relative);
  if (/^build[/\\][a-z]+\.wasm$/.test(relative)) return join(root, relative);
  return null;
}

/** Starts the server; resolves to { origin, requests, close() }. `requests` lists the paths asked for. */
export async function startServer() {
  const requests = [];
  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url, "http://127.0.0.1");
    requests.push(pathname);
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
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
