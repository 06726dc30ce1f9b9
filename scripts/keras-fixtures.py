# Writes the Keras-file fixtures of test/interop/keras-file.test.ts into test/fixtures/keras/, with h5py and zipfile.
#
# No Keras runs here: each file is laid out as Keras's own saving code lays it out, read from its source:
#   .keras (Keras 3.16.0, keras/src/saving/saving_lib.py): a zip (zipfile's default, stored) of metadata.json
#     {keras_version, date_saved}, config.json (serialize_keras_object: {module, class_name, config, registered_name,
#     build_config}) and model.weights.h5 (H5IOStore): one group per saveable at its path, `<path>/vars` holding its
#     own variables as datasets "0", "1", ... and an attribute `name`; layers at `layers/<snake_case(class)>[_n]`
#     (_get_unique_name over model.layers), a SimpleRNN's weights in its `cell/vars`, a Bidirectional's in
#     `forward_layer/cell/vars` and `backward_layer/cell/vars`, the model's own (none) in the root `vars`.
#   legacy .h5 (tf.keras 2.x tf_keras/saving/legacy/hdf5_format.py, and Keras 3.16.0
#     keras/src/legacy/saving/legacy_h5_format.py): root attributes keras_version, backend and model_config (the JSON
#     of {class_name, config}); group model_weights with attributes layer_names, backend, keras_version; per layer a
#     group with attribute weight_names, each weight a dataset at that (nested) name, and top_level_model_weights.
# Every model has seeded float32 weights; next to each file, <name>.json holds the weights in Keras's get_weights()
# order as plain lists, a few inputs and their masking, so the tests can build the same model in TF.js.
#
#   /usr/bin/python3 scripts/keras-fixtures.py          (Debian's python3-h5py and python3-numpy)
import io
import json
import os
import zipfile

import h5py
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "keras")
KERAS3 = "3.16.0"
TF_KERAS = "2.15.0"
DATE = "2026-12-01@10:00:00"


# ---- Keras 3 config.json (serialize_keras_object) ----

def ser(module, cls, config, registered=None, **extra):
    out = {"module": module, "class_name": cls, "config": config, "registered_name": registered}
    out.update(extra)
    return out


def policy():
    return ser("keras", "DTypePolicy", {"name": "float32"})


def init(cls, **config):
    return ser("keras.initializers", cls, {"seed": None, **config})


ZEROS = ser("keras.initializers", "Zeros", {})


def base(name):
    return {"name": name, "trainable": True, "dtype": policy()}


def input_layer(shape, dtype="float32", name="input_layer"):
    return ser("keras.layers", "InputLayer", {
        "batch_shape": [None, *shape], "dtype": dtype, "sparse": False, "ragged": False, "name": name, "optional": False,
    })


def simple_rnn(name, units, in_shape, activation="tanh", use_bias=True, return_sequences=False, go_backwards=False,
               dropout=0.0, recurrent_dropout=0.0):
    config = {
        **base(name),
        "return_sequences": return_sequences, "return_state": False, "go_backwards": go_backwards, "stateful": False,
        "unroll": False, "zero_output_for_mask": False,
        "units": units, "activation": activation, "use_bias": use_bias,
        "kernel_initializer": init("GlorotUniform"), "recurrent_initializer": init("Orthogonal", gain=1.0),
        "bias_initializer": ZEROS, "kernel_regularizer": None, "recurrent_regularizer": None, "bias_regularizer": None,
        "activity_regularizer": None, "kernel_constraint": None, "recurrent_constraint": None, "bias_constraint": None,
        "dropout": dropout, "recurrent_dropout": recurrent_dropout,
    }
    return ser("keras.layers", "SimpleRNN", config, build_config={"input_shape": in_shape})


