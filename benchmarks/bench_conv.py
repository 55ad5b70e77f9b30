"""Convolution and pooling, forward + backward, Ember against PyTorch on the CPU.

Cases: the two convolutions of LeNet-5 at batch 64, the second convolution
of PyTorch's MNIST example CNN, the two convolutions of the Keras MNIST
convnet (batch 128), the max/avg pools between them, and a whole LeNet-5
training step (same model code, same weights). Each case times
``forward; sum().backward()`` for both libraries in interleaved rounds
(``race`` from bench_core: rotating order, GC off), and reports the median
over rounds of the per-round ratio Ember / PyTorch (lower is better; 1.0 is
parity), which the load of a shared machine affects far less than absolute
times; the fastest times are shown beside it.

Run: ``python benchmarks/bench_conv.py [--rounds 9] [--threads 1]``. ``--threads N``
sets both PyTorch's intra-op threads and Ember's (``ember.set_num_threads``);
without it both keep their defaults.
"""
from __future__ import annotations

import argparse
import pathlib
import statistics
import sys

import numpy
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from bench_core import race  # noqa: E402  (bench_core puts the checkout first on sys.path)

import ember  # noqa: E402
import ember.nn  # noqa: E402,F401
import ember.nn.functional as EF  # noqa: E402

CONVS = {  # name: (input shape, weight shape, stride, padding)
    "lenet conv1 1->6 5x5 32x32": ((64, 1, 32, 32), (6, 1, 5, 5), 1, 0),
    "lenet conv2 6->16 5x5 14x14": ((64, 6, 14, 14), (16, 6, 5, 5), 1, 0),
    "mnist-cnn conv2 32->64 3x3 26x26": ((64, 32, 26, 26), (64, 32, 3, 3), 1, 0),
    "conv 16->32 3x3 s2 p1 28x28": ((64, 16, 28, 28), (32, 16, 3, 3), 2, 1),
    "keras convnet conv1 1->32 3x3 28x28 b128": ((128, 1, 28, 28), (32, 1, 3, 3), 1, 0),
    "keras convnet conv2 32->64 3x3 13x13 b128": ((128, 32, 13, 13), (64, 32, 3, 3), 1, 0),
}
POOLS = {  # name: (input shape, function name, kernel)
    "max_pool2d 2x2 lenet 6x28x28": ((64, 6, 28, 28), "max_pool2d", 2),
    "max_pool2d 2x2 mnist-cnn 64x24x24": ((64, 64, 24, 24), "max_pool2d", 2),
    "max_pool2d 2x2 keras 32x26x26 b128": ((128, 32, 26, 26), "max_pool2d", 2),
    "avg_pool2d 2x2 lenet 6x28x28": ((64, 6, 28, 28), "avg_pool2d", 2),
}


def conv_steps(x_shape, w_shape, stride, padding):
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal(x_shape, dtype=numpy.float32)
    w = rng.standard_normal(w_shape, dtype=numpy.float32)
    b = rng.standard_normal(w_shape[0], dtype=numpy.float32)
    ex, ew, eb = (ember.tensor(a, requires_grad=True) for a in (x, w, b))
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))

    def ember_step():
        EF.conv2d(ex, ew, eb, stride=stride, padding=padding).sum().backward()

    def torch_step():
        torch.nn.functional.conv2d(tx, tw, tb, stride=stride, padding=padding).sum().backward()
    return ember_step, torch_step


def pool_steps(x_shape, name, kernel):
    x = numpy.random.default_rng(0).standard_normal(x_shape, dtype=numpy.float32)
    ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)

    def ember_step():
        getattr(EF, name)(ex, kernel).sum().backward()

    def torch_step():
        getattr(torch.nn.functional, name)(tx, kernel).sum().backward()
    return ember_step, torch_step


def lenet(lib):
    """LeNet-5 (ReLU, max pooling) written once for either library: only the import differs."""
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def lenet_steps():
    """One LeNet-5 forward + cross-entropy + backward on an MNIST-sized batch of 64."""
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal((64, 1, 28, 28), dtype=numpy.float32)
    labels = rng.integers(0, 10, 64)
    ours, theirs = lenet(ember), lenet(torch)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})

    def ember_step():
        ours.zero_grad()
        EF.cross_entropy(ours(ember.tensor(x)), ember.tensor(labels)).backward()

    def torch_step():
        theirs.zero_grad()
        torch.nn.functional.cross_entropy(theirs(torch.tensor(x)), torch.tensor(labels)).backward()
    return ember_step, torch_step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--threads", type=int, default=None, help="torch and ember set_num_threads")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
        ember.set_num_threads(args.threads)
    print(f"torch {torch.__version__} ({torch.get_num_threads()} threads), ember threads for large "
          f"products {ember.get_num_threads()}, numpy {numpy.__version__}; forward + backward, float32, "
          f"{args.rounds} interleaved rounds")
    print(f"{'case':44s} {'ember ms':>9s} {'torch ms':>9s} {'ratio':>6s}")
    cases = [(name, conv_steps(*spec)) for name, spec in CONVS.items()]
    cases += [(name, pool_steps(*spec)) for name, spec in POOLS.items()]
    cases.append(("lenet-5 step (fwd+loss+bwd), batch 64", lenet_steps()))
    for name, (ember_step, torch_step) in cases:
        times = race({"ember": ember_step, "torch": torch_step}, 3, args.rounds)
        ratio = statistics.median(a / b for a, b in zip(times["ember"]["rounds"], times["torch"]["rounds"]))
        print(f"{name:44s} {times['ember']['min'] * 1e3:9.2f} {times['torch']['min'] * 1e3:9.2f} {ratio:6.2f}")


if __name__ == "__main__":
    main()
