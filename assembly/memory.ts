// The allocator and the byte helpers the TypeScript side calls (src/backends/wasm.ts Heap and WasmBackend).
// Linear memory is owned by the TypeScript side: it allocates every buffer here and frees it on dispose().
// heap.alloc returns 16-byte aligned blocks, so v128 loads of a block's start are aligned.
export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

export function free(ptr: usize): void {
  heap.free(ptr);
}

export function fill(ptr: usize, value: u8, bytes: usize): void {
  memory.fill(ptr, value, bytes);
}

export function copy(dst: usize, src: usize, bytes: usize): void {
  memory.copy(dst, src, bytes);
}
