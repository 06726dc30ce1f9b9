// TF.js helpers of the interop tests: seeded weights, and a model's artifacts as TF.js would save them.
import * as tf from '@tensorflow/tfjs';
import type { TfjsArtifacts } from '../../src/interop/index.js';
import { Rng } from '../../src/random.js';

/** Sets every weight of a TF.js model to seeded uniform values in [-scale, scale). */
export function seedWeights(m: tf.LayersModel, seed: number, scale = 0.5): void {
  const rng = new Rng(seed);
  m.setWeights(m.weights.map((w) => tf.tensor(Array.from({ length: (w.shape as number[]).reduce((a, d) => a * d, 1) }, () => (2 * rng.uniform() - 1) * scale), w.shape as number[])));
}

/** The model's topology and weights, as tf.io save handlers receive them. */
export async function artifactsOf(m: tf.LayersModel): Promise<TfjsArtifacts> {
  let art: tf.io.ModelArtifacts | undefined;
  await m.save(tf.io.withSaveHandler(async (a) => {
    art = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return art as TfjsArtifacts;
}