def bidirectional(name, inner, merge_mode, in_shape):
    """Bidirectional(inner): Keras re-creates the layer as forward_<name> and backward_<name> (go_backwards flipped)."""
    fwd = json.loads(json.dumps(inner))
    fwd["config"]["name"] = "forward_" + inner["config"]["name"]
    bwd = json.loads(json.dumps(inner))
    bwd["config"]["name"] = "backward_" + inner["config"]["name"]
    bwd["config"]["go_backwards"] = not inner["config"]["go_backwards"]
    if inner["config"]["return_sequences"]:  # Bidirectional forces zero_output_for_mask = return_sequences
        fwd["config"]["zero_output_for_mask"] = bwd["config"]["zero_output_for_mask"] = True
    config = {**base(name), "merge_mode": merge_mode, "layer": fwd, "backward_layer": bwd}
    return ser("keras.layers", "Bidirectional", config, build_config={"input_shape": in_shape})


def dense(name, units, in_shape, activation="linear", use_bias=True):
    config = {
        **base(name), "units": units, "activation": activation, "use_bias": use_bias,
        "kernel_initializer": init("GlorotUniform"), "bias_initializer": ZEROS, "kernel_regularizer": None,
        "bias_regularizer": None, "kernel_constraint": None, "bias_constraint": None, "quantization_config": None,
    }
    return ser("keras.layers", "Dense", config, build_config={"input_shape": in_shape})


def embedding(name, input_dim, output_dim, mask_zero):
    config = {
        **base(name), "input_dim": input_dim, "output_dim": output_dim,
        "embeddings_initializer": init("RandomUniform", minval=-0.05, maxval=0.05), "embeddings_regularizer": None,
        "activity_regularizer": None, "embeddings_constraint": None, "mask_zero": mask_zero, "quantization_config": None,
    }
    return ser("keras.layers", "Embedding", config, build_config={"input_shape": [None, None]})


def masking(name, mask_value, in_shape):
    return ser("keras.layers", "Masking", {**base(name), "mask_value": mask_value}, build_config={"input_shape": in_shape})


def sequential(name, layers, input_shape):
    config = {**base(name), "layers": layers, "build_input_shape": input_shape}
    return ser("keras", "Sequential", config, build_config={"input_shape": input_shape})


def functional(name, layers, shapes):
    """A single-chain functional model: each layer's inbound node names the layer before it (serialize_node)."""
    out = []
    for k, layer in enumerate(layers):
        entry = dict(layer)
        entry["name"] = layer["config"]["name"]
        if k == 0:
            entry["inbound_nodes"] = []
        else:
            prev = layers[k - 1]["config"]["name"]
            tensor = {"class_name": "__keras_tensor__", "config": {"shape": shapes[k - 1], "dtype": "float32", "keras_history": [prev, 0, 0]}}
            entry["inbound_nodes"] = [{"args": [tensor], "kwargs": {}}]
        out.append(entry)
    config = {"name": name, "trainable": True, "layers": out,
              "input_layers": [layers[0]["config"]["name"], 0, 0], "output_layers": [layers[-1]["config"]["name"], 0, 0]}
    return ser("keras.src.models.functional", "Functional", config, registered="Functional", build_config={"input_shape": None})


# ---- the weights ----

def snake(cls):
    """keras.src.utils.naming.to_snake_case, for the class names used here."""
    return {"SimpleRNN": "simple_rnn", "Bidirectional": "bidirectional", "Dense": "dense", "Embedding": "embedding",
            "Masking": "masking", "InputLayer": "input_layer", "LSTM": "lstm"}[cls]


