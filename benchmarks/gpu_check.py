"""One prepared run on a GPU: Ember on CuPy checked against the CPU and timed against PyTorch CUDA.

    PYTHONPATH=. python3 benchmarks/gpu_check.py --data .gpu_data --out $OUT/gpu_check.md

Sections (each runs on its own: a failure is reported with its traceback's last
lines and the others still run; the markdown file is rewritten after every section,
so a run cut short still leaves what it finished):

(a) ``table``: every reference-table entry (tests/ops) on float32 inputs, run on
    the CPU and on the device; forward values and gradients must agree within
    rtol 1e-4 / atol 1e-5 (or the entry's own float32 tolerance when looser).
    CuPy's matmul does not use TF32 unless ``CUPY_TF32=1`` is set, and this
    script never sets it. The inputs are drawn by the entries' Hypothesis
    strategies (Hypothesis must import; ``DATA/pydeps`` is appended to ``sys.path``
    for a machine without it, and for tqdm, which the example needs).
(b) ``mnist``: ``examples/mnist.py --model cnn`` for one epoch on the device and on
    the CPU from the same seed: test accuracy and wall time of each.
(c) ``timing``: W2 (MLP 784-256-128-10, batch 128, Adam), W4 (MLP 2048-4096-4096-10,
    batch 512, Adam) and W3 (LeNet-5, batch 64, SGD momentum) training steps, Ember
    eager and compiled (``ember.function``) against PyTorch on the same device,
    from the same weights and batch: warm-up, then interleaved rounds timed
    between device synchronisations; the median step time per contender.

Without a GPU the same flow runs with ``--device cpu`` or ``--device standin``
(the test double of tests/helpers/standin.py); ``--quick`` shrinks everything.
PyTorch is optional: without it (or without CUDA in it, for ``--device cuda``)
the timing table has no PyTorch column.
"""
from __future__ import annotations

import argparse
import datetime
import importlib.util
import os
import platform
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import ember  # noqa: E402
import ember.nn  # noqa: E402,F401

RTOL, ATOL = 1e-4, 1e-5
# entries that make CPU tensors by design (a round trip to the CPU, factories without a device,
# NumPy conversion of an operand): nothing to compare on another device
HOST_ONLY = {"to_device round trip": "moves its result to the CPU", "rand": "a factory (default device)",
             "randn": "a factory (default device)", "bucketize": "the entry converts its operand with NumPy"}


# --- running sections without letting one failure stop the rest ------------------------
class Report:
    """The markdown report, rewritten to ``path`` after each section."""

    def __init__(self, path: Path, header: list[str]):
        self.path, self.parts = path, ["\n".join(header)]

    def add(self, title: str, body: str) -> None:
        self.parts.append(f"## {title}\n\n{body.rstrip()}\n")
        self.write()

    def write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text("\n\n".join(self.parts) + "\n")


def run_section(report: Report, title: str, function, *args) -> None:
    print(f"\n=== {title} ===", flush=True)
    started = time.perf_counter()
    try:
        body = function(*args)
    except BaseException as error:  # noqa: BLE001  (a section's failure is a result, not the end)
        if isinstance(error, KeyboardInterrupt):
            raise
        body = "**section failed**:\n\n```\n" + tail(error, 25) + "\n```"
    body += f"\n\n({time.perf_counter() - started:.1f} s)"
    print(body, flush=True)
    report.add(title, body)


def tail(error: BaseException, lines: int = 6) -> str:
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return "\n".join(text.rstrip().splitlines()[-lines:])


def last_line(error: BaseException) -> str:
    message = f"{type(error).__name__}: {error}".strip().splitlines()
    return (message[0] if message else type(error).__name__)[:300].replace("|", "/")


# --- the device ----------------------------------------------------------------------
def prepare_device(name: str) -> str:
    """Make ``name`` usable (registering the stand-in for 'standin') and return the device string."""
    if name == "standin":
        sys.path.insert(0, str(ROOT))
        from tests.helpers.standin import ensure_registered
        ensure_registered()
    elif name.startswith("cuda") and not ember.cuda.is_available():
        try:
            ember.zeros(1, device=name)
        except Exception as why:  # say why CUDA is not there, then stop: nothing here means anything
            sys.exit(f"gpu_check: {why}")
    return name


