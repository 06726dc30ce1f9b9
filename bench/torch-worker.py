# The PyTorch contender's worker: runs our model's twin in torch and answers JSON lines on stdin/stdout.
#
# Started by bench/torch.mjs (one process per thread count). Every request is one JSON line; every answer is one JSON
# line {"ok": true, ...} or {"ok": false, "error": "..."}; a bad request is answered with an error, never a hang.
# Float data travels as base64 of little-endian float32, integer data as base64 of little-endian int32.
#
#   (on start)  -> {"type": "ready", torch, threads, blas: {...}}     the BLAS that torch's sgemm_ resolves to
#   blas        {shapes: [[M, K, N], ...], seconds}  -> GFLOP/s of torch.mm on each shape
#   init        {config, weights}                    builds the network with our weights and Adam
#   batch       {inputs, targets}                    the training batch (kept on the torch side)
#   step        {n}                                  n training steps: per-step ms, the loss of the first step
#   infer       {n}                                  n forward passes (no grad): per-pass ms, the first one's outputs
#   stream      {tokens, mode, variant, reps}        the per-token loop (batch 1): µs per token
#   quit                                             exits
#
# The mapping (ours -> torch), for Ws (H+D, H) whose rows 0..H-1 multiply s^{t-1} and rows H.. multiply the input:
#   nn.RNN.weight_hh_l0 = Ws[:H]^T     nn.RNN.weight_ih_l0 = Ws[H:]^T     bias_ih_l0 = bs, bias_hh_l0 = 0 (frozen)
#   nn.Linear.weight = Wo^T, bias = bo; loss F.cross_entropy (mean over the B*T steps with returnSequences, else B)
# bias_hh is frozen at 0 so that the one bias that trains is b_s: torch's two biases get the same gradient, and Adam
# would move their sum twice as far as ours moves b_s.
import base64
import ctypes
import ctypes.util
import json
import os
import sys
import time
import traceback

import numpy as np
import torch
import torch.nn.functional as F

OUT = sys.stdout


def send(obj):
    OUT.write(json.dumps(obj) + "\n")
    OUT.flush()


def f32(s, n=None, what="data"):
    a = np.frombuffer(base64.b64decode(s), dtype="<f4")
    if n is not None and a.size != n:
        raise ValueError(f"{what} has {a.size} floats; expected {n}")
    return torch.from_numpy(a.astype(np.float32))


def i32(s, n=None, what="data"):
    a = np.frombuffer(base64.b64decode(s), dtype="<i4")
    if n is not None and a.size != n:
        raise ValueError(f"{what} has {a.size} ints; expected {n}")
    return torch.from_numpy(a.astype(np.int64))


def b64(t):
    return base64.b64encode(t.detach().contiguous().numpy().astype("<f4").tobytes()).decode("ascii")


# ---------- which BLAS ----------


class DlInfo(ctypes.Structure):
    _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p), ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]


def mapped_paths():
    """Every file mapped into this process (/proc/self/maps), once each."""
    paths = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                parts = line.split(maxsplit=5)
                if len(parts) == 6 and parts[5].startswith("/"):
                    paths.add(parts[5].strip())
    except OSError:
        pass
    return sorted(paths)


BLAS_WORDS = ("blas", "lapack", "mkl", "blis", "atlas", "gomp", "libomp", "dnnl")


def sgemm_provider(paths):
    """The file that defines the sgemm_ torch calls: the global scope first, then libtorch_cpu's own dependencies."""
    libdl = ctypes.CDLL(ctypes.util.find_library("dl") or "libc.so.6")
    libdl.dladdr.argtypes = [ctypes.c_void_p, ctypes.POINTER(DlInfo)]
    handles = [ctypes.CDLL(None)]
    handles += [ctypes.CDLL(p) for p in paths if os.path.basename(p).startswith("libtorch_cpu")]
    for h in handles:
        try:
            addr = ctypes.cast(h.sgemm_, ctypes.c_void_p).value
        except AttributeError:
            continue
        info = DlInfo()
        if libdl.dladdr(addr, ctypes.byref(info)) and info.dli_fname:
            return info.dli_fname.decode()
    return None


