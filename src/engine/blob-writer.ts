/**
 * The layout both engine blobs share (policy tables, routes): little-endian u32 words, then the
 * UTF-8 bytes of the keys they point at. Keys are stored once each.
 */
export class BlobWriter {
  private readonly encoder = new TextEncoder();
  private readonly places = new Map<string, [offset: number, length: number]>();
  private readonly chunks: Uint8Array[] = [];
  /** Key bytes so far. */
  keyBytes = 0;

  /** Where `text`'s UTF-8 bytes stand among the key bytes: [offset, length]. */
  key(text: string): [number, number] {
    let place = this.places.get(text);
    if (!place) {
      const bytes = this.encoder.encode(text);
      place = [this.keyBytes, bytes.length];
      this.places.set(text, place);
      this.chunks.push(bytes);
      this.keyBytes += bytes.length;
    }
    return place;
  }

  /** The blob: `words`, then the key bytes. */
  finish(words: readonly number[]): Uint8Array {
    const blob = new Uint8Array(words.length * 4 + this.keyBytes);
    const view = new DataView(blob.buffer);
    words.forEach((w, i) => view.setUint32(i * 4, w, true));
    let offset = words.length * 4;
    for (const chunk of this.chunks) {
      blob.set(chunk, offset);
      offset += chunk.length;
    }
    return blob;
  }
}
