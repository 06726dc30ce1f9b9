#!/usr/bin/python3
# Runs models that SimpleRNN's toPytorch exported in real PyTorch, for test/interop/pytorch-live.test.ts: loads each
# with its generated module source, predicts the given padded batch, takes one SGD step on SimpleRNN's loss and
# saves the state_dict with the module's own save(), for fromPytorch to import back.
#
#   /usr/bin/python3 scripts/pytorch-roundtrip.py request.json  > response.json
#
# request: {"cases": [{"name", "module" (path of the .py), "safetensors" (path), "inputs" (padded: (B, T, I) floats
#   or (B, T) ids), "lengths", "targets" (one per real position, sequences in order), "lr", "out" (path to save to),
#   "smoke" (also run forward + backward once in training mode, dropout on)}]}
# response: {"torch": version, "cases": [{"name", "outputs", "loss", "after", "smoke"}]}: outputs after the output
#   activation at the real positions, before the step and after it.
import importlib.util
import json
import math
import sys

import torch
import torch.nn.functional as F


def real_rows(logits, lengths, seq):
    """The logits at the real positions, (N, O): sequences in order, and within one its steps in order."""
    return torch.cat([logits[b, :n] for b, n in enumerate(lengths)], 0) if seq else logits


def loss_of(rows, targets, out):
    """SimpleRNN's loss: the mean over real positions (and over units for sigmoid and linear)."""
    if out == "softmax":
        return F.cross_entropy(rows, torch.tensor(targets, dtype=torch.int64))
    t = torch.tensor(targets, dtype=rows.dtype)
    return F.binary_cross_entropy_with_logits(rows, t) if out == "sigmoid" else F.mse_loss(rows, t)


def apply_out(z, out):
    return torch.softmax(z, -1) if out == "softmax" else torch.sigmoid(z) if out == "sigmoid" else z


def run(k, case):
    spec = importlib.util.spec_from_file_location(f"simple_rnn_export_{k}", case["module"])
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    c = mod.CONFIG
    out_act, seq, lengths = c["output_activation"], c["return_sequences"], case["lengths"]
    m = mod.load(case["safetensors"])
    x = torch.tensor(case["inputs"], dtype=torch.int64 if c["vocab_size"] else torch.float32)
    rows = real_rows(m(x, lengths), lengths, seq)
    outputs = apply_out(rows.detach(), out_act).flatten().tolist()
    loss = loss_of(rows, case["targets"], out_act)
    loss.backward()
    torch.optim.SGD([p for p in m.parameters() if p.requires_grad], lr=case["lr"]).step()
    with torch.no_grad():
        after = apply_out(real_rows(m(x, lengths), lengths, seq), out_act).flatten().tolist()
    mod.save(m, case["out"])
    smoke = None
    if case.get("smoke"):
        # training mode: every dropout of the module runs (recurrent dropout in the module's own loop)
        m.train()
        m.zero_grad()
        torch.manual_seed(0)
        train_rows = real_rows(m(x, lengths), lengths, seq)
        train_loss = loss_of(train_rows, case["targets"], out_act)
        train_loss.backward()
        grads = [p.grad for p in m.parameters() if p.requires_grad]
        with torch.no_grad():
            differs = not torch.equal(train_rows, real_rows(m.eval()(x, lengths), lengths, seq))
        smoke = {"loss": train_loss.item(), "finite": all(g is not None and bool(torch.isfinite(g).all()) for g in grads) and math.isfinite(train_loss.item()), "differs": differs}
    return {"name": case["name"], "outputs": outputs, "loss": loss.item(), "after": after, "smoke": smoke}


def main():
    torch.set_num_threads(1)
    with open(sys.argv[1]) as f:
        request = json.load(f)
    cases = [run(k, c) for k, c in enumerate(request["cases"])]
    json.dump({"torch": torch.__version__, "cases": cases}, sys.stdout)


if __name__ == "__main__":
    main()
