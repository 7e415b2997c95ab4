/**
 * How the shipped .wasm files are read in Node (the "node" condition of `#wasm-loader` in
 * package.json "imports"): from disk when the URL is file:, which fetch() cannot read in Node;
 * other URLs are fetched. Only Node resolves this file, so the `node:` import stays out of
 * browser and workerd bundles.
 */
import { readFile } from "node:fs/promises";

export async function readWasm(url: URL): Promise<BufferSource> {
  if (url.protocol === "file:") return readFile(url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`hipaa-sieve: could not load ${url.pathname} (HTTP ${response.status})`);
  return response.arrayBuffer();
}
