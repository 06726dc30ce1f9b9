// The PyTorch interop's public names, re-exported from its rooms: fromPytorch reads a state_dict saved as safetensors
// (nn.Embedding → nn.RNN → nn.Linear, or an nn.ModuleList of one-layer nn.RNNs) into a SimpleRNN (pytorch-import.ts);
// toPytorch writes a SimpleRNN as such a state_dict plus the Python source of the nn.Module that computes what the
// SimpleRNN computes (pytorch-export.ts, the source from pytorch-module.ts); what both share is in pytorch-format.ts.
export { fromPytorch, type PytorchImportOptions } from './pytorch-import.js';
export { toPytorch, type PytorchExport } from './pytorch-export.js';
export { MODEL_METADATA_KEY, PYTORCH_METADATA_KEY, type PytorchModuleConfig, type PytorchNames } from './pytorch-format.js';
