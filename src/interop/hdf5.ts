// Reads HDF5 files from bytes in memory, for the Keras importer: a thin adapter around jsfive (a pure-JS reader that
// runs in Node and in browsers) that opens a file, lists groups, reads attributes and float32 / float64 datasets, and
// checks a dataset's type, storage and size before its values are read. Every error names the HDF5 path.
// @ts-expect-error jsfive ships no type declarations; Jsfive below describes the part of it this file uses
import * as untyped from 'jsfive';
import { rangeError } from '../errors.js';

// ---- the part of jsfive this adapter uses (jsfive 0.4) ----

interface JsfiveNode {
  readonly attrs: Record<string, unknown>;
}
interface JsfiveGroup extends JsfiveNode {
  readonly keys: string[];
  get(path: string): JsfiveGroup | JsfiveDataset | null;
}
interface JsfiveDataset extends JsfiveNode {
  readonly shape: number[];
  /** '<f4', '>f8', '<i4', 'S10', or an array for compound, vlen and reference types. */
  readonly dtype: unknown;
  readonly value: unknown[];
  /** jsfive's low-level object header: its storage (chunks: null when contiguous; filters: null when none). */
  readonly _dataobjects?: { readonly chunks: unknown; readonly filter_pipeline: unknown };
}
interface Jsfive {
  File: new (buffer: ArrayBuffer, name: string) => JsfiveGroup;
  Group: abstract new (...args: never[]) => JsfiveGroup;
  Dataset: abstract new (...args: never[]) => JsfiveDataset;
}
const jsfive = untyped as unknown as Jsfive;

/** The 8 bytes every HDF5 file starts with (when it has no user block): \x89HDF\r\n\x1a\n. */
export const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/** Whether the bytes start with the HDF5 signature. */
export function isHdf5(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && HDF5_MAGIC.every((b, k) => bytes[k] === b);
}

/** A TypeError in the error grammar, whose `got` is already a description. */
function kindError(api: string, field: string, expected: string, got: string): TypeError {
  return new TypeError(`SimpleRNN.${api}: ${field} must be ${expected}; got ${got}`);
}

/** A reader failure (jsfive throws strings, Errors and DataView RangeErrors alike) as a RangeError naming the path. */
function readFailure(api: string, field: string, e: unknown): RangeError {
  const why = e instanceof Error ? e.message : typeof e === 'string' ? e : 'unknown error';
  return rangeError(api, field, `cannot be read: the HDF5 data is malformed (${why.slice(0, 200)})`);
}

/** An attribute value as the adapter hands it out: fixed-length strings lose their NUL padding. */
function attrValue(v: unknown): unknown {
  if (typeof v === 'string') return v.replace(/\0+$/, '');
  if (Array.isArray(v)) return v.map(attrValue);
  return v;
}

/** The float types a weight may have, as jsfive spells them ('<f4': little-endian float32). */
const FLOATS: Record<string, 'float32' | 'float64'> = { '<f4': 'float32', '>f4': 'float32', '<f8': 'float64', '>f8': 'float64' };

/** A readable name for a dtype jsfive reports: '<i4' is int32, 'S10' a string, ['VLEN_STRING', ...] a vlen string. */
function dtypeName(dt: unknown): string {
  if (typeof dt === 'string') {
    const m = /^[<>|=]?([iuf])(\d+)$/.exec(dt);
    if (m) return `${{ i: 'int', u: 'uint', f: 'float' }[m[1] as 'i' | 'u' | 'f']}${Number(m[2]) * 8} (${JSON.stringify(dt)})`;
    return /^[<>|=]?S\d*$/.test(dt) ? `a fixed-length string (${JSON.stringify(dt)})` : JSON.stringify(dt);
  }
  if (Array.isArray(dt)) return `${String(dt[0]).toLowerCase().replace(/_/g, ' ')}`;
  return 'an unknown type';
}

/** One dataset: its shape and type read from its header; its values read only by read(), after the checks. */
export interface H5Dataset {
  kind: 'dataset';
  /** `${label}/path/in/file`, for the errors. */
  field: string;
  shape: number[];
  /** 'float32' or 'float64'; null for any other type (described by dtypeText). */
  dtype: 'float32' | 'float64' | null;
  dtypeText: string;
  /** Elements (the product of the shape). */
  count: number;
  /**
   * The values, row-major (a Float32Array for float32, exactly as stored; a Float64Array for float64). Refused before
   * any value is read: another type, chunked or filtered storage (compressed chunks cannot be bounded before they are
   * inflated), or more bytes than the file holds.
   */
  read(): Float32Array | Float64Array;
}

/** One group: its member names and its attributes. */
export interface H5Group {
  kind: 'group';
  field: string;
  /** Member names (groups and datasets). */
  keys(): string[];
  /** The group's attributes, each decoded once (fixed-length strings without their NUL padding). */
  attrs(): Record<string, unknown>;
}

/** An HDF5 file opened from bytes. */
export interface H5File {
  /** The group or dataset at a path ('' or '/' is the root), or null when there is none. */
  get(path: string): H5Group | H5Dataset | null;
  /** The group at a path, null when there is none; a dataset there is a TypeError. */
  group(path: string): H5Group | null;
  /** The dataset at a path, null when there is none; a group there is a TypeError. */
  dataset(path: string): H5Dataset | null;
}