def blas_info():
    paths = mapped_paths()
    maps = [p for p in paths if any(k in os.path.basename(p) for k in BLAS_WORDS)]
    provider = sgemm_provider(paths)
    real = os.path.realpath(provider) if provider else None
    name = os.path.basename(real or "")
    info = {"sgemmFrom": provider, "sgemmFile": real, "mapped": [{"path": p, "real": os.path.realpath(p)} for p in maps]}
    if real is None:
        info["kind"] = "unknown"
    elif "openblas" in real:
        info["kind"] = "openblas"
        try:
            ob = ctypes.CDLL(real)
            ob.openblas_get_config.restype = ctypes.c_char_p
            ob.openblas_get_corename.restype = ctypes.c_char_p
            info["openblasConfig"] = ob.openblas_get_config().decode()
            info["openblasCore"] = ob.openblas_get_corename().decode()
            info["openblasParallel"] = {0: "sequential", 1: "pthreads", 2: "openmp"}.get(ob.openblas_get_parallel(), "?")
            info["openblasThreads"] = ob.openblas_get_num_threads()
        except (OSError, AttributeError) as e:
            info["openblasConfig"] = f"(not readable: {e})"
    elif "mkl" in name:
        info["kind"] = "mkl"
    elif "blis" in name:
        info["kind"] = "blis"
    elif "atlas" in real:
        info["kind"] = "atlas"
    elif "/blas/" in real or name.startswith("libblas"):
        info["kind"] = "reference"  # Debian's netlib libblas3 lives in .../blas/
    else:
        info["kind"] = "unknown"
    return info


def gemm_rate(shapes, seconds):
    out = []
    with torch.inference_mode():
        for M, K, N in shapes:
            a = torch.randn(M, K)
            b = torch.randn(K, N)
            torch.mm(a, b)
            n = 0
            t0 = time.perf_counter()
            while True:
                torch.mm(a, b)
                n += 1
                dt = time.perf_counter() - t0
                if dt >= seconds and n >= 3:
                    break
            out.append({"M": M, "K": K, "N": N, "gflops": 2 * M * K * N * n / dt / 1e9, "calls": n})
    return out


# ---------- the network ----------


