#!/usr/bin/python3
# Writes test/fixtures/pytorch/: small seeded PyTorch models (nn.Embedding -> nn.RNN -> nn.Linear, written the way a
# user writes them) saved as safetensors, each with a JSON of its inputs, PyTorch's outputs and the gradients of
# every state_dict tensor under the loss SimpleRNN trains with. test/interop/pytorch.test.ts imports them.
#
#   /usr/bin/python3 scripts/pytorch-fixtures.py [out_dir]      (needs torch; no safetensors package)
#
# The loss is ours (src/train.ts, assembly/loss.ts), a mean over the real positions (sequences, or every real step
# of every sequence with return_sequences): softmax -> cross-entropy; sigmoid -> binary cross-entropy on the logits,
# averaged over the O units; linear -> squared error averaged over the O units. The safetensors files are written
# with struct + json (the format: an 8-byte little-endian header length, the JSON header, the data).
import json
import os
import struct
import sys

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "pytorch")


class Net(nn.Module):
    """[embedding] -> rnn (one nn.RNN, or an nn.ModuleList of one-layer nn.RNNs) -> linear, with an optional learned h0."""

    def __init__(self, s):
        super().__init__()
        self.s = s
        n = s.get("names", {})
        self.names = {k: n.get(k, k) for k in ("embedding", "rnn", "linear", "h0")}
        H, L, bi = s["hidden"], len(s["hidden"]), s.get("bidirectional", False)
        self.dirs = 2 if bi else 1
        kw = dict(nonlinearity=s.get("nonlinearity", "tanh"), bias=s.get("bias", True), batch_first=True, bidirectional=bi)
        In = s["embedding"][1] if "embedding" in s else s["input_size"]
        if "embedding" in s:
            setattr(self, self.names["embedding"], nn.Embedding(*s["embedding"]))
        if s.get("module_list"):
            ins = [In] + [self.dirs * h for h in H[:-1]]
            rnn = nn.ModuleList([nn.RNN(ins[l], H[l], **kw) for l in range(L)])
        else:
            assert all(h == H[0] for h in H)
            rnn = nn.RNN(In, H[0], num_layers=L, **kw)
        setattr(self, self.names["rnn"], rnn)
        setattr(self, self.names["linear"], nn.Linear(self.dirs * H[-1], s["output_size"], bias=s.get("linear_bias", True)))
        if s.get("h0"):
            setattr(self, self.names["h0"], nn.Parameter(0.5 * torch.randn(L * self.dirs, 1, H[0])))

    def forward(self, x, lengths):
        s, g = self.s, lambda k: getattr(self, self.names[k])
        B, T = x.shape[0], x.shape[1]
        if "embedding" in s:
            x = g("embedding")(x)
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        if s.get("module_list"):
            for rnn in g("rnn"):
                packed, h_n = rnn(packed)
        else:
            h0 = g("h0").expand(-1, B, -1).contiguous() if s.get("h0") else None
            packed, h_n = g("rnn")(packed, h0)
        if s.get("return_sequences"):
            y, _ = pad_packed_sequence(packed, batch_first=True, total_length=T)
            return g("linear")(y)
        return g("linear")(torch.cat([h_n[-self.dirs + d] for d in range(self.dirs)], -1))


def real_rows(logits, lengths, seq):
    """The logits at the real positions, (N, O): sequences in order, and within one its steps in order."""
    if not seq:
        return logits
    return torch.cat([logits[b, :n] for b, n in enumerate(lengths)], 0)


def loss_of(rows, targets, out):
    if out == "softmax":
        return F.cross_entropy(rows, targets)
    if out == "sigmoid":
        return F.binary_cross_entropy_with_logits(rows, targets)
    return F.mse_loss(rows, targets)


def apply_out(z, out):
    return torch.softmax(z, -1) if out == "softmax" else torch.sigmoid(z) if out == "sigmoid" else z


def write_safetensors(path, tensors, metadata=None, dtype="F32"):
    fmt, torch_dtype = {"F32": ("f", torch.float32), "F64": ("d", torch.float64)}[dtype]
    header, chunks, at = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch_dtype).contiguous()
        raw = struct.pack(f"<{t.numel()}{fmt}", *t.flatten().tolist())
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [at, at + len(raw)]}
        chunks.append(raw)
        at += len(raw)
    head = json.dumps(header).encode()
    head += b" " * (-(8 + len(head)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)) + head + b"".join(chunks))


