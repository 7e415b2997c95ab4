/** Writing text to a standard stream and waiting for it; a reader gone away (EPIPE) is not an error. */
import type { Writable } from "node:stream";

export function print(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve) => {
    const onError = (): void => resolve();
    stream.once("error", onError);
    stream.write(text, () => {
      stream.off("error", onError);
      resolve();
    });
  });
}
