"""``model.fit`` throughput: ember.keras (compiled and eager) beside PyTorch's equivalent loop.

    python benchmarks/bench_keras.py [--quick] [--threads N]

Workloads are the Keras MNIST examples on MNIST-shaped data: K1 the Dense +
Dropout MLP (784-512-512-10, batch 128, Adam), K2 the simple convnet
(Conv2D 32 / 64 + pooling + Dropout + Dense, batch 128, Adam). Each contender
trains the same number of samples: Keras's ``fit`` (compiled with
``ember.function``, the default, and with ``run_eagerly=True``; metrics,
progress logic and callbacks included, ``verbose=0``) and a hand-written
PyTorch loop (zero_grad, forward, loss, backward, step; no metrics). The
best of ``rounds`` timed epochs decides (after one warm-up epoch, which also
traces the compiled step). BLAS threads default to 1, as in the other
benchmarks (the machine's 2 cores are shared). Prints a markdown table and
writes ``benchmarks/results/keras.json``.

Measured on this repository's 2-core machine (shared; 1 BLAS thread; one run):

| workload | ember.keras fit, compiled | ember.keras fit, eager | PyTorch loop | compiled / PyTorch |
|---|---|---|---|---|
| K1 mlp | 16854 samples/s | 3715 samples/s | 14254 samples/s | 1.18 |
| K2 convnet | 1279 samples/s | 926 samples/s | 2779 samples/s | 0.46 |
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import pathlib
import sys
import time


def _threads(argv) -> str:
    for position, item in enumerate(argv):
        if item == "--threads" and position + 1 < len(argv):
            return argv[position + 1]
    return "1"


for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, _threads(sys.argv))

import numpy  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from ember import keras  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "keras.json"


def keras_model(kind: str) -> keras.Model:
    layers = keras.layers
    if kind == "mlp":
        return keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Flatten(),
                                 layers.Dense(512, activation="relu"), layers.Dropout(0.2),
                                 layers.Dense(512, activation="relu"), layers.Dropout(0.2),
                                 layers.Dense(10, activation="softmax")])
    return keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Conv2D(32, 3, activation="relu"),
                             layers.MaxPooling2D(), layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(),
                             layers.Flatten(), layers.Dropout(0.5), layers.Dense(10, activation="softmax")])


def torch_model(torch, kind: str):
    nn = torch.nn
    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Dropout(0.2), nn.Linear(512, 512),
                             nn.ReLU(), nn.Dropout(0.2), nn.Linear(512, 10))
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10))


def keras_epoch(kind: str, x, y, batch: int, run_eagerly: bool = False, jit_compile="auto"):
    """A callable running one ``fit`` epoch of a fresh compiled model (also used by bench_eager)."""
    keras.utils.set_random_seed(0)
    model = keras_model(kind)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  run_eagerly=run_eagerly, jit_compile=jit_compile)
    return lambda: model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=False)


def time_keras(kind: str, x, y, batch: int, rounds: int, run_eagerly: bool, jit_compile="auto") -> float:
    epoch = keras_epoch(kind, x, y, batch, run_eagerly, jit_compile)
    epoch()  # warm-up (and trace)
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        epoch()
        best = min(best, time.perf_counter() - start)
    return len(x) / best


def torch_epoch(torch, kind: str, x, y, batch: int):
    """A callable running PyTorch's equivalent of one ``fit`` epoch (also used by bench_eager)."""
    torch.manual_seed(0)
    model = torch_model(torch, kind)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    images = torch.tensor(x).permute(0, 3, 1, 2) if kind == "convnet" else torch.tensor(x)
    labels = torch.tensor(y)

    def epoch():
        model.train()
        for start in range(0, len(images), batch):
            optimizer.zero_grad()
            logits = model(images[start:start + batch])
            torch.nn.functional.cross_entropy(logits, labels[start:start + batch]).backward()
            optimizer.step()
    return epoch


def time_torch(kind: str, x, y, batch: int, rounds: int) -> float:
    import torch
    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    epoch = torch_epoch(torch, kind, x, y, batch)
    epoch()
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        epoch()
        best = min(best, time.perf_counter() - start)
    return len(x) / best


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer samples and rounds")
    parser.add_argument("--threads", default="1")
    args = parser.parse_args(argv)
    rng = numpy.random.default_rng(0)
    jit = importlib.util.find_spec("numba") is not None
    rows = []
    for name, kind, samples in (("K1", "mlp", 4096), ("K2", "convnet", 1024)):
        samples = samples // 4 if args.quick else samples
        rounds = 1 if args.quick else 3
        x = rng.random((samples, 28, 28, 1), dtype=numpy.float32)
        y = rng.integers(0, 10, samples)
        row = {"workload": name, "model": kind, "samples": samples, "batch": 128,
               "keras_compiled": time_keras(kind, x, y, 128, rounds, run_eagerly=False),
               "keras_eager": time_keras(kind, x, y, 128, rounds, run_eagerly=True),
               "keras_jit": time_keras(kind, x, y, 128, rounds, False, jit_compile=True) if jit else None,
               "torch": time_torch(kind, x, y, 128, rounds)}
        rows.append(row)
    print("| workload | ember.keras fit, compiled | fit, jit_compile=True (numba) | fit, eager | PyTorch loop | "
          "best compiled / PyTorch |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        jitted = f"{row['keras_jit']:.0f} samples/s" if row["keras_jit"] else "-"
        best = max(row["keras_compiled"], row["keras_jit"] or 0)
        print(f"| {row['workload']} {row['model']} | {row['keras_compiled']:.0f} samples/s | {jitted} | "
              f"{row['keras_eager']:.0f} samples/s | {row['torch']:.0f} samples/s | {best / row['torch']:.2f} |")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"threads": os.environ["OMP_NUM_THREADS"], "rows": rows}, indent=2))
    return rows


if __name__ == "__main__":
    main()
