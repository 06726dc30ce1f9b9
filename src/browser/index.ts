/**
 * Checkpoints in a browser page: file download and upload, and IndexedDB storage, on the bytes of model.save() and
 * SimpleRNN.load(bytes).
 * @module simple-rnn/browser
 */
// simple-rnn/browser: checkpoints in a browser page. Files (download, upload) and IndexedDB, on the bytes of
// model.save() / SimpleRNN.load(bytes). The helpers take and return bytes, so they do not depend on the format.
// Arguments and options are read with the validator kit (src/options.ts): an unknown option key is refused by name.
import { rangeError, stateError, typeError } from '../errors.js';
import { SimpleRNN } from '../model.js';
import { readOptions, str } from '../options.js';

/** Anything with the checkpoint method of a model: save() returns the checkpoint bytes. */
export interface Saveable {
  /** The checkpoint bytes (metadata stored with them, as SimpleRNN.save takes it). */
  save(metadata?: unknown): Uint8Array;
}

/** Default file name of a downloaded checkpoint. */
export const CHECKPOINT_FILE = 'model.simple-rnn';

function needDom(api: string): void {
  if (typeof document === 'undefined') throw stateError(api, 'needs a browser page (document is not defined)');
}

function checkBytes(api: string, bytes: unknown): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw typeError(api, 'bytes', 'a Uint8Array', bytes);
  return bytes;
}

function saveable(api: string, model: unknown): Saveable {
  if (model === null || typeof model !== 'object' || typeof (model as Partial<Saveable>).save !== 'function') {
    throw typeError(api, 'model', 'a model (anything with save())', model);
  }
  return model as Saveable;
}

/** A non-empty string (a key, a name). */
function name(api: string, field: string, v: unknown, dflt?: string): string {
  const s = str(api, field, v, dflt);
  if (s.length === 0) throw rangeError(api, field, 'is empty; expected a non-empty string');
  return s;
}

/** Offers bytes as a file download (an <a download> click on an object URL). */
export function downloadBytes(bytes: Uint8Array, filename: string = CHECKPOINT_FILE): void {
  checkBytes('downloadBytes', bytes);
  filename = name('downloadBytes', 'filename', filename, CHECKPOINT_FILE);
  needDom('downloadBytes');
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Saves a model's checkpoint as a file download. */
export function downloadCheckpoint(model: Saveable, filename: string = CHECKPOINT_FILE): void {
  downloadBytes(saveable('downloadCheckpoint', model).save(), filename);
}

/** The bytes of a File or Blob (e.g. from <input type=file> or a drop). */
export async function readFileBytes(file: Blob): Promise<Uint8Array> {
  if (typeof Blob === 'undefined' || !(file instanceof Blob)) throw typeError('readFileBytes', 'file', 'a File or Blob', file);
  return new Uint8Array(await file.arrayBuffer());
}

/**
 * Opens the file picker and resolves with the chosen file's bytes, or null when nothing was chosen. Call it from a
 * user gesture (a click handler): browsers block pickers opened otherwise.
 */
export function pickFileBytes(accept = ''): Promise<Uint8Array | null> {
  accept = str('pickFileBytes', 'accept', accept, '');
  needDom('pickFileBytes');
  return new Promise((resolve, reject) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = accept;
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      if (!file) resolve(null);
      else readFileBytes(file).then(resolve, reject);
    });
    input.addEventListener('cancel', () => resolve(null));
    input.click();
  });
}

/** Loads a model from an uploaded checkpoint file. */
export async function loadCheckpointFile(file: Blob): Promise<SimpleRNN> {
  return SimpleRNN.load(await readFileBytes(file));
}

// ---- IndexedDB ----

/** Where checkpoints are stored. An unknown key is refused. */
export interface StoreOptions {
  /** Database name. Default 'simple-rnn'. */
  dbName?: string;
  /** Object store name. Default 'checkpoints'. */
  storeName?: string;
}

const STORE_KEYS = ['dbName', 'storeName'] as const;

