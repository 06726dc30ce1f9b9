// Exports a SimpleRNN for PyTorch: its state_dict as safetensors (float32) with the model's config in `__metadata__`,
// the config of the nn.Module that loads it, and that module's Python source (written by pytorch-module.ts). The
// names, the metadata keys and the stored config are in pytorch-format.ts.
import { SimpleRNN } from '../model.js';
import { archOf, paramSuffix } from '../layout.js';
import { typeError } from '../errors.js';
import { writeSafetensors, type SafetensorsInput } from './safetensors.js';
import { FORMAT, MODEL_METADATA_KEY, PYTORCH_METADATA_KEY, STORED_KEYS, VERSION, type PytorchModuleConfig } from './pytorch-format.js';
import { moduleSource } from './pytorch-module.js';

/** What toPytorch returns. */
export interface PytorchExport {
  /** The module's state_dict as a safetensors file (float32), with the model's config in its `__metadata__`. */
  safetensors: Uint8Array;
  /** The Python source of the nn.Module (SimpleRNNModule) and of load(path) / save(module, path), which read and write the file with struct + json. */
  module: string;
  /** The module's configuration (as embedded in `module`). */
  config: PytorchModuleConfig;
}

/**
 * Exports a model for PyTorch: its state_dict as safetensors (float32), the Python source of an nn.Module that loads
 * it and computes what the model computes, and that module's config. The module is `embedding` (nn.Embedding, token
 * models) → `rnn` (nn.RNN, batch_first, or one one-layer nn.RNN per layer when the layers differ in size or a merge
 * other than concat feeds another layer) → `linear` (nn.Linear), with a learned `h0` when the model learns s0.
 * Mapping: weight_hh = (Ws rows 0..H-1)^T, weight_ih = (Ws rows H..)^T, bias_ih = bs, bias_hh = 0 (PyTorch's two
 * biases add up to bs), linear.weight = Wo^T, linear.bias = bo. A token model without E exports its token rows as
 * nn.Embedding(V, dirs·H) and weight_ih_l0 as the selection [I 0] / [0 I] (exact). What nn.RNN cannot compute (a
 * sigmoid or linear state activation, recurrent dropout) the module's forward computes in its own loop; merges,
 * goBackwards and input dropout are in forward too. The whole model config is in the file's `__metadata__`, so
 * fromPytorch(toPytorch(m).safetensors) gives the model back, parameters bit for bit (float32).
 */
export function toPytorch(model: SimpleRNN): PytorchExport {
  const api = 'toPytorch';
  if (!(model instanceof SimpleRNN)) throw typeError(api, 'model', 'a SimpleRNN', model);
  const p = model.getParams(); // throws when disposed
  const c = model.config;
  const { L, dirs, H, In, out } = archOf(c);
  const { vocabSize: V, embeddingSize: E, outputSize: O } = c;
  const layout = H.every((x) => x === H[0]) && (L === 1 || dirs === 1 || c.merge === 'concat') ? 'stack' : 'layers';
  const D = E || (V ? dirs * H[0] : 0);
  const In0 = V ? D : c.inputSize;
  const tensors: SafetensorsInput[] = [];
  const add = (name: string, shape: number[], data: ArrayLike<number>) => tensors.push({ name, shape, data });
  const cellName = (l: number, d: number, k: string) => `rnn.${layout === 'stack' ? `${k}_l${l}` : `${l}.${k}_l0`}${d ? '_reverse' : ''}`;
  if (V && E) add('embedding.weight', [V, E], p.E);
  else if (V) {
    // no E: the embedding holds each direction's token rows side by side, (V, dirs·H); weight_ih_l0 selects them
    const h = H[0];
    const rows = new Float32Array(V * D);
    for (let d = 0; d < dirs; d++) {
      const T = p[`Ws${paramSuffix(0, d)}`];
      for (let v = 0; v < V; v++) for (let k = 0; k < h; k++) rows[v * D + d * h + k] = T[(h + v) * h + k];
    }
    add('embedding.weight', [V, D], rows);
  }
  for (let l = 0; l < L; l++) {
    const h = H[l];
    for (let d = 0; d < dirs; d++) {
      const x = paramSuffix(l, d);
      const Ws = p[`Ws${x}`];
      const n = l ? In[l] : In0;
      const ih = new Float32Array(h * n);
      if (l === 0 && V && !E) for (let k = 0; k < h; k++) ih[k * n + d * h + k] = 1;
      else for (let r = 0; r < n; r++) for (let k = 0; k < h; k++) ih[k * n + r] = Ws[(h + r) * h + k];
      const hh = new Float32Array(h * h);
      for (let r = 0; r < h; r++) for (let k = 0; k < h; k++) hh[k * h + r] = Ws[r * h + k];
      add(cellName(l, d, 'weight_ih'), [h, n], ih);
      add(cellName(l, d, 'weight_hh'), [h, h], hh);
      add(cellName(l, d, 'bias_ih'), [h], p[`bs${x}`]);
      add(cellName(l, d, 'bias_hh'), [h], new Float32Array(h));
    }
  }
  if (c.learnInitialState) {
    const s0 = (l: number, d: number) => p[`s0${paramSuffix(l, d)}`];
    if (layout === 'stack') {
      const h0 = new Float32Array(L * dirs * H[0]);
      for (let l = 0; l < L; l++) for (let d = 0; d < dirs; d++) h0.set(s0(l, d), (l * dirs + d) * H[0]);
      add('h0', [L * dirs, 1, H[0]], h0);
    } else {
      for (let l = 0; l < L; l++) {
        const h0 = new Float32Array(dirs * H[l]);
        for (let d = 0; d < dirs; d++) h0.set(s0(l, d), d * H[l]);
        add(`h0.${l}`, [dirs, 1, H[l]], h0);
      }
    }
  }
  const top = out[L - 1];
  const lw = new Float32Array(O * top);
  for (let k = 0; k < top; k++) for (let j = 0; j < O; j++) lw[j * top + k] = p.Wo[k * O + j];
  add('linear.weight', [O, top], lw);
  add('linear.bias', [O], p.bo);
  const stored: Record<string, unknown> = {};
  for (const k of STORED_KEYS) stored[k] = c[k];
  const metadata = { [PYTORCH_METADATA_KEY]: JSON.stringify({ format: FORMAT, version: VERSION, config: stored }) };
  // the model's own metadata (a vocabulary, say) travels beside the config, not in the module source
  const carried: Record<string, string> = model.metadata !== undefined ? { [MODEL_METADATA_KEY]: JSON.stringify(model.metadata) } : {};
  const config: PytorchModuleConfig = {
    layout, vocab_size: V, embedding_dim: D, freeze_embedding: c.freezeEmbeddings, input_size: In0, hidden_size: [...H],
    num_layers: L, bidirectional: dirs === 2, nonlinearity: c.activation, merge: c.merge, go_backwards: c.goBackwards,
    dropout: c.dropout, input_dropout: c.inputDropout, recurrent_dropout: c.recurrentDropout, learned_h0: c.learnInitialState,
    output_size: O, return_sequences: c.returnSequences, output_activation: c.outputActivation,
  };
  return { safetensors: writeSafetensors(tensors, { ...metadata, ...carried }), module: moduleSource(config, metadata), config };
}
