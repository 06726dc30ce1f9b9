// The memory layout of a model in its backend's memory: one block of four P-float sections (params | grads | optimizer
// state 1 | optimizer state 2, llm.c's malloc_and_point_parameters) and one activation workspace sized for (B, T).
// Pure arithmetic on sizes and byte pointers: allocation goes through the backend, and only where named.
import type { Backend, FloatArray, Ptr } from './backend.js';
import type { ModelConfig } from './config.js';
import { rangeError } from './errors.js';

/**
 * The parameters, row-major: Ws (H+I, H), bs (H), Wo (H, O), bo (O), s0 (H; zeros unless learned), and with
 * embeddingSize E (V, D), where I = D. Without an embedding layer E is empty (length 0).
 */
export interface Params<A extends FloatArray = Float32Array> {
  /** W_s, (H+I) x H: rows 0..H-1 multiply s^{t-1}, rows H.. multiply i^t. */
  Ws: A;
  /** b_s, H. */
  bs: A;
  /** W_o, H x O. */
  Wo: A;
  /** b_o, O. */
  bo: A;
  /** s^0 (learned with learnInitialState; zeros otherwise), H. */
  s0: A;
  /** E, V x D (embedding models only; empty otherwise). */
  E: A;
}

/** A parameter's name (deep and bidirectional models add Ws_l1, bs_l1_reverse, ...: see paramNames). */
export type ParamName = keyof Params;
/** The parameters of a one-layer model, in block order. E is last, so frozen embeddings leave a trainable prefix. */
export const PARAM_NAMES: readonly ParamName[] = ['Ws', 'bs', 'Wo', 'bo', 's0', 'E'];

/** The shape of the layer stack: sizes per layer and direction, derived from a config. */
export interface Arch {
  /** Layers. */
  L: number;
  /** Directions per layer (2: bidirectional). */
  dirs: number;
  /** H of each layer. */
  H: number[];
  /** Width of each layer's input rows (layer 0: inputRows; layer l: out[l-1]). */
  In: number[];
  /** Width of each layer's output y_l (2H for a concatenated bidirectional layer). */
  out: number[];
  /** Width of the head's input: the top layer's output. */
  headIn: number;
  /** Floats of one sequence's state: Σ over layers and directions of H (PyTorch's h_n order). */
  stateSize: number;
}

export function archOf(c: ModelConfig): Arch {
  const L = c.layers;
  const dirs = c.bidirectional ? 2 : 1;
  const H = Array.from({ length: L }, (_, l) => (typeof c.hiddenSize === 'number' ? c.hiddenSize : c.hiddenSize[l]));
  const out = H.map((h) => (dirs === 2 && c.merge === 'concat' ? 2 * h : h));
  const In = H.map((_, l) => (l === 0 ? inputRows(c) : out[l - 1]));
  return { L, dirs, H, In, out, headIn: out[L - 1], stateSize: H.reduce((a, h) => a + dirs * h, 0) };
}

/** The suffix of layer l, direction d's parameters: '' for layer 0 forward, '_l1', '_reverse', '_l1_reverse', ... */
export const paramSuffix = (l: number, d: number): string => (l ? `_l${l}` : '') + (d ? '_reverse' : '');

/** Every parameter of a model, in block order: Ws, bs, Wo, bo, s0, then the other layer-directions', then E. */
export function paramNames(c: ModelConfig): string[] {
  const { L, dirs } = archOf(c);
  const out = ['Ws', 'bs', 'Wo', 'bo', 's0'];
  for (let l = 0; l < L; l++) {
    for (let d = 0; d < dirs; d++) {
      if (l === 0 && d === 0) continue;
      const x = paramSuffix(l, d);
      out.push(`Ws${x}`, `bs${x}`, `s0${x}`);
    }
  }
  out.push('E');
  return out;
}

/** Sections of the model block, each P floats: params, grads, then up to two optimizer state sections. */
export const SECTION = { params: 0, grads: 1, state1: 2, state2: 3 } as const;
const SECTIONS = 4;

