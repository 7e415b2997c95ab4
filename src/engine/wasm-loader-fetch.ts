/**
 * How the shipped .wasm files are read outside Node (browsers, workers, Deno, Bun without the
 * "node" condition): fetched from their URL. No `node:` module may be imported here: this file
 * is what bundlers for the browser and workerd resolve `#wasm-loader` to (package.json "imports").
 */
export async function readWasm(url: URL): Promise<BufferSource> {
  const response = await fetch(url);
  // The path is the package's own file name, never event content.
  if (!response.ok) throw new Error(`hipaa-sieve: could not load ${url.pathname} (HTTP ${response.status})`);
  return response.arrayBuffer();
}
