// A static server for the browser tests, on 127.0.0.1 and a port the system picks: the package's
// dist/ (ES modules, unbundled, as a page would load them from a CDN) and build/*.wasm beside it,
// so the library finds its engine by itself (fetch, relative to its own module URL); and the test
// page. Nothing else of the tree is served.
import { startStaticServer } from "../../../playground/serve.js";
import { fileURLToPath } from "node:url";
import { join, normalize, sep } from "node:path";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const page = fileURLToPath(new URL("page.html", import.meta.url));

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
  const { origin, close } = await startStaticServer(fileFor, { onRequest: (pathname) => requests.push(pathname) });
  return { origin, requests, close };
}
