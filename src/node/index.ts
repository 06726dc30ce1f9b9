/**
 * The Node entry (simple-rnn/node): model files on disk in every format the library reads and writes. Use it with
 * the main entry: `import { SimpleRNN } from 'simple-rnn'; import { loadModel, saveModel } from 'simple-rnn/node'`.
 * @module simple-rnn/node
 */
// Public exports only.
export { loadTfjsLayers, saveTfjsLayers } from './tfjs.js';
export {
  loadModel, saveModel, formatOf, MODEL_FORMATS, MAX_FILE_BYTES, loadCheckpoint, saveCheckpoint, loadPytorch, savePytorch, loadOnnx, saveOnnx, loadKeras,
} from './formats.js';
export type { ModelFormat, FormatInfo, LoadModelOptions, SaveModelOptions, SavePytorchOptions } from './formats.js';
