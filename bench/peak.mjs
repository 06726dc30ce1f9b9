// Compiles assembly/peak.ts in memory and measures the wasm SIMD peak of one core: the faster of two loops
// (independent mul + add chains, and the 4x8 GEMM micro-kernel on L1 data), best of repeated 20 ms runs.
import asc from 'assemblyscript/asc';

async function compile() {
  let binary = null;
  const { error, stderr } = await asc.main(
    ['assembly/peak.ts', '--outFile', 'peak.wasm', '-O3', '--runtime', 'stub', '--enable', 'simd', '--use', 'abort=', '--initialMemory', '1'],
    { writeFile: (name, contents) => { if (name.endsWith('.wasm')) binary = contents; } },
  );
  if (error) throw new Error(`bench/peak.mjs: ${error.message}\n${stderr}`);
  return binary;
}

/** { gflops, chains, tile, detail } measured for about `seconds` seconds. */
export async function measurePeak(seconds = 1) {
  const { instance } = await WebAssembly.instantiate(await compile(), {});
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