class Weights:
    """Seeded float32 weights per layer, in get_weights() order."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.by_layer = {}  # layer name -> list of (role, array); a Bidirectional: forward roles, then backward ones

    def make(self, shape, scale):
        return self.rng.uniform(-scale, scale, size=shape).astype(np.float32)

    def rnn(self, name, In, H, use_bias=True, scale=0.5, cells=1):
        ws = []
        for c in range(cells):
            d = ["forward", "backward"][c] if cells == 2 else None
            ws.append(((d, "kernel"), self.make((In, H), scale)))
            ws.append(((d, "recurrent_kernel"), self.make((H, H), scale)))
            if use_bias:
                ws.append(((d, "bias"), self.make((H,), scale)))
        self.by_layer[name] = ws

    def dense(self, name, In, O, use_bias=True, scale=0.5):
        self.by_layer[name] = [((None, "kernel"), self.make((In, O), scale))] + ([((None, "bias"), self.make((O,), scale))] if use_bias else [])

    def embedding(self, name, V, D, scale=0.5):
        self.by_layer[name] = [((None, "embeddings"), self.make((V, D), scale))]

    def ordered(self, config):
        return [w for layer in config["config"]["layers"] for (_, w) in self.by_layer.get(layer["config"]["name"], [])]


def keras3_h5(config, weights, root="layers"):
    """model.weights.h5 as H5IOStore writes it (Keras 3.16: every saveable's vars group, with a `name` attribute)."""
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        f.create_group("vars").attrs["name"] = config["config"]["name"]
        used = {}
        for layer in config["config"]["layers"]:
            cls = layer["class_name"]
            if cls == "InputLayer" and config["class_name"] == "Sequential":
                continue  # Sequential.layers leaves out the InputLayer
            base_name = snake(cls)
            path = base_name if base_name not in used else f"{base_name}_{used[base_name] + 1}"
            used[base_name] = used.get(base_name, -1) + 1
            at = f"{root}/{path}"
            name = layer["config"]["name"]
            ws = weights.by_layer.get(name, [])
            if cls in ("SimpleRNN", "LSTM"):
                f.create_group(f"{at}/vars").attrs["name"] = name
                g = f.create_group(f"{at}/cell/vars")
                g.attrs["name"] = f"{snake(cls)}_cell"
                for k, (_, w) in enumerate(ws):
                    g[str(k)] = w
            elif cls == "Bidirectional":
                f.create_group(f"{at}/vars").attrs["name"] = name
                for d in ("forward", "backward"):
                    inner = layer["config"]["layer" if d == "forward" else "backward_layer"]["config"]["name"]
                    f.create_group(f"{at}/{d}_layer/vars").attrs["name"] = inner
                    g = f.create_group(f"{at}/{d}_layer/cell/vars")
                    g.attrs["name"] = "simple_rnn_cell"
                    for k, arr in enumerate([a for (role, a) in ws if role[0] == d]):
                        g[str(k)] = arr
            else:
                g = f.create_group(f"{at}/vars")
                g.attrs["name"] = name
                for k, (_, w) in enumerate(ws):
                    g[str(k)] = w
    return buf.getvalue()


def keras_zip(path, config, h5, compression=zipfile.ZIP_STORED):
    """saving_lib._save_model_to_fileobj: metadata.json, config.json, then model.weights.h5 (stored unless asked).
    Keras stamps each member with the current time; here a fixed one, so that the fixtures are reproducible."""
    def info(name):
        zi = zipfile.ZipInfo(name, date_time=(2026, 12, 1, 10, 0, 0))
        zi.compress_type = compression
        return zi
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        with zf.open(info("metadata.json"), "w") as f:
            f.write(json.dumps({"keras_version": KERAS3, "date_saved": DATE}).encode())
        with zf.open(info("config.json"), "w") as f:
            f.write(json.dumps(config).encode())
        zf.writestr(info("model.weights.h5"), h5)


def legacy_h5(path, config, weights, keras_version, weight_name, fixed_strings=False):
    """model.save('x.h5'): hdf5_format.save_model_to_hdf5 / save_weights_to_hdf5_group. h5py 3 stores the lists of
    names as variable-length strings; fixed_strings stores them as h5py 2 did (numpy 'S' arrays, NUL-padded)."""
    strings = (lambda xs: np.array(xs, dtype=f"S{max([len(x) for x in xs] + [1])}")) if fixed_strings else (lambda xs: xs)
    layers = [l for l in config["config"]["layers"] if l["class_name"] != "InputLayer"]
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = keras_version
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode("utf8")
        mw = f.create_group("model_weights")
        mw.attrs["layer_names"] = strings([l["config"]["name"].encode("utf8") for l in layers])
        mw.attrs["backend"] = "tensorflow".encode("utf8")
        mw.attrs["keras_version"] = keras_version.encode("utf8")
        for layer in sorted(layers, key=lambda l: l["config"]["name"]):
            name = layer["config"]["name"]
            g = mw.create_group(name)
            ws = weights.by_layer.get(name, [])
            names = [weight_name(layer, role).encode("utf8") for (role, _) in ws]
            g.attrs["weight_names"] = strings(names) if names else names
            for n, (_, w) in zip(names, ws):
                g.create_dataset(n.decode(), w.shape, dtype=w.dtype)[:] = w
        mw.create_group("top_level_model_weights").attrs["weight_names"] = []


def tf2_name(layer, role):
    """tf.keras 2.x variable names: <layer>/<cell>/<weight>:0, a Bidirectional's cells under forward_/backward_."""
    d, w = role
    name = layer["config"]["name"]
    if layer["class_name"] == "SimpleRNN":
        return f"{name}/simple_rnn_cell/{w}:0"
    if layer["class_name"] == "Bidirectional":
        inner = layer["config"]["layer"]["config"]["name"].removeprefix("forward_")
        return f"{name}/{d}_{inner}/simple_rnn_cell/{w}:0"
    return f"{name}/{w}:0"


def keras3_name(model):
    """Keras 3 Variable.path (name scopes: the Sequential, the layer, the cell), as legacy_h5_format writes it."""
    def name(layer, role):
        return f"{model}/" + tf2_name(layer, role)[:-2]
    return name


# ---- the fixtures ----

def inputs_dense(seed, B, T, I, pad=None):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(B, T, I)).astype(np.float32)
    if pad:  # (sequence, steps) rows set to the mask value 0: trailing, leading, in the middle
        for b, ts in pad:
            for t in ts:
                x[b, t, :] = 0.0
    return x.tolist()


