// Assertions shared by the CLI tests.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { allElements, parseXml } from './xml.js';

/** One line on stderr, no stack trace. */
export function expectOneLineError(r: { code: number | null; stderr: string }, pattern: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.code).not.toBeNull();
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^simple-rnn: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

/** Parses an SVG chart and returns its curves' point counts; throws if it is not well-formed. */
export function checkSvg(path: string): number[] {
  const root = parseXml(readFileSync(path, 'utf8'));
  expect(root.name).toBe('svg');
  expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
  const curves = allElements(root).filter((e) => e.name === 'path' || e.name === 'polyline');
  expect(curves.length).toBeGreaterThan(0);
  return curves.map((c) => {
    const nums = (c.attrs.d ?? c.attrs.points ?? '').match(/-?\d+(\.\d+)?/g) ?? [];
    expect(nums.length).toBeGreaterThan(2);
    for (const n of nums) expect(Number.isFinite(Number(n))).toBe(true);
    return nums.length / 2;
  });
}
