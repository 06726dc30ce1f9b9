// The chart and argument helpers of the CLI, without spawning it.
import { describe, expect, it } from 'vitest';
import { parseSeconds } from '../../src/cli/args.js';
import { downsample, niceTicks, smooth, svgChart, textPlot } from '../../src/cli/plot.js';
import { allElements, parseXml } from './xml.js';

describe('smooth', () => {
  it('does not lag: a straight line stays where it is (an exponential average would fall behind)', () => {
    const line = Array.from({ length: 200 }, (_, k) => [k, 5 - 0.02 * k] as [number, number]);
    for (const [[x, y], [x2, y2]] of line.map((p, k) => [p, smooth(line, 0.05)[k]])) {
      expect(x2).toBe(x);
      expect(y2).toBeCloseTo(y, 10);
    }
  });

  it('averages noise away', () => {
    const noisy = Array.from({ length: 400 }, (_, k) => [k, 1 + (k % 2 ? 0.5 : -0.5)] as [number, number]);
    const s = smooth(noisy, 0.02).slice(10, -10);
    for (const [, y] of s) expect(Math.abs(y - 1)).toBeLessThan(0.1);
  });
});

describe('axes', () => {
  it('niceTicks are steps of 1, 2 or 5 times a power of ten, inside the range', () => {
    expect(niceTicks(0, 5628, 7)).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    expect(niceTicks(1.63, 4.27)).toEqual([2, 2.5, 3, 3.5, 4]);
    expect(niceTicks(0, 0.03)).toEqual([0, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03]);
  });

  it('downsample keeps the count bounded and the mean', () => {
    const pts = Array.from({ length: 10000 }, (_, k) => [k, k % 10] as [number, number]);
    const d = downsample(pts, 500);
    expect(d).toHaveLength(500);
    expect(d.reduce((a, p) => a + p[1], 0) / d.length).toBeCloseTo(4.5, 6);
  });
});

describe('svgChart', () => {
  const series = [
    { name: 'loss & <friends>', points: Array.from({ length: 50 }, (_, k) => [k, 3 * Math.exp(-k / 5)] as [number, number]), color: '#0969da' },
    { name: 'validation', points: [[0, 3], [25, 0.1], [49, 0.002]] as [number, number][], color: '#cf222e', markers: true },
  ];

  it('is well-formed with markup characters in the text, and picks a log axis for a loss spanning decades', () => {
    const svg = svgChart(series, { title: 'A < B & "C"', xLabel: 'step', yLabel: 'loss' });
    const root = parseXml(svg);
    const texts = allElements(root).filter((e) => e.name === 'text').map((e) => e.text);
    expect(texts).toContain('A &lt; B &amp; &quot;C&quot;');
    expect(texts).toContain('loss (log scale)');
    expect(allElements(root).filter((e) => e.name === 'path')).toHaveLength(2);
    expect(allElements(root).filter((e) => e.name === 'circle')).toHaveLength(3);
  });

  it('stays linear for a curve within one decade, and survives a single point', () => {
    const root = parseXml(svgChart([{ name: 'a', points: [[0, 2], [10, 1.5]], color: '#000' }], { title: 't', xLabel: 'x', yLabel: 'y' }));
    expect(allElements(root).some((e) => e.name === 'text' && e.text === 'y')).toBe(true);
    expect(() => parseXml(svgChart([{ name: 'a', points: [[3, 1]], color: '#000' }], { title: 't', xLabel: 'x', yLabel: 'y' }))).not.toThrow();
  });
});

describe('textPlot', () => {
  it('draws a falling curve: the first column is full, the last is the lowest', () => {
    const rows = textPlot(Array.from({ length: 100 }, (_, k) => 2 - k / 100), 20, 4);
    expect(rows).toHaveLength(4);
    const cols = rows.map((r) => r.slice(r.indexOf('┤') + 1));
    expect(cols.every((c) => c[0] === '█')).toBe(true);
    expect(cols[0].at(-1)).toBe(' ');
  });
});

describe('parseSeconds', () => {
  it('reads plain seconds and s/m/h suffixes, and refuses the rest', () => {
    expect(parseSeconds('90')).toBe(90);
    expect(parseSeconds('45s')).toBe(45);
    expect(parseSeconds('2m')).toBe(120);
    expect(parseSeconds('1.5h')).toBe(5400);
    expect(parseSeconds('soon')).toBeNaN();
    expect(parseSeconds('-3s')).toBeNaN();
  });
});
