// The TF.js contender of the benchmarks: the same network as ours in tf.layers, with our initial weights, timed as one
// trainOnBatch (or predict + dataSync) per step. Shared by bench/run.mjs and bench/deep.mjs.
//
//   ours                                  TF.js layers
//   layer 0 (token ids: one-hot rows)     [Masking] -> SimpleRNN(tanh, returnSequences: l < L-1 or returnSequences)
//   layer l > 0 reads layer l-1's output  -> SimpleRNN ... (stacked)
//   bidirectional, merge                  Bidirectional(SimpleRNN, mergeMode) (forward weights first, then backward)
//   goBackwards                           SimpleRNN({ goBackwards: true })
//   head                                  Dense(softmax) (on every step's rows when returnSequences)
// Our W_s^{l,d} (H+In, H) holds the recurrent kernel in rows 0..H-1 and the input kernel in rows H..; TF.js keeps
// them apart: kernel (In, H), recurrentKernel (H, H), bias (H).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

let tf = null;
/** @tensorflow/tfjs with its cpu and wasm backends; the wasm backend on one thread, like ours. */
export async function loadTf() {
  if (tf) return tf;
  tf = require('@tensorflow/tfjs');
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // one thread, like ours
  return tf;
}

/** Our layer l, direction d's W_s, b_s as TF.js's [kernel, recurrentKernel, bias]. */
function cellWeights(tf, params, l, d, H, In) {
  const x = (l ? `_l${l}` : '') + (d ? '_reverse' : '');
  const Ws = params[`Ws${x}`];
  const bs = params[`bs${x}`];
  if (!Ws || Ws.length !== (H + In) * H) throw new Error(`bench tfjs: no Ws${x} of (${H}+${In}) x ${H} in our params`);
  return [tf.tensor2d(Ws.subarray(H * H), [In, H]), tf.tensor2d(Ws.subarray(0, H * H), [H, H]), tf.tensor1d(bs)];
}

/**
 * The TF.js contender of one config: { model, step, dispose }. cfg.model holds our create options (layers,
 * hiddenSize, bidirectional, merge, goBackwards ...); data is bench/configs.mjs makeData's; params our getParams().
 */
export async function tfjsContender(cfg, data, params, backend, { optimizer = 'adam', learningRate = 1e-3 } = {}) {
  const tf = await loadTf();
  await tf.setBackend(backend);
  await tf.ready();
  const m = cfg.model;
  const { outputSize: O, vocabSize: V, inputSize: I, returnSequences: seq } = m;
  const L = m.layers ?? 1;
  const Hs = Array.isArray(m.hiddenSize) ? m.hiddenSize : Array.from({ length: L }, () => m.hiddenSize);
  const bi = !!m.bidirectional;
  const merge = m.merge ?? 'concat';
  const D = V || I;
  const { B, T } = cfg;
  // inputs (B, T, D): one-hot rows for token ids (TF.js has no id -> row-of-Ws gather inside SimpleRNN), zeros on
  // padding steps; a Masking layer makes those steps carry the state, as our padding rule does
  const x = new Float32Array(B * T * D);
  data.inputs.forEach((seqIn, b) => {
    for (let t = 0; t < data.lens[b]; t++) {
      if (V) x[(b * T + t) * D + seqIn[t]] = 1;
      else x.set(seqIn.subarray(t * I, (t + 1) * I), (b * T + t) * D);
    }
  });
  const model = tf.sequential();
  const first = { inputShape: [T, D] };
  if (cfg.pad) model.add(tf.layers.masking({ maskValue: 0, ...first }));
  const rnns = [];
  let In = D;
  for (let l = 0; l < L; l++) {
    const H = Hs[l];
    const shape = l === 0 && !cfg.pad ? first : {};
    const cell = (more = {}) => tf.layers.simpleRNN({
      units: H, returnSequences: l < L - 1 || !!seq, activation: 'tanh', kernelInitializer: 'zeros',
      recurrentInitializer: 'zeros', goBackwards: l === 0 && !!m.goBackwards, ...more,
    });
    const layer = bi ? tf.layers.bidirectional({ layer: cell(), mergeMode: merge, ...shape }) : cell(shape);
    model.add(layer);
    rnns.push({ layer, l, H, In });
    In = bi && merge === 'concat' ? 2 * H : H;
  }
  model.add(tf.layers.dense({ units: O, activation: 'softmax' }));
  for (const { layer, l, H, In: inW } of rnns) {
    const w = cellWeights(tf, params, l, 0, H, inW);
    if (bi) w.push(...cellWeights(tf, params, l, 1, H, inW));
    layer.setWeights(w);
  }
  model.layers.at(-1).setWeights([tf.tensor2d(params.Wo, [In, O]), tf.tensor1d(params.bo)]);
  model.compile({ optimizer: optimizer === 'adam' ? tf.train.adam(learningRate) : tf.train.sgd(learningRate), loss: 'sparseCategoricalCrossentropy' });
  const xs = tf.tensor3d(x, [B, T, D]);
  const ys = seq ? tf.tensor3d(data.targets.flat(), [B, T, 1]) : tf.tensor1d(data.targets.map(Number));
  const step = cfg.kind === 'train'
    ? async () => (await model.trainOnBatch(xs, ys))
    : async () => {
      const y = model.predict(xs);
      const v = y.dataSync();
      y.dispose();
      return v;
    };
  return { model, step, dispose: () => { model.dispose(); xs.dispose(); ys.dispose(); } };
}