def write_case(name, kind, config, weights, inputs, masking=None, note=""):
    if kind == "keras":
        keras_zip(os.path.join(OUT, f"{name}.keras"), config, keras3_h5(config, weights))
        file = f"{name}.keras"
    elif kind == "keras-deflate":
        keras_zip(os.path.join(OUT, f"{name}.keras"), config, keras3_h5(config, weights), zipfile.ZIP_DEFLATED)
        file = f"{name}.keras"
    elif kind == "keras-ckpt-deps":
        h5 = keras3_h5(config, weights, root="_layer_checkpoint_dependencies")
        keras_zip(os.path.join(OUT, f"{name}.keras"), config, h5, zipfile.ZIP_DEFLATED)  # deflated: kept small
        file = f"{name}.keras"
    elif kind in ("h5-tf2", "h5-tf2-fixed"):
        legacy_h5(os.path.join(OUT, f"{name}.h5"), config, weights, TF_KERAS, tf2_name, fixed_strings=kind == "h5-tf2-fixed")
        file = f"{name}.h5"
    elif kind == "h5-keras3":
        legacy_h5(os.path.join(OUT, f"{name}.h5"), config, weights, KERAS3, keras3_name(config["config"]["name"]))
        file = f"{name}.h5"
    else:
        raise ValueError(kind)
    desc = {
        "file": file, "format": kind, "note": note, "config": config, "masking": masking,
        "weights": [w.tolist() for w in weights.ordered(config)], "inputs": inputs,
    }
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump(desc, f, separators=(",", ":"))