class Net:
    def __init__(self, msg):
        c = msg["config"]
        w = msg["weights"]
        self.V = int(c.get("vocabSize") or 0)
        self.I = int(c.get("inputSize") or 0)
        self.H = H = int(c["hiddenSize"])
        self.O = O = int(c["outputSize"])
        self.T = int(c["T"])
        self.B = int(c["B"])
        self.seq = bool(c.get("returnSequences"))
        self.lm_input = c.get("lmInput", "onehot")
        for k in ("H", "O", "T", "B"):
            if not 0 < getattr(self, k) <= 1 << 16:
                raise ValueError(f"config: {k} = {getattr(self, k)}; expected an integer in [1, 65536]")
        if (self.V > 0) == (self.I > 0):
            raise ValueError("config: exactly one of vocabSize and inputSize must be > 0")
        if self.lm_input not in ("onehot", "embedding"):
            raise ValueError(f"config.lmInput = {self.lm_input!r}; expected 'onehot' or 'embedding'")
        D = self.D = self.V or self.I
        Ws = f32(w["Ws"], (H + D) * H, "weights.Ws").reshape(H + D, H)
        bs = f32(w["bs"], H, "weights.bs")
        Wo = f32(w["Wo"], H * O, "weights.Wo").reshape(H, O)
        bo = f32(w["bo"], O, "weights.bo")
        self.embedding = self.V > 0 and self.lm_input == "embedding"
        if self.embedding:
            # ours for token ids: z = s W_s[:H] + W_s[H + id] + b_s; the same rows looked up here
            self.emb = torch.nn.Parameter(Ws[H:].clone())
            self.Wh = torch.nn.Parameter(Ws[:H].clone())
            self.b = torch.nn.Parameter(bs.clone())
            rnn_params = [self.emb, self.Wh, self.b]
            self.rnn = None
        else:
            self.rnn = torch.nn.RNN(D, H, num_layers=1, nonlinearity="tanh", bias=True, batch_first=True)
            with torch.no_grad():
                self.rnn.weight_hh_l0.copy_(Ws[:H].t())
                self.rnn.weight_ih_l0.copy_(Ws[H:].t())
                self.rnn.bias_ih_l0.copy_(bs)
                self.rnn.bias_hh_l0.zero_()
            self.rnn.bias_hh_l0.requires_grad_(False)
            rnn_params = [self.rnn.weight_ih_l0, self.rnn.weight_hh_l0, self.rnn.bias_ih_l0]
        self.lin = torch.nn.Linear(H, O)
        with torch.no_grad():
            self.lin.weight.copy_(Wo.t())
            self.lin.bias.copy_(bo)
        a = c.get("adam", {})
        self.opt = torch.optim.Adam(
            rnn_params + [self.lin.weight, self.lin.bias], lr=float(a.get("learningRate", 1e-3)),
            betas=(float(a.get("beta1", 0.9)), float(a.get("beta2", 0.999))), eps=float(a.get("epsilon", 1e-8)),
            weight_decay=0.0, amsgrad=False,
        )
        self.x = None

    def set_batch(self, msg):
        B, T, D = self.B, self.T, self.D
        if self.V:
            ids = i32(msg["inputs"], B * T, "inputs").reshape(B, T)
            if ids.min() < 0 or ids.max() >= self.V:
                raise ValueError(f"inputs: token ids must be in [0, {self.V})")
            # one-hot rows built once, as the data (like the TF.js contender); embedding: the ids themselves
            self.x = ids if self.embedding else F.one_hot(ids, self.V).to(torch.float32)
        else:
            self.x = f32(msg["inputs"], B * T * D, "inputs").reshape(B, T, D)
        self.y = i32(msg["targets"], B * T if self.seq else B, "targets")
        if self.y.min() < 0 or self.y.max() >= self.O:
            raise ValueError(f"targets: class ids must be in [0, {self.O})")

    def states(self, x):
        """(all states (B, T, H), final state (B, H))."""
        if self.embedding:
            pre = F.embedding(x, self.emb) + self.b  # (B, T, H)
            h = torch.zeros(x.shape[0], self.H)
            outs = []
            for t in range(x.shape[1]):
                h = torch.tanh(torch.addmm(pre[:, t], h, self.Wh))
                outs.append(h)
            return torch.stack(outs, 1), h
        out, hn = self.rnn(x)
        return out, hn[0]

    def logits(self, x):
        out, last = self.states(x)
        if self.seq:
            return self.lin(out).reshape(-1, self.O)
        return self.lin(last)

    def step(self):
        self.opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(self.logits(self.x), self.y)
        loss.backward()
        self.opt.step()
        return loss.item()

    def infer(self):
        with torch.inference_mode():
            return torch.softmax(self.logits(self.x), -1)

    # ---- per-token loop (batch 1), what a generation loop in torch does ----

    def stream(self, tokens, mode, variant, reps):
        if not self.V:
            raise ValueError("stream needs a token model (vocabSize > 0)")
        if mode not in ("step", "generate"):
            raise ValueError(f"stream.mode = {mode!r}; expected 'step' or 'generate'")
        if variant not in ("cell", "manual"):
            raise ValueError(f"stream.variant = {variant!r}; expected 'cell' or 'manual'")
        H, V = self.H, self.V
        with torch.no_grad():
            if self.rnn is not None:
                Wih, Whh, bih = self.rnn.weight_ih_l0, self.rnn.weight_hh_l0, self.rnn.bias_ih_l0
            else:
                Wih, Whh, bih = self.emb.t(), self.Wh.t(), self.b
            cell = torch.nn.RNNCell(V, H, bias=True, nonlinearity="tanh")
            cell.weight_ih.copy_(Wih)
            cell.weight_hh.copy_(Whh)
            cell.bias_ih.copy_(bih)
            cell.bias_hh.zero_()
            rows = Wih.t().contiguous() + bih  # (V, H): token id -> its input row plus b_s (our row select)
            WhT = Whh.t().contiguous()
            WoT = self.lin.weight.t().contiguous()
            bo = self.lin.bias.detach().clone()
            eye = torch.eye(V)
        n = len(tokens)
        times = []
        last = None
        with torch.inference_mode():
            for _ in range(reps):
                h = torch.zeros(1, H)
                tok = int(tokens[0])
                t0 = time.perf_counter()
                for k in range(n):
                    if mode == "step":
                        tok = int(tokens[k])
                    if variant == "cell":
                        h = cell(eye[tok : tok + 1], h)
                    else:
                        h = torch.tanh(torch.addmm(rows[tok : tok + 1], h, WhT))
                    p = torch.softmax(torch.addmm(bo, h, WoT), -1)
                    if mode == "generate":
                        tok = int(torch.multinomial(p[0], 1).item())
                times.append((time.perf_counter() - t0) * 1e6 / n)
                last = p
        return times, last