/** Largest single model block or workspace, in bytes: larger ones are refused before anything is allocated. */
export const MAX_BYTES = 2 ** 31;

// plain arithmetic, not bit operations: sizes may exceed 2^31 before the limit check refuses them
const align4 = (n: number) => Math.ceil(n / 4) * 4;
const align16 = (n: number) => Math.ceil(n / 16) * 16;

/** Where each parameter sits inside a section (float offsets, each aligned to 4 floats). */
export interface ParamLayout {
  /** Parameter names in block order. */
  names: string[];
  /** Floats of each parameter. */
  size: Record<string, number>;
  /** Float offset of each parameter inside a section. */
  off: Record<string, number>;
  /** P: floats per section, alignment included (the checkpoint's paramCount). */
  count: number;
  /** Floats the optimizer updates: all of P, or the prefix before E when embeddings are frozen. */
  trainable: number;
  /** Bytes per float of the backend. */
  fb: number;
  /** Bytes of the whole block (four sections). */
  bytes: number;
}

/** The rows of the input part of Ws: inputSize, vocabSize for token models, or D with an embedding layer. */
export const inputRows = (c: ModelConfig): number => c.embeddingSize || c.vocabSize || c.inputSize;

export function paramLayout(c: ModelConfig, fb: number): ParamLayout {
  const A = archOf(c);
  const size: Record<string, number> = { Wo: A.headIn * c.outputSize, bo: c.outputSize, E: c.vocabSize * c.embeddingSize };
  for (let l = 0; l < A.L; l++) {
    for (let d = 0; d < A.dirs; d++) {
      const x = paramSuffix(l, d);
      const H = A.H[l];
      size[`Ws${x}`] = (H + A.In[l]) * H;
      size[`bs${x}`] = H;
      size[`s0${x}`] = H;
    }
  }
  const names = paramNames(c);
  const off: Record<string, number> = {};
  let at = 0;
  for (const k of names) {
    off[k] = at;
    at += align4(size[k]);
  }
  return { names, size, off, count: at, trainable: c.freezeEmbeddings ? off.E : at, fb, bytes: SECTIONS * at * fb };
}

/** The byte pointer of section `section` (SECTION.*) of a block, or of one parameter inside it. */
export function sectionPtr(block: Ptr, L: ParamLayout, section: number, name?: string): Ptr {
  return block + (section * L.count + (name ? L.off[name] : 0)) * L.fb;
}

/** The shape of a parameter, for error messages. */
export function paramShape(c: ModelConfig, k: string): string {
  const A = archOf(c);
  const O = c.outputSize;
  const { vocabSize: V, embeddingSize: D } = c;
  if (k === 'Wo') return A.L === 1 && A.dirs === 1 ? `H*O = ${A.headIn}*${O}` : `(top layer's output)*O = ${A.headIn}*${O}`;
  if (k === 'bo') return 'O';
  if (k === 'E') return `V*D = ${V}*${D}`;
  const m = /^(Ws|bs|s0)(?:_l(\d+))?(_reverse)?$/.exec(k)!;
  const l = m[2] ? Number(m[2]) : 0;
  const H = A.H[l];
  if (m[1] !== 'Ws') return `H = ${H}`;
  return l === 0 && A.L === 1 && A.dirs === 1 ? `(H+I)*H = (${H}+${A.In[0]})*${H}` : `(H+In)*H = (${H}+${A.In[l]})*${H}`;
}

/** be.alloc, with an allocation failure (a RangeError) rethrown as the caller's error, which names the API and field. */
export function allocOr(be: Backend, bytes: number, error: () => RangeError): Ptr {
  try {
    return be.alloc(bytes);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const err = error();
    err.message += ` (${e.message})`;
    throw err;
  }
}

