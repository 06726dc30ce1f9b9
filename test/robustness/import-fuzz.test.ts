// Property-based robustness of the interop importers: a valid TF.js artifact (or Keras weight list) with one random
// field of its topology, weight specs or bytes replaced, deleted, truncated or bit-flipped must either import (a
// harmless change, e.g. `trainable`) or be rejected with a TypeError / RangeError from the importer itself
// ("SimpleRNN.fromTfjsLayers: …"), never a bare JS error from deep inside ("Cannot read properties of undefined").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { fromKerasWeights, fromTfjsLayers, toTfjsLayers, type TfjsArtifacts } from '../../src/interop/tfjs.js';
import { SimpleRNN } from '../../src/model.js';

const SEED = 20261129;
const tried = { topology: 0, weights: 0, keras: 0, imported: 0 };
afterAll(() => console.log(`import fuzz: ${tried.topology + tried.weights + tried.keras} cases tried (topology ${tried.topology}, weight specs/bytes ${tried.weights}, keras ${tried.keras}); ${tried.imported} imported as harmless`));

const JUNK: unknown[] = [null, undefined, 0, -1, 1.5, NaN, Infinity, 2 ** 40, '', 'x', 'tanh', 'softmax', true, false, {}, [], [null], { class_name: 'Dense' }];

/** Every [parent, key] inside v (objects and arrays), for a mutation to pick from. */
function slots(v: unknown, out: [Record<string | number, unknown>, string | number][] = []): typeof out {
  if (v !== null && typeof v === 'object') {
    for (const k of Object.keys(v)) {
      out.push([v as Record<string, unknown>, Array.isArray(v) ? Number(k) : k]);
      slots((v as Record<string, unknown>)[k], out);
    }
  }
  return out;
}

async function expectImporterError(p: Promise<SimpleRNN>, api: string): Promise<void> {
  let err: unknown = null;
  try {
    const m = await p;
    tried.imported++;
    expect(m.predict(m.config.vocabSize ? [[0]] : [[new Array<number>(m.config.inputSize).fill(0.1)]])).toHaveLength(1);
    m.dispose();
    return;
  } catch (e) {
    err = e;
  }
  expect(err instanceof TypeError || err instanceof RangeError, String(err)).toBe(true);
  expect((err as Error).message, String(err)).toMatch(new RegExp(`^SimpleRNN\\.${api}: `));
}

let base: TfjsArtifacts[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
  const a = await SimpleRNN.create({ inputSize: 3, hiddenSize: 4, outputSize: 2, returnSequences: true, backend: 'js' });
  const b = await SimpleRNN.create({ vocabSize: 6, embeddingSize: 2, hiddenSize: 3, outputSize: 3, backend: 'js' });
  base = [toTfjsLayers(a, { maskValue: 0 }), toTfjsLayers(b, { maskZero: true })];
  a.dispose();
  b.dispose();
});

describe('fromTfjsLayers under mutation', () => {
  it('one topology field replaced or deleted: imports, or an importer TypeError / RangeError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(1), fc.nat(), fc.constantFrom(...JUNK), fc.boolean(), async (which, at, junk, del) => {
        tried.topology++;
        const art = structuredClone({ ...base[which], weightData: undefined });
        const s = slots(art.modelTopology);
        const [parent, key] = s[at % s.length];
        if (del && !Array.isArray(parent)) delete parent[key];
        else parent[key] = structuredClone(junk);
        await expectImporterError(fromTfjsLayers({ ...art, weightData: base[which].weightData }, undefined, { backend: 'js' }), 'fromTfjsLayers');
      }),
      { numRuns: 1500, seed: SEED },
    );
  });

  it('weight specs mutated, bytes truncated / extended / bit-flipped, wrong argument types', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(1), fc.integer({ min: 0, max: 5 }), fc.nat(), fc.constantFrom(...JUNK), async (which, kind, at, junk) => {
        tried.weights++;
        const b = base[which];
        const specs = structuredClone(b.weightSpecs!) as unknown as Record<string, unknown>[];
        let data: unknown = (b.weightData as ArrayBuffer).slice(0);
        let topology: unknown = b.modelTopology;
        const n = (data as ArrayBuffer).byteLength;
        switch (kind) {
          case 0: { // a spec field
            const s = slots(specs);
            const [parent, key] = s[at % s.length];
            parent[key] = structuredClone(junk);
            break;
          }
          case 1: // truncated or extended bytes
            data = at % 2 ? (data as ArrayBuffer).slice(0, at % n) : new Uint8Array(n + 1 + (at % 9)).buffer;
            break;
          case 2: { // a flipped bit anywhere (a float may become NaN / Infinity, or just a different weight)
            const u = new Uint8Array(data as ArrayBuffer);
            u[at % n] ^= 1 << (at % 8);
            break;
          }
          case 3: // the weight data of the wrong type
            data = junk ?? 'bytes';
            break;
          case 4: // the whole topology replaced, or a JSON string that does not parse
            topology = at % 2 ? junk : '{"class_name": "Sequential", "config": {';
            break;
          case 5: // a spec removed or duplicated
            if (at % 2) specs.splice(at % specs.length, 1);
            else specs.push(structuredClone(specs[at % specs.length]));
            break;
        }
        await expectImporterError(fromTfjsLayers({ modelTopology: topology, weightSpecs: specs as never, weightData: data as ArrayBuffer }, undefined, { backend: 'js' }), 'fromTfjsLayers');
      }),
      { numRuns: 1500, seed: SEED },
    );
    for (const bad of [null, undefined, 3, 'not json', [], {}]) {
      tried.weights++;
      await expectImporterError(fromTfjsLayers(bad as never), 'fromTfjsLayers');
    }
  });
});

describe('fromKerasWeights under mutation', () => {
  it('one array element, row or array replaced: imports, or an importer TypeError / RangeError', async () => {
    const weights = [
      [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], // kernel (3, 2)
      [[1, 0], [0, 1]], // recurrent (2, 2)
      [0, 0.1], // bias
      [[0.5, -0.5, 0.1], [0.2, 0.3, 0.4]], // dense kernel (2, 3)
      [0, 0, 0], // dense bias
    ];
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.constantFrom(...JUNK), fc.constantFrom(...JUNK), async (at, junk, opt) => {
        tried.keras++;
        const w = structuredClone(weights) as unknown[];
        const s = slots(w);
        const [parent, key] = s[at % s.length];
        parent[key] = structuredClone(junk);
        const options = at % 3 === 0 ? { outputActivation: 'softmax', backend: 'js', [['embedding', 'useBias', 'activation', 'returnSequences'][at % 4]]: opt } : { backend: 'js' };
        await expectImporterError(fromKerasWeights(w as never, options as never), 'fromKerasWeights');
      }),
      { numRuns: 1500, seed: SEED },
    );
  });
});
