"""Core benchmarks: Ember side by side with PyTorch (and NumPy) in one run.

    python benchmarks/bench_core.py [--quick]

Prints a markdown table of ember/reference ratios against the targets of the
core issue and writes the raw numbers to ``benchmarks/results/core.json``.
Contenders are timed in interleaved rounds (ember, reference, ember, ...) so
load from other processes hits both alike; each round times a short batch of
calls with the garbage collector off (as ``timeit`` does). The verdict uses
the median over rounds of the per-round ratio ember/reference: both sides of a
round share that moment's load, so the ratio holds steady on a busy machine
while absolute times do not. The ratio of the fastest rounds is shown too.
"""
from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import time

import numpy
import torch

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # benchmark the checkout, installed or not
import ember  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "core.json"
# PyTorch's intra-op threads per case group. Large ops get this machine's two cores,
# as NumPy's OpenBLAS uses all cores by default. Small tensors gain nothing from threads,
# and torch's backward with 2 threads ran 3-4x slower on this loaded 2-core VM (thread
# hand-offs), so small ops and the chain run torch single-threaded: its best case.
SMALL_THREADS = 1
LARGE_THREADS = 2


# --- timing ------------------------------------------------------------------
def time_batch(function, number):
    """Seconds per call of ``function`` over ``number`` back-to-back calls."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(number):
            function()
        return (time.perf_counter() - start) / number
    finally:
        if gc_was_enabled:
            gc.enable()


def race(contenders, number, rounds):
    """Interleaved rounds of every contender: {name: summary of its seconds per call}."""
    for function in contenders.values():
        function()  # warm-up: first-call caches, lazy imports, allocator pools
    names = list(contenders)
    samples = {name: [] for name in names}
    for round_ in range(rounds):
        # Rotate the order, so that no contender always runs right after another one's
        # BLAS/OpenMP threads, which keep spinning for a while once a call returns.
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(time_batch(contenders[name], number))
    return {name: summary(times) for name, times in samples.items()}


def summary(times):
    """Fastest and median seconds per call, and every round's (for per-round ratios)."""
    return {"min": min(times), "median": statistics.median(times), "rounds": times}


# --- the cases ---------------------------------------------------------------
def pair(shape, requires_grad=False, seed=0):
    """The same float32 operands for Ember, PyTorch and NumPy."""
    rng = numpy.random.default_rng(seed)
    a, b = (rng.standard_normal(shape).astype(numpy.float32) for _ in range(2))
    tensors = {"ember": (ember.tensor(a, requires_grad=requires_grad),
                         ember.tensor(b, requires_grad=requires_grad)),
               "torch": (torch.tensor(a, requires_grad=requires_grad),
                         torch.tensor(b, requires_grad=requires_grad))}
    return tensors, (a, b)


OPS = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "matmul": lambda a, b: a @ b,
    "sum": lambda a, b: a.sum(),
}


@dataclasses.dataclass
class Case:
    """One line of the table: contenders raced against ``reference`` for a ratio ``target``."""

    label: str
    reference: str
    target: float
    threads: int        # torch's intra-op threads for this case
    contenders: dict    # raced in interleaved rounds; holds "ember" and the reference
    number: int         # calls per timed batch
    rounds: int
    shown: dict = dataclasses.field(default_factory=dict)  # timed apart, for the table only


def small_op_cases(quick):
    for grad in (False, True):
        tensors, _ = pair((10, 10), requires_grad=grad)
        for name, op in OPS.items():
            contenders = {lib: (lambda op=op, ab=ab: op(*ab)) for lib, ab in tensors.items()}
            label = f"10x10 {name}" + (" (requires_grad)" if grad else "")
            yield Case(label, "torch", 1.5, SMALL_THREADS, contenders,
                       number=200, rounds=7 if quick else 51)


def chain(x):
    """20 elementwise ops, then sum and backward."""
    y = x
    for _ in range(5):
        y = (y * 0.9 + 0.1).tanh().sigmoid()
    y.sum().backward()
    x.grad = None


def chain_case(quick):
    tensors, _ = pair((10, 10), requires_grad=True)
    contenders = {lib: (lambda x=ab[0]: chain(x)) for lib, ab in tensors.items()}
    yield Case("20-op elementwise chain, fwd+bwd (10x10)", "torch", 1.0, SMALL_THREADS,
               contenders, number=20, rounds=7 if quick else 51)


