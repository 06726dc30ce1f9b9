// Nearest neighbours by cosine similarity in an embedding space: a sanity check a person can read ("good" should sit
// near "great" after training on sentiment, not near "terrible").
//   cos(a, b) = a·b / (|a| |b|), 0 when either vector is zero.
import { rangeError, typeError } from '../errors.js';
import { bool, int, readOptions } from '../options.js';
import type { SimpleRNN } from '../model.js';
import { SPECIAL_TOKENS, type Vocabulary } from './vocabulary.js';

/** V vectors of size dim, row-major. */
export interface Embeddings {
  /** V·dim floats, row-major: row id is token id's vector. */
  vectors: Float32Array | Float64Array;
  /** Size of each vector (D with an embedding layer, else H). */
  dim: number;
}

/**
 * The embedding of every token id of a token model, as a V x dim matrix: E with an embedding layer, otherwise the
 * input rows Ws[H:] (the row a token id selects; dim = H).
 */
export function tokenEmbeddings(model: SimpleRNN): Embeddings {
  const api = 'tokenEmbeddings';
  const c = model.config;
  if (!c.vocabSize) throw rangeError(api, 'model', 'has dense inputs; expected a token model (vocabSize)');
  const p = model.getParams();
  if (c.embeddingSize) return { vectors: p.E, dim: c.embeddingSize };
  const H = typeof c.hiddenSize === 'number' ? c.hiddenSize : c.hiddenSize[0]; // layer 0 reads the token ids
  return { vectors: p.Ws.slice(H * H), dim: H };
}

/** One result of nearestNeighbors. */
export interface Neighbor {
  /** The neighbour's token. */
  token: string;
  /** The neighbour's token id. */
  id: number;
  /** Cosine similarity to the query, in [-1, 1]. */
  similarity: number;
}

/** Options of nearestNeighbors. An unknown key is refused. */
export interface NeighborOptions {
  /** How many neighbours. Default 5. */
  k?: number;
  /** Include the reserved tokens (<pad>, <unk>, <eos>). Default false. */
  includeSpecial?: boolean;
}

/**
 * The k tokens whose embeddings have the highest cosine similarity to the query (a token, an id, or a vector), most
 * similar first; ties in id order. A token or id query is not its own neighbour.
 */
export function nearestNeighbors(
  source: SimpleRNN | Embeddings, vocab: Vocabulary, query: string | number | ArrayLike<number>, options?: NeighborOptions,
): Neighbor[] {
  const api = 'nearestNeighbors';
  const o = readOptions(api, options, ['k', 'includeSpecial'] as const);
  const k = int(api, 'options.k', o.k, 1, Infinity, 5);
  const includeSpecial = bool(api, 'options.includeSpecial', o.includeSpecial, false);
  if (source === null || typeof source !== 'object') throw typeError(api, 'source', 'a token model or { vectors, dim }', source);
  const emb: Embeddings = 'config' in source ? tokenEmbeddings(source) : source;
  const { vectors, dim } = emb;
  if (!(vectors instanceof Float32Array || vectors instanceof Float64Array) || !(dim >= 1)) {
    throw typeError(api, 'source', 'a token model or { vectors, dim }', source);
  }
  const V = vectors.length / dim;
  if (V !== vocab.size) throw rangeError(api, 'source', `has ${V} vectors; expected one per vocabulary id (${vocab.size})`);
  let q: ArrayLike<number>;
  let self = -1;
  if (typeof query === 'string' || typeof query === 'number') {
    self = typeof query === 'string' ? vocab.idOf(query) : query;
    if (typeof query === 'string' && !vocab.has(query)) {
      throw rangeError(api, 'query', `= ${JSON.stringify(query)} is not in the vocabulary (it would be <unk>)`);
    }
    vocab.tokenOf(self); // validates a numeric id
    q = vectors.subarray(self * dim, (self + 1) * dim);
  } else {
    if (query === null || typeof query !== 'object' || query.length !== dim) throw typeError(api, 'query', `a token, an id or a vector of ${dim} numbers`, query);
    q = query;
  }
  let qq = 0;
  for (let d = 0; d < dim; d++) qq += q[d] * q[d];
  const qn = Math.sqrt(qq);
  const first = includeSpecial ? 0 : SPECIAL_TOKENS.length;
  const out: Neighbor[] = [];
  for (let id = first; id < V; id++) {
    if (id === self) continue;
    let dot = 0;
    let nn = 0;
    for (let d = 0; d < dim; d++) {
      const x = vectors[id * dim + d];
      dot += x * q[d];
      nn += x * x;
    }
    const den = qn * Math.sqrt(nn);
    out.push({ token: vocab.tokenOf(id), id, similarity: den > 0 ? dot / den : 0 });
  }
  out.sort((a, b) => b.similarity - a.similarity || a.id - b.id);
  return out.slice(0, k);
}