def synchronize(device: str) -> None:
    if device.startswith("cuda"):
        ember.cuda.synchronize()


def describe(device: str) -> list[str]:
    lines = [f"# Ember GPU check ({datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC)", "",
             f"- device: `{device}`" + (f" ({ember.cuda.get_device_name()})" if device.startswith("cuda") else ""),
             f"- Python {platform.python_version()}, NumPy {numpy.__version__}"]
    for module in ("cupy", "torch"):
        try:
            lines.append(f"- {module} {__import__(module).__version__}")
        except Exception as why:  # noqa: BLE001
            lines.append(f"- {module}: not importable ({last_line(why)})")
    lines.append(f"- CUPY_TF32={os.environ.get('CUPY_TF32', '(unset: no TF32 in CuPy matmul)')}")
    return lines


# --- (a) the reference table on the device against the CPU -----------------------------
def use_pydeps(data: str | None) -> None:
    """Pure-Python helpers the machine may lack (Hypothesis for the table, tqdm for the example),
    from ``DATA/pydeps``: after the installed packages, so installed ones win."""
    if data and (Path(data) / "pydeps").is_dir():
        sys.path.append(str(Path(data) / "pydeps"))


def import_tables(data: str | None):
    sys.path.insert(0, str(ROOT / "tests" / "ops"))
    import ops_harness
    import ops_tables
    return ops_harness, ops_tables.ALL_CASES


def _move(value, device):
    if isinstance(value, ember.Tensor):
        moved = value.detach().to(device)
        return moved.requires_grad_(True) if value.requires_grad else moved
    return value


def _run_case(case, harness, inputs, device, differentiate, seed):
    """Outputs and gradients (as NumPy) of one entry on ``device``."""
    args = [_move(a, device) for a in inputs.ember_args(differentiate)]
    kwargs = {key: _move(value, device) for key, value in inputs.kwargs.items()}
    ember.manual_seed(seed)
    outs = harness.as_list(case.ember_fn(*args, **kwargs))
    for out in outs:
        if isinstance(out, ember.Tensor) and out.device.type != ember.device(device).type:
            raise AssertionError(f"an output is on {out.device}, not {device}")
    grads = []
    if differentiate:
        rng = numpy.random.default_rng(seed)
        pairs = [(out, ember.tensor(rng.standard_normal(out.shape).astype(out.dtype.name), device=device))
                 for out in outs if isinstance(out, ember.Tensor) and out.requires_grad]
        if pairs:
            ember.autograd.backward([o for o, _ in pairs], [g for _, g in pairs])
        grads = [None if args[p].grad is None else args[p].grad.cpu().numpy() for p in inputs.grad_positions]
    values = [out.detach().cpu().numpy() if isinstance(out, ember.Tensor) else out for out in outs]
    return values, grads


def _compare(expected, actual, tolerance, what):
    if isinstance(expected, numpy.ndarray):
        assert isinstance(actual, numpy.ndarray), f"{what}: {type(actual).__name__} instead of an array"
        assert actual.shape == expected.shape and actual.dtype == expected.dtype, (
            f"{what}: {actual.shape} {actual.dtype} != cpu {expected.shape} {expected.dtype}")
        numpy.testing.assert_allclose(actual, expected, *tolerance, equal_nan=True, err_msg=what)
    elif expected is None or actual is None:
        assert expected is None and actual is None, f"{what}: gradient present on one device only"
    else:
        assert expected == actual, f"{what}: {actual!r} != cpu {expected!r}"


