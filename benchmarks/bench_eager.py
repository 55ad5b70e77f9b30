"""Eager training speed: every row of the eager-speed issue's table, Ember against PyTorch.

    python benchmarks/bench_eager.py [--quick] [--rows W1 GPT ...] [--threads default 1]
    python benchmarks/bench_eager.py --profile LSTM [--steps 20]

Each row times the same work in both libraries (same model code, weights and
data) in interleaved rounds with ``race`` from bench_core (rotating order, GC
off); the verdict is the median over rounds of the per-round ratio
Ember / PyTorch (both sides of a round share that moment's load). Every row
runs twice: with both libraries at their defaults (PyTorch's intra-op pool at
``torch.get_num_threads()``, Ember's BLAS policy: one thread for small
products, ``ember.get_num_threads()`` for large ones), and with both at one
thread (``torch.set_num_threads(1)``, ``ember.set_num_threads(1)``).

Rows (workload code is shared, not copied):
- W1, W2, W3: bench_training's workloads (MLPs with Adam, LeNet-5 with SGD momentum);
- LSTM: word_language_model's ``RNNModel`` (tests/compat/programs, through
  eager_workloads.py), embedding 1000x64 -> LSTM(64, 128) over 35 steps ->
  linear, batch 32, Adam;
- GPT: char_gpt's ``GPT`` (the same way), 2 layers, 32 wide, 2 heads, block 32,
  batch 8, AdamW and gradient clipping as the program trains it, dropout on;
- chain: bench_core's 20-op elementwise chain, forward and backward, 10x10;
- keras: bench_keras's MNIST convnet, one ``fit`` epoch (compiled, Keras's
  default) against PyTorch's equivalent loop; the ratio is of times, so
  throughput Ember / PyTorch is its inverse;
- W2 function: W2's step under ``ember.function`` (default path, and numba
  when installed) against PyTorch eager.

``--profile ROW`` runs the Ember side of one row under cProfile and prints the
top functions by own and cumulative time. Results go to
``benchmarks/results/eager.json``.
"""
from __future__ import annotations

import argparse
import contextlib
import cProfile
import dataclasses
import importlib.util
import io
import json
import os
import pathlib
import pstats
import statistics
import sys
import time
from typing import Callable

# NumPy and PyTorch load first, at their defaults: bench_training and bench_keras set
# OPENBLAS/OMP thread variables at import (their own runs pin one thread), so their
# imports below run with the environment restored afterwards.
import numpy
import torch

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
import ember  # noqa: E402
import ember.nn  # noqa: E402,F401
import ember.optim  # noqa: E402,F401

RESULTS = ROOT / "benchmarks" / "results" / "eager.json"
TORCH_DEFAULT_THREADS = torch.get_num_threads()


@contextlib.contextmanager
def _environment_kept():
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


with _environment_kept():
    import bench_core  # noqa: E402
    import bench_training  # noqa: E402
import eager_workloads as workloads  # noqa: E402


EMBER_DEFAULT_THREADS = ember.get_num_threads()  # applies Ember's BLAS policy, with the environment as given


@dataclasses.dataclass
class Row:
    """One line of the table: ``build(quick)`` gives {"ember": step, "torch": step}."""

    name: str
    description: str
    target: str          # as the issue states it
    limit: float         # the Ember / PyTorch time ratio that meets the target
    build: Callable
    number: int          # calls per timed round
    rounds: int


# --- the rows ------------------------------------------------------------------------
def training_row(name: str):
    workload = next(w for w in bench_training.WORKLOADS if w.name == name)
    return lambda quick: bench_training.paired_steps(workload, torch)


def chain_steps(quick):
    case = next(iter(bench_core.chain_case(quick)))
    return case.contenders


