// simple-rnn/browser: checkpoints in a browser page. Files (download, upload) and IndexedDB, on the bytes of
// model.save() / SimpleRNN.load(bytes). The helpers take and return bytes, so they do not depend on the format.
import { SimpleRNN } from '../model.js';

/** Anything with the checkpoint method of a model: save() returns the checkpoint bytes. */
export interface Saveable {
  save(metadata?: unknown): Uint8Array;
}

/** Default file name of a downloaded checkpoint. */
export const CHECKPOINT_FILE = 'model.simple-rnn';

function needDom(api: string): void {
  if (typeof document === 'undefined') throw new Error(`SimpleRNN.${api}: needs a browser page (document is not defined)`);
}

function checkBytes(api: string, bytes: unknown): Uint8Array {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`SimpleRNN.${api}: bytes must be a Uint8Array; got ${bytes === null ? 'null' : typeof bytes === 'object' ? (bytes as object).constructor?.name : typeof bytes}`);
  }
  return bytes;
}

/** Offers bytes as a file download (an <a download> click on an object URL). */
export function downloadBytes(bytes: Uint8Array, filename: string = CHECKPOINT_FILE): void {
  needDom('downloadBytes');
  checkBytes('downloadBytes', bytes);
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
  downloadBytes(model.save(), filename);
}

/** The bytes of a File or Blob (e.g. from <input type=file> or a drop). */
export async function readFileBytes(file: Blob): Promise<Uint8Array> {
  if (typeof Blob === 'undefined' || !(file instanceof Blob)) {
    throw new TypeError(`SimpleRNN.readFileBytes: file must be a File or Blob; got ${file === null ? 'null' : typeof file}`);
  }
  return new Uint8Array(await file.arrayBuffer());
}

/**
 * Opens the file picker and resolves with the chosen file's bytes, or null when nothing was chosen. Call it from a
 * user gesture (a click handler): browsers block pickers opened otherwise.
 */
export function pickFileBytes(accept = ''): Promise<Uint8Array | null> {
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

export interface StoreOptions {
  /** Database name. Default 'simple-rnn'. */
  dbName?: string;
  /** Object store name. Default 'checkpoints'. */
  storeName?: string;
}

/** One stored checkpoint, as listCheckpoints() describes it. */
export interface StoredCheckpoint {
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

async function withStore<T>(api: string, o: StoreOptions, mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  if (typeof indexedDB === 'undefined') throw new Error(`SimpleRNN.${api}: IndexedDB is not available here`);
  const dbName = o.dbName ?? 'simple-rnn';
  const storeName = o.storeName ?? 'checkpoints';
  const open = indexedDB.open(dbName, 1);
  open.onupgradeneeded = () => {
    if (!open.result.objectStoreNames.contains(storeName)) open.result.createObjectStore(storeName, { keyPath: 'key' });
  };
  const db = await request(open);
  try {
    if (!db.objectStoreNames.contains(storeName)) {
      throw new Error(`SimpleRNN.${api}: database '${dbName}' has no object store '${storeName}'`);
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
  if (typeof key !== 'string' || key.length === 0) throw new TypeError(`SimpleRNN.${api}: key must be a non-empty string; got ${JSON.stringify(key)}`);
  return key;
}

/** Stores checkpoint bytes under a key (replacing what was there); resolves when the transaction has committed. */
export async function saveCheckpoint(key: string, bytes: Uint8Array, options: StoreOptions = {}): Promise<void> {
  checkKey('saveCheckpoint', key);
  checkBytes('saveCheckpoint', bytes);
  const copy = bytes.slice().buffer as ArrayBuffer;
  const rec: Record_ = { key, size: bytes.length, savedAt: Date.now(), bytes: copy };
  await withStore('saveCheckpoint', options, 'readwrite', (s) => s.put(rec));
}

/** The bytes stored under a key, or undefined when there are none. */
export async function loadCheckpoint(key: string, options: StoreOptions = {}): Promise<Uint8Array | undefined> {
  checkKey('loadCheckpoint', key);
  const rec = await withStore<Record_ | undefined>('loadCheckpoint', options, 'readonly', (s) => s.get(key));
  return rec ? new Uint8Array(rec.bytes) : undefined;
}

/** Every stored checkpoint's key, size and time, oldest key first (key order). */
export async function listCheckpoints(options: StoreOptions = {}): Promise<StoredCheckpoint[]> {
  const recs = await withStore<Record_[]>('listCheckpoints', options, 'readonly', (s) => s.getAll());
  return recs.map(({ key, size, savedAt }) => ({ key, size, savedAt }));
}

/** Removes a stored checkpoint (nothing happens when there is none). */
export async function deleteCheckpoint(key: string, options: StoreOptions = {}): Promise<void> {
  checkKey('deleteCheckpoint', key);
  await withStore('deleteCheckpoint', options, 'readwrite', (s) => s.delete(key));
}

/** Saves a model's checkpoint (model.save()) in IndexedDB. */
export async function saveModel(key: string, model: Saveable, options: StoreOptions = {}): Promise<void> {
  await saveCheckpoint(key, model.save(), options);
}

/** Loads a model saved by saveModel; rejects when the key holds nothing. */
export async function loadModel(key: string, options: StoreOptions = {}): Promise<SimpleRNN> {
  const bytes = await loadCheckpoint(key, options);
  if (!bytes) throw new Error(`SimpleRNN.loadModel: no checkpoint is stored under the key ${JSON.stringify(key)}`);
  return SimpleRNN.load(bytes);
}
