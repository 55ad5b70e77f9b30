"""Helpers for autograd tests: run the same code with Ember and with PyTorch.

Most tests here are written once as ``scenario(lib)`` where ``lib`` is either
the ``ember`` or the ``torch`` module (their autograd APIs share names), and
then compared, so PyTorch is the specification.
"""
import numpy
import pytest
import torch

import ember


def to_numpy(value):
    """A tensor (either library), a number, None, or a nested tuple/list of them, as NumPy."""
    if value is None:
        return None
    if isinstance(value, (tuple, list)):
        return [to_numpy(item) for item in value]
    if isinstance(value, torch.Tensor):
        return value.detach().numpy()
    if isinstance(value, ember.Tensor):
        return numpy.asarray(value.detach())
    return numpy.asarray(value)


def assert_same(ours, theirs, rtol=1e-6, atol=1e-9):
    """Compare nested results from both libraries (None must match None)."""
    if isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), (ours, theirs)
        for mine, reference in zip(ours, theirs):
            assert_same(mine, reference, rtol, atol)
        return
    if theirs is None or ours is None:
        assert ours is None and theirs is None, f"ember gave {ours}, torch gave {theirs}"
        return
    assert ours.shape == theirs.shape, f"shape: ember {ours.shape}, torch {theirs.shape}"
    numpy.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


@pytest.fixture
def matches_torch():
    """``matches_torch(scenario)`` runs ``scenario(ember)`` and ``scenario(torch)`` and compares."""
    def check(scenario, rtol=1e-6, atol=1e-9):
        ours = to_numpy(scenario(ember))
        theirs = to_numpy(scenario(torch))
        assert_same(ours, theirs, rtol, atol)
        return ours
    return check


@pytest.fixture(autouse=True)
def restore_autograd_state():
    """A test that fails inside a mode switch must not leave the next test in that mode."""
    yield
    ember.set_grad_enabled(True)
    torch.set_grad_enabled(True)
    ember.autograd.set_detect_anomaly(False)
