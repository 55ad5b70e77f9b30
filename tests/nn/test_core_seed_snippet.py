"""Acceptance: PyTorch training code runs on Ember with ``import ember as torch`` as the only change."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np

import ember
from ember import nn
from ember.nn import functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SEED_SNIPPET = textwrap.dedent('''
    import torch

    class MyModel(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = torch.nn.Linear(10, 32)
            self.fc2 = torch.nn.Linear(32, 1)

        def forward(self, x):
            return self.fc2(torch.relu(self.fc1(x)))

    torch.manual_seed(0)
    model = MyModel()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = torch.nn.MSELoss()
    x = torch.randn(64, 10)
    y = x[:, :1] * 2.0 - x[:, 1:2]
    losses = []
    for step in range(100):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    print(losses[0], losses[-1])
''')


def _run(source: str) -> tuple[float, float]:
    result = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": ROOT}, timeout=300)
    assert result.returncode == 0, result.stderr
    first, last = map(float, result.stdout.split())
    return first, last


def test_seed_snippet_runs_with_only_the_import_changed():
    """The seed's PyTorch code, in a fresh interpreter, with ``import ember as torch``."""
    first, last = _run(SEED_SNIPPET.replace("import torch", "import ember as torch", 1))
    assert last < 0.2 * first


def test_seed_snippet_reference_run_with_torch():
    first, last = _run(SEED_SNIPPET)
    assert last < 0.2 * first


def test_mlp_classifier_trains_with_manual_sgd():
    """ember.nn alone (no optimizer): a two-layer classifier fits a separable problem."""
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Dropout(0.1), nn.Linear(16, 2))
    rng = np.random.default_rng(0)
    points = rng.standard_normal((128, 2)).astype(np.float32)
    labels = (points[:, 0] * points[:, 1] > 0).astype(np.int64)
    x, y = ember.tensor(points), ember.tensor(labels)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for _ in range(300):
        model.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        with ember.no_grad():
            for param in model.parameters():
                param.sub_(param.grad * 0.5)
        losses.append(loss.item())
    model.eval()
    accuracy = float((model(x).argmax(1) == y).float().mean())
    assert losses[-1] < 0.5 * losses[0] and accuracy > 0.9


def test_functional_api_matches_torch_training_step_for_step():
    """The same weights, data and SGD steps give the same parameters as PyTorch after 5 steps."""
    import torch

    def build(lib):
        lib.manual_seed(0)
        return lib.nn.Sequential(lib.nn.Linear(3, 8), lib.nn.Tanh(), lib.nn.LayerNorm(8), lib.nn.Linear(8, 2))

    ours, theirs = build(ember), build(torch)
    ours.load_state_dict(theirs.state_dict())
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((16, 3)).astype(np.float32), rng.integers(0, 2, 16)
    for _ in range(5):
        for model, lib, no_grad in ((ours, ember, ember.no_grad), (theirs, torch, torch.no_grad)):
            model.zero_grad()
            loss = (F if lib is ember else torch.nn.functional).cross_entropy(model(lib.tensor(x)), lib.tensor(y))
            loss.backward()
            with no_grad():
                for param in model.parameters():
                    param.sub_(param.grad * 0.1)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(np.asarray(ours.state_dict()[key]), value.numpy(), rtol=1e-4, atol=1e-6)
