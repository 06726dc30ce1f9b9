// The rooms of src/interop, read from their import lines: each file says its one job in its first line, the two
// directions of each format do not reach into each other, nothing touches node: (the Node file helpers are in
// src/node/), nothing imports TF.js, and only the HDF5 adapter imports its reader (jsfive).
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
    expect(files).toEqual([
      'build.ts', 'hdf5.ts', 'index.ts', 'keras-file.ts', 'keras.ts', 'onnx-export.ts', 'onnx-format.ts', 'onnx-graph.ts', 'onnx-import.ts',
      'onnx-proto.ts', 'onnx-values.ts', 'protobuf.ts', 'pytorch-export.ts', 'pytorch-format.ts', 'pytorch-import.ts', 'pytorch-module.ts',
      'pytorch.ts', 'read.ts', 'safetensors.ts', 'tfjs-export.ts', 'tfjs-format.ts', 'tfjs-import.ts', 'tfjs-topology.ts', 'tfjs-weights.ts', 'zip.ts',
    ]);
  });

  it.each(files)('%s says its job in its first line', (f) => {
    expect(source(f).split('\n')[0]).toMatch(/^\/\/ \S.{20,}/);
  });

  it.each(files)('%s: no TF.js import, no node:, and jsfive only in hdf5.ts', (f) => {
    const mods = importsOf(f);
    expect(mods.length).toBeGreaterThan(0);
    expect(mods.filter((m) => m.startsWith('@tensorflow'))).toEqual([]);
    expect(mods.filter((m) => m.startsWith('node:'))).toEqual([]);
    if (f !== 'hdf5.ts') expect(mods).not.toContain('jsfive');
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
    // the other formats: each direction on its own, the shared rooms below them
    expect(local('pytorch-import.ts')).not.toContain('./pytorch-export.js');
    expect(local('pytorch-export.ts')).not.toContain('./pytorch-import.js');
    expect(local('safetensors.ts')).toEqual(['./read.js']);
    expect(local('onnx-export.ts').sort()).toEqual(['./onnx-format.js', './onnx-proto.js']);
    expect(local('onnx-import.ts')).not.toContain('./onnx-export.js');
    expect(local('onnx-format.ts')).toEqual(['./read.js']);
    expect(local('protobuf.ts')).toEqual([]);
    expect(local('zip.ts')).toEqual([]);
    expect(local('hdf5.ts')).toEqual([]);
    expect(local('keras-file.ts').sort()).toEqual(['./build.js', './hdf5.js', './read.js', './tfjs-topology.js', './zip.js']);
    // the main entry's interop does not reach the Keras files (their HDF5 reader is in simple-rnn/keras)
    expect(local('index.ts')).not.toContain('./keras-file.js');
  });

  it('every options object is read through src/options.ts (no hand-rolled option checks)', () => {
    for (const f of ['tfjs-import.ts', 'tfjs-export.ts', 'keras.ts', 'keras-file.ts', 'pytorch-import.ts', 'onnx-import.ts', 'onnx-export.ts']) {
      expect(importsOf(f), f).toContain('../options.js');
      expect(source(f), f).not.toMatch(/options \?\? \{\}/);
    }
  });
});
