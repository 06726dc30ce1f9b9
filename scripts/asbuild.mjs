// Compiles assembly/ with asconfig.json: build/simple-rnn.wasm (the release target) and
// build/simple-rnn-threads.wasm (the threads target: the same kernels on an imported shared memory, src/parallel/,
// plus the column split's kernels: assembly/threads.ts, an entry of this target only) and
// build/simple-rnn-relaxed.wasm (the relaxed target: the GEMM micro-kernels with f32x4.relaxed_madd, create option
// simd: 'relaxed') and build/simple-rnn-threads-relaxed.wasm (both: a model with threads > 1 and simd: 'relaxed').
import asc from 'assemblyscript/asc';

for (const target of ['release', 'threads', 'relaxed', 'threads-relaxed']) {
  const extra = target.startsWith('threads') ? ['assembly/threads.ts'] : [];
  const { error, stderr } = await asc.main([...extra, '--config', 'asconfig.json', '--target', target], {});
  if (error) {
    console.error(stderr.toString());
    console.error(`asbuild (${target}): ${error.message}`);
    process.exit(1);
  }
}
