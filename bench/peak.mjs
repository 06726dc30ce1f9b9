// Compiles bench/assembly/peak.ts in memory and measures the wasm SIMD peak of one core: the faster of two loops
// (independent mul + add chains, and the 4x8 GEMM micro-kernel on L1 data), best of repeated 20 ms runs.
// The kernels live under bench/ so that the library's wasm (assembly/, scripts/asbuild.mjs) does not carry them.
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

// asc reads its entry and looks for an asconfig.json in --baseDir: bench/assembly has none, so the library's
// asconfig.json (entries assembly/index.ts) stays out of this module
const baseDir = fileURLToPath(new URL('./assembly/', import.meta.url));

/** The peak module's bytes (nothing is written to disk). */
export async function compilePeak() {
  let binary = null;
  const { error, stderr } = await asc.main(
    ['peak.ts', '--baseDir', baseDir, '--outFile', 'peak.wasm', '-O3', '--runtime', 'stub', '--enable', 'simd', '--use', 'abort=', '--initialMemory', '1'],
    { writeFile: (name, contents) => { if (name.endsWith('.wasm')) binary = contents; } },
  );
  if (error) throw new Error(`bench/peak.mjs: ${error.message}\n${stderr}`);
  return binary;
}

/** { gflops, chains, tile, detail } measured for about `seconds` seconds. */
export async function measurePeak(seconds = 1) {
  const { instance } = await WebAssembly.instantiate(await compilePeak(), {});
  const x = instance.exports;
  const best = { chains: 0, tile: 0 };
  const iters = 400_000;
  const run = (name, f, flops) => {
    const t0 = performance.now();
    f();
    const ms = performance.now() - t0;
    best[name] = Math.max(best[name], (iters * flops) / ms / 1e6);
  };
  for (let k = 0; k < 20; k++) { x.peakChains(10_000, 0.5); x.peakTile(10_000, 64); } // tier up from Liftoff
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    run('chains', () => x.peakChains(iters, 0.5), x.CHAIN_FLOPS.value);
    run('tile', () => x.peakTile(iters, 64), x.TILE_FLOPS.value);
  }
  return { gflops: Math.max(best.chains, best.tile), chains: best.chains, tile: best.tile, detail: `12 mul+add chains ${best.chains.toFixed(1)}, 4x8 micro-kernel on L1 data ${best.tile.toFixed(1)}; best of ${seconds} s` };
}

// `node bench/peak.mjs`: the peak alone (bench/run.mjs measures it as part of every run)
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const p = await measurePeak(1);
  console.log(`peak: ${p.gflops.toFixed(1)} GFLOP/s wasm SIMD on one core (${p.detail})`);
}
