// The limits the host sets once per instance; batch buffers are sized from them.

/** Deepest nesting accepted; the top-level object is at depth 1. */
export let maxDepth: i32 = 64;

export function setMaxDepth(depth: i32): void {
  maxDepth = depth;
}

/** Largest event accepted, in bytes (a line without its line end). */
export let maxEventBytes: u32 = 16 << 20;

export function setMaxEventBytes(bytes: u32): void {
  maxEventBytes = bytes;
}