/** The model block: allocated zeroed, or a RangeError naming `api` when it is too large. */
export function allocParams(be: Backend, L: ParamLayout, api: string): Ptr {
  const what = `describe a model of ${L.count} parameters (${L.bytes} bytes with gradients and optimizer state)`;
  if (L.bytes > MAX_BYTES) throw rangeError(api, 'options', `${what}; the limit is ${MAX_BYTES} bytes`);
  const block = allocOr(be, L.bytes, () => rangeError(api, 'options', `${what} that this backend cannot allocate`));
  be.zero(block, L.bytes);
  return block;
}

/** One layer-direction's part of a workspace (byte pointers; 0 where the model does not need the buffer). */
export interface LayerDirSpace {
  s: Ptr; // (T+1, B, H)
  dz: Ptr; // (T, B, H)
  ds0: Ptr; // (B, H)
  WhT: Ptr; // (H, H)
  WiT: Ptr; // (H, In): layers > 0 and embedding inputs (the gradient of the layer's input)
  xr: Ptr; // (T, B, In) reverse direction: its input, real steps reversed
  sro: Ptr; // (T, B, H) reverse direction: its states in the sequence's own time
  dsro: Ptr; // (T, B, H) reverse direction: gradient scratch in the sequence's own time
  rmask: Ptr; // (B, H) recurrentDropout mask
  sm: Ptr; // (T, B, H) recurrentDropout: s^{t-1} * mask
}

/** One layer's part of a workspace. */
export interface LayerSpace {
  y: Ptr; // (T, B, out) the layer's output (below the top, and a bidirectional top)
  dy: Ptr; // (T, B, out) its gradient
  dmask: Ptr; // (T, B, out) dropout mask after the layer (below the top)
}

/**
 * The activation workspace of one (sub-)batch: byte pointers into one block. It holds any (B, T) batch with
 * B <= capB, T·B <= capN and (T+1)·B <= capS (the buffers are dense in the batch's own B: a step is B rows).
 */
export interface Workspace {
  capB: number;
  capN: number;
  capS: number;
  block: Ptr;
  len: Ptr; // (B) int32
  x: Ptr; // dense (T, B, I) floats, or tokens (T, B) int32
  xs: Ptr; // the batch's sequences whole, one after another (what the gather into x reads)
  xoff: Ptr; // (B) int32: where sequence b starts in xs (in floats, or token ids)
  xe: Ptr; // (T, B, D) gathered embedding rows E[id] (embedding models only)
  dxe: Ptr; // (T, B, D) dL/d(E[id]) per row (embedding models only)
  imask: Ptr; // (B, I or D) inputDropout mask
  yT: Ptr; // (B, headIn) merged final states (bidirectional many-to-one)
  dyT: Ptr; // (B, headIn)
  y: Ptr; // (N, O) logits, N = T*B or B
  dy: Ptr; // (N, O)
  tgt: Ptr; // (N) int32 classes or (N, O) floats
  w: Ptr; // (N)
  loss: Ptr; // (N)
  WoT: Ptr; // (O, headIn)
  /** Per layer-direction k = l·dirs + d. */
  ld: LayerDirSpace[];
  /** Per layer. */
  layer: LayerSpace[];
}

