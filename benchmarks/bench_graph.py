"""Static-graph benchmarks: compiled Ember vs eager Ember vs PyTorch (and jax.jit, torch.compile).

    python benchmarks/bench_graph.py [--quick] [--full] [--torch-compile] [--jax PYTHON]

One training step per workload (the training benchmark's W1-W4: same models,
batch sizes and optimizers) and an elementwise chain on 1M elements. Every
contender is timed in interleaved rounds (so load from other processes hits
all alike) and the fastest round is the verdict; medians are reported too.
Ratios are per step: compiled Ember / PyTorch eager and compiled Ember /
eager Ember. The first call of a compiled function (trace + passes + codegen)
is reported as the compile time.

``--full`` adds W4 (a BLAS-bound 2048-4096-4096-10 MLP: seconds per step on a
small machine). ``--jax PYTHON`` times ``jax.jit`` in a subprocess run by that
interpreter (JAX lives in its own virtual environment). Results go to
``benchmarks/results/graph.json``.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one thread for every contender: a fair, quiet race
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import ember  # noqa: E402
import ember.nn  # noqa: E402,F401
import ember.optim  # noqa: E402,F401
from ember.graph import kernels  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "graph.json"

WORKLOADS = {
    "W1": dict(description="seed MLP 10-10-1, batch 256, MSE", sizes=(10, 10, 1), batch=256,
               optimizer="adam", target=0.15, number=50, rounds=15),
    "W2": dict(description="MNIST MLP 784-256-128-10, batch 128, cross entropy", sizes=(784, 256, 128, 10),
               batch=128, optimizer="adam", target=0.55, number=10, rounds=9),
    "W3": dict(description="LeNet-5, batch 64, cross entropy", sizes=None, batch=64, optimizer="sgd",
               target=1.2, number=3, rounds=7),
    "W4": dict(description="MLP 2048-4096-4096-10, batch 512, cross entropy",
               sizes=(2048, 4096, 4096, 10), batch=512, optimizer="adam", target=0.95, number=1, rounds=3),
}


# --- timing --------------------------------------------------------------------------------------
def time_batch(function, number: int) -> float:
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(number):
            function()
        return (time.perf_counter() - start) / number
    finally:
        gc.enable()


def race(contenders: dict, number: int, rounds: int) -> dict:
    """Interleaved rounds; ``{name: {"min": seconds, "median": seconds}}`` per call."""
    for function in contenders.values():
        function()  # warm up (and compile)
    samples = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, function in contenders.items():
            samples[name].append(time_batch(function, number))
    return {name: {"min": min(s), "median": statistics.median(s)} for name, s in samples.items()}


# --- models ----------------------------------------------------------------------------------------
def build_model(library, sizes):
    nn = library.nn
    if sizes is None:
        return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    layers = []
    for width_in, width_out in zip(sizes, sizes[1:]):
        layers += [nn.Linear(width_in, width_out), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def batch(spec):
    rng = numpy.random.default_rng(0)
    sizes = spec["sizes"]
    shape = (spec["batch"], 1, 28, 28) if sizes is None else (spec["batch"], sizes[0])
    inputs = rng.standard_normal(shape).astype(numpy.float32)
    if sizes is not None and sizes[-1] == 1:
        return inputs, rng.standard_normal((spec["batch"], 1)).astype(numpy.float32)
    return inputs, rng.integers(0, 10, spec["batch"])


def make_step(library, model, optimizer_name, targets_are_classes):
    if optimizer_name == "adam":
        optimizer = library.optim.Adam(model.parameters(), lr=1e-3)
    else:
        optimizer = library.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_function = library.nn.CrossEntropyLoss() if targets_are_classes else library.nn.MSELoss()

    def step(x, y):
        optimizer.zero_grad()
        loss = loss_function(model(x), y)
        loss.backward()
        optimizer.step()
        return loss
    return step


def twin_models(torch, sizes):
    torch.manual_seed(0)
    reference = build_model(torch, sizes)
    weights = {k: ember.tensor(v.detach().numpy()) for k, v in reference.state_dict().items()}
    models = []
    for _ in range(3):
        model = build_model(ember, sizes)
        model.load_state_dict(weights)
        models.append(model)
    return reference, models


def traceable(optimizer_name, sizes) -> bool:
    """Whether a training step with this optimizer compiles (Adam's step count may block it)."""
    model = build_model(ember, (3, 2))
    step = ember.function(make_step(ember, model, optimizer_name, False))
    try:
        for _ in range(2):
            step(ember.ones(2, 3), ember.ones(2, 2))
        return True
    except ember.EmberError:
        return False


# --- workloads -----------------------------------------------------------------------------------------
def measure_training(name, spec, torch, args) -> dict:
    optimizer_name = spec["optimizer"]
    note = ""
    if optimizer_name == "adam" and not traceable("adam", spec["sizes"]):
        optimizer_name, note = "sgd", "Adam does not trace yet (optim's count_step needs float(step)): SGD momentum"
    inputs, targets = batch(spec)
    classes = targets.dtype.kind == "i"
    reference, (eager_model, compiled_model, numba_model) = twin_models(torch, spec["sizes"])
    x, y = ember.tensor(inputs), ember.tensor(targets)
    tx, ty = torch.tensor(inputs), torch.tensor(targets)
    eager = make_step(ember, eager_model, optimizer_name, classes)
    compiled = ember.function(make_step(ember, compiled_model, optimizer_name, classes))
    torch_step = make_step(torch, reference, optimizer_name, classes)
    start = time.perf_counter()
    compiled(x, y)
    compile_seconds = time.perf_counter() - start
    compiled(x, y)  # the second signature: .grad and optimizer state now exist
    contenders = {"ember eager": lambda: eager(x, y), "ember compiled": lambda: compiled(x, y),
                  "torch eager": lambda: torch_step(tx, ty)}
    numba_compile = None
    if kernels.available():
        fused = ember.function(make_step(ember, numba_model, optimizer_name, classes), numba=True)
        start = time.perf_counter()
        fused(x, y)
        fused(x, y)  # both signatures (before and after .grad and optimizer state exist)
        numba_compile = time.perf_counter() - start
        contenders["ember compiled+numba"] = lambda: fused(x, y)
    if args.torch_compile:
        contenders["torch.compile"] = torch_compiled_step(torch, spec, optimizer_name, classes, tx, ty)
    if spec["sizes"] is not None:
        contenders["numpy by hand"] = numpy_step(torch, spec["sizes"], inputs, targets, classes, optimizer_name)
    rounds = 3 if args.quick else spec["rounds"]
    times = race(contenders, spec["number"], rounds)
    if args.jax:
        times.update(jax_times(args.jax, name, spec, optimizer_name, rounds))
    return {"workload": name, "description": spec["description"], "optimizer": optimizer_name, "note": note,
            "compile_s": compile_seconds, "numba_compile_s": numba_compile, "times": times,
            "target": spec["target"]}


def numpy_step(torch, sizes, inputs, targets, classes, optimizer_name):
    """A hand-written NumPy step for an MLP (the floor for code that calls NumPy).

    In-place updates with ``out=`` and preallocated scratch, as a careful
    NumPy programmer would write them; Adam in PyTorch's order of operations.
    """
    torch.manual_seed(0)
    layers = [layer for layer in build_model(torch, sizes) if hasattr(layer, "weight")]
    weights = [layer.weight.detach().numpy().copy() for layer in layers]
    biases = [layer.bias.detach().numpy().copy() for layer in layers]
    params = weights + biases
    first = [numpy.zeros_like(p) for p in params]    # momentum buffer, or Adam's m
    second = [numpy.zeros_like(p) for p in params]   # Adam's v
    scratch = [numpy.empty_like(p) for p in params]
    x = inputs
    onehot = numpy.eye(sizes[-1], dtype=numpy.float32)[targets] if classes else None
    count = [0]

    def gradients():
        activations, h = [x], x
        for index, (w, b) in enumerate(zip(weights, biases)):
            h = h @ w.T + b
            if index < len(weights) - 1:
                numpy.maximum(h, 0, out=h)
            activations.append(h)
        if classes:
            shifted = h - h.max(1, keepdims=True)
            probabilities = numpy.exp(shifted)
            probabilities /= probabilities.sum(1, keepdims=True)
            grad = (probabilities - onehot) / len(x)
        else:
            grad = (h - targets) * (2.0 / h.size)
        grads = []
        for index in range(len(weights) - 1, -1, -1):
            grads.append((grad.T @ activations[index], grad.sum(0)))
            if index:
                grad = grad @ weights[index]
                grad *= activations[index] > 0
        grads.reverse()
        return [g for g, _ in grads] + [g for _, g in grads]

    def sgd_step():
        for param, buffer, g, work in zip(params, first, gradients(), scratch):
            buffer *= 0.9
            buffer += g
            numpy.multiply(buffer, 0.01, out=work)
            param -= work

    def adam_step():
        count[0] += 1
        correction2 = numpy.float32(numpy.sqrt(1 - 0.999 ** count[0]))
        step_size = numpy.float32(1e-3 / (1 - 0.9 ** count[0]))
        for param, m, v, g, work in zip(params, first, second, gradients(), scratch):
            numpy.subtract(g, m, out=work)
            work *= 0.1
            m += work
            numpy.multiply(g, g, out=work)
            work *= 0.001
            v *= 0.999
            v += work
            numpy.sqrt(v, out=work)
            work /= correction2
            work += 1e-8
            numpy.divide(m, work, out=work)
            work *= step_size
            param -= work
    return adam_step if optimizer_name == "adam" else sgd_step


def torch_compiled_step(torch, spec, optimizer_name, classes, tx, ty):
    torch.manual_seed(0)
    model = build_model(torch, spec["sizes"])
    step = torch.compile(make_step(torch, model, optimizer_name, classes))
    return lambda: step(tx, ty)


def jax_times(python, name, spec, optimizer_name, rounds) -> dict:
    """``jax.jit`` of the same step, timed in a subprocess (JAX has its own environment)."""
    script = ROOT / "benchmarks" / "jax_step.py"
    if not script.exists() or spec["sizes"] is None:
        return {}
    command = [python, str(script), json.dumps({**spec, "optimizer": optimizer_name, "rounds": rounds})]
    try:
        output = subprocess.run(command, capture_output=True, text=True, timeout=900, check=True).stdout
        return {"jax.jit": json.loads(output.strip().splitlines()[-1])}
    except (subprocess.SubprocessError, ValueError, IndexError) as error:
        print(f"  jax.jit skipped for {name}: {error}", file=sys.stderr)
        return {}


def chain(x, y):
    return ((x * y + 1.0).tanh() * 0.5 - y.exp() / (x * x + 1.0)).relu()


def arithmetic_chain(x, y):
    return ((x * y + 1.0) * 0.5 - y / (x * x + 1.0)).relu()


CHAINS = {"chain": (chain, "elementwise chain with tanh/exp, 1M float32 (forward)",
                    lambda a, b: numpy.maximum(numpy.tanh(a * b + 1.0) * 0.5 - numpy.exp(b) / (a * a + 1.0), 0)),
          "arith": (arithmetic_chain, "arithmetic elementwise chain, 1M float32 (forward)",
                    lambda a, b: numpy.maximum((a * b + 1.0) * 0.5 - b / (a * a + 1.0), 0))}


def measure_chain(torch, args, name="chain") -> dict:
    function, description, by_hand = CHAINS[name]
    rng = numpy.random.default_rng(0)
    a, b = (rng.standard_normal(1_000_000).astype(numpy.float32) for _ in range(2))
    x, y = ember.tensor(a), ember.tensor(b)
    tx, ty = torch.tensor(a), torch.tensor(b)
    compiled = ember.function(function)
    start = time.perf_counter()
    compiled(x, y)
    compile_seconds = time.perf_counter() - start
    chain = function
    contenders = {"ember eager": lambda: chain(x, y), "ember compiled": lambda: compiled(x, y),
                  "torch eager": lambda: chain(tx, ty), "numpy expression": lambda: by_hand(a, b)}
    if kernels.available():
        fused = ember.function(chain, numba=True)
        fused(x, y)
        contenders["ember compiled+numba"] = lambda: fused(x, y)
    if args.torch_compile:
        compiled_torch = torch.compile(chain)
        contenders["torch.compile"] = lambda: compiled_torch(tx, ty)
    times = race(contenders, 5, 3 if args.quick else 9)
    return {"workload": name, "description": description,
            "compile_s": compile_seconds, "times": times, "target": None, "optimizer": "", "note": ""}


def blas_kernel() -> str:
    """Which BLAS NumPy runs and which CPU kernels it picked (threadpoolctl), e.g. "openblas SkylakeX"."""
    try:
        import threadpoolctl
    except ImportError:
        return "unknown (threadpoolctl not installed)"
    found = [f"{i.get('internal_api')} {i.get('architecture')}" for i in threadpoolctl.threadpool_info()
             if i.get("user_api") == "blas"]
    return ", ".join(found) or "unknown"


# --- report ---------------------------------------------------------------------------------------------
def table(rows) -> str:
    lines = ["| workload | optimizer | ember eager | compiled | compiled+numba | torch eager | other | "
             "compiled/torch | compiled/eager | target | compile | compile+numba |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        t = {k: v["min"] for k, v in row["times"].items()}
        best = min(t["ember compiled"], t.get("ember compiled+numba", float("inf")))  # the verdict: the better path
        others = ", ".join(f"{k} {_ms(v)}" for k, v in t.items()
                           if k not in ("ember eager", "ember compiled", "ember compiled+numba", "torch eager"))
        target = row["target"]
        verdict = "" if target is None else f"≤ {target} {'met' if best / t['torch eager'] <= target else 'not met'}"
        lines.append(f"| {row['workload']} {row['description']} | {row['optimizer']} | {_ms(t['ember eager'])} | "
                     f"{_ms(t['ember compiled'])} | {_ms(t.get('ember compiled+numba'))} | "
                     f"{_ms(t['torch eager'])} | {others or '-'} | {best / t['torch eager']:.2f} | "
                     f"{best / t['ember eager']:.2f} | {verdict} | {row['compile_s'] * 1000:.0f} ms | "
                     f"{_seconds(row.get('numba_compile_s'))} |")
    return "\n".join(lines)


def _seconds(seconds) -> str:
    return "-" if seconds is None else f"{seconds:.2f} s"


def _ms(seconds) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1e6:.0f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds each (a smoke test)")
    parser.add_argument("--full", action="store_true", help="include W4 (seconds per step)")
    parser.add_argument("--torch-compile", action="store_true", help="also time torch.compile")
    parser.add_argument("--jax", metavar="PYTHON", help="a Python with jax installed, to time jax.jit")
    parser.add_argument("--only", nargs="*", help="workloads to run (W1 W2 W3 W4 chain arith)")
    args = parser.parse_args(argv)
    import torch
    torch.set_num_threads(1)
    names = args.only or ["W1", "W2", "W3"] + (["W4"] if args.full else []) + ["chain", "arith"]
    cache = kernels.cache_directory() if kernels.available() else None
    cached = len(list(cache.glob("*.py"))) if cache else 0
    rows = []
    for name in names:
        print(f"running {name} ...", file=sys.stderr)
        rows.append(measure_chain(torch, args, name) if name in CHAINS else
                    measure_training(name, WORKLOADS[name], torch, args))
    print(f"numba kernel cache: {cache} ({cached} kernels before this run; compile+numba is the first two "
          "calls: seconds with an empty cache, well under one with a full one)")
    print(f"BLAS: {blas_kernel()}, OPENBLAS_* set: "
          f"{ {k: v for k, v in os.environ.items() if k.startswith('OPENBLAS_')} }, load {os.getloadavg()}")
    print(table(rows))
    for row in rows:
        if row["note"]:
            print(f"{row['workload']}: {row['note']}")
    machine = {"python": platform.python_version(), "numpy": numpy.__version__, "torch": torch.__version__,
               "cpus": os.cpu_count(), "threads": 1, "platform": platform.platform(),
               "load": os.getloadavg(), "blas": blas_kernel(),
               "blas_env": {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_")}}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"machine": machine, "rows": rows}, indent=1, default=str))


if __name__ == "__main__":
    main()