def legacy_config(config):
    """tf.keras 2.x model_config: {class_name, config}, no module / registered_name, dtype a string."""
    def strip(o):
        if isinstance(o, dict):
            if "module" in o and "class_name" in o and "config" in o:
                if o["class_name"] == "DTypePolicy":
                    return o["config"]["name"]
                return {"class_name": o["class_name"], "config": strip(o["config"]),
                        **({"name": o["name"], "inbound_nodes": o["inbound_nodes"]} if "inbound_nodes" in o else {})}
            return {k: strip(v) for k, v in o.items() if k not in ("optional", "quantization_config", "zero_output_for_mask")}
        if isinstance(o, list):
            return [strip(v) for v in o]
        return o
    out = strip(config)
    for layer in out["config"]["layers"]:
        if layer["class_name"] == "InputLayer":
            layer["config"]["batch_input_shape"] = layer["config"].pop("batch_shape")
    out["config"].pop("build_input_shape", None)
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith((".keras", ".h5", ".json")):
            os.remove(os.path.join(OUT, f))

    # 1. stacked SimpleRNNs with return_sequences and dropout settings, softmax head (.keras, Sequential)
    I, H1, H2, O = 5, 7, 6, 3
    w = Weights(1)
    w.rnn("simple_rnn", I, H1)
    w.rnn("simple_rnn_1", H1, H2)
    w.dense("dense", H2, O)
    cfg = sequential("sequential", [
        input_layer([None, I]),
        simple_rnn("simple_rnn", H1, [None, None, I], return_sequences=True, dropout=0.2, recurrent_dropout=0.1),
        simple_rnn("simple_rnn_1", H2, [None, None, H1], recurrent_dropout=0.1),
        dense("dense", O, [None, H2], activation="softmax"),
    ], [None, None, I])
    write_case("stacked", "keras", cfg, w, inputs_dense(11, 3, 6, I), note="2 stacked SimpleRNNs, dropout 0.2 / recurrent_dropout 0.1")

    # 2. two Bidirectional layers, concat, sigmoid head (.keras, Sequential)
    I, H1, H2, O = 4, 5, 3, 2
    w = Weights(2)
    w.rnn("bidirectional", I, H1, cells=2)
    w.rnn("bidirectional_1", 2 * H1, H2, cells=2)
    w.dense("dense", 2 * H2, O)
    cfg = sequential("sequential", [
        input_layer([None, I]),
        bidirectional("bidirectional", simple_rnn("simple_rnn", H1, [None, None, I], return_sequences=True), "concat", [None, None, I]),
        bidirectional("bidirectional_1", simple_rnn("simple_rnn_1", H2, [None, None, 2 * H1]), "concat", [None, None, 2 * H1]),
        dense("dense", O, [None, 2 * H2], activation="sigmoid"),
    ], [None, None, I])
    write_case("bidirectional-concat", "keras", cfg, w, inputs_dense(12, 3, 5, I), note="2 Bidirectional layers, merge_mode concat")

    # 3. functional Bidirectional(sum) → Dense (.keras, Functional)
    I, H, O = 4, 5, 3
    w = Weights(3)
    w.rnn("bidirectional", I, H, cells=2)
    w.dense("dense", H, O)
    cfg = functional("functional", [
        input_layer([None, I]),
        bidirectional("bidirectional", simple_rnn("simple_rnn", H, [None, None, I]), "sum", [None, None, I]),
        dense("dense", O, [None, H]),
    ], [[None, None, I], [None, H], [None, O]])
    write_case("bidirectional-sum", "keras", cfg, w, inputs_dense(13, 2, 7, I), note="a functional model, merge_mode sum")

    # 4. Bidirectional(ave) of relu, returning sequences, Dense on every step (.keras)
    I, H, O = 3, 4, 2
    w = Weights(4)
    w.rnn("bidirectional", I, H, cells=2, scale=0.3)
    w.dense("dense", H, O)
    cfg = sequential("sequential", [
        input_layer([None, I]),
        bidirectional("bidirectional", simple_rnn("simple_rnn", H, [None, None, I], activation="relu", return_sequences=True), "ave", [None, None, I]),
        dense("dense", O, [None, None, H]),
    ], [None, None, I])
    write_case("bidirectional-ave", "keras-deflate", cfg, w, inputs_dense(14, 2, 5, I), note="merge_mode ave, relu, return_sequences; zip deflate (kept small)")

    # 5. Bidirectional(mul) → softmax (legacy .h5, tf.keras 2.x)
    I, H, O = 4, 4, 3
    w = Weights(5)
    w.rnn("bidirectional", I, H, cells=2)
    w.dense("dense", H, O)
    cfg = sequential("sequential", [
        input_layer([None, I], name="bidirectional_input"),
        bidirectional("bidirectional", simple_rnn("simple_rnn", H, [None, None, I]), "mul", [None, None, I]),
        dense("dense", O, [None, H], activation="softmax"),
    ], [None, None, I])
    write_case("bidirectional-mul", "h5-tf2", legacy_config(cfg), w, inputs_dense(15, 3, 4, I), note="tf.keras 2.x .h5, merge_mode mul")

    # 6. go_backwards, relu (legacy .h5, tf.keras 2.x)
    I, H, O = 3, 6, 2
    w = Weights(6)
    w.rnn("simple_rnn", I, H, scale=0.3)
    w.dense("dense", H, O)
    cfg = sequential("sequential", [
        input_layer([None, I], name="simple_rnn_input"),
        simple_rnn("simple_rnn", H, [None, None, I], activation="relu", go_backwards=True),
        dense("dense", O, [None, H]),
    ], [None, None, I])
    write_case("go-backwards", "h5-tf2-fixed", legacy_config(cfg), w, inputs_dense(16, 3, 6, I), note="tf.keras 2.x .h5 (names as h5py 2 stored them), go_backwards, relu")

    # 7. Embedding(mask_zero) → SimpleRNN(sigmoid, return_sequences) → softmax on every step (.keras)
    V, D, H, O = 11, 4, 5, 3
    w = Weights(7)
    w.embedding("embedding", V, D)
    w.rnn("simple_rnn", D, H)
    w.dense("dense", H, O)
    cfg = sequential("sequential", [
        input_layer([None], dtype="int32"),
        embedding("embedding", V, D, True),
        simple_rnn("simple_rnn", H, [None, None, D], activation="sigmoid", return_sequences=True),
        dense("dense", O, [None, None, H], activation="softmax"),
    ], [None, None])
    ids = [[3, 5, 1, 10, 2, 0, 0], [0, 7, 7, 4, 9, 8, 6], [2, 0, 4, 1, 0, 0, 0]]
    write_case("embedding", "keras", cfg, w, ids, masking={"maskZero": True}, note="Embedding with mask_zero, sigmoid, return_sequences")

    # 8. Masking → SimpleRNN(linear, no bias) → Dense(no bias) (legacy .h5 as Keras 3 writes it)
    I, H, O = 4, 6, 2
    w = Weights(8)
    w.rnn("simple_rnn", I, H, use_bias=False, scale=0.3)
    w.dense("dense", H, O, use_bias=False)
    cfg = sequential("sequential", [
        input_layer([None, I]),
        masking("masking", 0.0, [None, None, I]),
        simple_rnn("simple_rnn", H, [None, None, I], activation="linear", use_bias=False),
        dense("dense", O, [None, H], use_bias=False),
    ], [None, None, I])
    x = inputs_dense(18, 3, 6, I, pad=[(0, [4, 5]), (1, [0]), (2, [2])])
    write_case("masking-no-bias", "h5-keras3", legacy_config(cfg), w, x, masking={"maskValue": 0}, note="Keras 3 legacy .h5, Masking, linear, use_bias false")

    # 9. functional stacked model in an archive zipped with deflate (Keras writes stored; a user may re-zip)
    I, H1, H2, O = 3, 4, 5, 2
    w = Weights(9)
    w.rnn("simple_rnn", I, H1)
    w.rnn("simple_rnn_1", H1, H2)
    w.dense("dense", H2, O)
    cfg = functional("functional", [
        input_layer([None, I]),
        simple_rnn("simple_rnn", H1, [None, None, I], return_sequences=True),
        simple_rnn("simple_rnn_1", H2, [None, None, H1]),
        dense("dense", O, [None, H2], activation="sigmoid"),
    ], [[None, None, I], [None, None, H1], [None, H2], [None, O]])
    write_case("functional-deflate", "keras-deflate", cfg, w, inputs_dense(19, 2, 5, I), note="functional, zip deflate")

    # 10. the `_layer_checkpoint_dependencies` root H5IOStore.get falls back to (files of Keras 2.13)
    I, H, O = 3, 4, 2
    w = Weights(10)
    w.rnn("simple_rnn", I, H)
    w.dense("dense", H, O)
    cfg = sequential("sequential", [input_layer([None, I]), simple_rnn("simple_rnn", H, [None, None, I]), dense("dense", O, [None, H])], [None, None, I])
    write_case("checkpoint-dependencies", "keras-ckpt-deps", cfg, w, inputs_dense(20, 2, 4, I), note="root group _layer_checkpoint_dependencies")

    hostile()


