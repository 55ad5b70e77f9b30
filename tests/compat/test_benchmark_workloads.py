"""The eager benchmark's LSTM and GPT workloads compute what PyTorch computes, in bounded memory.

benchmarks/bench_eager.py times word_language_model's RNNModel (at the speed issue's
sizes) and char_gpt's GPT, built by benchmarks/eager_workloads.py. Here both run 20
training steps from the same weights and data in both libraries and the losses must
agree, so a speed-up can never come from computing something else. Dropout is off (the
libraries draw different masks by design); the benchmark runs the GPT with its dropout
on, the same layers otherwise. The memory test runs the LSTM workload's code path at
smaller sizes for 100 and 1,000 steps and compares the peak RSS of the two processes.
"""
from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("torch")

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import eager_workloads as workloads  # noqa: E402

STEPS = 20


@pytest.fixture(autouse=True)
def one_torch_thread():
    """PyTorch's intra-op threads only slow these small steps on a shared 2-core machine."""
    import torch
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def losses(steps, count=STEPS):
    return {name: np.array([step() for _ in range(count)]) for name, step in steps.items()}


def test_lstm_workload_matches_pytorch():
    models = workloads.twins(workloads.lstm_model)
    found = losses(workloads.paired_steps(models, workloads.lstm_batches(), workloads.lstm_step))
    assert found["torch"][-1] < found["torch"][0]  # it trains: the comparison is not of constants
    np.testing.assert_allclose(found["ember"], found["torch"], rtol=1e-4, atol=1e-4)


def test_gpt_workload_matches_pytorch():
    models = workloads.twins(lambda library: workloads.gpt_model(library, dropout=False))
    found = losses(workloads.paired_steps(models, workloads.gpt_batches(), workloads.gpt_step))
    assert found["torch"][-1] < found["torch"][0]
    np.testing.assert_allclose(found["ember"], found["torch"], rtol=1e-4, atol=1e-4)


def peak_rss_after(steps: int, sizes: dict) -> int:
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "eager_workloads.py"), str(steps),
                           json.dumps(sizes)], capture_output=True, text=True, check=True, timeout=600)
    return json.loads(done.stdout.strip().splitlines()[-1])["peak_rss_kib"]


@pytest.mark.slow
def test_lstm_workload_memory_stays_bounded():
    # The benchmark's code path (embedding, LSTM, linear, NLL, Adam; fresh state each step)
    # at sizes that keep 1,000 steps short; a cache growing per step shows up either way.
    sizes = dict(vocab=200, embedding=16, hidden=32, steps=8, batch=4)
    short, long = peak_rss_after(100, sizes), peak_rss_after(1000, sizes)
    assert long <= 1.2 * short, f"peak RSS {long} KiB after 1,000 steps, {short} KiB after 100"
