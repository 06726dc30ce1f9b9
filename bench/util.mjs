// Small helpers shared by the benches: command-line flags, order statistics of timings, number formats.
const args = process.argv.slice(2);

/** --name given. */
export const flag = (name) => args.includes(`--${name}`);
/** The value of --name=VALUE, or undefined. */
export const opt = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

/** n, median, min, max and the quartiles of a list of timings (nearest-rank). */
export function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
  return { n: s.length, median: q(0.5), min: s[0], max: s[s.length - 1], p25: q(0.25), p75: q(0.75) };
}

/** A number with d decimals below 100, none from 100 up. */
export const fmt = (x, d = 1) => (x >= 100 ? x.toFixed(0) : x.toFixed(d));
/** 1234 -> 1.2k, 1234567 -> 1.23M. */
export const kfmt = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0));