/** StoreOptions, read once: unknown keys refused, names checked, defaults filled in. */
function resolveStore(api: string, options: unknown): Required<StoreOptions> {
  const o = readOptions(api, options, STORE_KEYS);
  return { dbName: name(api, 'options.dbName', o.dbName, 'simple-rnn'), storeName: name(api, 'options.storeName', o.storeName, 'checkpoints') };
}

/** One stored checkpoint, as listCheckpoints() describes it. */
export interface StoredCheckpoint {
  /** The key it is stored under. */
  key: string;
  /** Byte length of the checkpoint. */
  size: number;
  /** Date.now() when it was saved. */
  savedAt: number;
}

interface Record_ extends StoredCheckpoint {
  bytes: ArrayBuffer;
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

async function withStore<T>(api: string, o: Required<StoreOptions>, mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  if (typeof indexedDB === 'undefined') throw stateError(api, 'IndexedDB is not available here');
  const { dbName, storeName } = o;
  const open = indexedDB.open(dbName, 1);
  open.onupgradeneeded = () => {
    if (!open.result.objectStoreNames.contains(storeName)) open.result.createObjectStore(storeName, { keyPath: 'key' });
  };
  const db = await request(open);
  try {
    if (!db.objectStoreNames.contains(storeName)) {
      throw stateError(api, `database '${dbName}' has no object store '${storeName}'`);
    }
    const tx = db.transaction(storeName, mode);
    const result = await request(fn(tx.objectStore(storeName)));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
    return result;
  } finally {
    db.close();
  }
}

function checkKey(api: string, key: unknown): string {
  return name(api, 'key', key);
}

/** Stores checkpoint bytes under a key (replacing what was there); resolves when the transaction has committed. */
export async function saveCheckpoint(key: string, bytes: Uint8Array, options?: StoreOptions): Promise<void> {
  const api = 'saveCheckpoint';
  checkKey(api, key);
  checkBytes(api, bytes);
  const o = resolveStore(api, options);
  const copy = bytes.slice().buffer as ArrayBuffer;
  const rec: Record_ = { key, size: bytes.length, savedAt: Date.now(), bytes: copy };
  await withStore(api, o, 'readwrite', (s) => s.put(rec));
}

/** The bytes stored under a key, or undefined when there are none. */
export async function loadCheckpoint(key: string, options?: StoreOptions): Promise<Uint8Array | undefined> {
  const api = 'loadCheckpoint';
  checkKey(api, key);
  const rec = await withStore<Record_ | undefined>(api, resolveStore(api, options), 'readonly', (s) => s.get(key));
  return rec ? new Uint8Array(rec.bytes) : undefined;
}

/** Every stored checkpoint's key, size and time, oldest key first (key order). */
export async function listCheckpoints(options?: StoreOptions): Promise<StoredCheckpoint[]> {
  const api = 'listCheckpoints';
  const recs = await withStore<Record_[]>(api, resolveStore(api, options), 'readonly', (s) => s.getAll());
  return recs.map(({ key, size, savedAt }) => ({ key, size, savedAt }));
}

/** Removes a stored checkpoint (nothing happens when there is none). */
export async function deleteCheckpoint(key: string, options?: StoreOptions): Promise<void> {
  const api = 'deleteCheckpoint';
  checkKey(api, key);
  await withStore(api, resolveStore(api, options), 'readwrite', (s) => s.delete(key));
}

/** Saves a model's checkpoint (model.save()) in IndexedDB. */
export async function saveModel(key: string, model: Saveable, options?: StoreOptions): Promise<void> {
  const api = 'saveModel';
  checkKey(api, key);
  saveable(api, model);
  const o = resolveStore(api, options);
  await saveCheckpoint(key, model.save(), o);
}

/** Loads a model saved by saveModel; rejects when the key holds nothing. */
export async function loadModel(key: string, options?: StoreOptions): Promise<SimpleRNN> {
  const api = 'loadModel';
  checkKey(api, key);
  const bytes = await loadCheckpoint(key, resolveStore(api, options));
  if (!bytes) throw stateError(api, `no checkpoint is stored under the key ${JSON.stringify(key)}`);
  return SimpleRNN.load(bytes);
}
