// The wasm module's exports: the kernel ABI (numbers only: byte offsets and sizes) and the allocator.
export {
  matmulForward, matmulForwardScalar, transpose, transposeScalar, setScratch, scratchBytes, prepackB, matmulPrepacked,
} from './matmul';
export { activationForward, activationForwardScalar, activationBackward, activationBackwardScalar } from './activations';
export { rnnForward, rnnBackward, embeddingForward, embeddingBackward, biasBackward, broadcastRows, compactRows } from './rnn';
export { outputForward, lossForwardBackward, expInPlace } from './loss';
export {
  sgdUpdate, sgdUpdateScalar, addScaled, addScaledScalar, scale, scaleScalar, clipByValue, clipByValueScalar,
  momentumUpdate, momentumUpdateScalar, adamUpdate, adamUpdateScalar, rmspropUpdate, rmspropUpdateScalar,
  adagradUpdate, adagradUpdateScalar, sumSquares, sumSquaresScalar, sampleLogits,
} from './optim';
export { gemv, gemvScalar } from './step';

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
