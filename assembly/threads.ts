// The threads build's exports beyond assembly/index.ts (scripts/asbuild.mjs adds this entry to that target only): the
// kernels of the column split (assembly/parallel.ts), which need atomics, and the column shares of the products.
export { matmulCols, matmulPrepackedCols, prepackCols, transposeRows } from './matmul';
export { biasBackwardCols, compactRowsCols } from './rnn';
export { barrierBytes, barrierArrive, barrierWait, barrierAbort, rnnForwardCols, rnnBackwardCols } from './parallel';
