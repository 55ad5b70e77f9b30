"""Training-step benchmarks: Ember against PyTorch eager, full steps, one run.

    python benchmarks/bench_training.py [--quick] [--threads N]

Each workload times complete training steps (zero_grad, forward, loss, backward,
optimizer step) of the same model, initial weights and data in both frameworks,
in interleaved rounds (``race`` from bench_core: rotating order, GC off, fastest
round decides, medians reported). Both frameworks get the same number of BLAS
threads (default 1: this machine's 2 cores are shared, and an oversubscribed
OpenBLAS runs a 1 ms matmul in 50 ms). Also measured: peak RSS of a fresh
process (Ember only, no torch) after 200 W2 steps. Prints a markdown table and
writes ``benchmarks/results/training.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import resource
import subprocess
import sys
from dataclasses import dataclass
from typing import Callable


def _threads_from_argv(argv) -> str:
    """BLAS thread counts must be set before NumPy loads, so read --threads first."""
    for position, item in enumerate(argv):
        if item == "--threads" and position + 1 < len(argv):
            return argv[position + 1]
        if item.startswith("--threads="):
            return item.split("=", 1)[1]
    return "1"


THREADS = _threads_from_argv(sys.argv)
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, THREADS)

import numpy  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # benchmark the checkout, installed or not
import ember  # noqa: E402
import ember.nn  # noqa: E402,F401  (explicit: `import ember` alone need not load nn)

RESULTS = ROOT / "benchmarks" / "results" / "training.json"
RSS_LIMIT_MIB = 100


@dataclass
class Workload:
    name: str
    description: str
    sizes: tuple  # MLP layer widths, or None for LeNet-5
    batch: int
    optimizer: str
    target: float
    number: int  # steps per timed round
    rounds: int


WORKLOADS = [
    Workload("W1", "seed MLP 10-10-1, batch 256, Adam, MSE", (10, 10, 1), 256, "adam", 0.75, 50, 9),
    Workload("W2", "MNIST MLP 784-256-128-10, batch 128, Adam", (784, 256, 128, 10), 128, "adam", 0.8, 10, 9),
    Workload("W3", "LeNet-5, batch 64, SGD momentum", None, 64, "sgd", 1.5, 5, 7),
    Workload("W4", "MLP 2048-4096-4096-10, batch 512, Adam", (2048, 4096, 4096, 10), 512, "adam", 1.0, 1, 5),
]


# --- the same model, weights and data in both frameworks ------------------------
def build_model(library, workload: Workload):
    nn = library.nn
    if workload.sizes is None:
        return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    layers = []
    for width_in, width_out in zip(workload.sizes, workload.sizes[1:]):
        layers += [nn.Linear(width_in, width_out), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def batch_arrays(workload: Workload):
    rng = numpy.random.default_rng(0)
    shape = (workload.batch, 1, 28, 28) if workload.sizes is None else (workload.batch, workload.sizes[0])
    inputs = rng.standard_normal(shape).astype(numpy.float32)
    if workload.sizes is not None and workload.sizes[-1] == 1:
        return inputs, rng.standard_normal((workload.batch, 1)).astype(numpy.float32)
    return inputs, rng.integers(0, 10, workload.batch)


def training_step(library, model, workload: Workload) -> Callable[[], None]:
    inputs, targets = (library.tensor(array) for array in batch_arrays(workload))
    if workload.optimizer == "adam":
        optimizer = library.optim.Adam(model.parameters(), lr=1e-3)
    else:
        optimizer = library.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_function = library.nn.MSELoss() if targets.dtype == library.float32 else library.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss = loss_function(model(inputs), targets)
        loss.backward()
        optimizer.step()
    return step


def paired_steps(workload: Workload, torch) -> dict[str, Callable[[], None]]:
    torch.manual_seed(0)
    reference = build_model(torch, workload)
    model = build_model(ember, workload)
    weights = reference.state_dict()
    model.load_state_dict({name: ember.tensor(value.detach().numpy()) for name, value in weights.items()})
    return {"ember": training_step(ember, model, workload), "torch": training_step(torch, reference, workload)}


# --- measurements -----------------------------------------------------------------
def measure(workload: Workload, quick: bool, torch, race) -> dict:
    try:
        contenders = paired_steps(workload, torch)
    except AttributeError as error:  # a layer ember.nn doesn't have yet
        return {"workload": workload.name, "skipped": f"ember.nn lacks what it needs: {error}"}
    rounds = 3 if quick else workload.rounds
    times = race(contenders, workload.number, rounds)
    ratio = times["ember"]["min"] / times["torch"]["min"]
    return {"workload": workload.name, "description": workload.description, "ember_s": times["ember"],
            "torch_s": times["torch"], "ratio": ratio, "median_ratio":
            times["ember"]["median"] / times["torch"]["median"], "target": workload.target,
            "met": ratio <= workload.target}


def rss_child(steps: int) -> None:
    """Run in a fresh process: W2 steps with Ember alone, then report the peak RSS."""
    workload = WORKLOADS[1]
    ember.manual_seed(0)
    step = training_step(ember, build_model(ember, workload), workload)
    for _ in range(steps):
        step()
    print(json.dumps({"peak_rss_mib": peak_rss_kib() / 1024, "steps": steps}))


def peak_rss_kib() -> int:
    """This process's peak resident set size.

    Linux's VmHWM, because ``ru_maxrss`` survives exec: a child spawned by a
    big parent would report the parent's peak.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS


def measure_rss(steps: int = 200) -> dict:
    done = subprocess.run([sys.executable, __file__, "--rss-child", str(steps), "--threads", THREADS],
                          capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result.update(limit_mib=RSS_LIMIT_MIB, met=result["peak_rss_mib"] <= RSS_LIMIT_MIB)
    return result


# --- report ---------------------------------------------------------------------------
def table(rows: list[dict], rss: dict) -> str:
    lines = ["| workload | ember ms/step | torch ms/step | ratio (best) | ratio (median) | target | met |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        if "skipped" in row:
            lines.append(f"| {row['workload']} | skipped: {row['skipped']} | | | | | |")
            continue
        lines.append(f"| {row['workload']} {row['description']} | {1e3 * row['ember_s']['min']:.3f} | "
                     f"{1e3 * row['torch_s']['min']:.3f} | {row['ratio']:.2f} | {row['median_ratio']:.2f} | "
                     f"<= {row['target']} | {'yes' if row['met'] else 'NO'} |")
    lines.append(f"| peak RSS after {rss['steps']} W2 steps (Ember alone) | {rss['peak_rss_mib']:.1f} MiB | | | | "
                 f"<= {rss['limit_mib']} MiB | {'yes' if rss['met'] else 'NO'} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    parser.add_argument("--threads", default="1", help="BLAS/intra-op threads for both frameworks")
    parser.add_argument("--only", nargs="*", help="workload names to run (default: all)")
    parser.add_argument("--rss-child", type=int, metavar="STEPS", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rss_child:
        return rss_child(args.rss_child)
    import torch
    from bench_core import race  # the shared interleaved timer (this folder is on sys.path)
    torch.set_num_threads(int(THREADS))
    chosen = [w for w in WORKLOADS if not args.only or w.name in args.only]
    rss = measure_rss()  # first, while this process is still small
    rows = [measure(workload, args.quick, torch, race) for workload in chosen]
    print(table(rows, rss))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"threads": int(THREADS), "numpy": numpy.__version__, "torch": torch.__version__,
                                   "rows": rows, "rss": rss}, indent=2) + "\n")


if __name__ == "__main__":
    main()
