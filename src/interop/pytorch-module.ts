// Writes the Python source of the nn.Module toPytorch generates (SimpleRNNModule, and load / save, which read and write
// safetensors with struct + json): the module computes what the SimpleRNN computes, its config and the file's
// metadata embedded.
import type { PytorchModuleConfig } from './pytorch-format.js';

/** A Python string literal of s (a JSON string literal is one: its escapes are Python's). */
const pyString = (s: string): string => JSON.stringify(s);

/** The Python source of the generated module, its config and the file's metadata embedded. */
export function moduleSource(config: PytorchModuleConfig, metadata: Record<string, string>): string {
  return `# SimpleRNNModule: the PyTorch nn.Module of a simple-rnn model, written by simple-rnn's toPytorch.
#   m = load("model.safetensors")           # the module, its weights loaded, in eval mode
#   logits = m(x, lengths)                   # x (B, T, I) floats or (B, T) int64 ids, batch-first and padded
#   save(m, "trained.safetensors")           # the state_dict as safetensors, for SimpleRNN.fromPytorch
# forward returns logits: (B, O) from each sequence's final state, or (B, T, O) at every step with
# return_sequences (0 at pad steps). Apply CONFIG["output_activation"] (softmax / sigmoid / nothing for linear) to
# get what SimpleRNN.predict returns. Files are read and written with struct + json: no safetensors package needed.
import json
import struct

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

CONFIG = json.loads(${pyString(JSON.stringify(config))})
METADATA = json.loads(${pyString(JSON.stringify(metadata))})

_ACT = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid, "linear": lambda z: z}


def reverse_real_steps(x, lengths):
    """Each sequence's real steps last to first (dim 1); pad steps stay where they are."""
    t = torch.arange(x.shape[1], device=x.device).unsqueeze(0)
    n = lengths.to(x.device).unsqueeze(1)
    idx = torch.where(t < n, n - 1 - t, t)
    if x.dim() == 3:
        idx = idx.unsqueeze(2).expand(-1, -1, x.shape[2])
    return torch.gather(x, 1, idx)


class SimpleRNNModule(nn.Module):
    """embedding (token models) -> rnn (nn.RNN, batch_first) -> linear, as the simple-rnn model it was exported from."""

    def __init__(self, config=CONFIG):
        super().__init__()
        c = self.config = dict(config)
        H, L = list(c["hidden_size"]), c["num_layers"]
        self.dirs = 2 if c["bidirectional"] else 1
        self.width = [2 * h if self.dirs == 2 and c["merge"] == "concat" else h for h in H]
        # nn.RNN computes tanh and relu; for sigmoid and linear it holds the weights and forward runs its own loop
        nl = c["nonlinearity"] if c["nonlinearity"] in ("tanh", "relu") else "tanh"
        if c["embedding_dim"]:
            self.embedding = nn.Embedding(c["vocab_size"], c["embedding_dim"])
            self.embedding.weight.requires_grad_(not c["freeze_embedding"])
        bi = self.dirs == 2
        if c["layout"] == "stack":
            self.rnn = nn.RNN(c["input_size"], H[0], num_layers=L, nonlinearity=nl, batch_first=True, dropout=c["dropout"], bidirectional=bi)
        else:
            ins = [c["input_size"]] + self.width[:-1]
            self.rnn = nn.ModuleList([nn.RNN(ins[l], H[l], nonlinearity=nl, batch_first=True, bidirectional=bi) for l in range(L)])
        self.linear = nn.Linear(self.width[-1], c["output_size"])
        if c["learned_h0"]:
            if c["layout"] == "stack":
                self.h0 = nn.Parameter(torch.zeros(L * self.dirs, 1, H[0]))
            else:
                self.h0 = nn.ParameterList([nn.Parameter(torch.zeros(self.dirs, 1, h)) for h in H])

    def _merge(self, y, h):
        """A bidirectional output (..., 2h), forward half first, merged as the model merges."""
        if self.dirs == 1:
            return y
        a, b = y[..., :h], y[..., h:]
        m = self.config["merge"]
        if m == "concat":
            return y
        if m == "sum":
            return a + b
        if m == "mul":
            return a * b
        return (a + b) / 2

    def _h0(self, l, B):
        """Layer l's initial states (dirs, B, H), or None for zeros."""
        if not self.config["learned_h0"]:
            return None
        h = self.h0[l * self.dirs:(l + 1) * self.dirs] if self.config["layout"] == "stack" else self.h0[l]
        return h.expand(-1, B, -1).contiguous()

    def _weights(self, l, d):
        """Layer l, direction d's (weight_ih, weight_hh, bias_ih, bias_hh)."""
        rnn, k = (self.rnn, l) if self.config["layout"] == "stack" else (self.rnn[l], 0)
        x = "_reverse" if d else ""
        return [getattr(rnn, f"{p}_l{k}{x}") for p in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]

    @staticmethod
    def _mask(shape, p, like):
        """An inverted-dropout mask: 1/(1-p) kept, 0 dropped."""
        return torch.bernoulli(torch.full(shape, 1 - p, dtype=like.dtype, device=like.device)) / (1 - p)

    def _loop(self, l, d, x, lengths, h):
        """One direction of layer l over the padded x, step by step: its outputs (B, T, H) (0 at pads) and final state."""
        c = self.config
        w_ih, w_hh, b_ih, b_hh = self._weights(l, d)
        f = _ACT[c["nonlinearity"]]
        B, T = x.shape[0], x.shape[1]
        real = (torch.arange(T).unsqueeze(0) < lengths.unsqueeze(1)).to(x.device).unsqueeze(2)
        gi = torch.where(real, x, torch.zeros_like(x)) @ w_ih.t() + b_ih
        p = c["recurrent_dropout"]
        r = self._mask((B, h.shape[1]), p, x) if self.training and p > 0 else None
        outs = []
        for t in range(T):
            hn = f(gi[:, t] + (h if r is None else h * r) @ w_hh.t() + b_hh)
            h = torch.where(real[:, t], hn, h)
            outs.append(torch.where(real[:, t], hn, torch.zeros_like(hn)))
        return torch.stack(outs, 1), h

    def _layer(self, l, x, lengths, loop):
        """Layer l over the padded x: its output (B, T, dirs*H) (0 at pads) and final states (dirs, B, H)."""
        B, H = x.shape[0], self.config["hidden_size"][l]
        h0 = self._h0(l, B)
        if not loop:
            packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            out, h_n = self.rnn[l](packed, h0)
            return pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])[0], h_n
        outs, finals = [], []
        for d in range(self.dirs):
            xd = reverse_real_steps(x, lengths) if d else x
            h = h0[d] if h0 is not None else x.new_zeros(B, H)
            o, h = self._loop(l, d, xd, lengths, h)
            outs.append(reverse_real_steps(o, lengths) if d else o)
            finals.append(h)
        return torch.cat(outs, -1), torch.stack(finals)

    def forward(self, x, lengths):
        """x (B, T, I) floats or (B, T) int64 ids, padded; lengths (B,) real steps (>= 1). Returns logits."""
        c = self.config
        lengths = torch.as_tensor(lengths, dtype=torch.int64).cpu()
        B, T = x.shape[0], x.shape[1]
        if c["go_backwards"]:
            x = reverse_real_steps(x, lengths)
        if c["embedding_dim"]:
            x = self.embedding(x)
        if self.training and c["input_dropout"] > 0:
            x = x * self._mask((B, 1, x.shape[2]), c["input_dropout"], x)
        loop = c["nonlinearity"] not in ("tanh", "relu") or (self.training and c["recurrent_dropout"] > 0)
        H = c["hidden_size"]
        if c["layout"] == "stack" and not loop:
            packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            h0 = self.h0.expand(-1, B, -1).contiguous() if c["learned_h0"] else None
            out, h_n = self.rnn(packed, h0)
            y = pad_packed_sequence(out, batch_first=True, total_length=T)[0]
            final = h_n[-self.dirs:]
        else:
            y = x
            for l in range(c["num_layers"]):
                if l > 0:
                    y = self._merge(y, H[l - 1])
                    y = F.dropout(y, c["dropout"], self.training) if c["dropout"] > 0 else y
                y, final = self._layer(l, y, lengths, loop)
        if c["return_sequences"]:
            logits = self.linear(self._merge(y, H[-1]))
            real = (torch.arange(T).unsqueeze(0) < lengths.unsqueeze(1)).to(logits.device).unsqueeze(2)
            return torch.where(real, logits, torch.zeros_like(logits))
        s = final[0] if self.dirs == 1 else self._merge(torch.cat([final[0], final[1]], -1), H[-1])
        return self.linear(s)


_DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    """The tensors {name: tensor} and the metadata of a safetensors file, read with struct + json."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    metadata = header.pop("__metadata__", None)
    body = data[8 + n:]
    tensors = {}
    for name, t in header.items():
        b, e = t["data_offsets"]
        dtype = _DTYPES[t["dtype"]]
        flat = torch.frombuffer(bytearray(body[b:e]), dtype=dtype) if e > b else torch.zeros(0, dtype=dtype)
        tensors[name] = flat.reshape(t["shape"])
    return tensors, metadata


def write_safetensors(tensors, path, metadata=None):
    """Writes {name: tensor} as a safetensors file of float32 tensors, with struct + json."""
    header, chunks, at = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.float32).cpu().contiguous()
        raw = struct.pack(f"<{t.numel()}f", *t.flatten().tolist())
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [at, at + len(raw)]}
        chunks.append(raw)
        at += len(raw)
    head = json.dumps(header).encode()
    head += b" " * (-(8 + len(head)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)) + head + b"".join(chunks))


def load(path, config=CONFIG):
    """A SimpleRNNModule with the weights of the safetensors file at path, in eval mode."""
    module = SimpleRNNModule(config)
    module.load_state_dict(read_safetensors(path)[0])
    return module.eval()


def save(module, path, metadata=METADATA):
    """Writes module's state_dict as safetensors (float32), with the model's config, for SimpleRNN.fromPytorch."""
    write_safetensors(module.state_dict(), path, metadata)
`;
}
