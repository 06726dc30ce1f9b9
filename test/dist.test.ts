// The built package (dist/, wasm inlined) in Node: ESM import and CJS require, in fresh processes.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const script = (load: string) => `
  ${load}
  (async () => {
    const m = await SimpleRNN.create({ vocabSize: 5, hiddenSize: 6, outputSize: 3, seed: 2 });
    const p = m.predict([[1, 2, 3], [4]]);
    const loss = m.trainBatch([[1, 2, 3], [4]], [0, 2]);
    m.dispose();
    console.log(JSON.stringify({ p, loss }));
  })();`;

describe.runIf(existsSync(resolve(root, 'dist/index.js')))('dist/ in Node', () => {
  it('ESM import and CJS require give the same predictions as the source', async () => {
    const esm = execFileSync(process.execPath, ['--input-type=module', '-e', script(`import { SimpleRNN } from ${JSON.stringify(resolve(root, 'dist/index.js'))};`)], { encoding: 'utf8' });
    const cjs = execFileSync(process.execPath, ['-e', script(`const { SimpleRNN } = require(${JSON.stringify(resolve(root, 'dist/index.cjs'))});`)], { encoding: 'utf8' });
    const a = JSON.parse(esm);
    expect(JSON.parse(cjs)).toEqual(a);
    const { SimpleRNN } = await import('../src/index.js');
    const m = await SimpleRNN.create({ vocabSize: 5, hiddenSize: 6, outputSize: 3, seed: 2 });
    expect(m.predict([[1, 2, 3], [4]])).toEqual(a.p);
    m.dispose();
  });
});
