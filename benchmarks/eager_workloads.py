"""The LSTM and GPT workloads of bench_eager, built from the compatibility programs' models.

word_language_model's ``RNNModel`` and char_gpt's ``GPT`` (tests/compat/programs) are
loaded for either library through the compatibility harness, so the benchmark times,
and tests/compat/test_benchmark_workloads.py checks, the very models the compatibility
tests run. Nothing here imports PyTorch: the memory test runs Ember alone.
"""
from __future__ import annotations

import importlib
import importlib.util
import pathlib
import sys
from typing import Callable

import numpy

ROOT = pathlib.Path(__file__).resolve().parents[1]
# The speed issue's sizes: embedding 1000x64 -> LSTM(64, 128) over 35 steps -> linear, batch 32.
LSTM_SIZES = dict(vocab=1000, embedding=64, hidden=128, steps=35, batch=32)
GPT_BATCH = 8


def _harness():
    name = "compat_harness"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / "compat" / "harness.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def twins(build: Callable, libraries=("torch", "ember")) -> dict:
    """{library name: model} from ``build(name)``; Ember's gets PyTorch's initial weights."""
    models = {name: build(name) for name in libraries}
    if "torch" in models and "ember" in models:
        _harness().copy_weights(models["torch"], models["ember"])
    return models


def lstm_model(library: str, sizes: dict = LSTM_SIZES, seed: int = 0):
    """word_language_model's RNNModel: embedding -> one LSTM layer -> linear (no dropout, untied)."""
    program = _harness().load("word_language_model", library)
    importlib.import_module(library).manual_seed(seed)
    return program.RNNModel("LSTM", sizes["vocab"], sizes["embedding"], sizes["hidden"], 1, dropout=0.0)


def lstm_batches(sizes: dict = LSTM_SIZES, count: int = 4, seed: int = 0) -> list:
    """Token batches (sequence first, as nn.LSTM expects) and their next-token targets."""
    rng = numpy.random.default_rng(seed)
    tokens = rng.integers(0, sizes["vocab"], (count, sizes["steps"] + 1, sizes["batch"]))
    return [(chunk[:-1], chunk[1:].reshape(-1)) for chunk in tokens]


def lstm_step(library, model, batches) -> Callable[[], float]:
    """One Adam step per call from a zero state, cycling over ``batches``; returns the loss."""
    optimizer = library.optim.Adam(model.parameters(), lr=1e-3)
    criterion = library.nn.NLLLoss()
    data = [(library.tensor(x), library.tensor(y)) for x, y in batches]
    count = [0]

    def step():
        inputs, targets = data[count[0] % len(data)]
        count[0] += 1
        hidden = model.init_hidden(inputs.shape[1])
        optimizer.zero_grad()
        output, _ = model(inputs, hidden)
        loss = criterion(output, targets)
        loss.backward()
        optimizer.step()
        return loss.item()
    return step


def gpt_model(library: str, seed: int = 0, dropout: bool = True):
    """char_gpt's GPT as the program builds it (2 layers, 32 wide, 2 heads, block 32)."""
    program = _harness().load("char_gpt", library)
    importlib.import_module(library).manual_seed(seed)
    model = program.make_model("cpu")
    if not dropout:
        _harness().without_dropout(model)
    return model


def gpt_batches(seed: int = 0, batch: int = GPT_BATCH) -> list:
    program = _harness().load("char_gpt", "ember")  # the data are plain lists of token ids
    xs, ys = program.make_data(numpy.random.default_rng(seed), batch_size=batch)
    return [(numpy.array(x), numpy.array(y)) for x, y in zip(xs, ys)]


def gpt_step(library, model, batches) -> Callable[[], float]:
    """The program's training step: AdamW, clip_grad_norm_(1.0); cycles over ``batches``."""
    optimizer = library.optim.AdamW(model.parameters(), lr=3e-3, betas=(0.9, 0.95), weight_decay=0.1)
    data = [(library.tensor(x), library.tensor(y)) for x, y in batches]
    count = [0]
    model.train()

    def step():
        inputs, targets = data[count[0] % len(data)]
        count[0] += 1
        _, loss = model(inputs, targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        library.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        return loss.item()
    return step


def paired_steps(models: dict, batches: list, make_step: Callable) -> dict:
    """{library name: step} for ``models`` (as returned by ``twins``)."""
    return {name: make_step(importlib.import_module(name), model, batches) for name, model in models.items()}


def peak_rss_kib() -> int:
    """This process's peak resident set size (Linux VmHWM: ru_maxrss would survive exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise OSError("no VmHWM in /proc/self/status")


if __name__ == "__main__":  # the memory test's child: Ember alone, N steps, then the peak RSS
    import json
    sys.path.insert(0, str(ROOT))  # the checkout, installed or not
    import ember
    import ember.nn  # noqa: F401
    import ember.optim  # noqa: F401
    steps, sizes = int(sys.argv[1]), json.loads(sys.argv[2])
    step = lstm_step(ember, lstm_model("ember", sizes), lstm_batches(sizes))
    for _ in range(steps):
        step()
    print(json.dumps({"steps": steps, "peak_rss_kib": peak_rss_kib()}))