/** Most dimensions of a dataset a model may take. */
const MAX_RANK = 8;

/**
 * Opens an HDF5 file held in memory. The bytes are read in place when they fill their buffer (else copied): hand over
 * bytes nothing else writes (the importer's own copy). `label` names the file in every error (`model.weights.h5`),
 * the path following it: `model.weights.h5/layers/dense/vars/0`.
 */
export function openHdf5(api: string, bytes: Uint8Array, label: string): H5File {
  if (!isHdf5(bytes)) throw rangeError(api, label, 'is not an HDF5 file: it does not start with the HDF5 signature \\x89HDF\\r\\n\\x1a\\n');
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  const buffer = whole ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer;
  const fileBytes = buffer.byteLength;
  const at = (path: string) => `${label}/${path.replace(/^\/+/, '')}`;
  let root: JsfiveGroup;
  try {
    root = new jsfive.File(buffer, label);
  } catch (e) {
    throw readFailure(api, label, e);
  }
  const wrapGroup = (g: JsfiveGroup, path: string): H5Group => ({
    kind: 'group',
    field: at(path),
    keys() {
      try {
        return [...g.keys];
      } catch (e) {
        throw readFailure(api, at(path), e);
      }
    },
    attrs() {
      let raw: Record<string, unknown>;
      try {
        raw = g.attrs;
      } catch (e) {
        throw readFailure(api, `${at(path)} (its attributes)`, e);
      }
      return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, attrValue(v)]));
    },
  });
  const wrapDataset = (d: JsfiveDataset, path: string): H5Dataset => {
    const field = at(path);
    let shape: number[];
    let dt: unknown;
    try {
      shape = [...d.shape];
      dt = d.dtype;
    } catch (e) {
      throw readFailure(api, field, e);
    }
    if (shape.length > MAX_RANK || !shape.every((n) => Number.isSafeInteger(n) && n >= 0)) {
      throw rangeError(api, field, `has shape [${shape.join(', ')}]; expected at most ${MAX_RANK} dimensions, each a size`);
    }
    const count = shape.reduce((a, n) => a * n, 1);
    const dtype = typeof dt === 'string' ? FLOATS[dt] ?? null : null;
    return {
      kind: 'dataset', field, shape, dtype, dtypeText: dtype ?? dtypeName(dt), count,
      read() {
        if (!dtype) throw kindError(api, field, 'a float32 or float64 dataset', `a dataset of ${dtypeName(dt)}`);
        const width = dtype === 'float32' ? 4 : 8;
        if (count * width > fileBytes) throw rangeError(api, field, `has shape [${shape.join(', ')}] (${count * width} bytes); the file holds only ${fileBytes} bytes`);
        const low = d._dataobjects;
        if (!low || !('chunks' in low) || !('filter_pipeline' in low)) throw new Error(`SimpleRNN.${api}: ${field} cannot be checked: this version of jsfive does not expose a dataset's storage`);
        let chunks: unknown;
        let filters: unknown;
        try {
          chunks = low.chunks;
          filters = low.filter_pipeline;
        } catch (e) {
          throw readFailure(api, field, e);
        }
        if (chunks !== null && chunks !== undefined) {
          const how = filters !== null && filters !== undefined ? 'chunked and filtered (compressed)' : 'chunked';
          throw rangeError(api, field, `is stored ${how}; expected a contiguous dataset, as Keras (h5py's default) writes weights`);
        }
        if (filters !== null && filters !== undefined) throw rangeError(api, field, 'has a filter pipeline; expected a contiguous dataset without filters, as Keras writes weights');
        let values: unknown[];
        try {
          values = d.value;
        } catch (e) {
          throw readFailure(api, field, e);
        }
        if (!Array.isArray(values) || values.length !== count) throw rangeError(api, field, `holds ${Array.isArray(values) ? values.length : 'no'} values; its shape [${shape.join(', ')}] says ${count}`);
        const out = dtype === 'float32' ? new Float32Array(count) : new Float64Array(count);
        for (let k = 0; k < count; k++) {
          const v = values[k];
          if (typeof v !== 'number') throw rangeError(api, field, `has no stored value at element ${k} (a dataset that was never written)`);
          out[k] = v;
        }
        return out;
      },
    };
  };
  const get = (path: string): H5Group | H5Dataset | null => {
    const p = path.replace(/^\/+/, '');
    if (p.split('/').some((s) => s === '.' || s === '..')) throw rangeError(api, at(p), "is not a path inside the file; expected no '.' or '..' segment");
    let node: unknown;
    try {
      node = p === '' ? root : root.get(p);
    } catch (e) {
      // jsfive throws "<name> not found in group" for a missing member
      if (typeof e === 'string' && / not found in group$/.test(e)) return null;
      throw readFailure(api, at(p), e);
    }
    if (node instanceof jsfive.Dataset) return wrapDataset(node as JsfiveDataset, p);
    if (node instanceof jsfive.Group) return wrapGroup(node as JsfiveGroup, p);
    return null; // a dangling soft link
  };
  return {
    get,
    group(path) {
      const n = get(path);
      if (n && n.kind !== 'group') throw kindError(api, n.field, 'a group', 'a dataset');
      return n;
    },
    dataset(path) {
      const n = get(path);
      if (n && n.kind !== 'dataset') throw kindError(api, n.field, 'a dataset', 'a group');
      return n;
    },
  };
}
