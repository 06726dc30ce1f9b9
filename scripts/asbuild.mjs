// Compiles assembly/ to build/simple-rnn.wasm with asconfig.json (the release target).
import asc from 'assemblyscript/asc';

const { error, stderr } = await asc.main(['--config', 'asconfig.json', '--target', 'release'], {});
if (error) {
  console.error(stderr.toString());
  console.error(`asbuild: ${error.message}`);
  process.exit(1);
}