def large_cases(quick):
    """Ember against the NumPy call it makes. PyTorch is timed in rounds of its own: its
    OpenMP threads keep spinning after each call and would slow whatever ran next."""
    for label, shape, ember_op, numpy_op, number, rounds in [
            ("1024x1024 matmul", (1024, 1024), lambda a, b: a @ b, numpy.matmul, 1, 15),
            ("add, 4M elements", (2048, 2048), lambda a, b: a + b, numpy.add, 5, 41)]:
        tensors, arrays = pair(shape)
        contenders = {"ember": lambda ab=tensors["ember"], op=ember_op: op(*ab),
                      "numpy": lambda ab=arrays, op=numpy_op: op(*ab)}
        shown = {"torch": lambda ab=tensors["torch"], op=ember_op: op(*ab)}
        yield Case(label, "numpy", 1.1, LARGE_THREADS, contenders, number=number,
                   rounds=3 if quick else rounds, shown=shown)


# --- import time ---------------------------------------------------------------
def import_seconds(module):
    """Seconds spent in ``import module`` in a fresh interpreter (start-up excluded)."""
    code = (f"import time; start = time.perf_counter(); import {module}; "
            "print(time.perf_counter() - start)")
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=path),
                          capture_output=True, text=True, check=True)
    return float(done.stdout)


def import_case(quick):
    samples = {"ember": [], "torch": []}
    for _ in range(3 if quick else 7):
        for module in samples:  # interleaved, like the other cases
            samples[module].append(import_seconds(module))
    return {name: summary(times) for name, times in samples.items()}


# --- report --------------------------------------------------------------------
def measure(quick):
    rows = []
    for cases in (small_op_cases(quick), chain_case(quick), large_cases(quick)):
        for case in cases:
            rows.append(measure_case(case))
            print(f"measured {case.label}", file=sys.stderr)
    times = import_case(quick)
    rows.append(row("import ember (vs import torch)", "torch", times, "<= 0.25 s",
                    times["ember"]["min"] <= 0.25, None))
    return rows


def measure_case(case):
    torch.set_num_threads(case.threads)
    times = race(case.contenders, case.number, case.rounds)
    if case.shown:
        times.update(race(case.shown, case.number, case.rounds))
    result = row(case.label, case.reference, times, f"<= {case.target}x {case.reference}",
                 None, case.threads)
    result["met"] = result["ratio"] <= case.target
    return result


def row(label, reference, times, target, met, threads):
    """A table row; ``ratio`` is the median of per-round ratios (rounds are interleaved pairs)."""
    ours, theirs = times["ember"]["rounds"], times[reference]["rounds"]
    paired = statistics.median(mine / other for mine, other in zip(ours, theirs))
    fastest = times["ember"]["min"] / times[reference]["min"]
    return {"benchmark": label, "reference": reference, "times": times, "ratio": paired,
            "fastest_ratio": fastest, "target": target, "met": met, "torch_threads": threads}


def seconds(value):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if value >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value / 1e-9:.3g} ns"


def table(rows):
    # Times are per call in the fastest round; the verdict column uses ``ratio``.
    lines = ["| benchmark | ember | torch (threads) | numpy | ember/ref | ember/ref (fastest) "
             "| target | met |",
             "|---|---:|---:|---:|---:|---:|---|---|"]
    for r in rows:
        cells = [seconds(r["times"][lib]["min"]) if lib in r["times"] else "–"
                 for lib in ("ember", "torch", "numpy")]
        if r["torch_threads"]:
            cells[1] += f" ({r['torch_threads']})"
        lines.append(f"| {r['benchmark']} | " + " | ".join(cells)
                     + f" | {r['ratio']:.2f} | {r['fastest_ratio']:.2f} | {r['target']} | "
                     + ("met" if r["met"] else "**not met**") + " |")
    return "\n".join(lines)


def environment():
    blas_env = {key: value for key, value in os.environ.items()
                if key.startswith(("OPENBLAS", "OMP_", "MKL_"))}
    return {"python": platform.python_version(), "numpy": numpy.__version__,
            "torch": torch.__version__, "ember": ember.__version__,
            "cpu": cpu_name(), "cpu_count": os.cpu_count(),
            "torch_threads": {"small": SMALL_THREADS, "large": LARGE_THREADS},
            "blas_env": blas_env, "load_average": os.getloadavg(),
            "date": time.strftime("%Y-%m-%d %H:%M")}


def cpu_name():
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    args = parser.parse_args(argv)
    env = environment()
    rows = measure(args.quick)
    load = ", ".join(f"{value:.2f}" for value in env["load_average"])
    print(f"python {env['python']}, numpy {env['numpy']}, torch {env['torch']}, "
          f"CPU {env['cpu']} x{env['cpu_count']}, BLAS env {env['blas_env'] or 'none'}, "
          f"load average at start {load}\n")
    print(table(rows))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"environment": env, "rows": rows}, indent=2) + "\n")
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
