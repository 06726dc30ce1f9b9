// Shared test helpers: tolerance checks that report where they fail, and seeded data.
import { expect } from 'vitest';
import { Rng } from '../src/random.js';
import { SimpleRNN } from '../src/model.js';

export const BACKENDS = ['wasm', 'js'] as const;

export interface Tol {
  atol: number;
  rtol: number;
  label?: string;
}

/**
 * Passes when |a - e| <= atol + rtol * |e| everywhere. Shape mismatch fails first; then the message gives the max
 * difference and the first 5 bad indices (llm.c check_tensor, tinygrad compare).
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tol): void {
  const label = tol.label ?? 'tensor';
  expect(actual.length, `${label}: length`).toBe(expected.length);
  let maxDiff = 0;
  const bad: string[] = [];
  for (let k = 0; k < expected.length; k++) {
    const a = actual[k];
    const e = expected[k];
    const d = Math.abs(a - e);
    if (!(d <= tol.atol + tol.rtol * Math.abs(e))) {
      if (bad.length < 5) bad.push(`[${k}] ${a} vs ${e}`);
      else if (bad.length === 5) bad.push('…');
    }
    if (d > maxDiff || Number.isNaN(d)) maxDiff = Number.isNaN(d) ? NaN : d;
  }
  expect(bad, `${label}: maxdiff ${maxDiff} (atol ${tol.atol}, rtol ${tol.rtol}); first bad: ${bad.join(', ')}`).toEqual([]);
}

export function flat(x: unknown): number[] {
  return Array.isArray(x) ? x.flatMap(flat) : ArrayBuffer.isView(x) ? Array.from(x as unknown as ArrayLike<number>) : [x as number];
}

/**
 * expectClose over arrays of any nesting (flattened), keeping the largest |actual - expected| seen in each group: the
 * measured margins an interop test prints beside its tolerance after its tests.
 */
export class Margins {
  private readonly worst: Record<string, number> = {};

  check(actual: unknown, expected: unknown, tol: Tol, group: string): void {
    const a = flat(actual);
    const e = flat(expected);
    for (let k = 0; k < Math.min(a.length, e.length); k++) this.worst[group] = Math.max(this.worst[group] ?? 0, Math.abs(a[k] - e[k]));
    expectClose(a, e, tol);
  }

  /** One line per group, sorted by name: the group, then its largest difference; '' when nothing was checked. */
  table(): string {
    const groups = Object.keys(this.worst).sort();
    const width = Math.max(0, ...groups.map((g) => g.length)) + 2;
    return groups.map((g) => `  ${g.padEnd(width)} ${this.worst[g].toExponential(2)}`).join('\n');
  }
}

/**
 * A model left as it was (its saved bytes are `before`) that trains on as a fresh copy of `before` does: the same
 * loss and the same bytes after one step (what a failed step on threads must leave behind).
 */
export async function expectUnchangedThenTrainsAsLoaded(m: SimpleRNN, before: Uint8Array, inputs: unknown, targets: unknown): Promise<void> {
  expect(Buffer.from(m.save()).equals(Buffer.from(before))).toBe(true);
  const ref = await SimpleRNN.load(before);
  try {
    expect(m.trainBatch(inputs as never, targets as never)).toBe(ref.trainBatch(inputs as never, targets as never));
    expect(Buffer.from(m.save()).equals(Buffer.from(ref.save()))).toBe(true);
  } finally {
    ref.dispose();
  }
}

/** A ragged batch of dense sequences with the given lengths, values in [-1, 1). */
export function denseBatch(rng: Rng, lengths: number[], I: number): number[][][] {
  return lengths.map((T) => Array.from({ length: T }, () => Array.from({ length: I }, () => 2 * rng.uniform() - 1)));
}

/** A ragged batch of token sequences with ids in [0, V). */
export function tokenBatch(rng: Rng, lengths: number[], V: number): number[][] {
  return lengths.map((T) => Array.from({ length: T }, () => rng.int(V)));
}

/** An options object whose every key is a getter that counts its reads (the read-once rule of src/options.ts). */
export function counted<T extends object>(o: T): { o: T; reads: Record<string, number> } {
  const reads: Record<string, number> = {};
  const out = {} as T;
  for (const [k, v] of Object.entries(o)) {
    reads[k] = 0;
    Object.defineProperty(out, k, { enumerable: true, get: () => (reads[k]++, v) });
  }
  return { o: out, reads };
}

/** Every counted option was read exactly once. */
export function expectAllOnce(reads: Record<string, number>): void {
  for (const [k, n] of Object.entries(reads)) expect(n, `options.${k} was read ${n} times`).toBe(1);
}
