"""A small tanh-MLP regression solved side by side in Ember and PyTorch.

Both frameworks start from the same weights and compute their own gradients
of the same loss each step, so a test compares whole parameter trajectories.
"""
from __future__ import annotations

import types

import numpy as np
import pytest
import torch

import ember

SHAPES = {"w1": (6, 5), "b1": (5,), "w2": (5, 3), "b2": (3,)}


def initial_arrays(seed: int = 0, dtype=np.float64) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    arrays = {name: rng.standard_normal(shape).astype(dtype) * 0.5 for name, shape in SHAPES.items()}
    arrays["x"] = rng.standard_normal((8, 6)).astype(dtype)
    arrays["y"] = rng.standard_normal((8, 3)).astype(dtype)
    return arrays


class Side:
    """One framework's copy of the problem: parameters, data and the loss."""

    def __init__(self, library, arrays: dict[str, np.ndarray]):
        self.library = library
        self.params = [library.tensor(arrays[name].copy(), requires_grad=True) for name in SHAPES]
        self.x = library.tensor(arrays["x"].copy())
        self.y = library.tensor(arrays["y"].copy())

    def loss(self):
        w1, b1, w2, b2 = self.params
        hidden = self.library.tanh(self.x @ w1 + b1)
        return ((hidden @ w2 + b2 - self.y) ** 2).mean()

    def train_step(self, optimizer, before_step=None):
        optimizer.zero_grad()
        loss = self.loss()
        loss.backward()
        if before_step is not None:
            before_step()
        optimizer.step()
        return float(loss.detach())

    def arrays(self) -> list[np.ndarray]:
        return [np.array(p.detach().numpy()) for p in self.params]


def both_sides(seed: int = 0, dtype=np.float64) -> tuple[Side, Side]:
    arrays = initial_arrays(seed, dtype)
    return Side(ember, arrays), Side(torch, arrays)


def assert_same_params(ember_side: Side, torch_side: Side, step: int, rtol: float = 1e-5,
                       atol: float = 1e-8) -> None:
    for name, mine, theirs in zip(SHAPES, ember_side.arrays(), torch_side.arrays()):
        np.testing.assert_allclose(mine, theirs, rtol=rtol, atol=atol,
                                   err_msg=f"parameter {name} differs from PyTorch after step {step}")


@pytest.fixture
def problem():
    """This module's helpers (importlib import mode can't import sibling test modules)."""
    return types.SimpleNamespace(SHAPES=SHAPES, Side=Side, both_sides=both_sides,
                                 initial_arrays=initial_arrays, assert_same_params=assert_same_params)