def check_case(case, harness, example, dtype, device, seed=0):
    inputs = harness.build_inputs(example, dtype, numpy.random.default_rng(seed), [harness.contiguous])
    differentiate = case.grad and bool(inputs.grad_positions)
    expected = _run_case(case, harness, inputs, "cpu", differentiate, seed)
    actual = _run_case(case, harness, inputs, device, differentiate, seed)
    rtol, atol = case.tol(dtype)[:2]
    tolerance = (max(rtol, RTOL), max(atol, ATOL)) if dtype == "float32" else (rtol, atol)
    for index, (e, a) in enumerate(zip(expected[0], actual[0])):
        _compare(e, a, tolerance, f"output {index}")
    for position, (e, a) in zip(inputs.grad_positions, zip(expected[1], actual[1])):
        _compare(e, a, tolerance, f"gradient of argument {position}")


def _checker(case, harness, dtype, device):
    def check(example):
        check_case(case, harness, example, dtype, device)
    return check


def reference_table(device: str, data: str | None, examples: int, budget: float) -> str:
    harness, cases = import_tables(data)
    from hypothesis import HealthCheck, Phase, given, settings
    passed, failed, not_run, skipped = [], [], [], []
    started = time.perf_counter()
    for case in cases:
        if time.perf_counter() - started > budget:
            not_run.append(case.name)
            continue
        if case.name in HOST_ONLY:
            skipped.append(f"{case.name} ({HOST_ONLY[case.name]})")
            continue
        dtype = "float32" if "float32" in case.dtypes else case.dtypes[0]
        check = settings(max_examples=examples, derandomize=True, database=None, deadline=None,
                         phases=[Phase.generate], suppress_health_check=list(HealthCheck))(
            given(case.examples)(_checker(case, harness, dtype, device)))
        try:
            check()
            passed.append(case.name)
            print(f"  {case.name}: ok", flush=True)
        except Exception as error:  # noqa: BLE001
            failed.append((case.name, last_line(error)))
            print(f"  {case.name}: FAILED {failed[-1][1]}", flush=True)
    lines = [f"{len(passed)} passed, {len(failed)} failed, {len(skipped)} skipped, {len(not_run)} not run "
             f"(time budget {budget:.0f} s) "
             f"of {len(cases)} entries; float32 (int/bool entries in their first dtype), {examples} drawn "
             f"example(s) each, forward and gradients on `{device}` against `cpu`, "
             f"rtol {RTOL:g} / atol {ATOL:g} or the entry's looser float32 tolerance.", ""]
    if failed:
        lines += ["| failing entry | error |", "|---|---|"]
        lines += [f"| {name} | {error} |" for name, error in failed]
    if skipped:
        lines += ["", "Skipped (they make CPU tensors by design): " + ", ".join(skipped)]
    if not_run:
        lines += ["", "Not run: " + ", ".join(not_run)]
    return "\n".join(lines)


# --- (b) the MNIST CNN example on the device and on the CPU ------------------------------
def mnist(device: str, data: str | None, quick: bool, cpu_baseline: bool) -> str:
    spec = importlib.util.spec_from_file_location("mnist_example", ROOT / "examples" / "mnist.py")
    example = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = example  # its dataclasses look their module up there
    spec.loader.exec_module(example)
    rows = ["| device | dataset | test accuracy after 1 epoch | mean loss | wall time (train + eval) |",
            "|---|---|---|---|---|"]
    devices = [device] + (["cpu"] if cpu_baseline and device != "cpu" else [])
    with tempfile.TemporaryDirectory() as folder:
        for where in devices:
            argv = ["--model", "cnn", "--epochs", "1", "--device", where, "--quiet", "--no-download",
                    "--checkpoint", os.path.join(folder, f"{where}.safetensors")]
            argv += ["--data", data] if data else []
            argv += ["--limit", "2000"] if quick else []
            started = time.perf_counter()
            try:
                result = example.main(argv)
            except Exception as error:  # noqa: BLE001  (the other device's row still runs)
                rows.append(f"| {where} | failed: {last_line(error)} | | | |")
                print(tail(error, 12), flush=True)
                continue
            seconds = time.perf_counter() - started
            rows.append(f"| {where} | {result['dataset']} | {100 * result['accuracies'][-1]:.2f}% | "
                        f"{numpy.mean(result['losses'][-1]):.4f} | {seconds:.1f} s |")
    return "\n".join(rows)