# ---------- the loop ----------


def main():
    threads = int(os.environ.get("TORCH_WORKER_THREADS", "1"))
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    ready = {"ok": True, "type": "ready", "torch": torch.__version__, "python": sys.version.split()[0], "threads": torch.get_num_threads(),
             "env": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "LD_LIBRARY_PATH")}}
    try:
        ready["blas"] = blas_info()
    except Exception as e:  # the worker still serves; the JS side sees kind 'unknown'
        ready["blas"] = {"kind": "unknown", "error": f"{type(e).__name__}: {e}"}
    ready["config"] = torch.__config__.show()
    ready["parallel"] = torch.__config__.parallel_info()
    send(ready)
    net = None
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        cmd = None
        try:
            msg = json.loads(line)
            if not isinstance(msg, dict):
                raise ValueError("a request is a JSON object")
            cmd = msg.get("cmd")
            if cmd == "quit":
                send({"ok": True, "cmd": "quit"})
                return
            if cmd == "blas":
                shapes = msg.get("shapes") or [[64, 512, 512]]
                send({"ok": True, "cmd": cmd, "rates": gemm_rate(shapes, float(msg.get("seconds", 0.3)))})
            elif cmd == "init":
                net = None
                net = Net(msg)
                send({"ok": True, "cmd": cmd, "lmInput": net.lm_input if net.V else None, "params": sum(p.numel() for g in net.opt.param_groups for p in g["params"])})
            elif cmd in ("batch", "step", "infer", "stream") and net is None:
                raise ValueError(f"{cmd} before init")
            elif cmd == "batch":
                net.set_batch(msg)
                send({"ok": True, "cmd": cmd})
            elif cmd == "step":
                if net.x is None:
                    raise ValueError("step before batch")
                ms, losses = [], []
                for _ in range(max(1, int(msg.get("n", 1)))):
                    t0 = time.perf_counter()
                    losses.append(net.step())
                    ms.append((time.perf_counter() - t0) * 1e3)
                send({"ok": True, "cmd": cmd, "ms": ms, "loss0": losses[0], "losses": losses})
            elif cmd == "infer":
                if net.x is None:
                    raise ValueError("infer before batch")
                ms, first = [], None
                for _ in range(max(1, int(msg.get("n", 1)))):
                    t0 = time.perf_counter()
                    p = net.infer()
                    ms.append((time.perf_counter() - t0) * 1e3)
                    first = p if first is None else first
                send({"ok": True, "cmd": cmd, "ms": ms, "outputs": b64(first)})
            elif cmd == "stream":
                toks = i32(msg["tokens"]).tolist()
                if not toks or min(toks) < 0 or max(toks) >= (net.V or 1):
                    raise ValueError(f"stream.tokens: expected at least one token id in [0, {net.V})")
                us, last = net.stream(toks, msg.get("mode", "step"), msg.get("variant", "cell"), max(1, int(msg.get("reps", 1))))
                send({"ok": True, "cmd": cmd, "usPerToken": us, "lastOutput": b64(last[0])})
            else:
                raise ValueError(f"unknown cmd {cmd!r}; expected blas, init, batch, step, infer, stream or quit")
        except BrokenPipeError:
            raise
        except Exception as e:
            send({"ok": False, "cmd": cmd, "error": f"{type(e).__name__}: {e}", "trace": traceback.format_exc(limit=3)})


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:  # the JS side went away: nothing left to answer
        sys.exit(0)