/** The buffers of a workspace and their bytes: [path, bytes], path 'x' or 'ld.3.s' or 'layer.1.y'. */
function workspaceParts(c: ModelConfig, fb: number, capB: number, N: number, capS: number): [string, number][] {
  const A = archOf(c);
  const O = c.outputSize;
  const D = c.embeddingSize;
  const tokens = c.vocabSize > 0 && !D;
  const parts: [string, number][] = [
    ['len', capB * 4],
    ['x', c.vocabSize ? N * 4 : N * c.inputSize * fb],
    ['xs', c.vocabSize ? N * 4 : N * c.inputSize * fb],
    ['xoff', capB * 4],
    ['xe', N * D * fb],
    ['dxe', N * D * fb],
    ['imask', c.inputDropout > 0 ? capB * A.In[0] * fb : 0],
    ['yT', A.dirs === 2 ? capB * A.headIn * fb : 0],
    ['dyT', A.dirs === 2 ? capB * A.headIn * fb : 0],
    ['y', N * O * fb],
    ['dy', N * O * fb],
    ['tgt', Math.max(N * 4, N * O * fb)],
    ['w', N * fb],
    ['loss', N * fb],
    ['WoT', O * A.headIn * fb],
  ];
  for (let l = 0; l < A.L; l++) {
    const H = A.H[l];
    const In = A.In[l];
    for (let d = 0; d < A.dirs; d++) {
      const k = l * A.dirs + d;
      const inBytes = l === 0 && tokens ? N * 4 : N * In * fb;
      parts.push(
        [`ld.${k}.s`, capS * H * fb],
        [`ld.${k}.dz`, N * H * fb],
        [`ld.${k}.ds0`, capB * H * fb],
        [`ld.${k}.WhT`, H * H * fb],
        [`ld.${k}.WiT`, l > 0 || D ? H * In * fb : 0],
        [`ld.${k}.xr`, d === 1 ? inBytes : 0],
        [`ld.${k}.sro`, d === 1 ? N * H * fb : 0],
        [`ld.${k}.dsro`, d === 1 ? N * H * fb : 0],
        [`ld.${k}.rmask`, c.recurrentDropout > 0 ? capB * H * fb : 0],
        [`ld.${k}.sm`, c.recurrentDropout > 0 ? N * H * fb : 0],
      );
    }
    const below = l < A.L - 1;
    const y = below || A.dirs === 2 ? N * A.out[l] * fb : 0;
    parts.push([`layer.${l}.y`, y], [`layer.${l}.dy`, y], [`layer.${l}.dmask`, below && c.dropout > 0 ? y : 0]);
  }
  return parts;
}

/**
 * `cur` when it holds (B, T), otherwise a bigger one (cur freed after the new one is allocated). It grows by rows
 * (T·B, (T+1)·B and B separately), so that many short sequences after a few long ones do not ask for the product of
 * both maxima. Sized and checked before anything is allocated; may grow memory, so no view may be held across it.
 */
export function growWorkspace(be: Backend, c: ModelConfig, cur: Workspace | null, B: number, T: number, api: string): Workspace {
  if (cur && B <= cur.capB && T * B <= cur.capN && (T + 1) * B <= cur.capS) return cur;
  const capB = Math.max(B, cur?.capB ?? 0);
  const capN = Math.max(T * B, cur?.capN ?? 0);
  const capS = Math.max((T + 1) * B, cur?.capS ?? 0);
  const parts = workspaceParts(c, be.floatBytes, capB, capN, capS);
  const total = parts.reduce((a, [, n]) => a + align16(n), 0);
  const field = `inputs (a batch of B=${B} sequences x T=${T} steps)`;
  if (total > MAX_BYTES) {
    throw rangeError(api, field, `needs ${total} bytes of activations; the limit is ${MAX_BYTES} (use smaller batches)`);
  }
  const block = allocOr(be, total, () => rangeError(api, field, `need ${total} bytes of activations that this backend cannot allocate (use smaller batches)`));
  if (cur) be.free(cur.block);
  const A = archOf(c);
  const ws = { capB, capN, capS, block, ld: [], layer: [] } as unknown as Workspace;
  for (let k = 0; k < A.L * A.dirs; k++) ws.ld.push({} as LayerDirSpace);
  for (let l = 0; l < A.L; l++) ws.layer.push({} as LayerSpace);
  let at = block;
  for (const [path, n] of parts) {
    const p = n > 0 ? at : 0;
    const [a, b, f] = path.split('.');
    if (a === 'ld') (ws.ld[Number(b)] as unknown as Record<string, Ptr>)[f] = p;
    else if (a === 'layer') (ws.layer[Number(b)] as unknown as Record<string, Ptr>)[f] = p;
    else (ws as unknown as Record<string, Ptr>)[a] = p;
    at += align16(n);
  }
  return ws;
}