# --- (c) training steps timed against PyTorch ----------------------------------------------
WORKLOADS = {  # name: (description, MLP widths or None for LeNet-5, batch, optimizer)
    "W2": ("MNIST MLP 784-256-128-10, batch 128, Adam", (784, 256, 128, 10), 128, "adam"),
    "W4": ("MLP 2048-4096-4096-10, batch 512, Adam", (2048, 4096, 4096, 10), 512, "adam"),
    "W3": ("LeNet-5, batch 64, SGD momentum", None, 64, "sgd"),
}


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


def batch(sizes, size):
    rng = numpy.random.default_rng(0)
    shape = (size, 1, 28, 28) if sizes is None else (size, sizes[0])
    return rng.standard_normal(shape).astype(numpy.float32), rng.integers(0, 10, size)


def make_step(library, model, inputs, targets, optimizer_name):
    if optimizer_name == "adam":
        optimizer = library.optim.Adam(model.parameters(), lr=1e-3)
    else:
        optimizer = library.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_function = library.nn.CrossEntropyLoss()

    def step(inputs, targets):
        optimizer.zero_grad()
        loss = loss_function(model(inputs), targets)
        loss.backward()
        optimizer.step()
        return loss
    return step


def torch_for(device: str):
    """PyTorch and its device matching ``device``, or (None, why)."""
    try:
        import torch
    except Exception as why:  # noqa: BLE001
        return None, f"PyTorch not importable ({last_line(why)})"
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            return None, "PyTorch has no CUDA here"
        torch.backends.cuda.matmul.allow_tf32 = False  # as CuPy: full float32 GEMMs
        torch.backends.cudnn.allow_tf32 = False
        return (torch, "cuda"), None
    return (torch, "cpu"), None


def contenders(name, device, torch_pair, compiled, quick=False):
    description, sizes, size, optimizer_name = WORKLOADS[name]
    if quick and sizes is not None and max(sizes) > 1024:  # prove the flow without a 4096-wide GEMM on a CPU
        sizes, size = tuple(min(width, 512) for width in sizes), 64
        description += " (--quick: widths capped at 512, batch 64)"
    inputs, targets = batch(sizes, size)
    found = {}
    weights = None
    if torch_pair is not None:
        torch, torch_device = torch_pair
        torch.manual_seed(0)
        reference = build_model(torch, sizes).to(torch_device)
        weights = {key: value.detach().cpu().numpy() for key, value in reference.state_dict().items()}
        step = make_step(torch, reference, inputs, targets, optimizer_name)
        args = (torch.tensor(inputs, device=torch_device), torch.tensor(targets, device=torch_device))
        sync = torch.cuda.synchronize if torch_device == "cuda" else (lambda: None)
        found["torch"] = (lambda: step(*args), sync)
    for kind in ("eager", "compiled") if compiled else ("eager",):
        ember.manual_seed(0)
        model = build_model(ember, sizes)
        if weights is not None:
            model.load_state_dict({key: ember.tensor(value) for key, value in weights.items()})
        model.to(device)
        step = make_step(ember, model, inputs, targets, optimizer_name)
        step = ember.function(step) if kind == "compiled" else step
        args = (ember.tensor(inputs, device=device), ember.tensor(targets, device=device))
        found[f"ember {kind}"] = ((lambda step=step, args=args: step(*args)), lambda: synchronize(device))
    return description, found


def race(found: dict, warmup: int, number: int, rounds: int) -> dict:
    """Median seconds per step of each contender, rounds interleaved (order alternating)."""
    for step, sync in found.values():
        for _ in range(warmup):
            step()
        sync()
    times = {name: [] for name in found}
    names = list(found)
    for round_index in range(rounds):
        for name in (names if round_index % 2 == 0 else names[::-1]):
            step, sync = found[name]
            sync()
            started = time.perf_counter()
            for _ in range(number):
                step()
            sync()
            times[name].append((time.perf_counter() - started) / number)
    return {name: statistics.median(values) for name, values in times.items()}