def hostile():
    """Forged files for the refusal tests: each one thing wrong in an otherwise well-formed file. To keep them small,
    the archives are deflated (the layout inside is Keras's all the same)."""
    I, H, O = 4, 3, 2

    def small(units=H, cls="SimpleRNN"):
        layer = simple_rnn("simple_rnn", units, [None, None, I])
        layer["class_name"] = cls
        return sequential("sequential", [input_layer([None, I]), layer, dense("dense", O, [None, units])], [None, None, I])

    def weights():
        w = Weights(99)
        w.rnn("simple_rnn", I, H)
        w.dense("dense", H, O)
        return w

    def write(name, config, edit):
        buf = io.BytesIO(keras3_h5(config, weights()))
        with h5py.File(buf, "a") as f:
            edit(f)
        keras_zip(os.path.join(OUT, f"{name}.keras"), config, buf.getvalue(), zipfile.ZIP_DEFLATED)

    def reshape(f):  # recurrent_kernel (3, 4) where the config's units say (3, 3)
        del f["layers/simple_rnn/cell/vars/1"]
        f["layers/simple_rnn/cell/vars/1"] = np.zeros((H, H + 1), np.float32)

    def drop_bias(f):
        del f["layers/simple_rnn/cell/vars/2"]

    def int_kernel(f):
        del f["layers/simple_rnn/cell/vars/0"]
        f["layers/simple_rnn/cell/vars/0"] = np.ones((I, H), np.int32)

    def chunked(f):  # gzip-compressed chunks: refused (an HDF5 decompression bomb cannot be bounded)
        del f["layers/simple_rnn/cell/vars/0"]
        f.create_dataset("layers/simple_rnn/cell/vars/0", data=np.zeros((I, H), np.float32), chunks=(2, H), compression="gzip")

    write("bad-shape", small(), reshape)
    write("missing-dataset", small(), drop_bias)
    write("int-dtype", small(), int_kernel)
    write("chunked", small(), chunked)
    write("unsupported-layer", small(cls="LSTM"), lambda f: None)

    # sizes too big: units 70000, datasets declared at that size but never written (no data in the file at all)
    big = 70000
    config = small(units=big)
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        f.create_group("vars").attrs["name"] = "sequential"
        g = f.create_group("layers/simple_rnn/cell/vars")
        g.create_dataset("0", (I, big), np.float32)
        g.create_dataset("1", (big, big), np.float32)
        g.create_dataset("2", (big,), np.float32)
        d = f.create_group("layers/dense/vars")
        d.create_dataset("0", (big, O), np.float32)
        d.create_dataset("1", (O,), np.float32)
    keras_zip(os.path.join(OUT, "too-big.keras"), config, buf.getvalue(), zipfile.ZIP_DEFLATED)

    # legacy: a weight_names entry whose dataset is absent; an .h5 without model_config (save_weights output)
    w = weights()
    cfg = legacy_config(small())
    legacy_h5(os.path.join(OUT, "legacy-missing.h5"), cfg, w, TF_KERAS, tf2_name)
    with h5py.File(os.path.join(OUT, "legacy-missing.h5"), "a") as f:
        del f["model_weights/simple_rnn/simple_rnn/simple_rnn_cell/bias:0"]
    legacy_h5(os.path.join(OUT, "no-config.h5"), cfg, w, TF_KERAS, tf2_name)
    with h5py.File(os.path.join(OUT, "no-config.h5"), "a") as f:
        del f.attrs["model_config"]


if __name__ == "__main__":
    main()
