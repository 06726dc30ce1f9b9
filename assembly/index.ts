// The wasm module's exports: the kernel ABI (numbers only: byte offsets and sizes) and the allocator.
export { alloc, free, fill, copy } from './memory';
export {
  matmulForward, matmulForwardScalar, transpose, transposeScalar, setScratch, scratchBytes, prepackB, matmulPrepacked,
} from './matmul';
export { activationForward, activationForwardScalar, activationBackward, activationBackwardScalar } from './activations';
export { rnnForward, rnnBackward, embeddingForward, embeddingBackward, biasBackward, broadcastRows, compactRows } from './rnn';
export { outputForward, lossForwardBackward, expInPlace } from './loss';
export {
  sgdUpdate, sgdUpdateScalar, addScaled, addScaledScalar, scale, scaleScalar, clipByValue, clipByValueScalar,
  momentumUpdate, momentumUpdateScalar, adamUpdate, adamUpdateScalar, rmspropUpdate, rmspropUpdateScalar,
  adagradUpdate, adagradUpdateScalar, sumSquares, sumSquaresScalar,
} from './optim';
export { reverseSteps, gatherSteps, mergeForward, mergeBackward, maskRows } from './layers';
export { sampleLogits } from './sample';
export { gemv, gemvScalar } from './step';