def keras_steps(quick):
    with _environment_kept():
        import bench_keras
    rng = numpy.random.default_rng(0)
    samples = 256 if quick else 512
    x = rng.random((samples, 28, 28, 1), dtype=numpy.float32)
    y = rng.integers(0, 10, samples)
    return {"ember": bench_keras.keras_epoch("convnet", x, y, 128),
            "torch": bench_keras.torch_epoch(torch, "convnet", x, y, 128)}


def compiled_w2_steps(quick):
    """W2 as one ``ember.function`` call per step (default path; numba too when installed)."""
    workload = next(w for w in bench_training.WORKLOADS if w.name == "W2")
    inputs, targets = bench_training.batch_arrays(workload)
    torch.manual_seed(0)
    reference = bench_training.build_model(torch, workload)
    weights = {k: ember.tensor(v.detach().numpy()) for k, v in reference.state_dict().items()}
    steps = {"torch": bench_training.training_step(torch, reference, workload)}
    x, y = ember.tensor(inputs), ember.tensor(targets)
    variants = {"ember": {}}
    if importlib.util.find_spec("numba") is not None:
        variants["ember numba"] = {"numba": True}
    for label, options in variants.items():
        model = bench_training.build_model(ember, workload)
        model.load_state_dict(weights)
        step = ember.function(compiled_step(model), **options)
        step(x, y)
        step(x, y)  # the second signature: .grad and optimizer state exist now
        steps[label] = lambda step=step: step(x, y)
    return steps


def compiled_step(model):
    optimizer = ember.optim.Adam(model.parameters(), lr=1e-3)
    loss_function = ember.nn.CrossEntropyLoss()

    def step(x, y):
        optimizer.zero_grad()
        loss = loss_function(model(x), y)
        loss.backward()
        optimizer.step()
        return loss
    return step


ROWS = [
    Row("W1", "seed MLP 10-10-1, batch 256, Adam", "<= 0.75x", 0.75, training_row("W1"), 40, 15),
    Row("W2", "MNIST MLP 784-256-128-10, batch 128, Adam", "<= 0.8x", 0.8, training_row("W2"), 10, 15),
    Row("W3", "LeNet-5, batch 64, SGD momentum", "<= 1.2x", 1.2, training_row("W3"), 3, 11),
    Row("LSTM", "embedding 1000x64 -> LSTM(64, 128) x 35 steps -> linear, batch 32, Adam", "<= 1.5x", 1.5,
        lambda quick: workloads.paired_steps(workloads.twins(workloads.lstm_model), workloads.lstm_batches(),
                                             workloads.lstm_step), 1, 9),
    Row("GPT", "char GPT 2 layers, 32 wide, 2 heads, block 32, batch 8, AdamW", "<= 1.2x", 1.2,
        lambda quick: workloads.paired_steps(workloads.twins(workloads.gpt_model), workloads.gpt_batches(),
                                             workloads.gpt_step), 3, 11),
    Row("chain", "20-op elementwise chain, fwd+bwd, 10x10", "<= 1.0x", 1.0, chain_steps, 20, 31),
    Row("keras", "Keras MNIST convnet fit, one epoch of 512 (time ratio; throughput is 1/ratio)",
        ">= 1.0x throughput", 1.0, keras_steps, 1, 5),
    Row("W2-function", "W2 step under ember.function", "<= 0.55x", 0.55, compiled_w2_steps, 10, 15),
]


# --- measurement ---------------------------------------------------------------------------
def set_threads(mode: str) -> None:
    count = TORCH_DEFAULT_THREADS if mode == "default" else int(mode)
    torch.set_num_threads(count)
    ember.set_num_threads(EMBER_DEFAULT_THREADS if mode == "default" else count)


def measure(row: Row, modes, quick: bool) -> dict:
    steps = row.build(quick)
    result = {"row": row.name, "description": row.description, "target": row.target, "modes": {}}
    for mode in modes:
        set_threads(mode)
        times = bench_core.race(steps, row.number, 3 if quick else row.rounds)
        result["modes"][mode] = {name: ratio(times, name) for name in steps if name != "torch"}
        result["modes"][mode]["times"] = {name: times[name]["median"] for name in times}
        print(f"measured {row.name} at {mode} threads", file=sys.stderr)
    set_threads("default")
    return result