# name, spec, lengths of the padded batch; `options` are fromPytorch's options for the file
CASES = [
    ("rnn1_tanh", dict(input_size=3, hidden=[5], output_size=4, out="softmax"), [4, 2, 3]),
    ("rnn1_relu_seq", dict(input_size=2, hidden=[6], output_size=3, out="softmax", nonlinearity="relu", return_sequences=True), [5, 3, 1]),
    ("rnn2_bi", dict(input_size=3, hidden=[4, 4], output_size=2, out="sigmoid", bidirectional=True), [6, 4, 2]),
    ("rnn3_bi_relu_seq", dict(input_size=2, hidden=[3, 3, 3], output_size=2, out="linear", bidirectional=True, nonlinearity="relu", return_sequences=True), [4, 4, 2]),
    ("rnn2_nobias", dict(input_size=3, hidden=[5, 5], output_size=3, out="softmax", bias=False, linear_bias=False), [3, 5]),
    ("emb_rnn1", dict(embedding=[7, 4], hidden=[5], output_size=3, out="softmax"), [5, 2, 4]),
    ("emb_rnn2_bi_relu_seq", dict(embedding=[6, 3], hidden=[4, 4], output_size=3, out="softmax", bidirectional=True, nonlinearity="relu", return_sequences=True), [4, 3]),
    ("emb_select_bi", dict(embedding=[5, 6], hidden=[3], output_size=2, out="softmax", bidirectional=True, select=True), [4, 1, 3]),
    ("named_h0_bi2", dict(input_size=3, hidden=[4, 4], output_size=3, out="softmax", bidirectional=True, h0=True, names=dict(rnn="encoder", linear="fc", h0="init")), [3, 5, 1]),
    ("list_sizes_seq", dict(input_size=2, hidden=[5, 3], output_size=2, out="linear", module_list=True, return_sequences=True), [4, 2]),
    ("rnn1_f64", dict(input_size=2, hidden=[3], output_size=2, out="softmax", dtype="F64", metadata={"format": "pt"}), [3, 2]),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    for k, (name, s, lengths) in enumerate(CASES):
        torch.manual_seed(100 + k)
        net = Net(s)
        if s.get("select"):
            # the shape toPytorch writes for a token model without E: weight_ih_l0 selects each direction's columns
            H = s["hidden"][0]
            with torch.no_grad():
                for d, x in enumerate(["", "_reverse"]):
                    w = getattr(net.rnn, f"weight_ih_l0{x}")
                    w.zero_()
                    w[:, d * H:(d + 1) * H] = torch.eye(H)
        if s.get("dtype") == "F64":
            net = net.double()
        dtype = torch.float64 if s.get("dtype") == "F64" else torch.float32
        B, T, O = len(lengths), max(lengths), s["output_size"]
        if "embedding" in s:
            x = torch.randint(0, s["embedding"][0], (B, T))
        else:
            x = torch.rand(B, T, s["input_size"], dtype=dtype) * 2 - 1
        for b, n in enumerate(lengths):
            x[b, n:] = 0  # padding (never read: pack_padded_sequence drops it)
        seq = s.get("return_sequences", False)
        N = sum(lengths) if seq else B
        if s["out"] == "softmax":
            targets = torch.randint(0, O, (N,))
        else:
            targets = torch.rand(N, O, dtype=dtype)
        logits = net(x, lengths)
        rows = real_rows(logits, lengths, seq)
        loss = loss_of(rows, targets, s["out"])
        loss.backward()
        sd = net.state_dict()
        params = dict(net.named_parameters())
        write_safetensors(os.path.join(OUT, f"{name}.safetensors"), sd, s.get("metadata"), s.get("dtype", "F32"))

        def per_sequence(v):
            """Rows (N, ...) back to one list per sequence (return_sequences) or one item per sequence."""
            v = v.tolist()
            if not seq:
                return v
            out, at = [], 0
            for n in lengths:
                out.append(v[at:at + n])
                at += n
            return out

        options = {"outputActivation": s["out"]}
        if s.get("nonlinearity", "tanh") != "tanh":
            options["activation"] = s["nonlinearity"]
        if seq:
            options["returnSequences"] = True
        if s.get("names"):
            options["names"] = s["names"]
        doc = {
            "name": name,
            "torch": torch.__version__,
            "options": options,
            "tokens": "embedding" in s,
            "lengths": lengths,
            "inputs": [x[b, :n].tolist() for b, n in enumerate(lengths)],
            "logits": per_sequence(rows.detach()),
            "outputs": per_sequence(apply_out(rows.detach(), s["out"])),
            "targets": per_sequence(targets),
            "loss": loss.item(),
            "grads": {n: p.grad.flatten().tolist() for n, p in params.items()},
        }
        with open(os.path.join(OUT, f"{name}.json"), "w") as f:
            json.dump(doc, f, separators=(",", ":"))
            f.write("\n")
        print(f"{name}: {sum(t.numel() for t in sd.values())} floats, loss {loss.item():.6f}")


if __name__ == "__main__":
    main()
