// The rooms of src/interop, read from their import lines: each file says its one job in its first line, the two
// directions do not reach into each other, only the Node file helpers touch node:, and nothing imports TF.js.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = join(import.meta.dirname, '../../src/interop');
const files = readdirSync(DIR).filter((f) => f.endsWith('.ts')).sort();
const source = (f: string): string => readFileSync(join(DIR, f), 'utf8');
/** The modules a file imports or re-exports from. */
const importsOf = (f: string): string[] => [...source(f).matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gms)].map((m) => m[1]);

describe('src/interop walls', () => {
  it('has the rooms of the split', () => {
    expect(files).toEqual(['build.ts', 'index.ts', 'keras.ts', 'node.ts', 'read.ts', 'tfjs-export.ts', 'tfjs-format.ts', 'tfjs-import.ts', 'tfjs-topology.ts', 'tfjs-weights.ts']);
  });

  it.each(files)('%s says its job in its first line', (f) => {
    expect(source(f).split('\n')[0]).toMatch(/^\/\/ \S.{20,}/);
  });

  it.each(files)('%s: no TF.js import, and node: only in node.ts', (f) => {
    const mods = importsOf(f);
    expect(mods.length).toBeGreaterThan(0);
    expect(mods.filter((m) => m.startsWith('@tensorflow'))).toEqual([]);
    if (f !== 'node.ts') expect(mods.filter((m) => m.startsWith('node:'))).toEqual([]);
  });

  it('import and export do not reach into each other; the shared rooms reach into neither', () => {
    const local = (f: string) => importsOf(f).filter((m) => m.startsWith('./'));
    expect(local('tfjs-import.ts')).not.toContain('./tfjs-export.js');
    expect(local('tfjs-export.ts')).toEqual(['./tfjs-format.js']);
    expect(local('keras.ts').sort()).toEqual(['./build.js', './read.js', './tfjs-format.js']);
    expect(local('tfjs-weights.ts').sort()).toEqual(['./read.js', './tfjs-format.js']);
    expect(local('tfjs-topology.ts').sort()).toEqual(['./read.js', './tfjs-format.js']); // the plan sees no weight
    expect(local('build.ts')).toEqual([]);
    expect(local('read.ts')).toEqual([]);
    expect(local('tfjs-format.ts')).toEqual([]);
    expect(local('index.ts')).not.toContain('./node.js');
  });

  it('every options object is read through src/options.ts (no hand-rolled option checks)', () => {
    for (const f of ['tfjs-import.ts', 'tfjs-export.ts', 'keras.ts']) {
      expect(importsOf(f), f).toContain('../options.js');
      expect(source(f), f).not.toMatch(/options \?\? \{\}/);
    }
  });
});
