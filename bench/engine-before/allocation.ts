// When an allocation cannot fail. The allocator (AssemblyScript's TLSF) traps when wasm memory
// cannot grow and aborts above its largest block, so every allocation whose size depends on
// the input is checked here first, and refused cleanly instead.

/** Wasm32 memory can never exceed 4 GiB (65536 pages). */
export const MEMORY_BYTES: u64 = 1 << 32;
const PAGE_BYTES: u64 = 1 << 16;

/** TLSF's largest block is 1 GiB less its header; this leaves room for its size-class rounding. */
const LARGEST_BLOCK: u64 = (1 << 30) - (1 << 26);

export function fitsOneBlock(size: u64): bool {
  return size <= LARGEST_BLOCK;
}

/**
 * Whether heap.alloc(size) is sure to succeed. When no free block serves it, TLSF grows memory
 * by the size rounded up to its size class (at most 1/16 more), two block headers and a page's
 * rounding, and traps only if memory cannot grow that much (it tries doubling first, then
 * exactly that). So memory's current size plus that bound within 4 GiB is enough. It may refuse
 * where a free block would have served: the host then retries on a fresh instance.
 */
export function canAllocate(size: u64): bool {
  if (!fitsOneBlock(size)) return false;
  const growth = size + (size >> 4) + 2 * PAGE_BYTES;
  return (<u64>memory.size() << 16) + growth <= MEMORY_BYTES;
}