def ratio(times, name) -> float:
    """Median over rounds of (contender's time / PyTorch's time in the same round)."""
    return statistics.median(mine / theirs for mine, theirs in
                             zip(times[name]["rounds"], times["torch"]["rounds"]))


def table(results, modes) -> str:
    """Ratios per thread setting; a row is met only if it is met at every setting measured
    (on a loaded 2-core machine PyTorch's default 2 threads can lose far more than Ember gains)."""
    header = "| row | " + " | ".join(f"Ember/PyTorch ({thread_label(mode)})" for mode in modes) + \
        f" | median times, {thread_label(modes[0])} (Ember, PyTorch) | target | met |"
    lines = [header, "|---|" + "---:|" * len(modes) + "---|---|---|"]
    for result in results:
        limit = next(r.limit for r in ROWS if r.name == result["row"])
        for contender in (name for name in result["modes"][modes[0]] if name != "times"):
            label = result["row"] + ("" if contender == "ember" else f" ({contender.split()[-1]})")
            ratios = {mode: result["modes"][mode][contender] for mode in modes}
            times = result["modes"][modes[0]]["times"]
            shown = f"{bench_core.seconds(times[contender])}, {bench_core.seconds(times['torch'])}"
            missed = [thread_label(mode) for mode, value in ratios.items() if value > limit]
            verdict = "met" if not missed else "**not met** (" + ", ".join(missed) + ")"
            lines.append(f"| {label}: {result['description']} | "
                         + " | ".join(f"{value:.2f}" for value in ratios.values())
                         + f" | {shown} | {result['target']} | {verdict} |")
    return "\n".join(lines)


def thread_label(mode: str) -> str:
    return "default threads" if mode == "default" else f"{mode} thread" + ("s" if mode != "1" else "")


def profile(name: str, steps: int, sort_keys=("tottime", "cumtime"), top: int = 25) -> str:
    """cProfile of the Ember side of row ``name`` over ``steps`` calls (after one warm-up)."""
    row = next(r for r in ROWS if r.name == name)
    step = row.build(False)["ember"]
    step()
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.runcall(lambda: [step() for _ in range(steps)])
    elapsed = time.perf_counter() - start
    out = io.StringIO()
    out.write(f"{name}: {steps} calls in {elapsed:.3f} s under cProfile\n")
    for key in sort_keys:
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(key).print_stats(top)
    return out.getvalue()


def main(argv=None) -> list:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds per row (a smoke run)")
    parser.add_argument("--rows", nargs="*", choices=[r.name for r in ROWS], help="rows to run (default: all)")
    parser.add_argument("--threads", nargs="*", default=["default", "1"],
                        help="thread settings to run: 'default' and/or a count (default: default 1)")
    parser.add_argument("--profile", choices=[r.name for r in ROWS], help="cProfile the Ember side of a row")
    parser.add_argument("--steps", type=int, default=20, help="calls under --profile")
    args = parser.parse_args(argv)
    if args.profile:
        print(profile(args.profile, args.steps))
        return []
    chosen = [r for r in ROWS if not args.rows or r.name in args.rows]
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"numpy {numpy.__version__}, torch {torch.__version__} (default threads {TORCH_DEFAULT_THREADS}), "
          f"ember threads for large products {EMBER_DEFAULT_THREADS}, load average at start {load}", flush=True)
    start = time.perf_counter()
    results = [measure(row, args.threads, args.quick) for row in chosen]
    print(table(results, args.threads))
    print(f"\n{time.perf_counter() - start:.0f} s")
    if not args.quick:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps({"torch_default_threads": TORCH_DEFAULT_THREADS, "load_average": load,
                                       "results": results}, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()
