"""Inference latency of the MNIST CNN after export: onnxruntime, the standalone NumPy module, Ember.

The model is the CNN of ``examples/mnist.py`` (LeNet-5: two 5x5 convolutions
with ReLU and 2x2 max pooling, then 400-120-84-10), in eval mode. Each path
computes the same logits: onnxruntime running the ``ember.onnx.export``
file, the module ``ember.export.numpy_module`` writes (NumPy only), and
Ember itself, eager (``no_grad``) and compiled (``ember.function``). Each
cell is the best time of one call over the repeats, in milliseconds, at
batch 1 and batch 256.

Run: ``OPENBLAS_NUM_THREADS=1 python benchmarks/bench_export.py [--repeat 50] [--threads 1]
[--json benchmarks/results/export.json]``; give NumPy's BLAS (the environment
variable) as many threads as onnxruntime (``--threads``) for a fair comparison.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import pathlib
import tempfile
import time

import numpy

import ember
from ember import nn

BATCHES = (1, 256)


def mnist_cnn():
    """The CNN of examples/mnist.py (28x28 inputs)."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)).eval()


def best_time(call, repeat: int) -> float:
    call()  # warm-up: traces, buffers, thread pools
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def load_module(path):
    spec = importlib.util.spec_from_file_location(pathlib.Path(path).stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def contenders(model, folder, threads: int = 1):
    """``{path name: function(x as a NumPy array) -> logits}``."""
    spec = ember.TensorSpec((None, 1, 28, 28), ember.float32)
    paths = {}
    try:
        import onnxruntime
        ember.onnx.export(model, spec, folder / "cnn.onnx")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        session = onnxruntime.InferenceSession(str(folder / "cnn.onnx"), options,
                                               providers=["CPUExecutionProvider"])
        paths["onnxruntime"] = lambda x: session.run(None, {"input_0": x})[0]
    except ImportError:
        pass  # onnx/onnxruntime not installed: the other paths still run
    ember.export.numpy_module(model, spec, folder / "cnn_numpy.py")
    paths["numpy module"] = load_module(folder / "cnn_numpy.py").predict
    compiled = ember.function(model, input_signature=[spec])

    def eager(x):
        with ember.no_grad():
            return model(ember.tensor(x)).numpy()
    paths["ember eager"] = eager
    paths["ember compiled"] = lambda x: compiled(ember.tensor(x)).numpy()
    return paths


def measure(repeat: int, threads: int = 1) -> dict:
    ember.manual_seed(0)
    model = mnist_cnn()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        paths = contenders(model, pathlib.Path(folder), threads)
        for batch in BATCHES:
            x = numpy.random.default_rng(batch).standard_normal((batch, 1, 28, 28)).astype(numpy.float32)
            reference = paths["ember eager"](x)
            for name, call in paths.items():
                numpy.testing.assert_allclose(call(x), reference, rtol=1e-4, atol=1e-5)
                results.setdefault(name, {})[batch] = best_time(lambda: call(x), repeat) * 1e3
    return results


def table(results: dict) -> str:
    lines = ["| path | " + " | ".join(f"batch {b} (ms)" for b in BATCHES) + " |",
             "|---|" + "---:|" * len(BATCHES)]
    for name, times in results.items():
        lines.append(f"| {name} | " + " | ".join(f"{times[b]:.3f}" for b in BATCHES) + " |")
    return "\n".join(lines)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime's intra-op threads")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args(argv)
    results = measure(args.repeat, args.threads)
    print(table(results))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()
