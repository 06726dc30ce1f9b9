# Writes the ONNX fixtures of test/interop/onnx.test.ts: small seeded PyTorch models ([nn.Embedding ->] nn.RNN with
# batch_first -> nn.Linear), each exported with torch.onnx.export (opset 14, dynamic batch and time axes) as
# test/fixtures/onnx/<name>.onnx, and <name>.json holding the inputs and what torch computes for them: the outputs,
# the final states h_n (one row per sequence, in simple-rnn's state order), and for some models a ragged batch run
# through pack_padded_sequence (the padding rule simple-rnn implements).
#
# Run from the repository root:  python3 scripts/onnx-fixtures.py   (PyTorch 1.13 or later; the onnx package is not needed)
import io
import json
import os
import sys

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'onnx')


class Model(nn.Module):
    """[Embedding ->] RNN (batch_first) -> Linear, reading h_n (many-to-one), out[:, -1] or the whole sequence."""

    def __init__(self, inp, hidden, layers, out, nonlinearity='tanh', bidirectional=False, vocab=None,
                 read='h_n', head_activation=None, bias=True):
        super().__init__()
        self.emb = nn.Embedding(vocab, inp) if vocab else None
        self.rnn = nn.RNN(inp, hidden, num_layers=layers, nonlinearity=nonlinearity, bidirectional=bidirectional,
                          batch_first=True, bias=bias)
        self.lin = nn.Linear(hidden * (2 if bidirectional else 1), out, bias=bias)
        self.read = read
        self.head_activation = head_activation
        self.bidirectional = bidirectional

    def head(self, z):
        y = self.lin(z)
        if self.head_activation == 'softmax':
            y = torch.softmax(y, dim=-1)
        elif self.head_activation == 'sigmoid':
            y = torch.sigmoid(y)
        return y

    def top(self, h):
        """The top layer's final states, both directions joined (what simple-rnn's many-to-one head reads)."""
        return torch.cat([h[-2], h[-1]], dim=1) if self.bidirectional else h[-1]

    def forward(self, x):
        if self.emb is not None:
            x = self.emb(x)
        y, h = self.rnn(x)
        if self.read == 'sequence':
            return self.head(y)
        if self.read == 'last':
            return self.head(y[:, -1])
        return self.head(self.top(h))

    def ragged(self, xs):
        """Outputs and final states of sequences of different lengths, through pack_padded_sequence."""
        lengths = torch.tensor([len(x) for x in xs])
        padded = nn.utils.rnn.pad_sequence(xs, batch_first=True)
        if self.emb is not None:
            padded = self.emb(padded)
        packed = pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False)
        y, h = self.rnn(packed)
        if self.read == 'sequence':
            y, _ = pad_packed_sequence(y, batch_first=True)
            out = self.head(y)
            outputs = [out[b, :n].tolist() for b, n in enumerate(lengths.tolist())]
        else:
            outputs = self.head(self.top(h)).tolist()
        return outputs, states(h)


def states(h):
    """h_n (layers * dirs, B, H) as one row per sequence: layer 0 forward, layer 0 reverse, layer 1 forward, ..."""
    return h.permute(1, 0, 2).reshape(h.shape[1], -1).tolist()


FIXTURES = [
    # name, seed, constructor arguments, batch, time, ragged lengths (or None), what it covers
    ('rnn1_tanh', 1, dict(inp=3, hidden=5, layers=1, out=4), 3, 6, [6, 2, 4], 'one tanh layer, h_n -> Linear (Gemm)'),
    ('rnn2_relu', 2, dict(inp=4, hidden=6, layers=2, out=3, nonlinearity='relu'), 3, 5, None, 'two relu layers, h_n[-1] -> Linear'),
    ('birnn2_tanh', 3, dict(inp=3, hidden=4, layers=2, out=3, bidirectional=True), 3, 6, [6, 3, 1],
     'two bidirectional layers, cat(h_n[-2], h_n[-1]) -> Linear'),
    ('emb_rnn1_seq', 4, dict(inp=4, hidden=5, layers=1, out=3, vocab=11, read='sequence'), 2, 7, [7, 3],
     'Embedding -> one tanh layer -> Linear at every step (MatMul + Add)'),
    ('emb_birnn1_seq_relu', 5, dict(inp=3, hidden=4, layers=1, out=3, vocab=9, read='sequence', nonlinearity='relu',
                                    bidirectional=True), 3, 5, [5, 2, 4],
     'Embedding -> one bidirectional relu layer -> Linear at every step'),
    ('rnn3_seq_softmax', 6, dict(inp=2, hidden=4, layers=3, out=3, read='sequence', head_activation='softmax'), 2, 5,
     [5, 3], 'three tanh layers -> Linear -> softmax at every step'),
    ('rnn1_last_sigmoid_nobias', 7, dict(inp=3, hidden=4, layers=1, out=2, read='last', head_activation='sigmoid',
                                         bias=False), 3, 4, None, 'no biases, out[:, -1] -> Linear -> sigmoid'),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, seed, args, B, T, lengths, what in FIXTURES:
        torch.manual_seed(seed)
        model = Model(**args).eval()
        vocab = args.get('vocab')
        x = torch.randint(0, vocab, (B, T)) if vocab else torch.rand(B, T, args['inp']) * 2 - 1
        with torch.no_grad():
            y = model(x)
            _, h = model.rnn(model.emb(x) if vocab else x)
            record = {
                'name': name,
                'what': what,
                'torch': torch.__version__,
                'tokens': bool(vocab),
                'inputs': x.tolist(),
                'outputs': y.tolist(),
                'states': states(h),
            }
            if lengths:
                xs = [x[b, :n] for b, n in enumerate(lengths)]
                outputs, st = model.ragged(xs)
                record['ragged'] = {'inputs': [s.tolist() for s in xs], 'outputs': outputs, 'states': st}
        buf = io.BytesIO()
        axes = {'input': {0: 'batch', 1: 'time'}, 'output': {0: 'batch', 1: 'time'} if args.get('read') == 'sequence' else {0: 'batch'}}
        torch.onnx.export(model, (x,), buf, opset_version=14, input_names=['input'], output_names=['output'],
                          dynamic_axes=axes)
        with open(os.path.join(OUT, f'{name}.onnx'), 'wb') as f:
            f.write(buf.getvalue())
        with open(os.path.join(OUT, f'{name}.json'), 'w') as f:
            json.dump(record, f)
            f.write('\n')
        print(f'{name}: {len(buf.getvalue())} bytes of ONNX ({what})', file=sys.stderr)


if __name__ == '__main__':
    main()