def timing(device: str, quick: bool, compiled: bool) -> str:
    torch_pair, why_not = torch_for(device)
    warmup, number, rounds = (1, 1, 2) if quick else (5, 10, 7)
    header = ["| workload | " + " | ".join(["ember eager", "ember compiled"][:1 + compiled])
              + (" | torch | ember eager / torch" + (" | ember compiled / torch" if compiled else "")
                 if torch_pair else "") + " |"]
    lines = header + ["|" + "---|" * (header[0].count("|") - 1)]
    problems = []
    for name in WORKLOADS:
        medians = None
        for with_compiled in ([True, False] if compiled else [False]):
            try:
                description, found = contenders(name, device, torch_pair, with_compiled, quick)
                medians = race(found, warmup, number, rounds)
                break
            except Exception as error:  # noqa: BLE001  (retry without the compiled step, then give up)
                problems.append(f"{name}{' with ember.function' if with_compiled else ''}: {last_line(error)}")
                print(tail(error, 12), flush=True)
        if medians is None:
            lines.append(f"| {name} | failed (see below) |")
            continue
        cells = [f"{1e3 * medians[key]:.2f} ms" if key in medians else "failed"
                 for key in ("ember eager", "ember compiled")[:1 + compiled]]
        if torch_pair:
            cells.append(f"{1e3 * medians['torch']:.2f} ms")
            cells += [f"{medians[key] / medians['torch']:.2f}x" if key in medians else "-"
                      for key in ("ember eager", "ember compiled")[:1 + compiled]]
        lines.append(f"| {name}: {description} | " + " | ".join(cells) + " |")
    note = (f"Median step time over {rounds} interleaved rounds of {number} step(s) after {warmup} warm-up "
            f"step(s), timed between device synchronisations, on `{device}`; same initial weights and batch.")
    if why_not:
        note += f" No PyTorch column: {why_not}."
    if problems:
        note += "\n\nFailures:\n" + "\n".join(f"- {problem}" for problem in problems)
    return "\n".join(lines) + "\n\n" + note


# --- the command line ------------------------------------------------------------------------
def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cuda", help="cuda (default), cpu or standin (the test double)")
    parser.add_argument("--data", metavar="DIR", help="folder holding mnist/ (and pydeps/ if Hypothesis is missing)")
    parser.add_argument("--out", default=None, help="markdown report (default: $OUT/gpu_check.md or ./gpu_check.md)")
    parser.add_argument("--quick", action="store_true", help="small sizes: prove the flow, not the numbers")
    parser.add_argument("--sections", default="table,mnist,timing", help="comma-separated subset to run")
    parser.add_argument("--examples", type=int, default=None, help="drawn examples per table entry")
    parser.add_argument("--table-budget", type=float, default=None, help="seconds for the table at most")
    parser.add_argument("--no-cpu-baseline", action="store_true", help="skip the MNIST run on the CPU")
    parser.add_argument("--no-compiled", action="store_true", help="time eager Ember steps only")
    return parser.parse_args(argv)


def main(argv=None) -> Path:
    args = parse_args(argv)
    out = Path(args.out or os.path.join(os.environ.get("OUT", "."), "gpu_check.md"))
    use_pydeps(args.data)
    device = prepare_device(args.device)
    report = Report(out, describe(device))
    report.write()
    sections = args.sections.split(",")
    if "table" in sections:
        examples = args.examples or (1 if args.quick else 2)
        budget = args.table_budget or (120.0 if args.quick else 150.0)
        run_section(report, "(a) reference table on the device against the CPU", reference_table,
                    device, args.data, examples, budget)
    if "mnist" in sections:
        run_section(report, "(b) MNIST CNN, one epoch", mnist, device, args.data, args.quick,
                    not args.no_cpu_baseline)
    if "timing" in sections:
        run_section(report, "(c) training steps against PyTorch", timing, device, args.quick,
                    not args.no_compiled)
    print(f"\nwrote {out}")
    return out


if __name__ == "__main__":
    main()
